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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

STEPS = ("equal_share", "age", "need", "inequalities", "cost", "resources", "transition")
METHODS = ("pace", "floor", "none")
ONE = Fraction(1)


class FairSharesError(ValueError):
    """Bad input or an impossible transition, naming the field and the areas at fault."""

    def __init__(self, message: str, field: str, areas: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.field = field
        self.areas = tuple(areas)


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
    need: Mapping[str, Fraction] = field(default_factory=dict)
    inequalities: Mapping[str, Fraction] = field(default_factory=dict)
    h: Fraction = Fraction(0)
    cost: Mapping[str, Fraction] = field(default_factory=dict)
    resources: Mapping[str, Fraction] = field(default_factory=dict)
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
    exact = [divmod(total * w, scale) for w in weights]
    pence = [q for q, _ in exact]
    short = total - sum(pence)
    order = sorted(range(len(exact)), key=lambda i: -exact[i][1])
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
    gn, gd = min_growth.numerator, min_growth.denominator
    if min_growth < 0:
        raise FairSharesError("The minimum growth cannot be negative", "min_growth")
    den = tden * gd
    start = [baseline[c] * (gd + gn) * tden for c in codes]
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
        out = [s * room + rest * g for s, g in zip(start, gaps, strict=True)] if room else start
        scale = den * room if room else den
    else:
        reached = [s + g for s, g in zip(start, gaps, strict=True)]
        spare, base = rest - room, sum(reached)
        out, scale = [r * base + spare * r for r in reached], den * base
    return {c: Fraction(v, scale) for c, v in zip(codes, out, strict=True)}


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
    if not 0 <= max_loss <= 1:
        raise FairSharesError("The largest loss must be between 0% and 100%", "max_loss")
    unum, uden = _numerators([unfloored[c] for c in codes])
    keep = 1 - max_loss
    den = uden * keep.denominator
    floor = [previous[c] * keep.numerator * uden for c in codes]
    now = [u * keep.denominator for u in unum]
    prev = [previous[c] * den for c in codes]
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
    out = []
    for f, u, p in zip(floor, now, prev, strict=True):
        if u < f:
            out.append(f * gains)
        elif u > p:
            out.append(p * gains + (u - p) * (gains - cost))
        else:
            out.append(u * gains)
    scale = den * gains if gains else den
    if not gains:
        out = [max(f, u) for f, u in zip(floor, now, strict=True)]
    return {c: Fraction(v, scale) for c, v in zip(codes, out, strict=True)}


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
    people = sum(population.values())
    total_weight = sum(weights.values(), Fraction(0))
    if total_weight <= 0 or any(w < 0 for w in weights.values()):
        raise FairSharesError("Indicator weights must be positive", "weights")
    terms: list[tuple[list[int], int]] = []  # numerators and their denominator, per indicator
    for slug, weight in weights.items():
        column = values.get(slug, {})
        missing = [c for c in codes if c not in column]
        if missing:
            raise FairSharesError(
                f"Indicator {slug} has no value for {_names(missing)}", "indicators", missing
            )
        nums, _ = _numerators([column[c] for c in codes])
        if any(n < 0 for n in nums):
            raise FairSharesError(f"Indicator {slug} has negative values", "indicators")
        mass = sum(n * population[c] for n, c in zip(nums, codes, strict=True))
        if mass:  # otherwise nobody has this need: it cannot tell areas apart
            terms.append(([weight.numerator * people * n for n in nums], weight.denominator * mass))
    if not terms:
        return dict.fromkeys(codes, ONE)
    common = math.lcm(*(den for _, den in terms))
    out = [0] * len(codes)
    for nums, den in terms:
        factor = common // den
        out = [o + n * factor for o, n in zip(out, nums, strict=True)]
    scale = common * total_weight.numerator
    return {
        c: Fraction(o * total_weight.denominator, scale) for c, o in zip(codes, out, strict=True)
    }


def allocate(inputs: Inputs) -> Outcome:
    """Targets, transition and waterfall for every area (see the module's docstring)."""
    codes = _check(inputs)
    levels = _levels(inputs, codes)
    rounded = [round_shares(level, inputs.total) for level in levels]
    target = rounded[-1]
    final = _transition(inputs, codes, levels[-1])
    results = []
    for i, code in enumerate(codes):
        cumulative = [r[i] for r in rounded] + [final[i]]
        steps = (cumulative[0], *(b - a for a, b in zip(cumulative, cumulative[1:], strict=False)))
        results.append(
            AreaResult(
                code=code,
                population=sum(inputs.population[code]),
                baseline=inputs.baseline.get(code) if inputs.baseline else None,
                target=target[i],
                allocation=final[i],
                steps=steps,
            )
        )
    return Outcome(total=inputs.total, areas=tuple(results))


def _levels(inputs: Inputs, codes: list[str]) -> list[list[int]]:
    """Weights after each step up to the target: head count, age, need, inequalities, cost,
    resources. Each is an integer vector whose shares are that step's amounts."""
    heads = [sum(inputs.population[c]) for c in codes]
    aged = heads
    if inputs.age_weights:
        wn, _ = _numerators(list(inputs.age_weights))
        aged = [sum(p * w for p, w in zip(inputs.population[c], wn, strict=True)) for c in codes]
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


def _vector(values: Mapping[str, Fraction], codes: list[str]) -> tuple[list[int], int] | None:
    return _numerators([values[c] for c in codes]) if values else None


def _transition(inputs: Inputs, codes: list[str], weights: list[int]) -> list[int]:
    if inputs.method == "none" or not inputs.baseline:
        return round_shares(weights, inputs.total)
    scale = sum(weights)
    target = {c: Fraction(inputs.total * w, scale) for c, w in zip(codes, weights, strict=True)}
    baseline = dict(inputs.baseline)
    if inputs.method == "pace":
        moved = pace_of_change(baseline, target, inputs.total, inputs.min_growth)
    else:
        moved = damp_to_floor(baseline, target, inputs.max_loss)
    return round_fractions([moved[c] for c in codes], inputs.total)


def _check(inputs: Inputs) -> list[str]:
    """Refuse what cannot be right, naming the areas."""
    codes = list(inputs.population)
    if not codes:
        raise FairSharesError("There are no areas to share between", "population")
    if inputs.total < 0:
        raise FairSharesError("The total cannot be negative", "total")
    if inputs.method not in METHODS:
        raise FairSharesError(f"Unknown transition {inputs.method}", "method")
    if not 0 <= inputs.h <= 1:
        raise FairSharesError("The inequalities weight must be between 0 and 1", "h")
    bands = {len(p) for p in inputs.population.values()}
    if inputs.age_weights and bands != {len(inputs.age_weights)}:
        raise FairSharesError("Every area needs one population figure per age band", "population")
    if any(w < 0 for w in inputs.age_weights):
        raise FairSharesError("Age weights cannot be negative", "age_weights")
    bad = [c for c in codes if any(p < 0 for p in inputs.population[c])]
    if bad:
        raise FairSharesError(f"Negative population in {_names(bad)}", "population", bad)
    for name in ("need", "inequalities", "cost", "resources", "baseline"):
        _check_term(getattr(inputs, name), codes, name)
    return codes


def _check_term(values: Mapping[str, object], codes: list[str], name: str) -> None:
    if not values:
        return
    missing = [c for c in codes if c not in values]
    if missing:
        raise FairSharesError(f"No {name} figure for {_names(missing)}", name, missing)
    bad = [c for c in codes if values[c] < 0]  # type: ignore[operator]
    if bad:
        raise FairSharesError(f"The {name} figure cannot be negative: {_names(bad)}", name, bad)


def _names(codes: Sequence[str], shown: int = 10) -> str:
    head = ", ".join(codes[:shown])
    return head if len(codes) <= shown else f"{head} and {len(codes) - shown} more"


def _percent(value: Fraction) -> str:
    return f"{float(value * 100):g}%"


def _pounds(pence: Fraction) -> str:
    return f"£{math.ceil(pence) / 100:,.2f}"
