"""Social value in wellbeing terms: WELLBY flows, their present value, and measured change.

A WELLBY is one point of life satisfaction (0–10) for one person for one year (HM Treasury,
Green Book supplementary guidance "Wellbeing guidance for appraisal", 2021), valued at
£13,000 in 2019 prices by default and uprated with a deflator table the council loads.

Conventions (issue 16, item 3):

* Year 1 is undiscounted. The flow in year t (t = 1..years) is
  ``quantity × per_unit × (1 − deadweight) × attribution × (1 − drop_off)^(t − 1)``,
  discounted by ``(1 + r)^(t − 1)``. For a WELLBY metric ``quantity`` is people and ``per_unit``
  the change in life satisfaction; for a money proxy ``per_unit`` is pence per unit per year.
* Arithmetic is exact (``fractions.Fraction``); callers round only for display.
* Every input has bounds; anything outside them raises ``ValueError`` naming the input.

Measured change compares before/after answers to the ONS question ("Overall, how satisfied
are you with your life nowadays?", 0–10) of participants and a comparison group: the
difference in differences of the per-person changes, with a Welch (unequal variances) 95%
confidence interval.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from scipy import stats

DEFAULT_VALUE_PENCE = 1_300_000  # £13,000 per WELLBY
DEFAULT_PRICE_YEAR = 2019
MAX_QUANTITY = 10_000_000
MAX_PER_UNIT_WELLBY = Fraction(10)
MAX_PER_UNIT_PENCE = 100_000_000_00  # £100m per unit per year
MAX_YEARS = 50
MAX_DISCOUNT_RATE = Fraction(1, 5)
SCORE_MIN, SCORE_MAX = 0, 10
MIN_GROUP = 2  # a variance needs two people in each group


@dataclass(frozen=True)
class Assumptions:
    """What share of a change is owed to the work, and how it fades and is discounted.

    deadweight: share that would have happened anyway (0–1); attribution: share owed to this
    work rather than others (0–1); drop_off: share lost each year after the first (0–1);
    discount_rate: a year's rate r (0–0.2; the Green Book's 3.5%, or 1.5% for health).
    """

    deadweight: Fraction = Fraction(0)
    attribution: Fraction = Fraction(1)
    drop_off: Fraction = Fraction(0)
    discount_rate: Fraction = Fraction(0)


def _share(name: str, value: Fraction, top: Fraction = Fraction(1)) -> None:
    if not 0 <= value <= top:
        raise ValueError(f"{name} must be between 0 and {float(top):g}, not {float(value):g}")


def check_assumptions(a: Assumptions) -> None:
    """Raise ValueError naming the first assumption out of bounds."""
    _share("deadweight", a.deadweight)
    _share("attribution", a.attribution)
    _share("drop_off", a.drop_off)
    _share("discount_rate", a.discount_rate, MAX_DISCOUNT_RATE)


def check_inputs(quantity: Fraction, per_unit: Fraction, years: int, *, money: bool) -> None:
    """Bounds on a commitment: quantity, change (or pence) per unit, and years."""
    if not 0 <= quantity <= MAX_QUANTITY:
        raise ValueError(f"quantity must be between 0 and {MAX_QUANTITY:,}")
    top = Fraction(MAX_PER_UNIT_PENCE) if money else MAX_PER_UNIT_WELLBY
    if not -top <= per_unit <= top:
        raise ValueError(f"per_unit must be between {-float(top):g} and {float(top):g}")
    if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= MAX_YEARS:
        raise ValueError(f"years must be a whole number from 1 to {MAX_YEARS}")


def flows(
    quantity: Fraction, per_unit: Fraction, years: int, a: Assumptions, *, money: bool = False
) -> list[Fraction]:
    """Undiscounted flow in each year 1..years (WELLBYs, or pence for a money proxy)."""
    check_inputs(quantity, per_unit, years, money=money)
    check_assumptions(a)
    first = quantity * per_unit * (1 - a.deadweight) * a.attribution
    return [first * (1 - a.drop_off) ** t for t in range(years)]


def present_value(yearly: Sequence[Fraction], rate: Fraction) -> Fraction:
    """Sum of flows discounted by (1 + rate)^(t − 1): year 1 undiscounted."""
    _share("discount_rate", rate, MAX_DISCOUNT_RATE)
    return sum((f / (1 + rate) ** t for t, f in enumerate(yearly)), Fraction(0))


def value_per_wellby(
    price_year: int,
    deflators: Mapping[int, Fraction] | None = None,
    *,
    base_pence: int = DEFAULT_VALUE_PENCE,
    base_year: int = DEFAULT_PRICE_YEAR,
) -> Fraction:
    """Pence per WELLBY in `price_year` prices: the base value × deflator[year] / deflator[base].

    With no deflator table only the base year can be priced.
    """
    if price_year == base_year:
        return Fraction(base_pence)
    table = deflators or {}
    missing = [y for y in (base_year, price_year) if y not in table]
    if missing:
        raise ValueError(f"the deflator table has no index for {', '.join(map(str, missing))}")
    if table[base_year] <= 0 or table[price_year] <= 0:
        raise ValueError("deflator indices must be above 0")
    return Fraction(base_pence) * table[price_year] / table[base_year]


@dataclass(frozen=True)
class Valuation:
    """A commitment valued: yearly flows, their total, and the present value in pence."""

    flows: tuple[Fraction, ...]
    total: Fraction
    present_value_pence: Fraction


def value_wellbys(
    people: Fraction, change: Fraction, years: int, a: Assumptions, pence_per_wellby: Fraction
) -> Valuation:
    """WELLBYs each year and their present value in pence."""
    yearly = flows(people, change, years, a)
    pv = present_value(yearly, a.discount_rate) * pence_per_wellby
    return Valuation(tuple(yearly), sum(yearly, Fraction(0)), pv)


def value_proxy(
    quantity: Fraction, pence_per_unit: Fraction, years: int, a: Assumptions
) -> Valuation:
    """A money proxy (pence per unit per year) under the same conventions."""
    yearly = flows(quantity, pence_per_unit, years, a, money=True)
    pv = present_value(yearly, a.discount_rate)
    return Valuation(tuple(yearly), sum(yearly, Fraction(0)), pv)


# --- measured change --------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasuredChange:
    """Difference in differences of life satisfaction with its Welch confidence interval."""

    participants: int
    comparison: int
    participant_change: float
    comparison_change: float
    difference: float
    lower: float
    upper: float
    degrees_of_freedom: float


def _changes(pairs: Sequence[tuple[int, int]], group: str) -> list[float]:
    for before, after in pairs:
        for score in (before, after):
            if isinstance(score, bool) or not isinstance(score, int):
                raise ValueError(f"{group}: scores are whole numbers from 0 to 10")
            if not SCORE_MIN <= score <= SCORE_MAX:
                raise ValueError(f"{group}: scores are from 0 to 10, not {score}")
    if len(pairs) < MIN_GROUP:
        raise ValueError(f"{group}: at least {MIN_GROUP} people answered before and after")
    return [float(after - before) for before, after in pairs]


def _mean_var(values: list[float]) -> tuple[float, float]:
    mean = sum(values) / len(values)
    return mean, sum((v - mean) ** 2 for v in values) / (len(values) - 1)


def measured_change(
    participants: Sequence[tuple[int, int]],
    comparison: Sequence[tuple[int, int]],
    confidence: float = 0.95,
) -> MeasuredChange:
    """(after − before) of participants less that of the comparison group, per person.

    Each pair is one person's (before, after) answers. The interval is Welch's: the standard
    error from each group's own variance, Welch–Satterthwaite degrees of freedom. With no
    spread at all in either group the interval is the point itself.
    """
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    t_changes, c_changes = (
        _changes(participants, "participants"),
        _changes(comparison, "comparison"),
    )
    (mt, vt), (mc, vc) = _mean_var(t_changes), _mean_var(c_changes)
    nt, nc = len(t_changes), len(c_changes)
    se2 = vt / nt + vc / nc
    diff = mt - mc
    if se2 == 0:
        return MeasuredChange(nt, nc, mt, mc, diff, diff, diff, math.inf)
    df = se2**2 / ((vt / nt) ** 2 / (nt - 1) + (vc / nc) ** 2 / (nc - 1))
    half = float(stats.t.ppf((1 + confidence) / 2, df)) * math.sqrt(se2)
    return MeasuredChange(nt, nc, mt, mc, diff, diff - half, diff + half, df)


@dataclass(frozen=True)
class ImpliedWellbys:
    """WELLBYs a measured change implies for so many people over so many years."""

    value: float
    lower: float
    upper: float


def implied_wellbys(change: MeasuredChange, people: int, years: int) -> ImpliedWellbys:
    """people × change × years, with the change's interval carried through (no fading)."""
    if not 0 <= people <= MAX_QUANTITY:
        raise ValueError(f"people must be between 0 and {MAX_QUANTITY:,}")
    if isinstance(years, bool) or not 1 <= years <= MAX_YEARS:
        raise ValueError(f"years must be a whole number from 1 to {MAX_YEARS}")
    scale = people * years
    return ImpliedWellbys(change.difference * scale, change.lower * scale, change.upper * scale)


# --- the tender rule --------------------------------------------------------------------------


def tender_weight_error(
    quality_weight: int, social_value_weight: int, minimum_percent: int, *, per_quality_point: bool
) -> str | None:
    """Why a tender's social value weight is too low to publish, or None.

    Normally the social value weight is a share of the whole score; under price per quality
    point the price is not scored, so the rule applies to the quality score (quality plus
    social value) instead.
    """
    if not 0 <= minimum_percent <= 100:
        raise ValueError("the minimum social value weight is a percentage from 0 to 100")
    if per_quality_point:
        whole = quality_weight + social_value_weight
        share = Fraction(100 * social_value_weight, whole) if whole else Fraction(0)
        if share < minimum_percent:
            return (
                f"Social value must be at least {minimum_percent}% of the quality score; "
                f"it is {float(share):.1f}%"
            )
        return None
    if social_value_weight < minimum_percent:
        return (
            f"Social value must be weighted at least {minimum_percent}%; "
            f"it is {social_value_weight}%"
        )
    return None
