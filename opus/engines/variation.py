"""Does where you live decide what you get? Variation across areas, need-adjusted.

Each area has an amount per person in need (spend, or the share of people in need reached) and
a number of people in need, which weighs it: a measure describes the spread among *people* in
need, not among areas of any size. Three measures, each with a bootstrap interval:

* coefficient of variation: the weighted standard deviation over the weighted mean;
* Gini: 1 − Σ pᵢ (Lᵢ + Lᵢ₋₁) over areas in increasing order of amount, with pᵢ an area's share
  of the people in need and L the Lorenz curve of the amount (0 when everyone gets the same,
  towards 1 when one area gets everything);
* Theil T: Σ sᵢ ln(xᵢ / μ), with sᵢ an area's share of the total amount (0 when equal; areas
  with nothing add nothing, the usual limit).

The bootstrap resamples areas with replacement (``draws`` times, seeded, so a page and its CSV
agree). Areas are sorted once: a resample is then a count per area used as an extra weight,
so no draw is sorted again and the whole computation is vectorised in blocks of draws.
Intervals are percentiles of the draws.

Access rates also get funnel-plot limits (``opus.engines.funnel``) around the overall rate:
an area outside the 99.8% limits is unlikely to differ by chance alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from opus.engines import funnel

FloatArray = NDArray[np.float64]
BLOCK = 100  # draws per block: a block's counts are BLOCK × areas integers
MAX_DRAWS = 10_000


@dataclass(frozen=True)
class Measure:
    """A point estimate with its bootstrap interval (nan when it cannot be worked out)."""

    value: float
    lower: float
    upper: float


@dataclass(frozen=True)
class Variation:
    """The weighted mean amount and the three measures of spread around it."""

    areas: int
    mean: float
    cv: Measure
    gini: Measure
    theil: Measure


@dataclass(frozen=True)
class Funnel:
    """Access rates against funnel limits: the overall rate, each area's limits and band
    (−2/−1 below the 99.8%/95% limit, 0 within, 1/2 above), in the input's order."""

    target: float
    rates: FloatArray
    lower_95: FloatArray
    upper_95: FloatArray
    lower_998: FloatArray
    upper_998: FloatArray
    bands: NDArray[np.int64]


