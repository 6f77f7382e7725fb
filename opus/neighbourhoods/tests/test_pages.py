"""The PB pages: a resident votes once through the form; nothing of a count shows before the
results are published (pages, downloads, messages)."""

from django.urls import reverse

from opus.neighbourhoods.models import Ballot, Phase, Result


def test_a_resident_votes_through_the_form_once(client, cast, voting):
    process, (a, b, _c) = voting
    client.force_login(cast.resident)
    url = reverse("neighbourhoods:pb_vote", args=[process.pk])
    form = {"postcode": "NV1 1AA", "age": "30", f"project-{a.pk}": "on"}
    assert client.post(url, form).status_code == 302
    again = client.post(url, {**form, f"project-{b.pk}": "on"})
    assert "There is a problem" in again.content.decode()
    assert "already voted" in again.content.decode()
    assert Ballot.objects.filter(process=process).count() == 1
    page = client.get(reverse("neighbourhoods:pb_detail", args=[process.pk])).content.decode()
    assert "You have voted in this process" in page


def test_a_bad_ballot_keeps_what_was_typed_and_changes_nothing(client, cast, voting):
    process, (a, _b, _c) = voting
    client.force_login(cast.resident)
    url = reverse("neighbourhoods:pb_vote", args=[process.pk])
    answer = client.post(url, {"postcode": "ZZ1 1ZZ", "age": "30", f"project-{a.pk}": "on"})
    body = answer.content.decode()
    assert "There is a problem" in body and "ZZ1 1ZZ" in body
    assert not Ballot.objects.exists()


def test_nothing_of_a_count_shows_before_the_results_are_published(client, cast, voting):
    process, (a, _b, _c) = voting
    Ballot.objects.create(process=process, voter=cast.resident, channel="online", points={})
    process.phase = Phase.COUNTING
    process.save(update_fields=["phase"])
    Result.objects.create(
        process=process, rule="equal-shares", variant={}, winners=[str(a.pk)], cost_pence=1,
        official=True, ballots_sha256="x",
        projects=[{"id": str(a.pk), "cost": 1, "votes": 4242, "points": 4242, "funded": True,
                   "effective_support": "0.5", "reason": "SECRET-REASON"}],
        receipts={},
    )  # fmt: skip
    for who in (None, cast.resident, cast.councillor, cast.admin):
        if who is not None:
            client.force_login(who)
        page = client.get(reverse("neighbourhoods:pb_detail", args=[process.pk])).content.decode()
        assert "4242" not in page and "SECRET-REASON" not in page and "funded" not in page
        download = client.get(reverse("neighbourhoods:pb_pabulib", args=[process.pk]))
        assert download.status_code == 404


def test_only_the_councils_officers_see_the_paper_ballot_form(client, cast, voting):
    process, _projects = voting
    url = reverse("neighbourhoods:pb_paper", args=[process.pk])
    client.force_login(cast.resident)
    assert client.get(url).status_code == 404
    client.force_login(cast.councillor)
    assert "Ballot paper number" in client.get(url).content.decode()


def test_the_dashboards_link_to_open_votes_and_the_councils_processes(client, cast, voting):
    process, (a, _b, _c) = voting
    client.force_login(cast.resident)
    page = client.get(reverse("core:dashboard_role", args=["resident"])).content.decode()
    assert f"Vote in {process.title}" in page
    Ballot.objects.create(process=process, voter=cast.resident, channel="online", points={})
    page = client.get(reverse("core:dashboard_role", args=["resident"])).content.decode()
    assert f"Vote in {process.title}" not in page
    client.force_login(cast.councillor)
    page = client.get(reverse("core:dashboard_role", args=["councillor"])).content.decode()
    assert reverse("neighbourhoods:pb_detail", args=[process.pk]) in page
