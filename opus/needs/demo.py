"""The needs part of the demo world: about 20 indicators from several partner agencies.

Figures are synthetic: each small area's rate follows its deprivation (a real gradient, so
the assessment finds sensible priorities) and, for standardised rates, an age profile.
They are sent through the same CSV upload that partner agencies use.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace

import numpy as np

from opus.core.models import Area, AreaKind, Organisation, OrganisationKind, Role, User
from opus.needs import services
from opus.needs.models import Breakdown, Method, Polarity
from opus.needs.uploads import BAND_COLUMNS, DEATH_COLUMNS, POPULATION_COLUMNS

PERIOD = "2025/26"
EARLIER = [("2023/24", 1.07), ("2024/25", 1.03)]  # needs were a little higher in earlier years
AGE_MID = np.array([2, 7, 12, 17, 22, 27, 32, 37, 42, 47, 52, 57, 62, 67, 72, 77, 82, 87, 92])


@dataclass(frozen=True)
class Spec:
    slug: str
    name: str
    method: str
    multiplier: int
    unit: str
    agency: str  # organisation kind of the source agency
    base: float  # rate (per multiplier) in an average area
    gradient: float  # log-rate change per unit of latent deprivation
    polarity: str = Polarity.HIGH_IS_BAD
    age: str = "flat"  # age profile for banded methods: flat, old, young, midlife
    groups: tuple[tuple[str, str, float], ...] = ()  # (breakdown, group, relative rate)


DISABLED = (
    (Breakdown.DISABILITY, "Disabled under the Equality Act", 1.8),
    (Breakdown.DISABILITY, "Not disabled under the Equality Act", 0.9),
)
SEXES = ((Breakdown.SEX, "female", 1.1), (Breakdown.SEX, "male", 0.9))
ETHNIC = (
    (Breakdown.ETHNIC_GROUP, "White: English, Welsh, Scottish, Northern Irish or British", 0.95),
    (Breakdown.ETHNIC_GROUP, "Asian, Asian British or Asian Welsh: Pakistani", 1.35),
    (
        Breakdown.ETHNIC_GROUP,
        "Black, Black British, Black Welsh, Caribbean or African: African",
        1.2,
    ),
)

SPECS = [
    Spec(
        "emergency-admissions",
        "Emergency hospital admissions",
        Method.DSR,
        100_000,
        "per 100,000",
        OrganisationKind.NHS_BODY,
        9_500,
        0.22,
        age="old",
        groups=SEXES,
    ),
    Spec(
        "premature-mortality",
        "Deaths under 75 from all causes",
        Method.DSR,
        100_000,
        "per 100,000",
        OrganisationKind.NHS_BODY,
        340,
        0.3,
        age="midlife",
    ),
    Spec(
        "self-harm-admissions",
        "Hospital admissions for self-harm",
        Method.DSR,
        100_000,
        "per 100,000",
        OrganisationKind.NHS_BODY,
        170,
        0.28,
        age="young",
    ),
    Spec(
        "alcohol-admissions",
        "Admissions for alcohol-related conditions",
        Method.DSR,
        100_000,
        "per 100,000",
        OrganisationKind.NHS_BODY,
        480,
        0.25,
        age="midlife",
    ),
    Spec(
        "falls-65",
        "Emergency admissions for falls, 65 and over",
        Method.ISR,
        100,
        "ratio",
        OrganisationKind.NHS_BODY,
        2_100,
        0.12,
        age="old",
    ),
    Spec(
        "loneliness",
        "Adults who feel lonely often or always",
        Method.PROPORTION,
        100,
        "%",
        OrganisationKind.CHARITY,
        7.5,
        0.2,
        groups=DISABLED + ETHNIC,
    ),
    Spec(
        "physical-inactivity",
        "Physically inactive adults",
        Method.PROPORTION,
        100,
        "%",
        OrganisationKind.NHS_BODY,
        22,
        0.15,
        groups=DISABLED + SEXES,
    ),
    Spec(
        "smoking",
        "Adults who smoke",
        Method.PROPORTION,
        100,
        "%",
        OrganisationKind.NHS_BODY,
        12,
        0.25,
        groups=SEXES,
    ),
    Spec(
        "obesity",
        "Adults living with obesity",
        Method.PROPORTION,
        100,
        "%",
        OrganisationKind.NHS_BODY,
        25,
        0.1,
    ),
    Spec(
        "depression",
        "Depression recorded by GPs (18 and over)",
        Method.PROPORTION,
        100,
        "%",
        OrganisationKind.NHS_BODY,
        13,
        0.12,
        groups=DISABLED + SEXES,
    ),
    Spec(
        "child-poverty",
        "Children in low-income families",
        Method.PROPORTION,
        100,
        "%",
        OrganisationKind.LOCAL_AUTHORITY,
        18,
        0.35,
        groups=ETHNIC,
    ),
    Spec(
        "fuel-poverty",
        "Households in fuel poverty",
        Method.PROPORTION,
        100,
        "%",
        OrganisationKind.LOCAL_AUTHORITY,
        13,
        0.2,
    ),
    Spec(
        "unpaid-carers",
        "Residents providing unpaid care",
        Method.PROPORTION,
        100,
        "%",
        OrganisationKind.LOCAL_AUTHORITY,
        9,
        0.05,
        groups=SEXES,
    ),
    Spec(
        "social-care-contacts",
        "Requests for adult social care support",
        Method.CRUDE_RATE,
        1_000,
        "per 1,000 adults",
        OrganisationKind.LOCAL_AUTHORITY,
        30,
        0.2,
        groups=DISABLED,
    ),
    Spec(
        "homelessness",
        "Households owed a homelessness duty",
        Method.CRUDE_RATE,
        1_000,
        "per 1,000 households",
        OrganisationKind.LOCAL_AUTHORITY,
        4.5,
        0.4,
    ),
    Spec(
        "neet",
        "16–17 year olds not in education, employment or training",
        Method.PROPORTION,
        100,
        "%",
        OrganisationKind.LOCAL_AUTHORITY,
        5,
        0.3,
    ),
    Spec(
        "antisocial-behaviour",
        "Antisocial behaviour incidents",
        Method.CRUDE_RATE,
        1_000,
        "per 1,000 residents",
        OrganisationKind.POLICE,
        24,
        0.3,
    ),
    Spec(
        "domestic-abuse",
        "Domestic abuse incidents and crimes",
        Method.CRUDE_RATE,
        1_000,
        "per 1,000 residents",
        OrganisationKind.POLICE,
        30,
        0.28,
    ),
    Spec(
        "digital-exclusion",
        "Adults who do not use the internet",
        Method.PROPORTION,
        100,
        "%",
        OrganisationKind.CHARITY,
        8,
        0.2,
        groups=DISABLED,
    ),
    Spec(
        "life-expectancy",
        "Life expectancy at birth",
        Method.LIFE_EXPECTANCY,
        1,
        "years",
        OrganisationKind.NHS_BODY,
        81,
        0.25,
        polarity=Polarity.HIGH_IS_GOOD,
    ),
    Spec(
        "local-satisfaction",
        "Residents satisfied with their area as a place to live",
        Method.PROPORTION,
        100,
        "%",
        OrganisationKind.LOCAL_AUTHORITY,
        78,
        -0.06,
        polarity=Polarity.HIGH_IS_GOOD,
        groups=(
            (Breakdown.DISABILITY, "Disabled under the Equality Act", 0.85),
            (Breakdown.DISABILITY, "Not disabled under the Equality Act", 1.03),
            (Breakdown.ETHNIC_GROUP, ETHNIC[0][1], 1.01),
            (Breakdown.ETHNIC_GROUP, ETHNIC[1][1], 0.9),
        ),
    ),
]

AGE_PROFILES = {
    "flat": np.ones(19),
    "old": np.exp((AGE_MID - 45) / 22),
    "young": np.exp(-((AGE_MID - 22) ** 2) / 300),
    "midlife": np.exp(-((AGE_MID - 60) ** 2) / 500) * (AGE_MID < 75),
}


def _agency(kind: str) -> Organisation:
    return Organisation.objects.filter(kind=kind).order_by("pk").first()  # type: ignore[return-value]


def _latent(areas: list[Area]) -> np.ndarray:
    """Deprivation on a roughly standard-normal scale, from the areas' IMD scores."""
    scores = np.array([a.imd_score or 0.0 for a in areas])
    return (scores - scores.mean()) / (scores.std() or 1)


