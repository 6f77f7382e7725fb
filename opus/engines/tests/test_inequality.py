"""Slope and relative index of inequality, gap and concentration index (METHODS.md §1.8-1.9).

Point estimates are checked against gradients built to have a known answer and against an
independent weighted regression; simulated limits against the exact normal distribution of
the slope (linear in the values when value_type is 0).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opus.engines import inequality as q

FAST = settings(max_examples=40, deadline=None)
REPS = 2000
DECILES = np.arange(10)
MID_RANKS = (DECILES + 0.5) / 10  # mid-point ranks of ten equal deciles

# Hartlepool (E06000001), male life expectancy by local decile, from PHEindicatormethods'
# tests/testthat/LE_testdata.csv (used as test data only).
POPS = [13837, 14519, 14940, 14599, 12311, 13196, 13335, 13388, 13685, 11779]
LE = [70.563, 72.613, 75.067, 75.207, 76.235, 75.218, 77.092, 79.842, 80.813, 82.738]
SE = [1.134, 1.020, 1.109, 1.486, 1.312, 1.169, 1.307, 1.091, 0.979, 1.319]


def weighted_fit(values, populations):
    """Independent check: weighted least squares on mid-point ranks via numpy's polyfit."""
    shares = np.asarray(populations) / np.sum(populations)
    ranks = np.cumsum(shares) - shares / 2
    slope, intercept = np.polyfit(ranks, values, 1, w=np.sqrt(shares))
    return intercept, slope, ranks, shares


def test_sii_of_a_straight_line_is_its_slope():
    # Ten equal deciles on y = 10 + 20x: SII 20, intercept 10, RII (10 + 20)/10 = 3.
    result = q.sii(10 + 20 * MID_RANKS, [100] * 10, standard_errors=[1] * 10, repetitions=REPS)
    assert (result.sii, result.intercept, result.rii) == pytest.approx((20, 10, 3))


def test_sii_point_estimate_matches_an_independent_weighted_regression():
    intercept, slope, _, _ = weighted_fit(LE, POPS)
    result = q.sii(LE, POPS, standard_errors=SE, repetitions=REPS, seed=1)
    assert result.sii == pytest.approx(slope, rel=1e-9)
    assert result.intercept == pytest.approx(intercept, rel=1e-9)
    assert result.rii == pytest.approx((intercept + slope) / intercept, rel=1e-9)


def test_sii_limits_match_the_exact_distribution_of_the_slope():
    # For value_type 0 the fitted slope is linear in the values: its SD is √Σ(cᵢ·SEᵢ)², where
    # cᵢ are the slope's weights in the weighted regression. 100,000 draws, as in production.
    _, slope, ranks, shares = weighted_fit(LE, POPS)
    design = np.column_stack([np.ones(10), ranks]) * np.sqrt(shares)[:, None]
    weights = (np.linalg.pinv(design) * np.sqrt(shares))[1]
    sd = math.sqrt(np.sum((weights * np.array(SE)) ** 2))
    result = q.sii(LE, POPS, standard_errors=SE, seed=11)
    assert result.sii_lower == pytest.approx(slope - 1.959964 * sd, abs=0.02 * sd)
    assert result.sii_upper == pytest.approx(slope + 1.959964 * sd, abs=0.02 * sd)
    assert result.rii_lower < result.rii < result.rii_upper


def test_negative_multiplier_flips_the_sii_and_inverts_the_rii():
    plain = q.sii(LE, POPS, standard_errors=SE, repetitions=REPS, seed=2)
    flipped = q.sii(LE, POPS, standard_errors=SE, repetitions=REPS, seed=2, multiplier=-100)
    assert flipped.sii == pytest.approx(-100 * plain.sii)
    assert flipped.rii == pytest.approx(1 / plain.rii)
    assert flipped.sii_lower < flipped.sii < flipped.sii_upper < 0
    assert flipped.rii_lower < flipped.rii < flipped.rii_upper < 1


def test_95_percent_limits_give_the_same_result_as_the_standard_errors_they_imply():
    values, se = np.array(LE), np.array(SE)
    from_se = q.sii(values, POPS, standard_errors=se, repetitions=REPS, seed=3)
    from_limits = q.sii(
        values, POPS, lower=values - 1.959964 * se, upper=values + 1.959964 * se,
        repetitions=REPS, seed=3,
    )  # fmt: skip
    for field in ("sii", "sii_lower", "sii_upper", "rii_lower", "rii_upper"):
        assert getattr(from_limits, field) == pytest.approx(getattr(from_se, field), rel=1e-5)


def test_rate_limits_are_turned_into_standard_errors_on_the_log_scale():
    rates = np.array([300.0, 280, 260, 240, 230, 210, 200, 190, 170, 150])
    lower, upper = rates * 0.8, rates * 1.25  # log-symmetric: SE = ln(1.25)/1.96 each
    result = q.sii(rates, POPS, lower=lower, upper=upper, value_type=1, repetitions=REPS, seed=4)
    same = q.sii(
        rates, POPS, standard_errors=[math.log(1.5625) / (2 * 1.959964)] * 10, value_type=1,
        repetitions=REPS, seed=4,
    )  # fmt: skip
    assert result.sii_lower == pytest.approx(same.sii_lower, rel=1e-5)
    assert result.sii_lower < result.sii < result.sii_upper < 0


