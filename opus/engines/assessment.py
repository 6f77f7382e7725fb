"""Arithmetic of a joint needs assessment, on arrays for every area at once.

An assessment takes, for each indicator, numerators and denominators (or age-band
counts for directly standardised rates) for every small area, and produces:
estimates with 95% and 99.8% limits for small areas and for every grouping of
them (wards, neighbourhoods, authorities), each compared with its authority and
with a benchmark; values by local deprivation decile with the slope index of
inequality; and the number of people affected by the gap, which ranks needs.
Formulas are those of opus.engines.statistics / inequality (METHODS.md §1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from opus.engines import statistics as st
from opus.engines.inequality import SII, sii_many

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

METHODS = ("proportion", "crude_rate", "dsr", "isr", "life_expectancy")
CONFIDENCES = (0.95, 0.998)
LOWER95, UPPER95 = st.limit_keys(0.95)
LOWER998, UPPER998 = st.limit_keys(0.998)


@dataclass(frozen=True)
class Inputs:
    """One indicator's data for N areas (rows) — what the method needs, the rest None.

    numerators, denominators: [N]; band_counts, band_populations: [N, bands].
    """

    method: str
    multiplier: float
    numerators: FloatArray
    denominators: FloatArray | None = None
    band_counts: FloatArray | None = None
    band_populations: FloatArray | None = None


def group_sum(values: FloatArray, groups: IntArray, n_groups: int) -> FloatArray:
    """Sum rows of `values` ([N] or [N, k]) into `n_groups` by each row's group number.

    Rows with group −1 belong to no group. A missing (nan) value makes its group's sum nan,
    so a partly missing aggregate is never passed off as complete.
    """
    keep = groups >= 0
    index, kept = groups[keep], values[keep]
    if kept.ndim == 1:
        return np.bincount(index, weights=kept, minlength=n_groups).astype(np.float64)
    columns = [
        np.bincount(index, weights=kept[:, j], minlength=n_groups) for j in range(kept.shape[1])
    ]
    return np.column_stack(columns).astype(np.float64) if columns else np.zeros((n_groups, 0))


def aggregate(inputs: Inputs, groups: IntArray, n_groups: int) -> Inputs:
    """The same indicator for groups of areas: numerators, denominators and bands summed."""

    def summed(values: FloatArray | None) -> FloatArray | None:
        return None if values is None else group_sum(values, groups, n_groups)

    return Inputs(
        method=inputs.method,
        multiplier=inputs.multiplier,
        numerators=group_sum(inputs.numerators, groups, n_groups),
        denominators=summed(inputs.denominators),
        band_counts=summed(inputs.band_counts),
        band_populations=summed(inputs.band_populations),
    )


def _required(values: FloatArray | None, what: str, method: str) -> FloatArray:
    if values is None:
        raise ValueError(f"a {method} needs {what}")
    return values


def reference_band_rates(inputs: Inputs) -> FloatArray:
    """Age-specific rates of all the areas together: the reference for indirect standardisation."""
    counts = _required(inputs.band_counts, "counts by age band", "isr")
    pops = _required(inputs.band_populations, "populations by age band", "isr")
    total_pop = pops.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total_pop > 0, np.nansum(counts, axis=0) / total_pop, 0.0)


def estimate(inputs: Inputs, reference_rates: FloatArray | None = None) -> st.Limits:
    """Value and 95% / 99.8% limits for every area, by the indicator's method.

    ISR is returned as a ratio × 100 against `reference_rates` (default: all areas together).
    Areas with no denominator (population 0) get nan, not an error.
    """
    method = inputs.method
    if method == "proportion":
        n = _required(inputs.denominators, "denominators", method)
        x = np.where(n > 0, inputs.numerators, np.nan)
        return st.proportion_many(x, np.where(n > 0, n, np.nan), multiplier=inputs.multiplier)
    if method == "crude_rate":
        n = _required(inputs.denominators, "denominators", method)
        x = np.where(n > 0, inputs.numerators, np.nan)
        return st.crude_rate_many(x, np.where(n > 0, n, np.nan), multiplier=inputs.multiplier)
    counts = _required(inputs.band_counts, "counts by age band", method)
    pops = _required(inputs.band_populations, "populations by age band", method)
    if method == "life_expectancy":
        return _life_expectancy(counts, pops)
    if method == "dsr":
        return _dsr(counts, pops, inputs.multiplier)
    if method == "isr":
        rates = reference_band_rates(inputs) if reference_rates is None else reference_rates
        expected = pops @ rates
        observed = np.nansum(counts, axis=1)
        safe_expected = np.where(expected > 0, expected, np.nan)
        return st.crude_rate_many(observed, safe_expected, multiplier=100)
    raise ValueError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")


def _dsr(counts: FloatArray, pops: FloatArray, multiplier: float) -> st.Limits:
    """DSR where every band has people; an empty band (no residents, no events) adds nothing.

    Bands with population 0 are given a tiny population and no events, so they contribute 0
    to the rate and its variance; a band with events but no population is missing data (nan).
    """
    bad = (pops <= 0) & (np.nan_to_num(counts) > 0)
    empty = (pops <= 0) & ~bad
    safe_pops = np.where(empty, 1.0, pops)
    safe_counts = np.where(empty, 0.0, counts)
    safe_pops = np.where(bad, np.nan, safe_pops)
    return st.dsr_many(safe_counts, safe_pops, st.ESP2013, multiplier=multiplier)


def _life_expectancy(deaths: FloatArray, pops: FloatArray) -> st.Limits:
    """Life expectancy at birth for each area (20 bands 0, 1–4, …, 90+; METHODS.md §1.6).

    Areas the method cannot give a value for (fewer than 5,000 people, missing bands, …)
    get nan, as statistics.life_expectancy defines.
    """
    result: st.Limits = {"value": np.full(len(deaths), np.nan)}
    for level in CONFIDENCES:
        lower_key, upper_key = st.limit_keys(level)
        result[lower_key], result[upper_key] = (
            np.full(len(deaths), np.nan),
            np.full(len(deaths), np.nan),
        )
        for i in range(len(deaths)):
            if np.isnan(deaths[i]).any() or np.isnan(pops[i]).any() or (pops[i] <= 0).any():
                continue
            at_birth = st.life_expectancy(deaths[i], pops[i], confidence=level)[0]
            result["value"][i] = at_birth.value
            result[lower_key][i], result[upper_key][i] = at_birth.lower, at_birth.upper
    return result


def excess_events(counts: FloatArray, pops: FloatArray, reference_rates: FloatArray) -> float:
    """Events beyond those expected if every area had the reference age-specific rates.

    Σ over areas of max(0, observed − Σ_bands population × reference rate): for mortality,
    the deaths that would not happen if every area matched the least deprived.
    """
    observed = np.nansum(counts, axis=1)
    expected = pops @ reference_rates
    with np.errstate(invalid="ignore"):
        excess = np.where(np.isfinite(expected), np.maximum(observed - expected, 0.0), 0.0)
    return float(excess.sum())


def compare(limits: st.Limits, reference: FloatArray, confidence: float = 0.95) -> NDArray[np.int8]:
    """+1 where an area is significantly higher than its reference, −1 lower, 0 similar.

    Significance is judged by whether the area's interval excludes the reference value
    (the Fingertips convention for comparing with a benchmark). Missing values give 0.
    """
    lower_key, upper_key = st.limit_keys(confidence)
    lower, upper = limits[lower_key], limits[upper_key]
    with np.errstate(invalid="ignore"):
        higher = lower > reference
        lower_than = upper < reference
    return (higher.astype(np.int8) - lower_than.astype(np.int8)).astype(np.int8)


def local_deciles(scores: FloatArray, authorities: IntArray, n_authorities: int) -> IntArray:
    """Deprivation decile of each small area within its own authority (1 = most deprived).

    METHODS.md §1.7: ties take the minimum rank; authorities with fewer than 10 areas get 0.
    """
    deciles = np.zeros(len(scores), dtype=np.int64)
    order = np.argsort(authorities, kind="stable")
    bounds = np.searchsorted(authorities[order], np.arange(n_authorities + 1))
    for a in range(n_authorities):
        rows = order[bounds[a] : bounds[a + 1]]
        if len(rows) >= 10:
            found = st.quantiles(scores[rows], 10, invert=True)
            deciles[rows] = [q or 0 for q in found]
    return deciles


@dataclass(frozen=True)
class Gradient:
    """Values by deprivation decile (1 = most deprived) for each authority, with the SII."""

    values: FloatArray  # [authorities, 10]
    lower: FloatArray
    upper: FloatArray
    populations: FloatArray
    sii: list[SII]


def gradient(
    inputs: Inputs,
    authorities: IntArray,
    deciles: IntArray,
    n_authorities: int,
    *,
    high_is_bad: bool,
    repetitions: int = 100_000,
    seed: int = 1,
) -> Gradient:
    """Decile values per authority and the slope index of inequality (METHODS.md §1.8).

    The SII multiplier is −1 for "high is bad" indicators so that a gradient against the
    most deprived is positive either way.
    """
    cell = np.where(deciles > 0, authorities * 10 + deciles - 1, -1)
    by_decile = aggregate(inputs, cell, n_authorities * 10)
    limits = estimate(by_decile)
    shape = (n_authorities, 10)
    values, lower, upper = (limits[k].reshape(shape) for k in ("value", LOWER95, UPPER95))
    pops = populations_of(by_decile).reshape(shape)
    complete = np.all(np.isfinite(values) & np.isfinite(lower) & (pops > 0), axis=1)
    results = [SII(*([np.nan] * 7))] * n_authorities
    if complete.any():
        found = sii_many(
            values[complete],
            pops[complete],
            lower=lower[complete],
            upper=upper[complete],
            multiplier=-1 if high_is_bad else 1,
            repetitions=repetitions,
            seed=seed,
        )
        for index, result in zip(np.flatnonzero(complete), found, strict=True):
            results[int(index)] = result
    return Gradient(values, lower, upper, pops, results)


def populations_of(inputs: Inputs) -> FloatArray:
    """The people each figure is about: the denominators, or the age bands' populations summed."""
    if inputs.denominators is not None:
        return inputs.denominators
    total: FloatArray = _required(inputs.band_populations, "populations", inputs.method).sum(axis=1)
    return total


def excess_people(
    values: FloatArray,
    denominators: FloatArray,
    target: float,
    multiplier: float,
    *,
    high_is_bad: bool,
) -> float:
    """People affected beyond what they would be if every area matched `target`.

    Σ max(0, value − target) × denominator / multiplier (reversed when high is good). This is
    how many fewer people would be affected if the gap closed: the weight of a need.
    """
    gap = (values - target) if high_is_bad else (target - values)
    with np.errstate(invalid="ignore"):
        affected = np.where(np.isfinite(gap) & (gap > 0), gap * denominators / multiplier, 0.0)
    return float(affected.sum())


@dataclass(frozen=True)
class Need:
    """A candidate priority: an indicator (and group) with its gap and its weight."""

    key: str
    label: str
    excess: float
    gap: float
    sii: float


def rank_needs(needs: Sequence[Need]) -> list[Need]:
    """Largest number of people affected first; ties by the size of the gap."""
    return sorted(needs, key=lambda n: (-n.excess, -abs(n.gap) if np.isfinite(n.gap) else 0))