def _banded_rows(spec: Spec, areas: list[Area], rng: np.random.Generator) -> list[list[object]]:
    profile = AGE_PROFILES[spec.age]
    pops = np.array([np.add(a.population_male, a.population_female) for a in areas], dtype=float)
    mean_rate = spec.base / spec.multiplier if spec.method == Method.DSR else spec.base / 100_000
    weights = np.asarray(
        [
            5000,
            5500,
            5500,
            5500,
            6000,
            6000,
            6500,
            7000,
            7000,
            7000,
            7000,
            6500,
            6000,
            5500,
            5000,
            4000,
            2500,
            1500,
            1000,
        ],
        dtype=float,
    )
    scale = mean_rate / ((profile * weights).sum() / weights.sum())
    rate = scale * profile[None, :] * np.exp(spec.gradient * _latent(areas))[:, None]
    counts = rng.poisson(pops * rate)
    return [
        [a.code, PERIOD, "all", "", int(c.sum()), "", *c.tolist()]
        for a, c in zip(areas, counts, strict=True)
    ]


LIFE_TABLE_AGES = np.array([0, 2.5, *range(7, 97, 5)], dtype=float)  # band mid-points


def _life_table_rows(spec: Spec, areas: list[Area], rng: np.random.Generator) -> list[list[object]]:
    """Deaths and populations in the 20 life-table bands; mortality rises with deprivation."""
    rows = []
    mortality = 0.00012 * np.exp(0.088 * (LIFE_TABLE_AGES - 10))
    mortality[0], mortality[1] = 0.0038, 0.00018
    for area, latent in zip(areas, _latent(areas), strict=True):
        pops = np.add(area.population_male, area.population_female).astype(int)
        infants = int(round(pops[0] / 5))
        pops20 = np.concatenate([[infants, pops[0] - infants], pops[1:]])
        rate = mortality * np.exp(spec.gradient * latent) * (81 / spec.base)
        deaths = np.minimum(rng.poisson(pops20 * np.clip(rate, 0, 0.5)), pops20)
        rows.append([area.code, PERIOD, "all", "", *deaths.tolist(), *pops20.tolist()])
    return rows


