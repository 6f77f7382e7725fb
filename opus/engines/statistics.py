"""Public-health indicator statistics: proportions, rates, standardised rates, life expectancy.

The methods are those of the Fingertips "Public Health Technical Guidance" as implemented by
PHEindicatormethods 2.1.0, re-implemented here from the published formulas in METHODS.md §1
(not from the package's GPL code). Each function names the section it follows.

Conventions shared by every function:

* ``confidence`` is a level in (0, 1) or the same as a percentage (0.95 or 95; Fingertips uses
  95% and 99.8%). ``z`` is the standard normal quantile at ``(1 + confidence) / 2``.
* A missing (nan) numerator or denominator gives a nan ``Estimate``, not an error.
* Invalid input (negative counts, a population <= 0 where a rate needs one, a numerator above
  its denominator for a proportion, mismatched lengths, a confidence out of range) raises
  ``ValueError`` with a plain message naming the problem.
* The ``*_many`` forms take numpy arrays for many areas at once and return a dict of arrays:
  ``"value"`` and, per confidence, ``"lower95_0cl"`` / ``"upper95_0cl"`` (Fingertips column
  names, see ``limit_keys``). They agree with the scalar forms to rounding error.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

FloatArray = NDArray[np.float64]
Limits = dict[str, FloatArray]

NAN = math.nan

# European Standard Population 2013, 19 bands 0-4, 5-9, ... 85-89, 90+ (METHODS.md §1.3).
ESP2013: tuple[int, ...] = (
    5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000,
    7000, 6500, 6000, 5500, 5000, 4000, 2500, 1500, 1000,
)  # fmt: skip

# Start ages of the 20 life-table bands 0, 1-4, 5-9, ... 85-89, 90+ (METHODS.md §1.6).
LE_START_AGES: tuple[int, ...] = (0, 1, *range(5, 95, 5))

# Below this many events a rate uses exact Poisson limits, and a DSR is not published.
SMALL_COUNT = 10


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its confidence limits; ``math.nan`` where the method gives none."""

    value: float
    lower: float
    upper: float


NAN_ESTIMATE = Estimate(NAN, NAN, NAN)


# --- confidence levels ------------------------------------------------------------------------


def normalise_confidence(confidence: float) -> float:
    """Return the confidence as a fraction: 0.95 and 95 both give 0.95.

    Accepts any level in (0, 1), or in (1, 100) read as a percentage; anything else is an error.
    """
    level = float(confidence)
    if 1 < level < 100:
        level /= 100
    if not 0 < level < 1:
        raise ValueError(f"confidence must be in (0, 1) or a percentage in (1, 100), not {level}")
    return level


def z_value(confidence: float) -> float:
    """Two-sided standard normal quantile: 1.959964 at 95%, 3.090232 at 99.8%."""
    return float(stats.norm.ppf((1 + normalise_confidence(confidence)) / 2))


def limit_keys(confidence: float) -> tuple[str, str]:
    """Fingertips names for the limits at a confidence: ``("lower95_0cl", "upper95_0cl")``."""
    tag = f"{normalise_confidence(confidence) * 100:.1f}".replace(".", "_")
    return f"lower{tag}cl", f"upper{tag}cl"


# --- input checks -----------------------------------------------------------------------------


def _floats(values: ArrayLike, name: str) -> FloatArray:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be numbers") from error
    if np.isinf(array).any():
        raise ValueError(f"{name} contain an infinite value")
    return array


def _refuse(bad: NDArray[np.bool_], message: str) -> None:
    """Raise ValueError(message) if any element is flagged, naming the first one for arrays."""
    if not bad.any():
        return
    if bad.ndim:
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        message += f" (at index {index[0] if len(index) == 1 else index})"
    raise ValueError(message)


def _same_shape(first: FloatArray, second: FloatArray, names: str) -> None:
    if first.shape != second.shape:
        raise ValueError(f"{names} have different lengths: {first.shape} and {second.shape}")


def _check_counts(x: FloatArray, name: str = "counts") -> None:
    _refuse(x < 0, f"{name} must not be negative")


def _check_denominators(n: FloatArray, name: str = "populations") -> None:
    _refuse(n <= 0, f"{name} must be greater than zero")


# --- limits on arrays (nan in, nan out) -------------------------------------------------------


