"""Funnel-plot control limits: is a unit's proportion or rate plausibly the same as the area's?

A funnel plot draws each unit (a provider, a council) as its value against its size, with
control limits around one target value that narrow as the size grows. Points inside the limits
are consistent with the target once chance is allowed for; only points outside them are worth a
question. That is why Opus shows performance this way rather than as a league table: a small
provider with 3 of 4 complaints answered on time is not "worse" than a large one on 90%.

Method (re-implemented from the published method, not from any package's code):

* Spiegelhalter D.J. (2005) "Funnel plots for comparing institutional performance",
  Statistics in Medicine 24:1185-1202, §3 and appendix A.1.1, as adopted by PHE's
  "Calculating funnel plot limits" guidance (95% and 99.8% limits, i.e. about 2 and 3
  standard deviations).
* Proportions: exact binomial limits. For a size ``n``, target ``θ`` and tail probability
  ``p``, ``r_p`` is the smallest count with ``F(r_p) ≥ p`` (F the Binomial(n, θ) distribution
  function). Because counts are whole numbers the limit is interpolated between ``r_p − 1``
  and ``r_p``:  ``α = (F(r_p) − p) / (F(r_p) − F(r_p − 1))``, limit ``= (r_p − α) / n``,
  clipped to [0, 1]. This makes the limits smooth in ``n`` instead of a staircase. It spreads
  each count over ``(r − 1, r]``, so the lower limit is exact (a count flagged below has
  ``P(X ≤ count) < p``) and the upper one slightly generous: the side that matters for a
  provider's on-time rate is the lower one.
* Rates: the same with Poisson(E) counts, ``E = target_rate × population`` (``exact``), or the
  Byars approximation to the Poisson quantiles (``byars``), which is what PHE uses for large
  counts; each count limit is divided by the population and multiplied by ``multiplier``.

Conventions: ``confidences`` are fractions (0.95, 0.998); the result maps each confidence to
``(lower, upper)`` arrays aligned with the input sizes. A size of 0 (or missing) gives nan
limits, and ``classify`` treats nan values or limits as "within".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
FunnelLimits = dict[float, tuple[FloatArray, FloatArray]]

DEFAULT_CONFIDENCES: tuple[float, ...] = (0.95, 0.998)

# Band codes returned by ``classify``.
BELOW_OUTER, BELOW_INNER, WITHIN, ABOVE_INNER, ABOVE_OUTER = -2, -1, 0, 1, 2


def _check_confidences(confidences: Sequence[float]) -> tuple[float, ...]:
    levels = tuple(float(c) for c in confidences)
    if not levels:
        raise ValueError("give at least one confidence level")
    for level in levels:
        if not 0 < level < 1:
            raise ValueError(f"confidence must be a fraction in (0, 1), not {level}")
    return levels


def _sizes(values: ArrayLike, name: str) -> FloatArray:
    sizes = np.atleast_1d(np.asarray(values, dtype=np.float64))
    if np.any(sizes < 0):
        raise ValueError(f"{name} must not be negative")
    return sizes


def _interpolated_quantile(
    p: float, cdf_at: FloatArray, cdf_below: FloatArray, r: FloatArray
) -> FloatArray:
    """Spiegelhalter's interpolation between the whole counts ``r − 1`` and ``r``."""
    step = cdf_at - cdf_below
    with np.errstate(invalid="ignore", divide="ignore"):
        alpha = np.where(step > 0, (cdf_at - p) / step, 0.0)
    result: FloatArray = r - alpha
    return result


def _binomial_count_limit(p: float, n: FloatArray, target: float) -> FloatArray:
    r = stats.binom.ppf(p, n, target)
    cdf_at = stats.binom.cdf(r, n, target)
    cdf_below = stats.binom.cdf(r - 1, n, target)
    return _interpolated_quantile(p, cdf_at, cdf_below, r)


def _poisson_count_limit(p: float, expected: FloatArray) -> FloatArray:
    r = stats.poisson.ppf(p, expected)
    cdf_at = stats.poisson.cdf(r, expected)
    cdf_below = stats.poisson.cdf(r - 1, expected)
    return _interpolated_quantile(p, cdf_at, cdf_below, r)


