"""Inequality measures across deprivation quantiles: SII and RII, gaps, concentration index.

Values come in quantile order with quantile 1 the most deprived (IMD decile 1). The slope
index of inequality follows Low & Low (2004) as in the PHE SII tool and PHEindicatormethods
``phe_sii`` (METHODS.md §1.8), re-implemented from the published method. Gap and concentration
index follow METHODS.md §1.9.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from opus.engines.statistics import FloatArray, normalise_confidence, z_value

NAN = math.nan
MIN_QUANTILES, MAX_QUANTILES = 5, 100
MIN_REPETITIONS = 1000
PARALLEL_FROM = 8  # groups; below this, threads cost more than they save
THREADS = 2
Transform = Callable[[FloatArray], FloatArray]


@dataclass(frozen=True)
class SII:
    """Slope and relative index of inequality with simulated confidence limits.

    ``sii`` is the fitted value at the least deprived end minus that at the most deprived end,
    times the multiplier; ``rii`` the ratio of the two fitted end values; ``intercept`` the fitted
    value at the most deprived end. Every field is nan when an input value is missing.
    """

    sii: float
    rii: float
    intercept: float
    sii_lower: float
    sii_upper: float
    rii_lower: float
    rii_upper: float


NAN_SII = SII(NAN, NAN, NAN, NAN, NAN, NAN, NAN)


# --- the transforms of value_type 1 (rate: log) and 2 (proportion: logit) ----------------------


def _identity(y: FloatArray) -> FloatArray:
    return y


def _logit(p: FloatArray) -> FloatArray:
    return np.asarray(np.log(p / (1 - p)), dtype=np.float64)


def _expit(y: FloatArray) -> FloatArray:
    return np.asarray(1 / (1 + np.exp(-y)), dtype=np.float64)


def _exp(y: FloatArray) -> FloatArray:
    return np.asarray(np.exp(y), dtype=np.float64)


def _log(y: FloatArray) -> FloatArray:
    return np.asarray(np.log(y), dtype=np.float64)


_TRANSFORMS: dict[int, tuple[Transform, Transform]] = {
    0: (_identity, _identity),
    1: (_log, _exp),
    2: (_logit, _expit),
}


# --- inputs -----------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Groups:
    """Validated inputs for one or more groups, arrays [groups, quantiles]; values and standard
    errors on the transformed (log / logit) scale for value types 1 and 2."""

    values: FloatArray
    populations: FloatArray
    se: FloatArray


def _table(values: ArrayLike, name: str) -> FloatArray:
    try:
        array = np.atleast_2d(np.asarray(values, dtype=np.float64))
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be numbers") from error
    if array.ndim != 2 or np.isinf(array).any():
        raise ValueError(f"{name} must be finite numbers, one row per group")
    return array


def _check_range(values: FloatArray, value_type: int, name: str) -> None:
    if value_type == 1 and (values <= 0).any():
        raise ValueError(f"{name} must be greater than zero for a rate (value_type 1)")
    if value_type == 2 and ((values <= 0) | (values >= 1)).any():
        raise ValueError(f"{name} must be strictly between 0 and 1 for a proportion (value_type 2)")


def _standard_errors(
    standard_errors: ArrayLike | None,
    lower: ArrayLike | None,
    upper: ArrayLike | None,
    value_type: int,
) -> FloatArray:
    """SEs as given, or (g(U) − g(L))/(2·z₉₅) from 95% limits on the transformed scale (§1.8.5)."""
    either = "give either standard_errors, or both lower and upper 95% limits"
    if standard_errors is not None:
        if lower is not None or upper is not None:
            raise ValueError(either)
        se = _table(standard_errors, "standard_errors")
        if (se < 0).any():
            raise ValueError("standard_errors must not be negative")
        return se
    if lower is None or upper is None:
        raise ValueError(either)
    low, high = _table(lower, "lower limits"), _table(upper, "upper limits")
    if low.shape != high.shape:
        raise ValueError("lower and upper limits have different lengths")
    _check_range(low, value_type, "lower limits")
    _check_range(high, value_type, "upper limits")
    forward = _TRANSFORMS[value_type][0]
    return (forward(high) - forward(low)) / (2 * z_value(0.95))


def _groups(
    values: ArrayLike,
    populations: ArrayLike,
    se: FloatArray,
    value_type: int,
) -> _Groups:
    y, pops = _table(values, "values"), _table(populations, "populations")
    if not y.shape == pops.shape == se.shape:
        raise ValueError("values, populations and standard errors have different lengths")
    if not MIN_QUANTILES <= y.shape[1] <= MAX_QUANTILES:
        raise ValueError(f"the SII needs 5 to 100 quantiles, not {y.shape[1]}")
    if (pops <= 0).any():
        raise ValueError("populations must be greater than zero in every quantile")
    _check_range(y, value_type, "values")
    return _Groups(_TRANSFORMS[value_type][0](y), pops, se)


def _check_options(value_type: int, multiplier: float, transform: bool, repetitions: int) -> None:
    if value_type not in _TRANSFORMS:
        raise ValueError("value_type must be 0 (any), 1 (rate) or 2 (proportion)")
    if transform and value_type == 0:
        raise ValueError("transform needs value_type 1 (rate) or 2 (proportion)")
    if multiplier == 0 or not math.isfinite(multiplier):
        raise ValueError("multiplier must be a non-zero number")
    if repetitions < MIN_REPETITIONS:
        raise ValueError(f"repetitions must be at least {MIN_REPETITIONS}")


# --- regression -------------------------------------------------------------------------------


def _design(populations: FloatArray) -> tuple[FloatArray, FloatArray]:
    """√aᵢ and the projection (XᵀX)⁻¹Xᵀ of the weighted regression on mid-point ranks (§1.8.1-2).

    aᵢ is the population share, xᵢ the cumulative share before quantile i plus aᵢ/2; X has the
    columns √aᵢ and xᵢ√aᵢ, so β = projection @ (√a·y) gives (intercept at x = 0, slope).
    """
    shares = populations / populations.sum()
    ranks = np.cumsum(shares) - shares / 2
    root = np.sqrt(shares)
    design = np.column_stack((root, ranks * root))
    return root, np.linalg.solve(design.T @ design, design.T)


def _order_positions(repetitions: int, confidence: float) -> list[int]:
    """0-based positions of the limits among sorted draws: round(R(1∓c)/2), as 1-based (§1.8.6)."""
    low = max(1, round(repetitions * (1 - confidence) / 2))
    high = min(repetitions, round(repetitions * (1 + confidence) / 2))
    return [low - 1, high - 1]


def _limits(draws: FloatArray, positions: list[int]) -> tuple[float, float]:
    ordered = np.sort(draws)  # numpy's vectorised sort beats np.partition at these sizes
    return float(ordered[positions[0]]), float(ordered[positions[1]])


def _rii(intercept: FloatArray, slope: FloatArray, multiplier: float) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (intercept + slope) / intercept
        return np.asarray(1 / ratio if multiplier < 0 else ratio, dtype=np.float64)


def _fit_linear(
    y: FloatArray, se: FloatArray, populations: FloatArray, draws: FloatArray, value_type: int
) -> tuple[FloatArray, FloatArray]:
    """Point fit (β₀, β₁) and simulated fits [2, R] on the natural scale (transform = False)."""
    root, projection = _design(populations)
    weighted = projection * root
    beta = weighted @ _TRANSFORMS[value_type][1](y)
    if value_type == 0:  # linear in the draws; einsum, not BLAS, whose threads fight ours here
        return beta, beta[:, None] + np.einsum("ij,jk->ik", weighted * se, draws)
    simulated = draws * se[:, None]  # back-transformed in place: the buffer is quantiles × R
    simulated += y[:, None]
    if value_type == 2:  # expit(s) = 1/(1 + exp(−s)), three times faster than scipy's here
        np.negative(simulated, out=simulated)
    np.exp(simulated, out=simulated)
    if value_type == 2:
        simulated += 1
        np.reciprocal(simulated, out=simulated)
    return beta, weighted @ simulated


def _sii_plain(
    group: tuple[FloatArray, FloatArray, FloatArray], draws: FloatArray, options: _Options
) -> SII:
    y, pops, se = group
    beta, simulated = _fit_linear(y, se, pops, draws, options.value_type)
    m = options.multiplier
    sii_low, sii_high = _limits(m * simulated[1], options.positions)
    rii_low, rii_high = _limits(_rii(simulated[0], simulated[1], m), options.positions)
    rii = float(_rii(beta[:1], beta[1:], m)[0])
    return SII(m * float(beta[1]), rii, float(beta[0]), sii_low, sii_high, rii_low, rii_high)


def _sii_transformed(
    group: tuple[FloatArray, FloatArray, FloatArray], draws: FloatArray, options: _Options
) -> SII:
    """Regression on the log / logit scale; slope limits re-anchored at the fitted mid-point."""
    y, pops, se = group
    root, projection = _design(pops)
    inverse, m = _TRANSFORMS[options.value_type][1], options.multiplier
    beta = projection @ (root * y)
    slope_weights = projection[1] * root
    slopes = (slope_weights * se) @ draws + float(slope_weights @ y)
    ends = inverse(np.array([beta[0], beta[0] + beta[1]]))
    middle = beta[0] + beta[1] / 2
    sii_limits, rii_limits = [], []
    for slope in _limits(slopes, options.positions):
        low_end, high_end = inverse(np.array([middle - slope / 2, middle + slope / 2]))
        sii_limits.append(m * float(high_end - low_end))
        ratio = float(high_end / low_end)
        rii_limits.append(1 / ratio if m < 0 else ratio)
    rii = float(ends[1] / ends[0])
    return SII(
        m * float(ends[1] - ends[0]), 1 / rii if m < 0 else rii, float(ends[0]) * abs(m),
        min(sii_limits), max(sii_limits), min(rii_limits), max(rii_limits),
    )  # fmt: skip


@dataclass(frozen=True)
class _Options:
    value_type: int
    multiplier: float
    transform: bool
    positions: list[int]


def _run(groups: _Groups, draws: FloatArray, options: _Options) -> list[SII]:
    """One SII per group. Many groups are shared between two threads: numpy's sorts and matrix
    products release the GIL, and the draws are only read, so the results are the same."""
    method = _sii_transformed if options.transform else _sii_plain

    def one(group: tuple[FloatArray, FloatArray, FloatArray]) -> SII:
        y, pops, se = group
        missing = np.isnan(y).any() or np.isnan(pops).any() or np.isnan(se).any()
        return NAN_SII if missing else method((y, pops, se), draws, options)

    rows = list(zip(groups.values, groups.populations, groups.se, strict=True))
    if len(rows) < PARALLEL_FROM:
        return [one(row) for row in rows]
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(one, rows))


def sii_many(
    values: ArrayLike,
    populations: ArrayLike,
    *,
    standard_errors: ArrayLike | None = None,
    lower: ArrayLike | None = None,
    upper: ArrayLike | None = None,
    value_type: int = 0,
    multiplier: float = 1,
    transform: bool = False,
    confidence: float = 0.95,
    repetitions: int = 100_000,
    seed: int | np.random.Generator | None = None,
) -> list[SII]:
    """Vectorised ``sii``: arrays [groups, quantiles], one ``SII`` per group.

    One buffer of standard normal draws [quantiles, repetitions] is shared by every group, so a
    group's result equals ``sii`` on that group alone with the same seed.
    """
    _check_options(value_type, multiplier, transform, repetitions)
    level = normalise_confidence(confidence)
    se = _standard_errors(standard_errors, lower, upper, value_type)
    groups = _groups(values, populations, se, value_type)
    rng = np.random.default_rng(seed)
    draws = rng.standard_normal((groups.values.shape[1], repetitions))
    options = _Options(value_type, multiplier, transform, _order_positions(repetitions, level))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return _run(groups, draws, options)


def sii(
    values: ArrayLike,
    populations: ArrayLike,
    *,
    standard_errors: ArrayLike | None = None,
    lower: ArrayLike | None = None,
    upper: ArrayLike | None = None,
    value_type: int = 0,
    multiplier: float = 1,
    transform: bool = False,
    confidence: float = 0.95,
    repetitions: int = 100_000,
    seed: int | np.random.Generator | None = None,
) -> SII:
    """Slope and relative index of inequality (Low & Low 2004; METHODS.md §1.8, ``phe_sii``).

    ``values`` and ``populations`` are given per quantile (5 to 100 of them) in order, quantile 1
    the most deprived. Uncertainty is either ``standard_errors`` or 95% ``lower`` and ``upper``
    limits (SE = (U − L)/(2·1.96)). ``value_type`` 0 is any indicator, 1 a rate (log scale),
    2 a proportion on the 0-1 scale (logit scale): for 1 and 2 values are simulated on that scale,
    and standard errors, when given, are taken to be on that scale (as PHEindicatormethods does).

    Fit: weighted least squares of the values on the population mid-point ranks, giving the fitted
    value at the most deprived end β₀ and the slope β₁. SII = multiplier·β₁, RII = (β₀+β₁)/β₀,
    inverted when the multiplier is negative (use −1 or −100 so "high is bad" indicators give a
    positive SII). With ``transform`` the fit is on the log / logit scale g and
    SII = (g⁻¹(β₀+β₁) − g⁻¹(β₀))·multiplier, RII = g⁻¹(β₀+β₁)/g⁻¹(β₀), intercept = g⁻¹(β₀)·|m|.

    Limits: ``repetitions`` Monte Carlo draws of every value from N(value, SE), refitted, taking
    the sorted draws at positions round(R(1∓c)/2). With ``transform`` the slope limits are
    re-anchored on the fitted mid-point (x = ½) before back-transformation. ``seed`` fixes the
    draws. A missing (nan) input gives an SII of nans.
    """
    results = sii_many(
        np.atleast_2d(np.asarray(values, dtype=np.float64)),
        np.atleast_2d(np.asarray(populations, dtype=np.float64)),
        standard_errors=None if standard_errors is None else np.atleast_2d(standard_errors),
        lower=None if lower is None else np.atleast_2d(lower),
        upper=None if upper is None else np.atleast_2d(upper),
        value_type=value_type, multiplier=multiplier, transform=transform,
        confidence=confidence, repetitions=repetitions, seed=seed,
    )  # fmt: skip
    if len(results) != 1:
        raise ValueError("sii takes one group; use sii_many for several")
    return results[0]


# --- §1.9 gap and concentration index ---------------------------------------------------------


@dataclass(frozen=True)
class Gap:
    """The difference (``absolute``) and ratio (``relative``) between two groups' values."""

    absolute: float
    relative: float


