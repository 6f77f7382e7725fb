"""Fair shares: a fixed sum shared across areas by need, then moved there from last year's money.

A formula weights each area's resident population:

    weighted = Σ_band people × age weight
               × ((1 − h) × need index + h × inequalities index)
               × cost index × resources adjustment

and the **target** share is the total × weighted / Σ weighted (the method of the NHS England
and DHSC fair-shares formulae: every term is multiplicative, so only relative values matter).
Areas then move from their baseline towards their target either by **pace of change** (everyone
grows by a minimum; the rest goes to areas under target in proportion to their gap, capped at
target) or by a **floor** (no area loses more than a fraction of its baseline, paid for by
scaling down the others' gains).

All arithmetic is exact: money in integer pence or `Fraction`, indices as `Fraction`. For speed
at national scale, vectors are held as integer numerators over one shared denominator (which
cancels in every share), so a run over 33,755 small areas stays exact and fast. Pence are
rounded only at the end, by the largest-remainder rule, so they sum to the total exactly.

The **waterfall** explains one area's allocation as steps from an equal share per head: age,
need, inequalities, cost, resources (which reach the target) and pace of change or floor
(which reach the allocation). Each level is rounded to pence by the same rule, so every level
sums to the total and an area's steps sum exactly to its allocation.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import repeat

import numpy as np

STEPS = ("equal_share", "age", "need", "inequalities", "cost", "resources", "transition")
METHODS = ("pace", "floor", "none")
ONE = Fraction(1)
MAX_TOTAL = 10**15  # pence: £10 trillion, far above any public budget, keeps pence in int64
NEED_PLACES = 10**12  # the need index is kept to 12 decimal places


class FairSharesError(ValueError):
    """Bad input or an impossible transition, naming the field and the areas at fault."""

    def __init__(self, message: str, field: str, areas: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.field = field
        self.areas = tuple(areas)


@dataclass(frozen=True)
class Scaled:
    """Values for the areas, in their order, as integer numerators over one denominator: how
    large inputs travel without building one `Fraction` per area."""

    numerators: Sequence[int]
    denominator: int = 1

    def as_dict(self, codes: Sequence[str]) -> dict[str, Fraction]:
        return {
            c: Fraction(n, self.denominator) for c, n in zip(codes, self.numerators, strict=True)
        }


Term = Mapping[str, Fraction] | Scaled


@dataclass(frozen=True)
class Inputs:
    """One run's data, keyed by area code. Empty mappings mean "this term is 1 everywhere".

    `population` is people per age band (the same bands as `age_weights`; no weights means
    each person counts once). `baseline` is last year's allocation in pence (empty: no
    transition, the allocation is the target). `total` is in pence.
    """

    total: int
    population: Mapping[str, Sequence[int]]
    age_weights: Sequence[Fraction] = ()
    need: Term = field(default_factory=dict)
    inequalities: Term = field(default_factory=dict)
    h: Fraction = Fraction(0)
    cost: Term = field(default_factory=dict)
    resources: Term = field(default_factory=dict)
    baseline: Mapping[str, int] = field(default_factory=dict)
    method: str = "none"
    min_growth: Fraction = Fraction(0)
    max_loss: Fraction = Fraction(0)


@dataclass(frozen=True)
class AreaResult:
    code: str
    population: int
    baseline: int | None
    target: int
    allocation: int
    steps: tuple[int, ...]  # pence, in the order of STEPS; they sum to `allocation`

    @property
    def distance(self) -> int:
        """Allocation minus target, in pence (negative: still under target)."""
        return self.allocation - self.target


@dataclass(frozen=True)
class Outcome:
    total: int
    areas: tuple[AreaResult, ...]


# ---- exact vectors ------------------------------------------------------------------------


def _numerators(values: Sequence[Fraction]) -> tuple[list[int], int]:
    """The values as integer numerators over one shared denominator."""
    den = math.lcm(*(v.denominator for v in values)) if values else 1
    return [v.numerator * (den // v.denominator) for v in values], den


def _times(a: Sequence[int], b: Sequence[int] | None) -> list[int]:
    return list(a) if b is None else [x * y for x, y in zip(a, b, strict=True)]


def round_shares(weights: Sequence[int], total: int) -> list[int]:
    """Share `total` pence in proportion to non-negative integer `weights`, rounding by the
    largest remainder (ties to the earlier position) so the pence sum to `total` exactly."""
    scale = sum(weights)
    if scale == 0 and total == 0:
        return [0] * len(weights)
    if scale <= 0:
        raise FairSharesError("Nobody to share the money between", "population")
    if not weights:
        return []
    # C-level loops: a national run rounds seven vectors of 33,755 big integers
    exact = map(divmod, map(operator.mul, weights, repeat(total)), repeat(scale))
    quotients, rest = zip(*exact, strict=True)
    pence = list(quotients)
    short = total - sum(pence)
    order = sorted(range(len(rest)), key=rest.__getitem__, reverse=True)  # stable: ties keep order
    for i in order[:short]:
        pence[i] += 1
    return pence


def round_fractions(values: Sequence[Fraction], total: int) -> list[int]:
    """Round exact amounts that sum to `total` to pence summing to `total` (largest remainder)."""
    nums, _ = _numerators(values)
    return round_shares(nums, total)


# ---- transitions (fixed signatures: other parts rely on them) -------------------------------


def pace_of_change(
    baseline: dict[str, int], target: dict[str, Fraction], total: int, min_growth: Fraction
) -> dict[str, Fraction]:
    """Move from `baseline` towards `target` (both pence) sharing `total` pence.

    Every area first gets baseline × (1 + min_growth). What is left goes to areas still under
    target in proportion to their gap (target − that first amount), so none passes its target
    and none above target gains beyond the minimum. Raises FairSharesError when the minimum
    growth alone costs more than `total`. Should money remain once every gap is closed (only
    when targets sum to less than the total), it is shared in proportion to the amounts so far.
    """
    codes = _same_areas(baseline, target, "baseline")
    tnum, tden = _numerators([target[c] for c in codes])
    out, scale = _pace([baseline[c] for c in codes], tnum, tden, total, min_growth)
    return {c: Fraction(v, scale) for c, v in zip(codes, out, strict=True)}


def _pace(
    baseline: Sequence[int], tnum: Sequence[int], tden: int, total: int, min_growth: Fraction
) -> tuple[list[int], int]:
    """pace_of_change on numerators over one denominator (returned with the result's)."""
    gn, gd = min_growth.numerator, min_growth.denominator
    if min_growth < 0:
        raise FairSharesError("The minimum growth cannot be negative", "min_growth")
    den = tden * gd
    start = [b * (gd + gn) * tden for b in baseline]
    rest = total * den - sum(start)
    if rest < 0:
        need = Fraction(sum(start), den) - total
        raise FairSharesError(
            f"A minimum growth of {_percent(min_growth)} costs {_pounds(need)} more than the "
            "total: lower the minimum growth or raise the total",
            "min_growth",
        )
    gaps = [max(t * gd - s, 0) for t, s in zip(tnum, start, strict=True)]
    room = sum(gaps)
    if rest <= room:
        if not room:
            return start, den
        return [s * room + rest * g for s, g in zip(start, gaps, strict=True)], den * room
    reached = [s + g for s, g in zip(start, gaps, strict=True)]
    spare, base = rest - room, sum(reached)
    return [r * base + spare * r for r in reached], den * base


def damp_to_floor(
    previous: dict[str, int], unfloored: dict[str, Fraction], max_loss: Fraction
) -> dict[str, Fraction]:
    """Hold every area to at least previous × (1 − max_loss), paid for by the gainers.

    Areas whose unfloored amount falls below their floor are lifted to it; the cost is met by
    scaling every gainer's gain (unfloored − previous) by the same factor; areas losing less
    than the floor allows are untouched. The sum is unchanged. Raises FairSharesError when the
    gains are too small to pay for the floor, saying how much is missing.
    """
    codes = _same_areas(previous, unfloored, "baseline")
    unum, uden = _numerators([unfloored[c] for c in codes])
    out, scale = _floor([previous[c] for c in codes], unum, uden, max_loss)
    return {c: Fraction(v, scale) for c, v in zip(codes, out, strict=True)}


def _floor(
    previous: Sequence[int], unum: Sequence[int], uden: int, max_loss: Fraction
) -> tuple[list[int], int]:
    """damp_to_floor on numerators over one denominator (returned with the result's)."""
    if not 0 <= max_loss <= 1:
        raise FairSharesError("The largest loss must be between 0% and 100%", "max_loss")
    keep = 1 - max_loss
    den = uden * keep.denominator
    floor = [p * keep.numerator * uden for p in previous]
    now = [u * keep.denominator for u in unum]
    prev = [p * den for p in previous]
    cost = sum(f - u for f, u in zip(floor, now, strict=True) if u < f)
    gains = sum(u - p for u, p in zip(now, prev, strict=True) if u > p)
    if cost > gains:
        raise FairSharesError(
            f"The floor cannot be funded: holding every area to a loss of at most "
            f"{_percent(max_loss)} costs {_pounds(Fraction(cost, den))}, but the areas that "
            f"gain only gain {_pounds(Fraction(gains, den))}. Allow a larger loss, raise the "
            "total or use pace of change",
            "max_loss",
        )
    if not cost:
        return now, den
    out = []
    for f, u, p in zip(floor, now, prev, strict=True):
        if u < f:
            out.append(f * gains)
        elif u > p:
            out.append(p * gains + (u - p) * (gains - cost))
        else:
            out.append(u * gains)
    return out, den * gains


def _same_areas(given: Mapping[str, int], wanted: Mapping[str, Fraction], name: str) -> list[str]:
    missing = sorted(set(wanted) - set(given))
    if missing:
        raise FairSharesError(f"No {name} for {_names(missing)}", name, missing)
    negative = sorted(c for c in wanted if given[c] < 0)
    if negative:
        raise FairSharesError(f"The {name} cannot be negative: {_names(negative)}", name, negative)
    return list(wanted)


# ---- need and targets ---------------------------------------------------------------------


def need_index(
    values: Mapping[str, Mapping[str, Fraction]],
    weights: Mapping[str, Fraction],
    population: Mapping[str, int],
) -> dict[str, Fraction]:
    """A need index per area (1 = the population-weighted average) from indicators.

    Each indicator's value (higher = more need) is divided by its population-weighted mean
    over the areas; the index is the weighted mean of those ratios. Every indicator must have
    a value for every area: the error names the indicator and the missing areas.
    """
    codes = list(population)
    columns = []
    for slug in weights:
        column = values.get(slug, {})
        missing = [c for c in codes if c not in column]
        if missing:
            raise FairSharesError(
                f"Indicator {slug} has no value for {_names(missing)}", "indicators", missing
            )
        nums, _ = _numerators([column[c] for c in codes])
        columns.append(Scaled(nums))
    index = need_index_columns(columns, list(weights.values()), list(population.values()))
    return index.as_dict(codes)


def need_index_columns(
    columns: Sequence[Scaled], weights: Sequence[Fraction], population: Sequence[int]
) -> Scaled:
    """need_index on columns of numerators (each over its own denominator, which cancels),
    rounded half up to 12 decimal places (as published indices are rounded): exact beyond
    that, and small enough to keep a national run fast."""
    total_weight = sum(weights, Fraction(0))
    if total_weight <= 0 or any(w < 0 for w in weights):
        raise FairSharesError("Indicator weights must be positive", "weights")
    people = sum(population)
    # term k for area i is weight_k × people × n_ik / (weight denominator × mass_k)
    terms: list[tuple[Sequence[int], int, int]] = []  # numerators, factor, denominator
    for column, weight in zip(columns, weights, strict=True):
        nums = column.numerators
        if nums and min(nums) < 0:
            raise FairSharesError("Indicators cannot have negative values", "indicators")
        mass = sum(map(operator.mul, nums, population))
        if mass and weight:  # otherwise nobody has this need: it cannot tell areas apart
            terms.append((nums, weight.numerator * people, weight.denominator * mass))
    if not terms:
        return Scaled([1] * len(population))
    common = math.lcm(*(den for _, _, den in terms))
    out = [0] * len(population)
    for nums, factor, den in terms:
        out = list(
            map(operator.add, out, map(operator.mul, nums, repeat(factor * (common // den))))
        )
    scale = 2 * common * total_weight.numerator
    lift = 2 * total_weight.denominator * NEED_PLACES
    return Scaled([(o * lift + scale // 2) // scale for o in out], NEED_PLACES)


def allocate(inputs: Inputs) -> Outcome:
    """Targets, transition and waterfall for every area (see the module's docstring)."""
    codes = list(inputs.population)
    _check(inputs, codes)
    people = _people(inputs, codes)
    bad = [codes[i] for i in np.flatnonzero((people < 0).any(axis=1))]
    if bad:
        raise FairSharesError(f"Negative population in {_names(bad)}", "population", bad)
    levels = _levels(inputs, codes, people)
    cumulative = [round_shares(level, inputs.total) for level in levels]
    cumulative.append(_transition(inputs, codes, levels[-1]))
    pence = np.array(cumulative, dtype=np.int64)  # the total is bounded, so pence fit
    steps = np.vstack([pence[:1], np.diff(pence, axis=0)]).T.tolist()
    baseline = [inputs.baseline.get(c) for c in codes] if inputs.baseline else [None] * len(codes)
    rows = zip(codes, levels[0], baseline, cumulative[-2], cumulative[-1], steps, strict=True)
    areas = tuple(
        AreaResult(code, people, base, target, final, tuple(step))
        for code, people, base, target, final, step in rows
    )
    return Outcome(total=inputs.total, areas=areas)


def _levels(inputs: Inputs, codes: list[str], people: np.ndarray) -> list[list[int]]:
    """Weights after each step up to the target: head count, age, need, inequalities, cost,
    resources. Each is an integer vector whose shares are that step's amounts."""
    heads = people.sum(axis=1).tolist()
    aged = heads
    if inputs.age_weights:
        wn, _ = _numerators(list(inputs.age_weights))
        aged = (
            [int(x) for x in people @ np.array(wn, dtype=object)]
            if max(wn) > 2**20
            else (people @ np.array(wn, dtype=np.int64)).tolist()
        )
    need = _vector(inputs.need, codes)
    with_need = _times(aged, need[0] if need else None)
    blended = with_need
    if inputs.inequalities and inputs.h:
        ineq = _vector(inputs.inequalities, codes)
        assert ineq is not None  # noqa: S101 - non-empty mapping
        nn, nd = need if need else ([1] * len(codes), 1)
        hn, hd = inputs.h.numerator, inputs.h.denominator
        mix = [(hd - hn) * n * ineq[1] + hn * i * nd for n, i in zip(nn, ineq[0], strict=True)]
        blended = _times(aged, mix)
    cost = _vector(inputs.cost, codes)
    costed = _times(blended, cost[0] if cost else None)
    resources = _vector(inputs.resources, codes)
    resourced = _times(costed, resources[0] if resources else None)
    return [heads, aged, with_need, blended, costed, resourced]


def _vector(values: Term, codes: list[str]) -> tuple[list[int], int] | None:
    if isinstance(values, Scaled):
        return list(values.numerators), values.denominator
    return _numerators([values[c] for c in codes]) if values else None


def _transition(inputs: Inputs, codes: list[str], weights: list[int]) -> list[int]:
    if inputs.method == "none" or not inputs.baseline:
        return round_shares(weights, inputs.total)
    target = [inputs.total * w for w in weights]
    baseline = [inputs.baseline[c] for c in codes]
    if inputs.method == "pace":
        moved, _ = _pace(baseline, target, sum(weights), inputs.total, inputs.min_growth)
    else:
        moved, _ = _floor(baseline, target, sum(weights), inputs.max_loss)
    return round_shares(moved, inputs.total)


def _people(inputs: Inputs, codes: list[str]) -> np.ndarray:
    """People per area and age band as a 2-D integer array (counts stay far below 2**40)."""
    return np.array([inputs.population[c] for c in codes], dtype=np.int64).reshape(len(codes), -1)


def _check(inputs: Inputs, codes: list[str]) -> None:
    """Refuse what cannot be right, naming the areas."""
    if not codes:
        raise FairSharesError("There are no areas to share between", "population")
    if not 0 <= inputs.total <= MAX_TOTAL:
        raise FairSharesError("The total must be between £0 and £10 trillion", "total")
    if inputs.method not in METHODS:
        raise FairSharesError(f"Unknown transition {inputs.method}", "method")
    if not 0 <= inputs.h <= 1:
        raise FairSharesError("The inequalities weight must be between 0 and 1", "h")
    bands = {len(p) for p in inputs.population.values()}
    if len(bands) > 1 or (inputs.age_weights and bands != {len(inputs.age_weights)}):
        raise FairSharesError("Every area needs one population figure per age band", "population")
    if any(w < 0 for w in inputs.age_weights):
        raise FairSharesError("Age weights cannot be negative", "age_weights")
    for name in ("need", "inequalities", "cost", "resources", "baseline"):
        _check_term(getattr(inputs, name), codes, name)


def _check_term(values: Term | Mapping[str, int], codes: list[str], name: str) -> None:
    if isinstance(values, Scaled):
        if len(values.numerators) != len(codes) or values.denominator <= 0:
            raise FairSharesError(f"One {name} figure is needed for every area", name)
        numbers: list[Fraction | int] = list(values.numerators)
    elif not values:
        return
    else:
        if not values.keys() >= set(codes):
            missing = [c for c in codes if c not in values]
            raise FairSharesError(f"No {name} figure for {_names(missing)}", name, missing)
        numbers = [values[c] for c in codes]
    if numbers and min(numbers) < 0:
        bad = [c for c, n in zip(codes, numbers, strict=True) if n < 0]
        raise FairSharesError(f"The {name} figure cannot be negative: {_names(bad)}", name, bad)


def _names(codes: Sequence[str], shown: int = 10) -> str:
    head = ", ".join(codes[:shown])
    return head if len(codes) <= shown else f"{head} and {len(codes) - shown} more"


def _percent(value: Fraction) -> str:
    return f"{float(value * 100):g}%"


def _pounds(pence: Fraction) -> str:
    return f"£{math.ceil(pence) / 100:,.2f}"
