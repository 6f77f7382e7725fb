import datetime as dt

import pytest

from opus.commissioning.models import CommissioningPlan, ServiceDecision
from opus.commissioning.models.plans import ServiceLevel
from opus.core.models import AreaKind, Postcode, Role
from opus.core.services import membership_grant
from opus.neighbourhoods import money
from opus.testing import create_area

TODAY = dt.date(2026, 12, 7)


def make_hood(cast):
    """The Vale neighbourhood (two LSOAs with a postcode each), the parish council's area."""
    area = create_area(kind=AreaKind.NEIGHBOURHOOD, name="Vale", code="E99000001")
    for n, code in ((1, "E01999001"), (2, "E01999002")):
        lsoa = create_area(code=code, name=f"Vale {n}", neighbourhood=area)
        Postcode.objects.create(postcode=f"NV{n} 1AA", lsoa=lsoa)
    outside = create_area(code="E01999003", name="Elsewhere")
    Postcode.objects.create(postcode="ZZ1 1ZZ", lsoa=outside)
    cast.parish.area = area
    cast.parish.save(update_fields=["area"])
    return area


def make_decision(cast, area):
    plan = CommissioningPlan.objects.create(
        title="Testshire plan 2026/27", commissioner=cast.council, area=area, period="2026/27"
    )
    return ServiceDecision.objects.create(
        plan=plan,
        need="Places to meet",
        proposed_level=ServiceLevel.NEIGHBOURHOOD,
        level=ServiceLevel.NEIGHBOURHOOD,
        budget_pence=15_000_00,
    )


def make_budget(cast, decision):
    budget = money.neighbourhood_budget_create(
        council=cast.parish,
        title="Vale 2026/27",
        period_start=dt.date(2026, 4, 1),
        period_end=dt.date(2027, 3, 31),
        by=cast.commissioner,
    )
    money.neighbourhood_budget_fund(budget=budget, decision=decision, by=cast.commissioner)
    return budget


def parish_budget(cast):
    """The parish council with its area and a £15,000 budget from the plan (for other tests)."""
    return make_budget(cast, make_decision(cast, make_hood(cast)))


@pytest.fixture
def hood(cast):
    return make_hood(cast)


@pytest.fixture
def decision(cast, hood):
    return make_decision(cast, hood)


@pytest.fixture
def hood_budget(cast, hood, decision):
    return make_budget(cast, decision)


@pytest.fixture
def other_councillor(cast):
    from opus.core.models import OrganisationKind
    from opus.testing import create_member, create_organisation

    other = create_organisation(name="Hill Council", kind=OrganisationKind.NEIGHBOURHOOD_COUNCIL)
    return create_member(Role.COUNCILLOR, other, email="olga@example.test")


__all__ = ["TODAY", "membership_grant"]


def open_process(cast, budget, *, ballot_type="approval", costs=(4_000_00, 3_000_00, 2_000_00),
                 amount=5_000_00, rule="equal-shares", **options):  # fmt: skip
    """A process through proposals and feasibility to voting, its projects proposed by Rosa."""
    from opus.neighbourhoods import services as pb

    process = pb.process_create(
        council=cast.parish, budget=budget, title="Vale decides", amount_pence=amount,
        ballot_type=ballot_type, rule=rule, by=cast.councillor, **options,
    )  # fmt: skip
    projects = [
        pb.project_propose(
            process=process,
            title=f"Idea {n}",
            description="Something good",
            cost_pence=cost,
            by=cast.resident,
        )  # fmt: skip
        for n, cost in enumerate(costs, start=1)
    ]
    pb.process_advance(process=process, by=cast.councillor)
    for project in projects:
        pb.project_review(project=project, feasible=True, by=cast.councillor)
    pb.process_advance(process=process, by=cast.councillor)
    process.refresh_from_db()
    return process, projects


@pytest.fixture
def voting(cast, hood_budget):
    return open_process(cast, hood_budget)
