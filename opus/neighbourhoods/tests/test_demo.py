"""The demo world's neighbourhood money and PB: every council funded from the plan, one process
finished with 1,500 ballots counted both ways with a difference, one open for Rosa."""

from django.urls import reverse

from opus.budgets.models import Budget, Source
from opus.budgets.verify import ledger_verify
from opus.core.models import OrganisationKind, Postcode, User
from opus.neighbourhoods.models import Phase, Process


def test_the_demo_has_funded_councils_a_finished_and_an_open_process(demo_world, client):
    councils = Budget.objects.filter(organisation__kind=OrganisationKind.NEIGHBOURHOOD_COUNCIL)
    assert councils.count() == 6
    assert all(b.sources.filter(source=Source.PLAN).exists() for b in councils)
    finished = Process.objects.get(phase=Phase.DELIVERY)
    assert finished.ballots.count() == 1_500 and finished.ballots.filter(channel="paper").exists()
    official = finished.results.get(official=True)
    other = finished.results.get(official=False)
    assert set(official.winners) != set(other.winners)
    assert ledger_verify().ok
    opened = Process.objects.get(phase=Phase.VOTING)
    rosa = User.objects.get(email="resident@demo.opus.test")
    client.force_login(rosa)
    postcode = Postcode.objects.filter(lsoa__neighbourhood=opened.area).order_by("postcode")[0]
    project = opened.projects.order_by("pk")[0]
    answer = client.post(
        reverse("neighbourhoods:pb_vote", args=[opened.pk]),
        {"postcode": postcode.postcode, "age": "40", f"project-{project.pk}": "on"},
    )
    assert answer.status_code == 302 and opened.ballots.filter(voter=rosa).exists()
