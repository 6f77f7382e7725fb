"""The demo's casework: a case in each state for the council's councillor."""

from opus.neighbourhoods.demo_casework import seed_casework
from opus.neighbourhoods.models import Case, CaseStatus


def test_the_demo_makes_a_case_in_each_state_once(cast):
    made = seed_casework(council_slug=cast.parish.slug)
    assert made == {
        CaseStatus.NEW: 1,
        CaseStatus.IN_PROGRESS: 1,
        CaseStatus.REFERRED: 1,
        CaseStatus.ANSWERED: 1,
        CaseStatus.CLOSED: 1,
    }
    assert seed_casework(council_slug=cast.parish.slug) == {}
    assert Case.objects.count() == 5


def test_the_demo_world_has_casework_for_old_towns_councillor(demo_world, client):
    from opus.neighbourhoods.demo import OLD_TOWN

    cases = Case.objects.filter(council__slug=OLD_TOWN)
    assert set(cases.values_list("status", flat=True)) == set(CaseStatus.values)