def _wilson(x: FloatArray, n: FloatArray, z: float) -> tuple[FloatArray, FloatArray]:
    """Wilson score limits of x/n on the 0-1 scale (METHODS.md §1.1).

    The limits are exactly 0 at x = 0 and 1 at x = n; rounding is not allowed to move them.
    """
    centre = 2 * x + z**2
    spread = z * np.sqrt(z**2 + 4 * x * (1 - x / n))
    scale = 2 * (n + z**2)
    lower = np.where(x == 0, 0.0, np.clip((centre - spread) / scale, 0, 1))
    return lower, np.where(x == n, 1.0, np.clip((centre + spread) / scale, 0, 1))


def _byars(x: FloatArray, z: float) -> tuple[FloatArray, FloatArray]:
    """Byar's limits of a Poisson count; a negative or undefined lower limit is nan (§1.2)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = x * (1 - 1 / (9 * x) - z / (3 * np.sqrt(x))) ** 3
    upper = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * np.sqrt(x + 1))) ** 3
    return np.where(lower >= 0, lower, NAN), upper


def _exact(x: FloatArray, confidence: float) -> tuple[FloatArray, FloatArray]:
    """Exact (chi-squared) limits of a Poisson count; the lower limit of 0 events is 0 (§1.2)."""
    alpha = (1 - confidence) / 2
    with np.errstate(invalid="ignore"):
        lower = stats.chi2.ppf(alpha, 2 * x) / 2
    upper = stats.chi2.ppf(1 - alpha, 2 * x + 2) / 2
    return np.where(x == 0, 0.0, lower), np.asarray(upper, dtype=np.float64)


def _poisson(x: FloatArray, confidence: float) -> tuple[FloatArray, FloatArray]:
    """Exact limits below SMALL_COUNT events, Byar's from then on (§1.2, §1.4)."""
    exact_lower, exact_upper = _exact(np.where(x < SMALL_COUNT, x, 0.0), confidence)
    byars_lower, byars_upper = _byars(
        np.where(x >= SMALL_COUNT, x, SMALL_COUNT), z_value(confidence)
    )
    small = x < SMALL_COUNT
    lower = np.where(small, exact_lower, byars_lower)
    upper = np.where(small, exact_upper, byars_upper)
    missing = np.isnan(x)
    return np.where(missing, NAN, lower), np.where(missing, NAN, upper)


def _estimate(value: FloatArray, lower: FloatArray, upper: FloatArray) -> Estimate:
    return Estimate(float(value), float(lower), float(upper))


def _confidences(confidences: Iterable[float]) -> list[float]:
    levels = [normalise_confidence(c) for c in confidences]
    keys = [limit_keys(c) for c in levels]
    if not levels or len(set(keys)) != len(keys):
        raise ValueError("confidences must be one or more different levels")
    return levels


# --- §1.1 proportions and §1.2 crude rates ----------------------------------------------------