def _simple_rows(spec: Spec, areas: list[Area], rng: np.random.Generator) -> list[list[object]]:
    adults = np.array([sum(a.population_male[4:]) + sum(a.population_female[4:]) for a in areas])
    denominators = np.maximum(
        1, (adults * (0.6 if spec.method == Method.PROPORTION else 1.0)).astype(int)
    )
    rate = spec.base / spec.multiplier * np.exp(spec.gradient * _latent(areas))
    if spec.method == Method.PROPORTION:
        numerators = rng.binomial(denominators, np.clip(rate, 0.001, 0.999))
    else:
        numerators = rng.poisson(denominators * rate)
    return [
        [a.code, PERIOD, "all", "", int(x), int(n)]
        for a, x, n in zip(areas, numerators, denominators, strict=True)
    ]


def _group_rows(spec: Spec, authority: Area, rng: np.random.Generator) -> list[list[object]]:
    rows = []
    for breakdown, group, relative in spec.groups:
        if spec.method in (Method.DSR, Method.ISR):
            continue  # banded group rows come from the sex split below
        n = (
            int(rng.integers(3_000, 40_000))
            if breakdown != Breakdown.ETHNIC_GROUP or relative < 1
            else int(rng.integers(150, 4_000))
        )
        p = min(0.99, spec.base / spec.multiplier * relative)
        x = int(rng.binomial(n, p)) if spec.method == Method.PROPORTION else int(rng.poisson(n * p))
        rows.append([authority.code, PERIOD, breakdown, group, x, n])
    return rows


