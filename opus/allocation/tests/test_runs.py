"""Allocation runs through the service layer: computed exactly, stored with a reproducible hash,
bad input refused with nothing saved, publishing funding the neighbourhood councils through the
ledger and telling their councillors, and only commissioners writing."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from opus.allocation import runs
from opus.allocation.models import AllocationRun, RunStatus
from opus.allocation.runs_inputs import AllocationError, digest, engine_inputs
from opus.allocation.tests.runs_world import MILLION, build_county, make_formula, make_run
from opus.budgets.models import BudgetSource
from opus.core.models import AuditEvent
from opus.engines import fair_shares
from opus.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(cast):
    return build_county(cast)


def test_a_run_shares_by_deprivation_and_stores_its_inputs_and_hash(cast, county):
    run = make_run(cast, make_formula(cast, county))
    results = {r.area.code: r for r in run.results.select_related("area")}
    assert sum(r.allocation_pence for r in results.values()) == 300 * MILLION
    # need = IMD score / population-weighted mean: 40, 20, 30 against a mean of 28.33…
    assert results["N99900001"].allocation_pence > results["N99900002"].allocation_pence
    assert all(sum(r.steps) == r.allocation_pence for r in results.values())
    assert run.input_hash == digest(run.inputs) and len(run.input_hash) == 64
    again = fair_shares.allocate(engine_inputs(run.inputs))  # reproducible from its snapshot
    assert {a.code: a.allocation for a in again.areas} == {
        c: r.allocation_pence for c, r in results.items()
    }
    assert AuditEvent.objects.filter(action="allocation_run.create").count() == 1


def test_editing_a_formula_makes_a_new_version_and_keeps_the_old(cast, county):
    first = make_formula(cast, county)
    second = make_formula(cast, county, previous=first, name="Fair shares, revised")
    assert (second.family, second.version) == (first.family, 2)
    first.refresh_from_db()
    assert first.name == "Fair shares"


def test_pace_of_change_moves_from_the_baseline(cast, county):
    baseline = {"N99900001": 95 * MILLION, "N99900002": 150 * MILLION, "N99900003": 50 * MILLION}
    run = make_run(cast, make_formula(cast, county, need_source="none"), baseline)
    got = dict(run.results.values_list("area__code", "allocation_pence"))
    # targets by population: 100m, 150m, 50m; B and C (at or above target) get their 1%,
    # A, under target, the rest
    assert got == {"N99900001": 98_000_000_00, "N99900002": 151_500_000_00,
                   "N99900003": 50_500_000_00}  # fmt: skip


def test_an_unfundable_floor_is_explained_and_nothing_saved(cast, county):
    formula = make_formula(cast, county, need_source="none", transition="floor", min_growth=0,
                       max_loss=Decimal("0.01"))  # fmt: skip
    baseline = {"N99900001": 200 * MILLION, "N99900002": 150 * MILLION, "N99900003": 50 * MILLION}
    with pytest.raises(AllocationError, match="floor cannot be funded"):
        make_run(cast, formula, baseline)
    assert not AllocationRun.objects.exists()


def test_an_indicator_missing_areas_names_them_and_nothing_is_saved(cast, county):
    import numpy as np

    from opus.needs.models import Assessment, AssessmentStatus, Result, pack
    from opus.testing import create_indicator

    indicator = create_indicator(source_agency=cast.council, slug="lonely")
    assessment = Assessment.objects.create(
        title="JSNA", area=county, period="2026", status=AssessmentStatus.PUBLISHED
    )
    table = {"codes": np.array(["N99900001", "N99900002", "N99900003"]),
             "value": np.array([12.5, float("nan"), 3.0])}  # fmt: skip
    assessment.indicators.add(indicator)
    Result.objects.create(assessment=assessment, indicator=indicator, level="neighbourhood",
                          table=pack(table))  # fmt: skip
    formula = make_formula(cast, county, need_source="assessment", assessment=assessment,
                       indicator_weights={"lonely": "1"})  # fmt: skip
    with pytest.raises(AllocationError, match="lonely has no value for N99900002") as error:
        make_run(cast, formula)
    assert error.value.areas == ("N99900002",)
    assert not AllocationRun.objects.exists()


def test_an_indicator_where_higher_is_better_is_refused(cast, county):
    from opus.needs.models import Assessment, AssessmentStatus, Polarity
    from opus.testing import create_indicator

    happy = create_indicator(
        source_agency=cast.council, slug="happy", polarity=Polarity.HIGH_IS_GOOD
    )
    assessment = Assessment.objects.create(
        title="JSNA", area=county, period="2026", status=AssessmentStatus.PUBLISHED
    )
    assessment.indicators.add(happy)
    with pytest.raises(AllocationError, match="Higher is better for happy"):
        make_formula(cast, county, need_source="assessment", assessment=assessment,
                     indicator_weights={"happy": "1"})  # fmt: skip
    with pytest.raises(AllocationError, match="Not in this assessment: sad"):
        make_formula(cast, county, need_source="assessment", assessment=assessment,
                     indicator_weights={"sad": "1"})  # fmt: skip


def test_negative_costs_are_refused(cast, county):
    with pytest.raises(AllocationError):
        make_formula(cast, county, cost_index={"N99900001": "-1"})


def test_publishing_funds_each_council_through_the_ledger_and_tells_its_councillors(cast, county):
    run = make_run(cast, make_formula(cast, county))
    runs.run_publish(run=run, by=cast.commissioner)
    run.refresh_from_db()
    assert run.status == RunStatus.PUBLISHED and run.published_at is not None
    sources = BudgetSource.objects.select_related("budget__organisation")
    funded = {s.budget.organisation.area.code: s.planned_pence for s in sources}
    assert funded == dict(run.results.values_list("area__code", "allocation_pence"))
    told = Notification.objects.filter(template="allocation_budget_changed")
    assert sorted(n.recipient.email for n in told) == [
        "clerk1@example.test", "clerk2@example.test", "clerk3@example.test"
    ]  # fmt: skip
    assert AuditEvent.objects.filter(action="allocation_run.publish").count() == 1
    with pytest.raises(AllocationError, match="already published"):
        runs.run_publish(run=run, by=cast.commissioner)


@pytest.mark.parametrize("role", ["resident", "provider", "councillor", "auditor", "stranger"])
def test_only_commissioners_and_administrators_write(cast, county, role):
    user = getattr(cast, role)
    with pytest.raises(PermissionDenied):
        runs.formula_save(by=user, owner=cast.council, name="x", scope=county,
                          need_source="none", transition="none")  # fmt: skip
    run = make_run(cast, make_formula(cast, county))
    with pytest.raises(PermissionDenied):
        runs.run_publish(run=run, by=user)
    with pytest.raises(PermissionDenied):
        make_run(type("C", (), {"commissioner": user}), run.formula)


def test_an_administrator_may_publish(cast, county):
    run = make_run(cast, make_formula(cast, county))
    assert runs.run_publish(run=run, by=cast.admin).is_published
