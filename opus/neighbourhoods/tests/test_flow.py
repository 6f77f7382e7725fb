"""A councillor runs a PB process through the pages, from proposals to delivery."""

from django.urls import reverse

from opus.core.models import Role
from opus.neighbourhoods.models import Ballot, Phase, Process
from opus.testing import create_member


def step(client, process, name):
    return client.post(reverse("neighbourhoods:pb_step", args=[process.pk]), {"step": name})


def test_from_proposals_to_published_results_and_delivery_through_the_pages(
    client, cast, hood_budget
):
    client.force_login(cast.councillor)
    new = reverse("neighbourhoods:pb_new", args=[cast.parish.slug])
    form = {
        "title": "Vale decides", "budget": str(hood_budget.pk), "amount": "100",
        "ballot_type": "approval", "min_choices": "1", "max_choices": "2", "points": "10",
        "min_age": "11", "rule": "equal-shares",
    }  # fmt: skip
    bad = client.post(new, {**form, "amount": "lots"})
    assert "There is a problem" in bad.content.decode()
    assert client.post(new, form).status_code == 302
    process = Process.objects.get()
    client.force_login(cast.resident)
    propose = reverse("neighbourhoods:pb_propose", args=[process.pk])
    for title, cost in (("X1", "50"), ("X2", "50"), ("Y", "40")):
        client.post(propose, {"title": title, "description": "Good", "cost": cost})
    assert process.projects.count() == 3
    client.force_login(cast.councillor)
    step(client, process, "advance")
    for project in process.projects.all():
        url = reverse("neighbourhoods:pb_review", args=[process.pk, project.pk])
        client.post(url, {"decision": "feasible", "cost": str(project.cost_pence / 100)})
    step(client, process, "advance")
    x1, x2, y = process.projects.order_by("pk")
    voters = [
        create_member(Role.RESIDENT, cast.council, email=f"p{n}@example.test") for n in range(10)
    ]
    for n, voter in enumerate(voters):
        client.force_login(voter)
        chosen = (
            {f"project-{x1.pk}": "on", f"project-{x2.pk}": "on"}
            if n < 6
            else {f"project-{y.pk}": "on"}
        )
        client.post(reverse("neighbourhoods:pb_vote", args=[process.pk]),
                    {"postcode": "NV1 1AA", "age": "20", **chosen})  # fmt: skip
    client.force_login(cast.councillor)
    paper = reverse("neighbourhoods:pb_paper", args=[process.pk])
    keyed = {"voter_email": cast.resident.email, "paper_number": "1", "postcode": "NV2 1AA"}
    answer = client.post(paper, {**keyed, "age": "70", f"project-{y.pk}": "on"})
    assert answer.status_code == 302
    assert Ballot.objects.filter(process=process).count() == 11
    void = reverse("neighbourhoods:pb_void", args=[process.pk])
    client.post(void, {"paper_number": "1", "reason": "Keyed twice by mistake"})
    assert Ballot.objects.filter(process=process, voided_at__isnull=True).count() == 10
    for name in ("close", "count", "publish"):
        step(client, process, name)
    process.refresh_from_db()
    assert process.phase == Phase.RESULTS and process.published
    page = client.get(reverse("neighbourhoods:pb_detail", args=[process.pk])).content.decode()
    assert "Effective support" in page and "For comparison" in page
    y.refresh_from_db()
    assert y.funded
    delivery = reverse("neighbourhoods:pb_delivery", args=[process.pk, y.pk])
    client.post(delivery, {"progress": "50", "milestone": "Ordered", "payment": "10",
                           "reference": "INV-1"})  # fmt: skip
    y.refresh_from_db()
    assert y.progress == 50
    money = client.get(reverse("neighbourhoods:council_money", args=[cast.parish.slug]))
    assert "PB: Y" in money.content.decode() and "Places to meet" in money.content.decode()
