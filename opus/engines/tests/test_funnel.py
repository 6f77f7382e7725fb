"""Funnel-plot limits (Spiegelhalter 2005, PHE's 95% and 99.8% funnels).

Worked values are computed by hand from the binomial and Poisson distributions (the arithmetic
is in the comments); larger cases are checked against scipy's quantiles directly.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from opus.engines import funnel

FAST = settings(max_examples=40, deadline=None)


def test_binomial_limits_worked_by_hand_for_ten_at_a_half():
    # Binomial(10, ½): F(1) = 11/1024, F(2) = 56/1024. The 2.5% quantile is r = 2 and
    # α = (56/1024 − 0.025) / (45/1024) = 30.4 / 45, so the lower limit is (2 − α) / 10.
    # F(7) = 968/1024 < 0.975 ≤ F(8) = 1013/1024: r = 8, α = 14.6 / 45, upper (8 − α) / 10.
    # (Spreading each count over (r − 1, r] makes the limits sit 1/n apart from symmetric.)
    lower, upper = funnel.proportion_limits(0.5, [10], [0.95])[0.95]
    assert lower[0] == pytest.approx((2 - 30.4 / 45) / 10)
    assert upper[0] == pytest.approx((8 - 14.6 / 45) / 10)


def test_binomial_limits_worked_by_hand_for_four_at_a_half():
    # F(3) = 15/16 < 0.975 ≤ F(4) = 1: r = 4, α = 0.025 / (1/16) = 0.4, upper = 3.6 / 4.
    # F(0) = 1/16 ≥ 0.025: r = 0, α = 0.6, lower = −0.6 / 4, clipped to 0.
    lower, upper = funnel.proportion_limits(0.5, [4], [0.95])[0.95]
    assert upper[0] == pytest.approx(0.9)
    assert lower[0] == 0.0


def test_binomial_limits_sit_next_to_scipys_quantiles():
    n = np.array([25, 100, 1000])
    limits = funnel.proportion_limits(0.8, n)
    for level, (lower, upper) in limits.items():
        tail = (1 - level) / 2
        q_low = stats.binom.ppf(tail, n, 0.8)
        q_high = stats.binom.ppf(1 - tail, n, 0.8)
        # Interpolation moves a limit by less than one whole count below the quantile.
        assert np.all((q_low - 1) / n <= lower) and np.all(lower <= q_low / n)
        assert np.all((q_high - 1) / n <= upper) and np.all(upper <= q_high / n)


def test_limits_narrow_as_the_denominator_grows_and_outer_contains_inner():
    n = np.array([5, 20, 80, 320, 1280])
    limits = funnel.proportion_limits(0.7, n)
    inner_lo, inner_hi = limits[0.95]
    outer_lo, outer_hi = limits[0.998]
    assert np.all(np.diff(inner_hi - inner_lo) < 0)
    assert np.all(outer_lo <= inner_lo) and np.all(inner_hi <= outer_hi)
    assert np.all(inner_lo < 0.7) and np.all(0.7 < inner_hi)


def test_a_zero_denominator_has_no_limits():
    lower, upper = funnel.proportion_limits(0.5, [0, 10])[0.95]
    assert math.isnan(lower[0]) and math.isnan(upper[0])
    assert not math.isnan(lower[1])


def test_poisson_limits_worked_by_hand():
    # Poisson(2): F(4) = 7e⁻² = 0.947347, F(5) = F(4) + e⁻²·32/120 = 0.983436. The 97.5%
    # quantile is 5 and α = (0.983436 − 0.975) / 0.036089, so the upper count is 5 − α.
    # Target 20 per 1,000 in a population of 100: expected count 2; limit = count × 1000/100.
    f4 = 7 * math.exp(-2)
    f5 = f4 + math.exp(-2) * 32 / 120
    count = 5 - (f5 - 0.975) / (f5 - f4)
    lower, upper = funnel.rate_limits(20, [100], [0.95], multiplier=1000)[0.95]
    assert upper[0] == pytest.approx(count * 10)
    assert lower[0] == 0.0  # F(0) = e⁻² = 0.135 ≥ 0.025: r = 0, below zero once interpolated


def test_byars_rate_limits_follow_the_published_formula():
    z = 1.959963984540054
    e = 50.0
    lower, upper = funnel.rate_limits(0.5, [100], [0.95], method="byars")[0.95]
    assert lower[0] * 100 == pytest.approx(e * (1 - 1 / (9 * e) - z / (3 * math.sqrt(e))) ** 3)
    assert upper[0] * 100 == pytest.approx(
        (e + 1) * (1 - 1 / (9 * (e + 1)) + z / (3 * math.sqrt(e + 1))) ** 3
    )


def test_exact_and_byars_agree_for_large_counts():
    exact = funnel.rate_limits(0.3, [10_000], [0.95])[0.95]
    byars = funnel.rate_limits(0.3, [10_000], [0.95], method="byars")[0.95]
    assert exact[0][0] == pytest.approx(byars[0][0], rel=2e-3)
    assert exact[1][0] == pytest.approx(byars[1][0], rel=2e-3)


def test_classify_bands_values_against_inner_and_outer_limits():
    n = np.full(5, 100)
    limits = funnel.proportion_limits(0.5, n)
    values = [0.2, 0.38, 0.5, 0.62, 0.8]
    assert funnel.classify(values, limits).tolist() == [-2, -1, 0, 1, 2]


def test_classify_counts_missing_values_and_limits_as_within():
    limits = funnel.proportion_limits(0.5, [0, 100])
    assert funnel.classify([0.0, math.nan], limits).tolist() == [0, 0]


@FAST
@given(
    target=st.floats(0.05, 0.95),
    n=st.lists(st.integers(1, 2000), min_size=1, max_size=8),
)
def test_vectorised_limits_equal_one_at_a_time(target, n):
    together = funnel.proportion_limits(target, n)
    for i, size in enumerate(n):
        alone = funnel.proportion_limits(target, [size])
        for level in together:
            assert together[level][0][i] == pytest.approx(alone[level][0][0])
            assert together[level][1][i] == pytest.approx(alone[level][1][0])


def test_curve_gives_whole_sizes_for_proportions_within_range():
    sizes, limits = funnel.curve(0.8, 1, 500, points=40)
    assert sizes[0] == 1 and sizes[-1] == 500
    assert np.all(sizes == np.rint(sizes)) and np.all(np.diff(sizes) > 0)
    assert limits[0.95][0].shape == sizes.shape


def test_curve_for_rates_keeps_the_requested_points():
    sizes, limits = funnel.curve(5.0, 100, 100_000, points=30, kind="rate", multiplier=1000)
    assert len(sizes) == 30
    assert np.all(limits[0.998][1] >= limits[0.95][1])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: funnel.proportion_limits(1.5, [10]), "target"),
        (lambda: funnel.proportion_limits(0.5, [-1]), "denominators"),
        (lambda: funnel.proportion_limits(0.5, [10], [95]), "confidence"),
        (lambda: funnel.rate_limits(-1, [10]), "target rate"),
        (lambda: funnel.rate_limits(1, [10], multiplier=0), "multiplier"),
        (lambda: funnel.curve(0.5, 10, 5), "n_min"),
        (lambda: funnel.curve(0.5, 1, 5, points=1), "points"),
    ],
)
def test_bad_input_is_refused_with_a_plain_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()