def test_transformed_sii_of_an_exponential_gradient():
    # Rates exp(5 − x): with transform the log-scale fit is exact, so RII = e⁻¹ and
    # SII = e⁴ − e⁵; intercept = e⁵.
    rates = np.exp(5 - MID_RANKS)
    result = q.sii(
        rates, [50] * 10, standard_errors=[0.05] * 10, value_type=1, transform=True,
        repetitions=REPS, seed=5,
    )  # fmt: skip
    assert result.rii == pytest.approx(math.exp(-1))
    assert result.sii == pytest.approx(math.exp(4) - math.exp(5))
    assert result.intercept == pytest.approx(math.exp(5))
    assert result.sii_lower < result.sii < result.sii_upper
    assert result.rii_lower < result.rii < result.rii_upper


def test_proportions_are_simulated_on_the_logit_scale_and_stay_proportions():
    shares = np.linspace(0.3, 0.1, 10)
    result = q.sii(
        shares, POPS, standard_errors=[0.1] * 10, value_type=2, multiplier=100,
        repetitions=REPS, seed=6,
    )  # fmt: skip
    intercept, slope, _, _ = weighted_fit(shares, POPS)
    assert result.sii == pytest.approx(100 * slope)
    assert result.sii_lower < result.sii < result.sii_upper < 0


def test_a_fixed_seed_repeats_and_many_groups_match_one_at_a_time():
    values = np.array([LE, np.array(LE) + 2, LE[::-1]])
    pops = np.array([POPS, POPS, POPS[::-1]])
    ses = np.array([SE, SE, SE])
    many = q.sii_many(values, pops, standard_errors=ses, repetitions=REPS, seed=9)
    for i in range(3):
        one = q.sii(values[i], pops[i], standard_errors=ses[i], repetitions=REPS, seed=9)
        for field in ("sii", "rii", "intercept", "sii_lower", "sii_upper", "rii_lower"):
            assert getattr(many[i], field) == pytest.approx(getattr(one, field), rel=1e-9)


def test_missing_input_gives_an_sii_of_nans():
    result = q.sii([math.nan, *LE[1:]], POPS, standard_errors=SE, repetitions=REPS)
    assert all(math.isnan(v) for v in vars(result).values())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"values": LE[:4], "populations": POPS[:4], "standard_errors": SE[:4]}, "5 to 100"),
        ({"populations": [0, *POPS[1:]]}, "greater than zero"),
        ({"lower": LE, "upper": LE}, "either standard_errors"),
        ({"standard_errors": None}, "either standard_errors"),
        ({"transform": True}, "transform needs value_type"),
        ({"value_type": 3}, "value_type"),
        ({"value_type": 2}, "between 0 and 1"),
        ({"repetitions": 10}, "repetitions"),
        ({"standard_errors": [-1] * 10}, "negative"),
        ({"populations": POPS[:9]}, "different lengths"),
        ({"confidence": 1.5e2}, "confidence"),
    ],
)
def test_sii_refuses_invalid_input(kwargs, message):
    arguments = {"values": LE, "populations": POPS, "standard_errors": SE} | kwargs
    with pytest.raises(ValueError, match=message):
        q.sii(arguments.pop("values"), arguments.pop("populations"), **arguments)


@FAST
@given(
    level=st.floats(-50, 50),
    populations=st.lists(st.integers(1, 10**5), min_size=5, max_size=20),
)
def test_sii_of_a_flat_gradient_is_zero(level, populations):
    k = len(populations)
    result = q.sii([level] * k, populations, standard_errors=[1] * k, repetitions=1000, seed=0)
    assert result.sii == pytest.approx(0, abs=1e-9)
    assert result.sii_lower < 0 < result.sii_upper


# --- gap and concentration index --------------------------------------------------------------


def test_gap_between_most_and_least_deprived_worked_by_hand():
    assert q.gap([12, 10, 8, 6]) == q.Gap(6, 2)
    assert q.gap([12, 10, 8, 6], first=1, second=2) == q.Gap(2, 1.25)
    assert math.isnan(q.gap([12, 0]).relative)
    with pytest.raises(ValueError, match="no group"):
        q.gap([1, 2], first=5)


def test_concentration_index_worked_by_hand():
    # Two equal groups with 1 and 3: ranks ¼ and ¾, μ = 2, Σf·y·R = 1.25 → C = 1.25 − 1 = 0.25;
    # Erreygers on [0, 4]: 4·2/4 · 0.25 = 0.5.
    result = q.concentration_index([1, 3], [50, 50], bounds=(0, 4))
    assert (result.standard, result.erreygers) == pytest.approx((0.25, 0.5))
    assert math.isnan(q.concentration_index([1, 3], [50, 50]).erreygers)


def test_concentration_index_refuses_values_outside_the_bounds():
    with pytest.raises(ValueError, match="within the bounds"):
        q.concentration_index([0.5, 1.5], [1, 1], bounds=(0, 1))


@FAST
@given(
    values=st.lists(st.floats(0.01, 100), min_size=2, max_size=12),
    seed=st.integers(0, 1000),
)
def test_concentration_index_is_scale_free_and_erreygers_is_shift_free(values, seed):
    pops = np.random.default_rng(seed).integers(1, 1000, len(values))
    base = q.concentration_index(values, pops, bounds=(0, 100))
    scaled = q.concentration_index(np.array(values) * 3, pops)
    shifted = q.concentration_index(np.array(values) + 7, pops, bounds=(7, 107))
    assert -1 <= base.standard <= 1
    assert scaled.standard == pytest.approx(base.standard, abs=1e-9)
    assert shifted.erreygers == pytest.approx(base.erreygers, abs=1e-9)


def test_concentration_index_of_a_flat_outcome_is_zero():
    assert q.concentration_index([5] * 10, POPS).standard == pytest.approx(0, abs=1e-12)
