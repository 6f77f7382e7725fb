"""Computing an assessment: the figures, the gradient, the groups and the ranked needs."""

import numpy as np
import pytest

from opus.engines import statistics as st
from opus.needs.models import AssessmentStatus, Priority, Result

from .conftest import PERIOD, assess, upload

pytestmark = pytest.mark.django_db

DISABILITY_ROWS = (
    f"E06900050,{PERIOD},disability,Disabled,60,300",
    f"E06900050,{PERIOD},disability,Not disabled,120,2400",
)


def _rows(assessment, level):
    result = Result.objects.get(assessment=assessment, indicator__slug="loneliness", level=level)
    return result.rows()


def test_every_level_is_computed_with_wilson_limits(world):
    numerators = [200 - 8 * i for i in range(20)]  # more loneliness where deprivation is higher
    upload(world, numerators, [1000] * 20)
    assessment = assess(world)
    assert assessment.status == AssessmentStatus.COMPUTED
    (la,) = _rows(assessment, "la")
    expected = st.proportion(sum(numerators), 1000 * 20, multiplier=100)
    assert la["value"] == pytest.approx(expected.value, abs=1e-9)
    assert la["lower95_0cl"] == pytest.approx(expected.lower, abs=1e-9)
    assert la["upper99_8cl"] == pytest.approx(
        st.proportion(sum(numerators), 20_000, multiplier=100, confidence=0.998).upper, abs=1e-9
    )
    wards = {r["codes"]: r for r in _rows(assessment, "ward")}
    assert wards["E05900051"]["numerator"] == sum(numerators[0::2])
    lsoa = _rows(assessment, "lsoa")
    assert lsoa[0]["vs_parent"] == 1 and lsoa[-1]["vs_parent"] == -1


def test_the_deprivation_gradient_gives_a_positive_sii_for_a_high_is_bad_need(world):
    upload(world, [40 - i for i in range(20)])
    assessment = assess(world)
    result = Result.objects.get(assessment=assessment, level="decile")
    sii = result.summary["sii"]["E06900050"]
    values = result.arrays()["value"]
    assert values[0] > values[-1]  # decile 1, the most deprived, is lonelier
    assert sii["sii"] > 0 and sii["sii_lower"] < sii["sii"] < sii["sii_upper"]


def test_a_flat_indicator_has_no_deprivation_priority_of_weight(world):
    upload(world, [20] * 20)
    assessment = assess(world)
    priority = Priority.objects.get(assessment=assessment, group="Deprivation")
    assert priority.people_affected == pytest.approx(0, abs=1e-6)


def test_groups_are_compared_and_the_gap_ranked_by_people_affected(world):
    upload(world, [20] * 20, extra=DISABILITY_ROWS)
    assessment = assess(world)
    groups = {r["codes"]: r for r in _rows(assessment, "breakdown:disability")}
    assert groups["Disabled"]["value"] == pytest.approx(20.0)
    priorities = list(Priority.objects.filter(assessment=assessment))
    assert priorities[0].label == "Loneliness: Disabled"
    # (20% − 5%) × 300 people = 45 more lonely disabled people than if they fared as well.
    assert priorities[0].people_affected == pytest.approx(45.0)


def test_a_new_upload_flows_into_a_recomputed_assessment(world):
    upload(world, [20] * 20)
    assessment = assess(world)
    before = _rows(assessment, "la")[0]["value"]
    upload(world, [30] * 20)
    from opus.needs.services import assessment_compute

    assessment_compute(assessment.pk, None, repetitions=1_000)
    after = _rows(assessment, "la")[0]["value"]
    assert before == pytest.approx(10.0) and after == pytest.approx(15.0)
    assert Result.objects.filter(assessment=assessment, level="la").count() == 1


def test_areas_without_data_are_missing_and_so_are_the_totals_they_belong_to(world):
    from opus.needs import services

    lines = ["area_code,period,breakdown,group,numerator,denominator"]
    lines += [f"{a.code},{PERIOD},all,,20,200" for a in world.lsoas[:10]]
    services.dataset_upload(
        indicator=world.indicator,
        agency=world.agency,
        period=PERIOD,
        content="\n".join(lines).encode(),
        file_name="half.csv",
        by=None,
    )
    assessment = assess(world)
    values = [r["value"] for r in _rows(assessment, "lsoa")]
    assert all(v == pytest.approx(10.0) for v in values[:10])
    assert all(np.isnan(v) for v in values[10:])
    assert np.isnan(_rows(assessment, "la")[0]["value"])


def test_the_trend_shows_every_period_up_to_the_assessments(world):
    from opus.needs import services

    for period, count in (("2023/24", 40), ("2024/25", 30), ("2026/27", 99)):
        lines = ["area_code,period,breakdown,group,numerator,denominator"]
        lines += [f"{a.code},{period},all,,{count},200" for a in world.lsoas]
        services.dataset_upload(
            indicator=world.indicator,
            agency=world.agency,
            period=period,
            content="\n".join(lines).encode(),
            file_name="t.csv",
            by=None,
        )
    upload(world, [20] * 20)
    assessment = assess(world)
    trend = {r["codes"]: r["value"] for r in _rows(assessment, "trend")}
    assert trend == pytest.approx({"2023/24": 20.0, "2024/25": 15.0, "2025/26": 10.0})


