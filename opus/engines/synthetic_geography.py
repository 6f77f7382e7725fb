"""Synthetic geography for the demo world and benchmarks: plausible, deterministic, fake.

Nothing here describes a real place. Populations follow an England-like age
structure, younger where deprivation is higher; deprivation domains are
correlated through one latent score per small area, and the IMD is built from
them the way the English Indices are (METHODS.md §2): domain scores are ranked,
the ranks exponentially transformed, and the transformed domains weighted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

# Share of residents in each 5-year band 0–4 … 90+ (England-like, sums to 1).
AGE_SHARES = np.array(
    [5.4, 5.9, 6.0, 5.6, 6.0, 6.6, 6.8, 6.6, 6.1, 6.3, 6.9, 6.8, 5.9, 5.1, 5.1, 3.6, 2.5, 1.5, 1.3]
)
AGE_SHARES = AGE_SHARES / AGE_SHARES.sum()

IMD_WEIGHTS = {
    "income": 0.225,
    "employment": 0.225,
    "education": 0.135,
    "health": 0.135,
    "crime": 0.093,
    "barriers": 0.093,
    "living_environment": 0.093,
}

ETHNIC_GROUPS = [
    "Asian, Asian British or Asian Welsh: Bangladeshi",
    "Asian, Asian British or Asian Welsh: Chinese",
    "Asian, Asian British or Asian Welsh: Indian",
    "Asian, Asian British or Asian Welsh: Pakistani",
    "Asian, Asian British or Asian Welsh: Other Asian",
    "Black, Black British, Black Welsh, Caribbean or African: African",
    "Black, Black British, Black Welsh, Caribbean or African: Caribbean",
    "Black, Black British, Black Welsh, Caribbean or African: Other Black",
    "Mixed or Multiple ethnic groups: White and Asian",
    "Mixed or Multiple ethnic groups: White and Black African",
    "Mixed or Multiple ethnic groups: White and Black Caribbean",
    "Mixed or Multiple ethnic groups: Other Mixed or Multiple ethnic groups",
    "White: English, Welsh, Scottish, Northern Irish or British",
    "White: Irish",
    "White: Gypsy or Irish Traveller",
    "White: Roma",
    "White: Other White",
    "Other ethnic group: Arab",
    "Other ethnic group: Any other ethnic group",
]
_ETHNIC_BASE = np.array(
    [1.1, 0.7, 3.3, 2.7, 1.6, 2.5, 1.0, 0.5, 0.8, 0.4, 0.9, 0.8, 73.5, 0.9, 0.1, 0.2, 6.2, 0.6, 1.6]
)

DISABILITY_GROUPS = [
    "Disabled under the Equality Act: Day-to-day activities limited a lot",
    "Disabled under the Equality Act: Day-to-day activities limited a little",
    "Not disabled under the Equality Act: Has long term physical or mental health condition "
    "but day-to-day activities are not limited",
    "Not disabled under the Equality Act: No long term physical or mental health conditions",
]

ENGLAND_LSOAS_2019 = 32_844


@dataclass(frozen=True)
class SmallAreas:
    """Arrays with one row per small area (LSOA)."""

    male: NDArray[np.int64]  # (areas, 19)
    female: NDArray[np.int64]  # (areas, 19)
    latent: NDArray[np.float64]  # latent deprivation, higher = more deprived
    domains: dict[str, NDArray[np.float64]]
    imd_score: NDArray[np.float64]
    imd_rank: NDArray[np.int64]  # 1 = most deprived, in the England of ENGLAND_LSOAS_2019
    imd_decile: NDArray[np.int64]
    ethnic: NDArray[np.int64]  # (areas, len(ETHNIC_GROUPS))
    disability: NDArray[np.int64]  # (areas, 4)


def exponential_transform(ranks: NDArray[np.int64], n: int) -> NDArray[np.float64]:
    """IoD transform of ranks (1 = most deprived) to 0–100, 10% of areas above 50."""
    r = (n - ranks + 1) / n  # 1 for the most deprived, 1/n for the least
    transformed: NDArray[np.float64] = -23.0 * np.log(1.0 - r * (1.0 - np.exp(-100.0 / 23.0)))
    return transformed


def rank_descending(values: NDArray[np.float64]) -> NDArray[np.int64]:
    """Rank with 1 for the largest value (the most deprived); ties broken by position."""
    order = np.argsort(-values, kind="stable")
    ranks = np.empty(len(values), dtype=np.int64)
    ranks[order] = np.arange(1, len(values) + 1)
    return ranks


def _domains(
    latent: NDArray[np.float64], rng: np.random.Generator
) -> dict[str, NDArray[np.float64]]:
    n = len(latent)

    def noisy(scale: float) -> NDArray[np.float64]:
        return latent + rng.normal(0.0, scale, n)

    def rate(x: NDArray[np.float64], low: float, high: float) -> NDArray[np.float64]:
        return low + (high - low) / (1.0 + np.exp(-1.3 * x))

    return {
        "income": np.round(rate(noisy(0.35), 0.02, 0.45), 3),
        "employment": np.round(rate(noisy(0.4), 0.02, 0.35), 3),
        "education": np.round(np.clip(22 + 18 * noisy(0.5), 0.1, 90), 3).astype(np.float64),
        "health": np.round(0.9 * noisy(0.5), 3),
        "crime": np.round(0.7 * noisy(0.8), 3),
        "barriers": np.round(np.clip(22 + 8 * rng.normal(0, 1, n) - 2 * latent, 1, 70), 3).astype(
            np.float64
        ),
        "living_environment": np.round(np.clip(22 + 10 * noisy(1.0), 0.5, 90), 3).astype(
            np.float64
        ),
    }


def imd_scores(domains: dict[str, NDArray[np.float64]]) -> NDArray[np.float64]:
    """Weighted sum of exponentially transformed domain ranks (IoD2019 construction)."""
    n = len(next(iter(domains.values())))
    total = np.zeros(n)
    for name, weight in IMD_WEIGHTS.items():
        total += weight * exponential_transform(rank_descending(domains[name]), n)
    return np.round(total, 3)


def _population(
    sizes: NDArray[np.int64], latent: NDArray[np.float64], rng: np.random.Generator
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    # Deprived areas are younger: tilt the age shares towards the young.
    tilt = np.linspace(0.25, -0.45, len(AGE_SHARES))
    shares = AGE_SHARES * np.exp(np.outer(np.tanh(latent / 2), tilt))
    shares *= rng.gamma(60.0, 1 / 60.0, shares.shape)
    shares /= shares.sum(axis=1, keepdims=True)
    totals = np.array([rng.multinomial(s, p) for s, p in zip(sizes, shares, strict=True)])
    female_share = np.linspace(0.488, 0.70, len(AGE_SHARES))  # more women at older ages
    female = rng.binomial(totals, female_share)
    return (totals - female).astype(np.int64), female.astype(np.int64)


def _ethnicity(
    sizes: NDArray[np.int64], latent: NDArray[np.float64], rng: np.random.Generator
) -> NDArray[np.int64]:
    diversity = np.clip(1.0 + 0.6 * latent + rng.normal(0, 0.5, len(sizes)), 0.2, 4.0)
    white_british = ETHNIC_GROUPS.index(
        "White: English, Welsh, Scottish, Northern Irish or British"
    )
    rows = []
    for size, d in zip(sizes, diversity, strict=True):
        p = _ETHNIC_BASE.copy()
        minority = np.arange(len(p)) != white_british
        p[minority] *= d
        p /= p.sum()
        rows.append(rng.multinomial(size, rng.dirichlet(p * 200)))
    return np.array(rows, dtype=np.int64)


def _disability(
    sizes: NDArray[np.int64], latent: NDArray[np.float64], rng: np.random.Generator
) -> NDArray[np.int64]:
    lot = np.clip(0.075 + 0.025 * latent, 0.02, 0.2)
    little = np.clip(0.10 + 0.012 * latent, 0.04, 0.2)
    condition = np.full(len(sizes), 0.07)
    p = np.column_stack([lot, little, condition, 1 - lot - little - condition])
    return np.array([rng.multinomial(s, q) for s, q in zip(sizes, p, strict=True)], dtype=np.int64)


def national_rank(
    latent: NDArray[np.float64], reference: int = ENGLAND_LSOAS_2019
) -> NDArray[np.int64]:
    """Place latent scores among a standard-normal England of `reference` areas."""
    from scipy.stats import norm

    share_more_deprived = np.asarray(norm.sf(latent), dtype=np.float64)
    ranks: NDArray[np.int64] = np.clip(
        np.ceil(share_more_deprived * reference), 1, reference
    ).astype(np.int64)
    return ranks


def small_areas(
    latent: NDArray[np.float64], rng: np.random.Generator, *, mean_size: int = 1500
) -> SmallAreas:
    """Populations, census counts and deprivation for areas with the given latent scores."""
    n = len(latent)
    sizes = np.clip(rng.normal(mean_size, 180, n), 900, 3000).astype(np.int64)
    male, female = _population(sizes, latent, rng)
    domains = _domains(latent, rng)
    score = imd_scores(domains)
    rank = national_rank(latent) if n < ENGLAND_LSOAS_2019 else rank_descending(score)
    reference = max(n, ENGLAND_LSOAS_2019) if n >= ENGLAND_LSOAS_2019 else ENGLAND_LSOAS_2019
    decile = np.minimum(10, (rank - 1) * 10 // reference + 1).astype(np.int64)
    totals = male.sum(axis=1) + female.sum(axis=1)
    return SmallAreas(
        male=male,
        female=female,
        latent=latent,
        domains=domains,
        imd_score=score,
        imd_rank=rank,
        imd_decile=decile,
        ethnic=_ethnicity(totals, latent, rng),
        disability=_disability(totals, latent, rng),
    )


def clustered_latent(
    groups: int, per_group: NDArray[np.int64], rng: np.random.Generator, *, shift: float = 0.0
) -> NDArray[np.float64]:
    """Latent deprivation with a shared effect per group (ward), so neighbours resemble."""
    group_effect = rng.normal(shift, 0.8, groups)
    latent: NDArray[np.float64] = np.repeat(group_effect, per_group) + rng.normal(
        0.0, 0.6, int(per_group.sum())
    )
    return latent
