"""A small county for allocation tests: three neighbourhoods (one small area each) with their
councils and a councillor each, and builders for a formula and a run."""

from decimal import Decimal

from opus.allocation import runs
from opus.core.models import AreaKind, OrganisationKind, Role
from opus.testing import create_area, create_member, create_organisation

MILLION = 100_000_000  # pence


def build_county(cast):
    """A county of three neighbourhoods (one LSOA each) with their councils and councillors."""
    la = create_area(kind=AreaKind.LOCAL_AUTHORITY, code="E06999001", name="Testshire")
    hoods = {}
    for n, (people, imd) in enumerate([(100, 40.0), (150, 20.0), (50, 30.0)], start=1):
        hood = create_area(
            kind=AreaKind.NEIGHBOURHOOD, code=f"N9990000{n}", name=f"Hood {n}", parent=la,
            population=people, population_male=[0] * 19, population_female=[0] * 19,
        )  # fmt: skip
        create_area(
            code=f"E0199900{n}", name=f"Small {n}", parent=la, neighbourhood=hood,
            population=people, imd_score=imd,
        )  # fmt: skip
        council = create_organisation(
            name=f"Hood {n} Council", kind=OrganisationKind.NEIGHBOURHOOD_COUNCIL, area=hood
        )
        create_member(Role.COUNCILLOR, council, email=f"clerk{n}@example.test")
        hoods[hood.code] = hood
    return la


def make_formula(cast, county, **terms):
    fields = {
        "name": "Fair shares", "scope": county, "need_source": "deprivation",
        "transition": "pace", "min_growth": Decimal("0.01"),
    }  # fmt: skip
    fields.update(terms)
    return runs.formula_save(by=cast.commissioner, owner=cast.council, **fields)


def make_run(cast, formula, baseline=None, total=300 * MILLION):
    return runs.run_create(
        formula=formula, title="Neighbourhood money 2026/27", period="2026/27",
        level="neighbourhood", total_pence=total, baseline=baseline or {}, by=cast.commissioner,
    )  # fmt: skip
