"""A small world for needs tests: one authority, two wards, 20 LSOAs with a deprivation spread."""

from dataclasses import dataclass

import pytest

from opus.core.models import Area, AreaKind, OrganisationKind
from opus.needs import services
from opus.needs.models import Indicator, Method, Polarity
from opus.testing import create_area, create_organisation

PERIOD = "2025/26"


@dataclass
class World:
    la: Area
    lsoas: list
    agency: object
    indicator: Indicator


def proportion_csv(lsoas, numerators, denominators, extra=()):
    lines = ["area_code,period,breakdown,group,numerator,denominator"]
    lines += [
        f"{a.code},{PERIOD},all,,{x},{n}"
        for a, x, n in zip(lsoas, numerators, denominators, strict=True)
    ]
    lines += list(extra)
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def world(db, cast):
    la = create_area(code="E06900050", name="Testshire", kind=AreaKind.LOCAL_AUTHORITY)
    wards = [
        create_area(code=f"E0590005{i}", name=f"Ward {i}", kind=AreaKind.WARD, parent=la)
        for i in (1, 2)
    ]
    lsoas = [
        create_area(
            code=f"E01900{100 + i}",
            name=f"Testshire {i:03d}",
            parent=wards[i % 2],
            imd_score=float(40 - 2 * i),
            imd_decile=1 + i // 2,
        )
        for i in range(20)
    ]
    agency = create_organisation(name="Testshire NHS", kind=OrganisationKind.NHS_BODY)
    indicator = services.indicator_create(
        by=None,
        slug="loneliness",
        name="Loneliness",
        definition="Adults often lonely",
        numerator_label="Lonely adults",
        denominator_label="Adults surveyed",
        method=Method.PROPORTION,
        multiplier=100,
        unit="%",
        polarity=Polarity.HIGH_IS_BAD,
        source_agency=agency,
        period=PERIOD,
        breakdowns=["disability"],
    )
    return World(la, lsoas, agency, indicator)


def upload(world, numerators, denominators=None, extra=(), by=None):
    denominators = denominators or [200] * len(world.lsoas)
    return services.dataset_upload(
        indicator=world.indicator,
        agency=world.agency,
        period=PERIOD,
        content=proportion_csv(world.lsoas, numerators, denominators, extra),
        file_name="loneliness.csv",
        by=by,
    )


def assess(world, by=None, repetitions=2_000):
    assessment = services.assessment_create(
        title="Testshire JENA",
        area=world.la,
        period=PERIOD,
        indicators=[world.indicator],
        partners=[world.agency],
        by=by,
    )
    services.assessment_compute(assessment.pk, None, repetitions=repetitions)
    assessment.refresh_from_db()
    return assessment