def wilson_ci(x: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score limits of the proportion x/n, on the 0-1 scale (METHODS.md §1.1).

    ``x`` may be non-integer; ``0 <= x <= n`` and ``n > 0`` are required. nan in, nan out.
    Source: Wilson (1927); PHEindicatormethods ``wilson_lower`` / ``wilson_upper``.
    """
    z = z_value(confidence)
    x_, n_ = _floats(x, "x"), _floats(n, "n")
    _check_proportion(x_, n_)
    lower, upper = _wilson(x_, n_, z)
    return float(lower), float(upper)


def _check_proportion(x: FloatArray, n: FloatArray) -> None:
    _check_counts(x, "numerators")
    _check_denominators(n, "denominators")
    _refuse(x > n, "a numerator is greater than its denominator, so it is not a proportion")


def byars_ci(x: float, confidence: float = 0.95) -> tuple[float, float]:
    """Byar's approximate limits of a Poisson count ``x`` (METHODS.md §1.2).

    L = x(1 - 1/(9x) - z/(3√x))³, U = (x+1)(1 - 1/(9(x+1)) + z/(3√(x+1)))³. A negative (or, at
    x = 0, undefined) lower limit is nan. Source: Breslow & Day (1987); PHEindicatormethods.
    """
    x_ = _floats(x, "x")
    _check_counts(x_, "the count")
    lower, upper = _byars(x_, z_value(confidence))
    return float(lower), float(upper)


def exact_poisson_ci(x: float, confidence: float = 0.95) -> tuple[float, float]:
    """Exact limits of a Poisson count: χ²_{α/2}(2x)/2 and χ²_{1-α/2}(2x+2)/2 (METHODS.md §1.2).

    The lower limit of a zero count is 0. ``x`` may be non-integer.
    """
    x_ = _floats(x, "x")
    _check_counts(x_, "the count")
    lower, upper = _exact(x_, normalise_confidence(confidence))
    return float(lower), float(upper)


def proportion(x: float, n: float, *, multiplier: float = 1, confidence: float = 0.95) -> Estimate:
    """x/n × multiplier with Wilson score limits (METHODS.md §1.1).

    ``multiplier`` 1 gives a proportion, 100 a percentage. Missing x or n gives a nan Estimate.
    """
    result = proportion_many(
        np.array([x]), np.array([n]), multiplier=multiplier, confidences=[confidence]
    )
    return _estimate(*(values[0] for values in result.values()))


def proportion_many(
    x: ArrayLike,
    n: ArrayLike,
    *,
    multiplier: float = 1,
    confidences: Iterable[float] = (0.95, 0.998),
) -> Limits:
    """Vectorised ``proportion``: arrays of numerators and denominators, any shape."""
    x_, n_ = _floats(x, "numerators"), _floats(n, "denominators")
    _same_shape(x_, n_, "numerators and denominators")
    _check_proportion(x_, n_)
    result: Limits = {"value": x_ / n_ * multiplier}
    for level in _confidences(confidences):
        lower, upper = _wilson(x_, n_, z_value(level))
        result.update(zip(limit_keys(level), (lower * multiplier, upper * multiplier), strict=True))
    return result


def crude_rate(
    x: float, n: float, *, multiplier: float = 100_000, confidence: float = 0.95
) -> Estimate:
    """x/n × multiplier (default per 100,000) with exact limits when x < 10, Byar's otherwise.

    METHODS.md §1.2 (PHEindicatormethods ``phe_rate``). ``x > n`` is allowed; ``n`` must be > 0.
    Missing x or n gives a nan Estimate.
    """
    result = crude_rate_many(
        np.array([x]), np.array([n]), multiplier=multiplier, confidences=[confidence]
    )
    return _estimate(*(values[0] for values in result.values()))


def crude_rate_many(
    x: ArrayLike,
    n: ArrayLike,
    *,
    multiplier: float = 100_000,
    confidences: Iterable[float] = (0.95, 0.998),
) -> Limits:
    """Vectorised ``crude_rate``: arrays of counts and populations, any shape."""
    x_, n_ = _floats(x, "counts"), _floats(n, "populations")
    _same_shape(x_, n_, "counts and populations")
    _check_counts(x_)
    _check_denominators(n_)
    scale = multiplier / n_
    result: Limits = {"value": x_ * scale}
    for level in _confidences(confidences):
        lower, upper = _poisson(x_, level)
        result.update(zip(limit_keys(level), (lower * scale, upper * scale), strict=True))
    return result


# --- §1.3 directly standardised rates ---------------------------------------------------------


def _standard(standard: ArrayLike, bands: int) -> FloatArray:
    weights = _floats(standard, "standard population")
    if weights.ndim != 1 or len(weights) != bands:
        raise ValueError(f"the standard population has {weights.size} bands, the data {bands}")
    _refuse(np.isnan(weights) | (weights < 0), "the standard population must be numbers >= 0")
    if weights.sum() <= 0:
        raise ValueError("the standard population must not be all zero")
    return weights


def _dsr_inputs(counts: ArrayLike, populations: ArrayLike) -> tuple[FloatArray, FloatArray]:
    x, n = _floats(counts, "counts"), _floats(populations, "populations")
    _same_shape(x, n, "counts and populations")
    if x.ndim != 2:
        raise ValueError("counts and populations must be a table of areas by age bands")
    _check_counts(x)
    _check_denominators(n)
    return np.nan_to_num(x, nan=0.0), n


def _dobson(
    dsr: FloatArray, variance: FloatArray, total: FloatArray, multiplier: float, levels: list[float]
) -> Limits:
    """Dobson limits around a DSR from Byar's limits of the total count (METHODS.md §1.3)."""
    small = total < SMALL_COUNT
    result: Limits = {"value": np.where(small, NAN, dsr)}
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = np.sqrt(variance / total) * multiplier
    for level in levels:
        lower, upper = _byars(total, z_value(level))
        limits = (dsr + spread * (lower - total), dsr + spread * (upper - total))
        result.update(
            zip(limit_keys(level), (np.where(small, NAN, lim) for lim in limits), strict=True)
        )
    return result


def dsr_many(
    counts: ArrayLike,
    populations: ArrayLike,
    standard: ArrayLike = ESP2013,
    *,
    multiplier: float = 100_000,
    confidences: Iterable[float] = (0.95, 0.998),
) -> Limits:
    """Vectorised ``dsr``: ``counts`` and ``populations`` are arrays [areas, age bands].

    A missing count is 0; a missing population makes that area's results nan.
    """
    x, n = _dsr_inputs(counts, populations)
    weights = _standard(standard, x.shape[1])
    total_weight = weights.sum()
    rates = x / n
    standardised = rates @ weights / total_weight * multiplier
    variance = (rates / n) @ weights**2 / total_weight**2
    return _dobson(standardised, variance, x.sum(axis=1), multiplier, _confidences(confidences))


def dsr(
    counts: ArrayLike,
    populations: ArrayLike,
    standard: ArrayLike,
    *,
    multiplier: float = 100_000,
    confidence: float = 0.95,
) -> Estimate:
    """Directly standardised rate with Dobson limits (METHODS.md §1.3, ``phe_dsr``).

    ``counts``, ``populations`` and ``standard`` (e.g. ``ESP2013``) are per age band, of equal
    length, any number of bands. DSR = Σ(xᵢwᵢ/nᵢ)/Σwᵢ × multiplier (default per 100,000);
    var = Σ(xᵢwᵢ²/nᵢ²)/(Σwᵢ)²; limits DSR + √(var/O)·(O_lim − O)·multiplier with O_lim Byar's
    limits of the total count O. A missing count counts as 0; a missing population gives a nan
    Estimate; so does a total count below 10 (not published).
    """
    x, n = _floats(counts, "counts"), _floats(populations, "populations")
    if x.ndim != 1 or n.ndim != 1:
        raise ValueError("counts and populations must each be one sequence of age bands")
    result = dsr_many(x[None], n[None], standard, multiplier=multiplier, confidences=[confidence])
    return _estimate(*(values[0] for values in result.values()))


def dsr_non_independent(
    persons: ArrayLike,
    populations: ArrayLike,
    standard: ArrayLike,
    *,
    frequencies: ArrayLike | None = None,
    multiplier: float = 100_000,
    confidence: float = 0.95,
) -> Estimate:
    """DSR when one person can have several events (METHODS.md §1.3, ``independent_events=FALSE``).

    ``persons`` is a table [age bands, frequencies]: column f holds the number of persons with
    exactly ``frequencies[f]`` events (default 1, 2, ...). Events per band xᵢ = Σ_f f·persons_{i,f};
    var = Σ_f f²·var_f where var_f is the DSR variance of column f. Dobson limits as in ``dsr``,
    nan when the total number of events is below 10.
    """
    people, n = _persons_inputs(persons, populations)
    freq = _frequencies(frequencies, people.shape[1])
    weights = _standard(standard, len(n))
    total_weight = weights.sum()
    events = people @ freq
    dsr_value = (events / n) @ weights / total_weight * multiplier
    variance_by_f = (people / n[:, None] ** 2).T @ weights**2 / total_weight**2
    variance = freq**2 @ variance_by_f
    result = _dobson(
        np.array([dsr_value]), np.array([variance]), np.array([events.sum()]), multiplier,
        [normalise_confidence(confidence)],
    )  # fmt: skip
    return _estimate(*(values[0] for values in result.values()))


def _persons_inputs(persons: ArrayLike, populations: ArrayLike) -> tuple[FloatArray, FloatArray]:
    people, n = _floats(persons, "persons"), _floats(populations, "populations")
    if people.ndim != 2 or n.shape != people.shape[:1]:
        raise ValueError(
            "persons must be a table [age bands, frequencies] with one population per band"
        )
    _check_counts(people, "persons")
    _check_denominators(n)
    return np.nan_to_num(people, nan=0.0), n


def _frequencies(frequencies: ArrayLike | None, columns: int) -> FloatArray:
    if frequencies is None:
        return np.arange(1, columns + 1, dtype=np.float64)
    freq = _floats(frequencies, "frequencies")
    if freq.shape != (columns,):
        raise ValueError(f"there are {freq.size} frequencies for {columns} columns of persons")
    _refuse(np.isnan(freq) | (freq < 0), "frequencies must be numbers >= 0")
    return freq


# --- §1.4 indirect standardisation ------------------------------------------------------------


def _observed_expected(
    observed: ArrayLike, populations: ArrayLike, ref_counts: ArrayLike, ref_populations: ArrayLike
) -> tuple[float, float, float]:
    """O = Σxᵢ (missing as 0), E = Σnᵢ·x_ref,i/n_ref,i, and the reference crude rate."""
    x, n = _floats(observed, "observed counts"), _floats(populations, "populations")
    ref_x, ref_n = (
        _floats(ref_counts, "reference counts"),
        _floats(ref_populations, "reference populations"),
    )
    for array, name in (
        (n, "populations"),
        (ref_x, "reference counts"),
        (ref_n, "reference populations"),
    ):
        _same_shape(x, array, f"observed counts and {name}")
    if x.ndim != 1:
        raise ValueError("observed counts must be one sequence of age bands")
    _check_counts(x, "observed counts")
    _refuse(n < 0, "populations must not be negative")
    _refuse(np.isnan(ref_x) | (ref_x < 0), "reference counts must be numbers >= 0")
    _refuse(np.isnan(ref_n) | (ref_n <= 0), "reference populations must be greater than zero")
    expected = float(n @ (ref_x / ref_n))
    return float(np.nansum(x)), expected, float(ref_x.sum() / ref_n.sum())


def _indirect(observed: float, expected: float, scale: float, confidence: float) -> Estimate:
    if math.isnan(expected) or expected <= 0:
        return NAN_ESTIMATE
    lower, upper = _poisson(np.array(observed), normalise_confidence(confidence))
    factor = scale / expected
    return Estimate(observed * factor, float(lower) * factor, float(upper) * factor)


def isr_ratio(
    observed: ArrayLike,
    populations: ArrayLike,
    ref_counts: ArrayLike,
    ref_populations: ArrayLike,
    *,
    refvalue: float = 1,
    confidence: float = 0.95,
) -> Estimate:
    """Indirectly standardised ratio (SMR) O/E × refvalue (1 or 100) (METHODS.md §1.4).

    All four sequences are per age band. Limits: exact (O < 10) or Byar's (O >= 10) limits of O,
    divided by E. A missing observed count counts as 0; a missing population, or E = 0, gives a
    nan Estimate.
    """
    o, e, _ = _observed_expected(observed, populations, ref_counts, ref_populations)
    return _indirect(o, e, refvalue, confidence)


def isr_rate(
    observed: ArrayLike,
    populations: ArrayLike,
    ref_counts: ArrayLike,
    ref_populations: ArrayLike,
    *,
    multiplier: float = 100_000,
    confidence: float = 0.95,
) -> Estimate:
    """Indirectly standardised rate O/E × (Σx_ref/Σn_ref) × multiplier (METHODS.md §1.4).

    Inputs and limits as for ``isr_ratio``; the default is a rate per 100,000.
    """
    o, e, ref_rate = _observed_expected(observed, populations, ref_counts, ref_populations)
    return _indirect(o, e, ref_rate * multiplier, confidence)


# --- §1.5 means -------------------------------------------------------------------------------


def mean_ci(values: ArrayLike, confidence: float = 0.95) -> Estimate:
    """Mean ± t_{n−1}·s/√n, s the sample standard deviation (METHODS.md §1.5, ``phe_mean``).

    Any missing value gives a nan Estimate; a single value has no limits (nan).
    """
    data = _floats(values, "values").ravel()
    if data.size == 0:
        raise ValueError("values must not be empty")
    level = normalise_confidence(confidence)
    if np.isnan(data).any():
        return NAN_ESTIMATE
    mean = float(data.mean())
    if data.size < 2:
        return Estimate(mean, NAN, NAN)
    half = stats.t.ppf((1 + level) / 2, data.size - 1) * data.std(ddof=1) / math.sqrt(data.size)
    return Estimate(mean, mean - float(half), mean + float(half))


# --- §1.6 life expectancy ---------------------------------------------------------------------

_LE_WIDTHS = np.array([1.0, 4.0] + [5.0] * 17 + [NAN])  # the open 90+ band's width is 2/M
_LE_A = np.array([0.1] + [0.5] * 19)  # fraction of the band lived by those who die in it
_LE_RADIX = 100_000.0
_LE_MIN_POPULATION = 5_000
_LE_MAX_HALF_WIDTH = 10.0  # years: value suppressed where the 95% interval is wider than 20


def _life_table(deaths: FloatArray, pops: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Chiang II abridged life table: life expectancy and its Silcocks SE per start age."""
    m = deaths / pops
    n, a = _LE_WIDTHS, _LE_A
    q = m * n / (1 + m * n * (1 - a))
    q = np.where(m * n * a > 1, 1.0, q)
    q[-1] = 1.0
    survivors = _LE_RADIX * np.concatenate(([1.0], np.cumprod(1 - q[:-1])))
    dying = survivors * q
    lived = n * (np.append(survivors[1:], 0.0) + a * dying)
    lived[-1] = survivors[-1] / m[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        expectancy = np.cumsum(lived[::-1])[::-1] / survivors
        var_q = np.where(deaths > 0, q**2 * (1 - q) / deaths, 0.0)
        terms = survivors**2 * ((1 - a) * n + np.append(expectancy[1:], 0.0)) ** 2 * var_q
        terms[-1] = survivors[-1] ** 2 / (deaths[-1] * m[-1] ** 2)
        se = np.sqrt(np.cumsum(terms[::-1])[::-1]) / survivors
    return expectancy, se


def _life_table_inputs(deaths: ArrayLike, populations: ArrayLike) -> tuple[FloatArray, FloatArray]:
    d, p = _floats(deaths, "deaths").ravel(), _floats(populations, "populations").ravel()
    _same_shape(d, p, "deaths and populations")
    if d.size != len(LE_START_AGES):
        raise ValueError(f"life expectancy needs {len(LE_START_AGES)} age bands, not {d.size}")
    _check_counts(d, "deaths")
    _check_denominators(p)
    return d, p


def life_expectancy(
    deaths: ArrayLike, populations: ArrayLike, *, confidence: float = 0.95
) -> list[Estimate]:
    """Life expectancy at each start age of ``LE_START_AGES``, in years (METHODS.md §1.6).

    ``deaths`` and ``populations`` are for the 20 bands 0, 1-4, 5-9, ... 85-89, 90+. Chiang II
    abridged life table (a = 0.1 at age 0, else 0.5; l₀ = 100,000) with the Silcocks et al.
    (2001) variance; limits e ± z·SE. Suppression as PHEindicatormethods ``phe_life_expectancy``:
    every Estimate is nan when a value is missing, deaths exceed the population in a band, the
    total population is below 5,000, or the 90+ band has no deaths; the value alone is nan where
    the 95% interval is wider than 20 years (the limits are still given).
    """
    level = normalise_confidence(confidence)
    d, p = _life_table_inputs(deaths, populations)
    unusable = np.isnan(d).any() or np.isnan(p).any() or (d > p).any()
    if unusable or p.sum() < _LE_MIN_POPULATION or d[-1] == 0:
        return [NAN_ESTIMATE] * len(LE_START_AGES)
    expectancy, se = _life_table(d, p)
    z, z95 = z_value(level), z_value(0.95)
    return [
        Estimate(
            NAN if z95 * s > _LE_MAX_HALF_WIDTH else float(e), float(e - z * s), float(e + z * s)
        )
        for e, s in zip(expectancy, se, strict=True)
    ]


# --- §1.7 quantiles ---------------------------------------------------------------------------


def quantiles(
    values: Sequence[float] | ArrayLike, n: int, *, invert: bool = True
) -> list[int | None]:
    """Assign each value to one of ``n`` quantiles (METHODS.md §1.7, ``phe_quantile``).

    With ``invert`` (the default) quantile 1 holds the highest values. Ties take the minimum rank;
    quantile = (n+1) − ⌈((N+1) − rank)/(N/n)⌉ for N present values, computed in exact integer
    arithmetic. A missing (nan) value gets None, and every value does when fewer than n are present.
    """
    data = _floats(values, "values").ravel()
    if n < 1:
        raise ValueError("the number of quantiles must be at least 1")
    present = ~np.isnan(data)
    count = int(present.sum())
    if count < n:
        return [None] * data.size
    ranks = stats.rankdata(-data[present] if invert else data[present], method="min").astype(int)
    groups = [max(1, n + 1 - _ceil_div((count + 1 - int(r)) * n, count)) for r in ranks]
    result: list[int | None] = [None] * data.size
    for position, group in zip(np.flatnonzero(present), groups, strict=True):
        result[int(position)] = group
    return result


def _ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)
