"""Proportions, rates, standardised rates, means, life expectancy and quantiles (METHODS.md §1).

Expected values are worked by hand from the formulas (the arithmetic is shown), except the life
table, which is checked against the published test data of PHEindicatormethods.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opus.engines import statistics as s

Z95 = 1.959963984540054
Z998 = 3.090232306167813
FAST = settings(max_examples=60, deadline=None)


def byars_by_hand(x: float, z: float = Z95) -> tuple[float, float]:
    lower = x * (1 - 1 / (9 * x) - z / (3 * math.sqrt(x))) ** 3
    upper = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * math.sqrt(x + 1))) ** 3
    return lower, upper


# --- confidence -------------------------------------------------------------------------------


def test_confidence_is_a_fraction_or_a_percentage():
    assert s.normalise_confidence(0.95) == 0.95
    assert s.normalise_confidence(95) == pytest.approx(0.95)
    assert s.normalise_confidence(99.8) == pytest.approx(0.998)
    assert s.z_value(95) == pytest.approx(Z95)
    assert s.z_value(0.998) == pytest.approx(Z998)


@pytest.mark.parametrize("level", [0, 1, 100, -0.5, 150, math.nan])
def test_confidence_out_of_range_is_refused(level):
    with pytest.raises(ValueError, match="confidence"):
        s.normalise_confidence(level)
    with pytest.raises(ValueError, match="confidence"):
        s.crude_rate(10, 100, confidence=level)


def test_limit_keys_follow_fingertips_column_names():
    assert s.limit_keys(0.95) == ("lower95_0cl", "upper95_0cl")
    assert s.limit_keys(99.8) == ("lower99_8cl", "upper99_8cl")


# --- §1.1 Wilson ------------------------------------------------------------------------------


def test_wilson_limits_worked_by_hand():
    # 65 of 100: centre 2·65 + z² = 133.8415, spread z·√(z² + 4·65·0.35) = 19.0874,
    # scale 2·(100 + z²) = 207.6829.
    lower, upper = s.wilson_ci(65, 100)
    assert lower == pytest.approx((133.84146 - 19.08737) / 207.68293, abs=1e-6)
    assert upper == pytest.approx((133.84146 + 19.08737) / 207.68293, abs=1e-6)


def test_wilson_limits_at_the_ends_are_zero_and_one():
    assert s.wilson_ci(0, 50)[0] == 0
    assert s.wilson_ci(50, 50)[1] == 1


def test_wilson_accepts_a_non_integer_numerator():
    lower, upper = s.wilson_ci(2.5, 10)
    assert lower < 0.25 < upper


def test_proportion_scales_value_and_limits_by_the_multiplier():
    result = s.proportion(65, 100, multiplier=100)
    lower, upper = s.wilson_ci(65, 100)
    assert result == s.Estimate(65.0, pytest.approx(lower * 100), pytest.approx(upper * 100))


@pytest.mark.parametrize(
    ("x", "n", "message"),
    [(11, 10, "greater than its denominator"), (-1, 10, "negative"), (0, 0, "greater than zero")],
)
def test_proportion_refuses_invalid_input(x, n, message):
    with pytest.raises(ValueError, match=message):
        s.proportion(x, n)
    with pytest.raises(ValueError, match=message):
        s.wilson_ci(x, n)


@pytest.mark.parametrize(("x", "n"), [(math.nan, 10), (3, math.nan)])
def test_missing_numerator_or_denominator_gives_nan(x, n):
    for result in (s.proportion(x, n), s.crude_rate(x, n)):
        assert all(math.isnan(v) for v in (result.value, result.lower, result.upper))


@FAST
@given(
    n=st.integers(1, 10**6),
    share=st.floats(0, 1),
)
def test_wilson_limits_bracket_the_proportion_and_widen_at_99_8(n, share):
    x = round(share * n)
    narrow, wide = s.proportion(x, n, confidence=95), s.proportion(x, n, confidence=99.8)
    assert 0 <= wide.lower <= narrow.lower <= narrow.value + 1e-12
    assert narrow.value - 1e-12 <= narrow.upper <= wide.upper <= 1


# --- §1.2 crude rates -------------------------------------------------------------------------


def test_byars_limits_worked_by_hand():
    # 10 events: 10·(1 − 1/90 − z/(3√10))³ = 10·0.7822905³;
    # 11·(1 − 1/99 + z/(3√11))³ = 11·1.1868828³.
    lower, upper = s.byars_ci(10)
    assert lower == pytest.approx(10 * 0.7822905**3, rel=1e-6)
    assert upper == pytest.approx(11 * 1.1868828**3, rel=1e-6)


def test_byars_lower_limit_that_would_be_negative_is_nan():
    assert math.isnan(s.byars_ci(0.1)[0])
    assert math.isnan(s.byars_ci(0)[0])


def test_exact_poisson_limits_match_the_chi_squared_tables():
    # Standard tables: 5 events 1.6235–11.6683; 0 events 0–3.6889.
    assert s.exact_poisson_ci(5) == pytest.approx((1.62349, 11.66833), abs=1e-5)
    assert s.exact_poisson_ci(0) == pytest.approx((0.0, 3.68888), abs=1e-5)


def test_crude_rate_uses_exact_limits_below_ten_events():
    result = s.crude_rate(5, 1000)
    lower, upper = s.exact_poisson_ci(5)
    assert result.value == 500
    assert (result.lower, result.upper) == pytest.approx((lower * 100, upper * 100))


def test_crude_rate_uses_byars_limits_from_ten_events():
    result = s.crude_rate(100, 50_000)
    lower, upper = byars_by_hand(100)
    assert result.value == 200
    assert (result.lower, result.upper) == pytest.approx((lower * 2, upper * 2))


def test_crude_rate_allows_more_events_than_people():
    assert s.crude_rate(20, 10, multiplier=1).value == 2


@pytest.mark.parametrize(("x", "n", "message"), [(-1, 10, "negative"), (1, 0, "greater than zero")])
def test_crude_rate_refuses_invalid_input(x, n, message):
    with pytest.raises(ValueError, match=message):
        s.crude_rate(x, n)


@FAST
@given(x=st.integers(0, 10**5), n=st.integers(1, 10**7))
def test_rate_limits_bracket_the_rate_and_widen_at_99_8(x, n):
    narrow, wide = s.crude_rate(x, n), s.crude_rate(x, n, confidence=0.998)
    assert wide.lower <= narrow.lower <= narrow.value <= narrow.upper <= wide.upper


def test_vectorised_proportions_and_rates_agree_with_the_scalar_forms():
    rng = np.random.default_rng(3)
    n = rng.integers(1, 5000, 300).astype(float)
    x = np.floor(n * rng.random(300))
    for many, one in ((s.proportion_many, s.proportion), (s.crude_rate_many, s.crude_rate)):
        result = many(x, n)
        for i in range(0, 300, 7):
            for level in (0.95, 0.998):
                low_key, up_key = s.limit_keys(level)
                expected = one(x[i], n[i], confidence=level)
                got = (result["value"][i], result[low_key][i], result[up_key][i])
                assert got == pytest.approx(
                    (expected.value, expected.lower, expected.upper), rel=1e-9, nan_ok=True
                )


# --- §1.3 DSR ---------------------------------------------------------------------------------


def test_esp2013_has_19_bands_summing_to_100000():
    assert len(s.ESP2013) == 19
    assert sum(s.ESP2013) == 100_000


def test_dsr_worked_by_hand():
    # Bands: 10/1000 and 20/2000 events, standard weights 1 and 3.
    # DSR = (0.01·1 + 0.01·3)/4 × 1e5 = 1000; var = (10·1/1000² + 20·9/2000²)/16 = 3.4375e-6;
    # limits 1000 + √(var/30)·(O_lim − 30)·1e5 with O_lim Byar's limits of 30 events.
    result = s.dsr([10, 20], [1000, 2000], [1, 3])
    spread = math.sqrt(3.4375e-6 / 30) * 1e5
    lower, upper = byars_by_hand(30)
    assert result.value == pytest.approx(1000)
    assert result.lower == pytest.approx(1000 + spread * (lower - 30))
    assert result.upper == pytest.approx(1000 + spread * (upper - 30))


def test_dsr_is_nan_below_ten_events():
    result = s.dsr([4, 5], [1000, 1000], [1, 1])
    assert math.isnan(result.value) and math.isnan(result.lower) and math.isnan(result.upper)


def test_dsr_counts_a_missing_count_as_zero():
    assert s.dsr([math.nan, 20], [100, 200], [1, 1]) == s.dsr([0, 20], [100, 200], [1, 1])


def test_dsr_with_a_missing_population_is_nan():
    assert math.isnan(s.dsr([10, 20], [math.nan, 200], [1, 1]).value)


@pytest.mark.parametrize(
    ("counts", "populations", "standard", "message"),
    [
        ([1, 2], [10, 20, 30], [1, 1], "different lengths"),
        ([1, 2], [10, 20], [1, 1, 1], "standard population has 3 bands"),
        ([-1, 20], [10, 20], [1, 1], "negative"),
        ([10, 20], [10, 0], [1, 1], "greater than zero"),
        ([10, 20], [10, 20], [1, -1], "standard population"),
    ],
)
def test_dsr_refuses_invalid_input(counts, populations, standard, message):
    with pytest.raises(ValueError, match=message):
        s.dsr(counts, populations, standard)


@FAST
@given(
    scale=st.floats(0.01, 50),
    rates=st.lists(st.floats(0.0005, 0.05), min_size=19, max_size=19),
)
def test_dsr_equals_the_crude_rate_when_the_population_has_the_standard_age_structure(scale, rates):
    populations = np.array(s.ESP2013) * scale
    counts = np.round(populations * np.array(rates))
    total = counts.sum()
    result = s.dsr(counts, populations, s.ESP2013)
    if total < 10:
        assert math.isnan(result.value)
        return
    crude = s.crude_rate(total, populations.sum())
    lower, upper = byars_by_hand(total)
    assert result.value == pytest.approx(crude.value, rel=1e-9)
    # Dobson limits then equal the Byar's limits of the crude rate.
    assert (result.lower, result.upper) == pytest.approx(
        (lower / populations.sum() * 1e5, upper / populations.sum() * 1e5), rel=1e-9
    )


@FAST
@given(
    counts=st.lists(st.integers(0, 400), min_size=3, max_size=3),
    populations=st.lists(st.integers(1, 10**5), min_size=3, max_size=3),
)
def test_dsr_limits_bracket_the_value_and_widen_at_99_8(counts, populations):
    narrow = s.dsr(counts, populations, [2, 3, 5])
    wide = s.dsr(counts, populations, [2, 3, 5], confidence=99.8)
    if sum(counts) < 10:
        assert math.isnan(narrow.value)
    else:
        assert wide.lower <= narrow.lower <= narrow.value <= narrow.upper <= wide.upper


def test_vectorised_dsr_agrees_with_the_scalar_form():
    rng = np.random.default_rng(7)
    populations = rng.integers(5, 400, (200, 19)).astype(float)
    counts = rng.poisson(populations * 0.02).astype(float)
    counts[3, 4] = math.nan
    result = s.dsr_many(counts, populations, s.ESP2013)
    for i in range(0, 200, 9):
        for level in (0.95, 0.998):
            low_key, up_key = s.limit_keys(level)
            expected = s.dsr(counts[i], populations[i], s.ESP2013, confidence=level)
            got = (result["value"][i], result[low_key][i], result[up_key][i])
            assert got == pytest.approx(
                (expected.value, expected.lower, expected.upper), rel=1e-9, nan_ok=True
            )


def test_non_independent_dsr_with_one_event_each_equals_the_ordinary_dsr():
    counts, populations = [12, 30, 7], [1000, 2000, 500]
    persons = [[c] for c in counts]
    assert s.dsr_non_independent(persons, populations, [1, 2, 1]) == s.dsr(
        counts, populations, [1, 2, 1]
    )


def test_non_independent_dsr_worked_by_hand():
    # Band 1: 10 persons with 1 event, 5 with 2 → 20 events; band 2: 20 persons with 1 → 20.
    # Standard 1, 1 (Σw = 2). DSR = (20/1000 + 20/2000)/2 × 1e5 = 1500.
    # var₁ = (10/1000² + 20/2000²)/4 = 3.75e-6; var₂ = (5/1000²)/4 = 1.25e-6;
    # var = 1·var₁ + 4·var₂ = 8.75e-6.
    result = s.dsr_non_independent([[10, 5], [20, 0]], [1000, 2000], [1, 1])
    spread = math.sqrt(8.75e-6 / 40) * 1e5
    lower, upper = byars_by_hand(40)
    assert result.value == pytest.approx(1500)
    assert (result.lower, result.upper) == pytest.approx(
        (1500 + spread * (lower - 40), 1500 + spread * (upper - 40))
    )


# --- §1.4 indirect standardisation ------------------------------------------------------------


def test_isr_ratio_and_rate_worked_by_hand():
    # E = 1000·10/10000 + 1000·30/10000 = 4; O = 10 → ratio 2.5 with Byar's limits of 10 / 4.
    # Reference rate 40/20000 → ISR = 2.5 × 0.002 × 1e5 = 500.
    args = ([5, 5], [1000, 1000], [10, 30], [10_000, 10_000])
    ratio, rate = s.isr_ratio(*args), s.isr_rate(*args)
    lower, upper = byars_by_hand(10)
    assert (ratio.value, ratio.lower, ratio.upper) == pytest.approx((2.5, lower / 4, upper / 4))
    assert (rate.value, rate.lower, rate.upper) == pytest.approx((500, lower * 50, upper * 50))
    assert s.isr_ratio(*args, refvalue=100).value == pytest.approx(250)


def test_isr_uses_exact_limits_below_ten_events():
    ratio = s.isr_ratio([3, 2], [1000, 1000], [10, 30], [10_000, 10_000])
    lower, upper = s.exact_poisson_ci(5)
    assert (ratio.value, ratio.lower, ratio.upper) == pytest.approx((1.25, lower / 4, upper / 4))


def test_isr_refuses_mismatched_bands_and_zero_reference_populations():
    with pytest.raises(ValueError, match="different lengths"):
        s.isr_ratio([1, 2], [10, 20], [1, 2, 3], [10, 20, 30])
    with pytest.raises(ValueError, match="reference populations"):
        s.isr_rate([1, 2], [10, 20], [1, 2], [10, 0])


# --- §1.5 mean --------------------------------------------------------------------------------


def test_mean_ci_worked_by_hand():
    # 1..5: mean 3, s = √2.5, t₄ = 2.776445 → half-width 2.776445·1.581139/√5 = 1.963243.
    result = s.mean_ci([1, 2, 3, 4, 5])
    assert (result.value, result.lower, result.upper) == pytest.approx(
        (3, 3 - 1.963243, 3 + 1.963243), abs=1e-6
    )


def test_mean_of_one_value_has_no_limits_and_missing_values_give_nan():
    assert math.isnan(s.mean_ci([4]).lower)
    assert math.isnan(s.mean_ci([4, math.nan]).value)


# --- §1.6 life expectancy ---------------------------------------------------------------------

# PHEindicatormethods tests/testthat/testLifeExpectancy.R, df1 and answer1 (used as test data
# only): deaths and populations for the 20 bands, expected e₀ ... e₉₀ with 95% limits.
LE_DEATHS = [
    17,
    9,
    4,
    8,
    20,
    15,
    24,
    33,
    50,
    71,
    100,
    163,
    263,
    304,
    536,
    872,
    1390,
    1605,
    1936,
    1937,
]
LE_POPS = [
    7060, 35059, 46974, 48489, 43219, 38561, 46009, 57208, 61435, 55601,
    50209, 56416, 46411, 39820, 37978, 37039, 33288, 23306, 11936, 11936,
]  # fmt: skip
LE_EXPECTED = [
    (80.16960813, 79.88268548, 80.45653078), (79.36245674, 79.0898816, 79.63503188),
    (75.44193645, 75.17407307, 75.70979983), (70.47299936, 70.20675732, 70.7392414),
    (65.52909542, 65.26548673, 65.79270412), (60.67510088, 60.41876577, 60.931436),
    (55.78835987, 55.53801579, 56.03870395), (50.92752727, 50.68279939, 51.17225516),
    (46.06740425, 45.82666794, 46.30814055), (41.24505636, 41.00842831, 41.48168441),
    (36.49322717, 36.26223216, 36.72422219), (31.83343842, 31.60996318, 32.05691365),
    (27.26027992, 27.04337271, 27.47718713), (22.9719144, 22.76653134, 23.17729746),
    (18.76856852, 18.57570352, 18.96143352), (14.95858336, 14.77985004, 15.13731667),
    (11.51684445, 11.34831778, 11.68537112), (8.618849241, 8.451134045, 8.786564437),
    (6.163942934, 5.978358351, 6.349527517), (6.16210635, 5.887683386, 6.436529314),
]  # fmt: skip


def test_life_expectancy_matches_the_pheindicatormethods_test_data_to_4_dp():
    result = s.life_expectancy(LE_DEATHS, LE_POPS)
    assert len(result) == 20
    for got, expected in zip(result, LE_EXPECTED, strict=True):
        assert (got.value, got.lower, got.upper) == pytest.approx(expected, abs=5e-5)


def test_life_expectancy_limits_widen_at_99_8():
    narrow = s.life_expectancy(LE_DEATHS, LE_POPS)[0]
    wide = s.life_expectancy(LE_DEATHS, LE_POPS, confidence=99.8)[0]
    assert wide.lower < narrow.lower < narrow.value < narrow.upper < wide.upper


def test_life_expectancy_value_is_withheld_where_the_interval_is_wider_than_20_years():
    deaths = [*LE_DEATHS[:-1], 1]  # one death in 90+: e₉₀ = 1/M = 11,936 years, SE huge
    result = s.life_expectancy(deaths, LE_POPS)
    assert math.isnan(result[-1].value)
    assert not math.isnan(result[-1].lower) and not math.isnan(result[-1].upper)


@pytest.mark.parametrize(
    ("deaths", "pops"),
    [
        ([*LE_DEATHS[:-2], 12_000, 1937], LE_POPS),  # deaths above the population
        ([1] * 20, [200] * 20),  # total population 4,000 < 5,000
        ([*LE_DEATHS[:-1], math.nan], LE_POPS),  # missing
    ],
)
def test_life_expectancy_is_all_nan_on_unusable_data(deaths, pops):
    assert all(math.isnan(e.value) and math.isnan(e.lower) for e in s.life_expectancy(deaths, pops))


@pytest.mark.parametrize(
    ("deaths", "pops", "message"),
    [
        (LE_DEATHS[:19], LE_POPS[:19], "20 age bands"),
        ([-1, *LE_DEATHS[1:]], LE_POPS, "negative"),
        (LE_DEATHS, [0, *LE_POPS[1:]], "greater than zero"),
    ],
)
def test_life_expectancy_refuses_invalid_input(deaths, pops, message):
    with pytest.raises(ValueError, match=message):
        s.life_expectancy(deaths, pops)


# --- §1.7 quantiles ---------------------------------------------------------------------------


def test_quantiles_worked_by_hand():
    # N = 9 present, n = 5, N/n = 1.8. Ranks on −value: 8→1, 7→2, 5→3, 4→4, 3→5, 2→6, 1→7
    # (twice), 0→9; quantile = 6 − ⌈(10 − rank)/1.8⌉.
    values = [5, 4, 3, 2, 1, 1, math.nan, 0, 7, 8]
    assert s.quantiles(values, 5) == [2, 2, 3, 3, 4, 4, None, 5, 1, 1]


def test_quantiles_not_inverted_put_the_lowest_values_in_quantile_1():
    assert s.quantiles([10, 20, 30, 40, 50], 5, invert=False) == [1, 2, 3, 4, 5]


def test_quantiles_are_all_none_when_fewer_values_than_quantiles():
    assert s.quantiles([1, 2, math.nan], 3) == [None, None, None]


@FAST
@given(
    values=st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=200),
    n=st.integers(1, 20),
)
def test_quantiles_are_in_range_and_ordered(values, n):
    result = s.quantiles(values, n)
    if len(values) < n:
        assert result == [None] * len(values)
        return
    assert all(1 <= q <= n for q in result if q is not None)
    pairs = sorted(zip(values, result, strict=True))
    assert all(a[1] >= b[1] for a, b in zip(pairs, pairs[1:], strict=False))
