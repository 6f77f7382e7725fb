"""Demo world: a fair-shares formula for Northvale and a published run for its neighbourhoods.

Made through the services, as a commissioner would: the formula weights older residents more,
measures need from the published needs assessment's indicators with an inequalities component
from deprivation, adds a cost index for the rural neighbourhoods, and moves each neighbourhood from
last year's (equal) money by pace of change. Publishing it funds every neighbourhood council's
budget through the ledger and tells its councillors, so the budgets follow the formula.
"""

from __future__ import annotations

from decimal import Decimal

from opus.allocation import runs
from opus.allocation.runs_inputs import areas_at
from opus.core.models import Area, AreaKind, Membership, Role, User
from opus.needs.models import Assessment, AssessmentStatus

# Weights per five-year age band (0–4 … 90+): children and older people use more services.
AGE_WEIGHTS = ["1.2", "1", "1", "1", "0.9", "0.9", "0.9", "0.9", "0.9", "1", "1", "1", "1.1",
               "1.2", "1.4", "1.6", "1.9", "2.2", "2.5"]  # fmt: skip
# Need from the published needs assessment (higher = more need), weighted; rural sparsity costs.
INDICATORS = {"loneliness": "2", "falls-65": "1", "depression": "1", "child-poverty": "1",
              "emergency-admissions": "1"}  # fmt: skip
COSTS = {"The Moors": "1.06", "Weald": "1.03"}
LAST_YEAR_PENCE = 90_000_00  # each neighbourhood's money last year: the same for all
TOTAL_PENCE = 600_000_00


def seed_allocation_runs(seed: int = 2026) -> None:  # noqa: ARG001 - every demo step takes the seed
    """A formula, and a published neighbourhood run that funds the councils' budgets."""
    cora = User.objects.filter(email="commissioner@demo.opus.test").first()
    county = Area.objects.filter(kind=AreaKind.LOCAL_AUTHORITY).order_by("code").first()
    if cora is None or county is None:
        return
    membership = Membership.objects.filter(user=cora, role=Role.COMMISSIONER).first()
    if membership is None:
        return
    assessment = Assessment.objects.filter(area=county, status=AssessmentStatus.PUBLISHED).first()
    hoods = areas_at(county, AreaKind.NEIGHBOURHOOD)
    need: dict[str, object] = {"need_source": "deprivation"}
    if assessment is not None:
        known = set(assessment.indicators.values_list("slug", flat=True))
        weights = {s: w for s, w in INDICATORS.items() if s in known}
        need = {"need_source": "assessment", "assessment": assessment, "indicator_weights": weights}
    formula = runs.formula_save(
        by=cora,
        owner=membership.organisation,
        name="Northvale neighbourhood fair shares",
        scope=county,
        age_weights=AGE_WEIGHTS,
        **need,
        inequalities=True,
        cost_index={h.code: COSTS[h.name] for h in hoods if h.name in COSTS},
        h=Decimal("0.10"),
        transition="pace",
        min_growth=Decimal("0.01"),
    )
    run = runs.run_create(
        formula=formula,
        title="Neighbourhood budgets 2026/27: fair shares",
        period="2026/27",
        level=AreaKind.NEIGHBOURHOOD,
        total_pence=TOTAL_PENCE,
        baseline={h.code: LAST_YEAR_PENCE for h in hoods},
        by=cora,
    )
    runs.run_publish(run=run, by=cora)