def gap(values: ArrayLike, *, first: int = 0, second: int = -1) -> Gap:
    """Gap between two groups: values[first] − values[second] and values[first] / values[second].

    With the defaults and values in quantile order (quantile 1 the most deprived) this is the
    most deprived minus the least deprived (METHODS.md §1.9) — the opposite sign to the SII.
    Any two groups can be compared by index. A missing value, or a zero divisor for the ratio,
    gives nan.
    """
    data = np.asarray(values, dtype=np.float64).ravel()
    try:
        a, b = float(data[first]), float(data[second])
    except IndexError as error:
        raise ValueError(f"there is no group {first} or {second} among {data.size}") from error
    return Gap(a - b, a / b if b != 0 else NAN)


@dataclass(frozen=True)
class Concentration:
    """Concentration index ``standard`` and its Erreygers-corrected form ``erreygers``."""

    standard: float
    erreygers: float


def concentration_index(
    values: ArrayLike,
    populations: ArrayLike,
    *,
    bounds: tuple[float, float] | None = None,
) -> Concentration:
    """Concentration index of grouped data (O'Donnell et al. 2008; METHODS.md §1.9, unverified).

    Groups are in order from most to least deprived; Rₜ is the mid-point fractional rank (as for
    the SII) and fₜ the population share. C = (2/μ)·Σ fₜyₜRₜ − 1, in [−1, 1]: positive when the
    outcome is concentrated among the less deprived, negative among the more deprived, 0 when flat.
    For a bounded outcome a <= y <= b, ``bounds=(a, b)`` adds the Erreygers correction
    E = 4μ/(b − a)·C = 8·cov(y, R)/(b − a); without bounds it is nan. Missing input gives nans.
    """
    y, pops = _table(values, "values").ravel(), _table(populations, "populations").ravel()
    if y.shape != pops.shape or y.size < 2:
        raise ValueError("values and populations need the same length, at least 2 groups")
    if (pops <= 0).any():
        raise ValueError("populations must be greater than zero")
    if bounds is not None and not bounds[0] < bounds[1]:
        raise ValueError("bounds must be (lowest, highest) possible values, lowest < highest")
    if bounds is not None and ((y < bounds[0]) | (y > bounds[1])).any():
        raise ValueError(f"values must lie within the bounds {bounds}")
    shares = pops / pops.sum()
    ranks = np.cumsum(shares) - shares / 2
    mean = float(shares @ y)
    covariance = float(shares @ (y * ranks)) - mean / 2
    standard = 2 * covariance / mean if mean != 0 else NAN
    erreygers = NAN if bounds is None else 8 * covariance / (bounds[1] - bounds[0])
    return Concentration(standard, erreygers)