def _sex_banded_rows(
    spec: Spec, authority: Area, lsoas: list[Area], rng: np.random.Generator
) -> list[list[object]]:
    rows = []
    for breakdown, group, relative in spec.groups:
        if breakdown != Breakdown.SEX:
            continue
        attr = "population_male" if group == "male" else "population_female"
        pops = np.sum([getattr(a, attr) for a in lsoas], axis=0).astype(float)
        profile = AGE_PROFILES[spec.age]
        rate = spec.base / spec.multiplier * profile / profile.mean() * relative
        counts = rng.poisson(pops * rate)
        rows.append(
            [authority.code, PERIOD, breakdown, group, int(counts.sum()), "", *counts.tolist()]
        )
    return rows


def _period_rows(
    spec: Spec,
    factor: float,
    period: str,
    authority: Area,
    lsoas: list[Area],
    rng: np.random.Generator,
) -> list[list[object]]:
    """One period's upload: earlier periods are the same pattern at a different level."""
    spec = replace(spec, base=spec.base * factor)
    if spec.method == Method.LIFE_EXPECTANCY:
        rows = _life_table_rows(replace(spec, base=spec.base / factor**2), lsoas, rng)
        for row in rows:
            row[1] = period
        return rows
    banded = spec.method in (Method.DSR, Method.ISR)
    rows = _banded_rows(spec, lsoas, rng) if banded else _simple_rows(spec, lsoas, rng)
    rows += (
        _sex_banded_rows(spec, authority, lsoas, rng)
        if banded
        else _group_rows(spec, authority, rng)
    )
    for row in rows:
        row[1] = period
    return rows


def _csv(spec: Spec, rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    banded = spec.method in (Method.DSR, Method.ISR)
    header = ["area_code", "period", "breakdown", "group", "numerator", "denominator"]
    if spec.method == Method.LIFE_EXPECTANCY:
        header = header[:4] + DEATH_COLUMNS + POPULATION_COLUMNS
    writer.writerow(header + (BAND_COLUMNS if banded else []))
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def seed_needs(seed: int = 2026, *, assess: bool = True) -> None:
    """Indicators, one upload per indicator from its agency, and a computed demo assessment."""
    rng = np.random.default_rng(seed + 11)
    authority = Area.objects.filter(kind=AreaKind.LOCAL_AUTHORITY).order_by("code").first()
    if authority is None:
        return
    lsoas = list(Area.objects.filter(kind=AreaKind.LSOA, parent__parent=authority).order_by("code"))
    commissioner = User.objects.filter(memberships__role=Role.COMMISSIONER).order_by("pk").first()
    indicators = []
    for spec in SPECS:
        agency = _agency(spec.agency)
        indicator = services.indicator_create(
            by=None,
            slug=spec.slug,
            name=spec.name,
            method=spec.method,
            multiplier=spec.multiplier,
            unit=spec.unit,
            polarity=spec.polarity,
            source_agency=agency,
            period=PERIOD,
            definition=f"{spec.name} ({spec.unit}). Synthetic demonstration figures.",
            numerator_label=spec.name,
            denominator_label="Resident population",
            breakdowns=sorted({b for b, _, _ in spec.groups}),
        )
        for period, factor in EARLIER + [(PERIOD, 1.0)]:
            services.dataset_upload(
                indicator=indicator,
                agency=agency,
                period=period,
                content=_csv(spec, _period_rows(spec, factor, period, authority, lsoas, rng)),
                file_name=f"{spec.slug}-{period.replace('/', '-')}.csv",
                by=None,
            )
        indicators.append(indicator)
    partners = [_agency(k) for k in {s.agency for s in SPECS}]
    assessment = services.assessment_create(
        title=f"{authority.name.replace(' (synthetic)', '')} joint equalities needs assessment "
        f"{PERIOD}",
        area=authority,
        period=PERIOD,
        indicators=indicators,
        partners=partners,
        by=commissioner,
    )
    if assess:
        services.assessment_compute(assessment.pk, None, repetitions=10_000)
        summary = (
            "Synthetic demonstration. The widest gaps are between the most and least deprived "
            "neighbourhoods: child poverty, emergency admissions and physical inactivity affect "
            "thousands more people in the most deprived areas."
        )
        services.assessment_publish(assessment=assessment, summary=summary, by=commissioner)