def test_life_expectancy_is_computed_from_uploaded_life_tables(world):
    from opus.needs import services
    from opus.needs.models import Method, Polarity
    from opus.needs.uploads import DEATH_COLUMNS, POPULATION_COLUMNS

    indicator = services.indicator_create(
        by=None,
        slug="le",
        name="Life expectancy",
        definition="At birth",
        numerator_label="Deaths",
        denominator_label="Population",
        method=Method.LIFE_EXPECTANCY,
        multiplier=1,
        unit="years",
        polarity=Polarity.HIGH_IS_GOOD,
        source_agency=world.agency,
        period=PERIOD,
    )
    pops = [60, 240] + [300] * 18
    deaths = [1, 0] + [0] * 8 + [1, 1, 2, 3, 4, 6, 9, 12, 15, 20]
    header = ",".join(
        ["area_code", "period", "breakdown", "group", *DEATH_COLUMNS, *POPULATION_COLUMNS]
    )
    lines = [header] + [
        ",".join([a.code, PERIOD, "all", "", *map(str, deaths), *map(str, pops)])
        for a in world.lsoas
    ]
    services.dataset_upload(
        indicator=indicator,
        agency=world.agency,
        period=PERIOD,
        content="\n".join(lines).encode(),
        file_name="le.csv",
        by=None,
    )
    assessment = services.assessment_create(
        title="LE", area=world.la, period=PERIOD, indicators=[indicator], partners=[], by=None
    )
    services.assessment_compute(assessment.pk, None, repetitions=1_000)
    (la,) = Result.objects.get(assessment=assessment, indicator=indicator, level="la").rows()
    expected = st.life_expectancy([d * 20 for d in deaths], [p * 20 for p in pops])[0]
    assert la["value"] == pytest.approx(expected.value, abs=1e-9)
    assert la["lower95_0cl"] == pytest.approx(expected.lower, abs=1e-9)
    lsoa = Result.objects.get(assessment=assessment, indicator=indicator, level="lsoa").rows()
    single = st.life_expectancy(deaths, pops)[0]  # 5,700 people: enough for a life table
    assert lsoa[0]["value"] == pytest.approx(single.value, abs=1e-9) or (
        np.isnan(single.value) and np.isnan(lsoa[0]["value"])
    )


def test_a_life_table_with_more_deaths_than_people_is_refused(world):
    from opus.needs import services
    from opus.needs.models import Method, Polarity
    from opus.needs.uploads import DEATH_COLUMNS, POPULATION_COLUMNS, UploadError

    indicator = services.indicator_create(
        by=None,
        slug="le2",
        name="LE",
        definition="x",
        numerator_label="d",
        denominator_label="p",
        method=Method.LIFE_EXPECTANCY,
        multiplier=1,
        unit="years",
        polarity=Polarity.HIGH_IS_GOOD,
        source_agency=world.agency,
        period=PERIOD,
    )
    header = ",".join(
        ["area_code", "period", "breakdown", "group", *DEATH_COLUMNS, *POPULATION_COLUMNS]
    )
    row = ",".join([world.lsoas[0].code, PERIOD, "all", "", "9", *["0"] * 19, "5", *["100"] * 19])
    with pytest.raises(UploadError, match='row 2, column "deaths_0": more deaths than people'):
        services.dataset_upload(
            indicator=indicator,
            agency=world.agency,
            period=PERIOD,
            content=f"{header}\n{row}\n".encode(),
            file_name="le.csv",
            by=None,
        )


def test_a_figure_for_a_whole_ward_fills_its_small_areas_without_figures_of_their_own(world):
    from opus.needs import services
    from opus.needs.tests.conftest import proportion_csv

    ward_1 = world.lsoas[1].parent  # LSOAs 1, 3, 5 … ; the even ones are in the other ward
    own = [a for a in world.lsoas if a.parent_id != ward_1.pk]
    content = proportion_csv(own, [50] * len(own), [100] * len(own))
    content += f"{ward_1.code},{PERIOD},all,,300,1000\n".encode()
    services.dataset_upload(
        indicator=world.indicator, agency=world.agency, period=PERIOD, content=content,
        file_name="mixed.csv", by=None,
    )  # fmt: skip
    assessment = assess(world)
    wards = {r["codes"]: r for r in _rows(assessment, "ward")}
    assert wards[ward_1.code]["numerator"] == pytest.approx(300)
    assert wards[ward_1.code]["denominator"] == pytest.approx(1000)
    assert wards[ward_1.code]["value"] == pytest.approx(30)
    lsoas = {r["codes"]: r["value"] for r in _rows(assessment, "lsoa")}
    assert all(lsoas[a.code] == pytest.approx(30) for a in world.lsoas if a.parent_id == ward_1.pk)
    assert all(lsoas[a.code] == pytest.approx(50) for a in own)