def _arrays(values: ArrayLike, weights: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """The values and weights of the areas with weight, checked."""
    x = np.asarray(values, dtype=np.float64).ravel()
    w = np.asarray(weights, dtype=np.float64).ravel()
    if x.shape != w.shape:
        raise ValueError(f"there are {x.size} values for {w.size} weights")
    if not (np.isfinite(x).all() and np.isfinite(w).all()):
        raise ValueError("values and weights must be finite numbers")
    if (x < 0).any() or (w < 0).any():
        raise ValueError("values and weights must not be negative")
    keep = w > 0
    return x[keep], w[keep]


def _measures(x: FloatArray, weights: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """CV, Gini and Theil T for each row of ``weights`` (draws × areas) over sorted ``x``.

    Sums over areas are matrix-vector products; the Gini is Σ Wₖxₖ(2Cₖ − Wₖ) / (W·T) − 1, with
    C the cumulative weight and T the total amount (the Lorenz form summed by parts), so each
    block needs one cumulative sum and two row-wise dot products.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        x_log_x = np.where(x > 0, x * np.log(np.where(x > 0, x, 1.0)), 0.0)
        total_w = weights @ np.ones_like(x)
        total = weights @ x
        mean = total / total_w
        spread = np.sqrt(np.maximum(weights @ (x * x) / total_w - mean**2, 0.0))
        cv = spread / mean
        amount = weights * x
        cumulative = np.cumsum(weights, axis=1)
        twice = 2 * np.einsum("ij,ij->i", amount, cumulative) - np.einsum(
            "ij,ij->i", amount, weights
        )
        gini = twice / (total_w * total) - 1
        theil = (weights @ x_log_x) / total - np.log(mean)
    return cv, gini, theil


def _measure(point: float, draws: FloatArray, confidence: float) -> Measure:
    finite = draws[np.isfinite(draws)]
    if not np.isfinite(point) or finite.size == 0:
        return Measure(point, np.nan, np.nan)
    tail = 100 * (1 - confidence) / 2
    lower, upper = np.percentile(finite, [tail, 100 - tail])
    return Measure(point, float(lower), float(upper))


Triple = tuple[FloatArray, FloatArray, FloatArray]


def _resampled(
    series: list[FloatArray], w: FloatArray, orders: list[NDArray[np.intp]], draws: int, seed: int
) -> list[Triple]:
    """The measures of every series over the same resamples of the areas (counts per area,
    put in each series' sorted order)."""
    rng = np.random.default_rng(seed)
    n = w.size
    results: list[list[Triple]] = [[] for _ in series]
    for start in range(0, draws, BLOCK):
        block = min(BLOCK, draws - start)
        picks = rng.integers(0, n, size=(block, n), dtype=np.int32)
        picks += (np.arange(block, dtype=np.int32) * n)[:, None]
        counts = np.bincount(picks.ravel(), minlength=block * n).reshape(block, n)
        for k, (x, order) in enumerate(zip(series, orders, strict=True)):
            results[k].append(_measures(x[order], counts[:, order] * w[order]))
    return [
        (
            np.concatenate([r[0] for r in rows]),
            np.concatenate([r[1] for r in rows]),
            np.concatenate([r[2] for r in rows]),
        )
        for rows in results
    ]


def variation_many(
    series: Sequence[ArrayLike],
    weights: ArrayLike,
    *,
    draws: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> list[Variation]:
    """``variation`` for several amounts over the same areas and weights (spend and access),
    sharing the resamples: the same draws of areas for every series."""
    if not 0 < confidence < 1:
        raise ValueError("confidence must be a fraction between 0 and 1")
    if not 0 <= draws <= MAX_DRAWS:
        raise ValueError(f"draws must be from 0 to {MAX_DRAWS:,}")
    checked = [_arrays(values, weights) for values in series]
    w = checked[0][1] if checked else np.zeros(0)
    xs = [x for x, _ in checked]
    if w.size == 0:
        nan = Measure(np.nan, np.nan, np.nan)
        return [Variation(0, np.nan, nan, nan, nan) for _ in xs]
    orders = [np.argsort(x, kind="stable") for x in xs]
    empty = np.array([], dtype=np.float64)
    resampled = (
        _resampled(xs, w, orders, draws, seed)
        if w.size > 1 and draws
        else [(empty, empty, empty) for _ in xs]
    )
    found = []
    for x, order, sampled in zip(xs, orders, resampled, strict=True):
        point = _measures(x[order], w[order][None, :])
        cv, gini, theil = (
            _measure(float(p[0]), s, confidence) for p, s in zip(point, sampled, strict=True)
        )
        found.append(Variation(int(x.size), float((w * x).sum() / w.sum()), cv, gini, theil))
    return found


def variation(
    values: ArrayLike,
    weights: ArrayLike,
    *,
    draws: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> Variation:
    """CV, Gini and Theil of ``values`` (an amount per person in need, per area) weighted by
    ``weights`` (people in need), with percentile bootstrap intervals from ``draws`` resamples
    of the areas. Areas with no weight are left out; fewer than two leaves nan intervals."""
    (result,) = variation_many([values], weights, draws=draws, seed=seed, confidence=confidence)
    return result


def access_funnel(reached: ArrayLike, in_need: ArrayLike) -> Funnel:
    """Each area's share of its people in need who were reached, against exact binomial funnel
    limits (95% and 99.8%) around the overall share. Areas with no one in need get nan."""
    count = np.asarray(reached, dtype=np.float64).ravel()
    size = np.asarray(in_need, dtype=np.float64).ravel()
    if count.shape != size.shape:
        raise ValueError(f"there are {count.size} counts for {size.size} areas")
    if (count < 0).any() or (size < 0).any() or (count > size).any():
        raise ValueError("counts must be from 0 to the number of people in need")
    target = float(count.sum() / size.sum()) if size.sum() > 0 else 0.0
    limits = funnel.proportion_limits(target, size)
    with np.errstate(invalid="ignore", divide="ignore"):
        rates = np.where(size > 0, count / np.where(size > 0, size, 1), np.nan)
    return Funnel(
        target,
        rates,
        *limits[0.95],
        *limits[0.998],
        funnel.classify(rates, limits),
    )