def _byars_count_limits(confidence: float, expected: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Byars' approximation to the Poisson limits of a count with mean ``expected``."""
    z = float(stats.norm.ppf((1 + confidence) / 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        lower = expected * (1 - 1 / (9 * expected) - z / (3 * np.sqrt(expected))) ** 3
        above = expected + 1
        upper = above * (1 - 1 / (9 * above) + z / (3 * np.sqrt(above))) ** 3
    return np.maximum(lower, 0.0), upper


def proportion_limits(
    target: float,
    denominators: ArrayLike,
    confidences: Sequence[float] = DEFAULT_CONFIDENCES,
) -> FunnelLimits:
    """Exact binomial control limits around ``target`` (a proportion in [0, 1]) per denominator.

    Returns ``{confidence: (lower, upper)}`` as proportions; nan where the denominator is 0.
    Denominators are whole numbers of events (complaints, cases); fractions are rounded.
    """
    if not 0 <= target <= 1:
        raise ValueError(f"target must be a proportion in [0, 1], not {target}")
    n = np.rint(_sizes(denominators, "denominators"))
    levels = _check_confidences(confidences)
    empty = ~(n > 0)
    safe_n = np.where(empty, 1.0, n)
    limits: FunnelLimits = {}
    for level in levels:
        tail = (1 - level) / 2
        bounds = []
        for p in (tail, 1 - tail):
            count = _binomial_count_limit(p, safe_n, target)
            bounds.append(np.where(empty, np.nan, np.clip(count / safe_n, 0.0, 1.0)))
        limits[level] = (bounds[0], bounds[1])
    return limits


def rate_limits(
    target_rate: float,
    populations: ArrayLike,
    confidences: Sequence[float] = DEFAULT_CONFIDENCES,
    multiplier: float = 1.0,
    method: Literal["exact", "byars"] = "exact",
) -> FunnelLimits:
    """Poisson control limits around ``target_rate`` per population, in the rate's units.

    ``target_rate`` is expressed per ``multiplier`` people (e.g. 3.2 per 1,000 with
    ``multiplier=1000``); the limits come back in the same units. nan where the population is 0.
    """
    if not target_rate >= 0:
        raise ValueError(f"target rate must not be negative, not {target_rate}")
    if not multiplier > 0:
        raise ValueError(f"multiplier must be positive, not {multiplier}")
    population = _sizes(populations, "populations")
    levels = _check_confidences(confidences)
    empty = ~(population > 0)
    safe_pop = np.where(empty, 1.0, population)
    expected = target_rate / multiplier * safe_pop
    limits: FunnelLimits = {}
    for level in levels:
        tail = (1 - level) / 2
        if method == "byars":
            lower, upper = _byars_count_limits(level, expected)
        else:
            lower = _poisson_count_limit(tail, expected)
            upper = _poisson_count_limit(1 - tail, expected)
        scale = multiplier / safe_pop
        limits[level] = (
            np.where(empty, np.nan, np.maximum(lower, 0.0) * scale),
            np.where(empty, np.nan, upper * scale),
        )
    return limits


def classify(values: ArrayLike, limits: FunnelLimits) -> IntArray:
    """Band each value against its limits: −2/−1 below the outer/inner limit, 0 within, 1/2 above.

    The inner limit is the lowest confidence in ``limits`` and the outer the highest (95% and
    99.8% by default). A value exactly on a limit counts as within; nan counts as within.
    """
    if not limits:
        raise ValueError("give at least one confidence level of limits")
    x = np.atleast_1d(np.asarray(values, dtype=np.float64))
    inner_lo, inner_hi = limits[min(limits)]
    outer_lo, outer_hi = limits[max(limits)]
    with np.errstate(invalid="ignore"):
        bands = (
            np.where(x > inner_hi, 1, 0)
            + np.where(x > outer_hi, 1, 0)
            - np.where(x < inner_lo, 1, 0)
            - np.where(x < outer_lo, 1, 0)
        )
    result: IntArray = bands.astype(np.int64)
    return result


def curve(
    target: float,
    n_min: float,
    n_max: float,
    points: int = 60,
    confidences: Sequence[float] = DEFAULT_CONFIDENCES,
    kind: Literal["proportion", "rate"] = "proportion",
    multiplier: float = 1.0,
) -> tuple[FloatArray, FunnelLimits]:
    """Sizes from ``n_min`` to ``n_max`` and the limits at each, to draw the funnel's lines.

    Sizes are spaced geometrically (the funnel changes fastest at small sizes); for proportions
    they are whole numbers, so fewer than ``points`` may come back when the range is narrow.
    """
    if not 0 < n_min <= n_max:
        raise ValueError(f"need 0 < n_min <= n_max, not {n_min} and {n_max}")
    if not 2 <= points <= 10_000:
        raise ValueError(f"points must be between 2 and 10,000, not {points}")
    sizes = np.geomspace(n_min, n_max, points)
    if kind == "proportion":
        sizes = np.unique(np.rint(sizes))
        return sizes, proportion_limits(target, sizes, confidences)
    return sizes, rate_limits(target, sizes, confidences, multiplier)
