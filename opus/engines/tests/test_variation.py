"""Variation across areas, need-adjusted: CV, Gini and Theil with bootstrap intervals, and
funnel limits that flag an area whose access is too low to be chance."""

import math

import numpy as np
import pytest

from opus.engines.funnel import BELOW_OUTER, WITHIN
from opus.engines.variation import access_funnel, variation, variation_many


def test_when_everyone_in_need_gets_the_same_there_is_no_variation():
    result = variation([40.0, 40.0, 40.0], [100, 250, 30], draws=50)
    assert result.mean == 40.0
    assert (result.cv.value, result.gini.value, result.theil.value) == pytest.approx((0, 0, 0))


def test_two_equal_groups_one_with_nothing_worked_by_hand():
    result = variation([0.0, 10.0], [500, 500], draws=0)
    assert result.mean == 5.0
    assert result.cv.value == pytest.approx(1.0)  # sd 5 over mean 5
    assert result.gini.value == pytest.approx(0.5)
    assert result.theil.value == pytest.approx(math.log(2))


def test_weights_count_people_so_an_area_of_three_is_three_areas_of_one():
    weighted = variation([1.0, 4.0, 9.0], [3, 1, 2], draws=0)
    expanded = variation([1.0] * 3 + [4.0] + [9.0] * 2, [1] * 6, draws=0)
    for name in ("cv", "gini", "theil"):
        assert getattr(weighted, name).value == pytest.approx(getattr(expanded, name).value)


def test_gini_agrees_with_half_the_relative_mean_difference():
    rng = np.random.default_rng(3)
    x = rng.gamma(2, 10, 40)
    by_formula = np.abs(x[:, None] - x[None, :]).mean() / (2 * x.mean())
    assert variation(x, np.ones(40), draws=0).gini.value == pytest.approx(by_formula)


def test_bootstrap_intervals_hold_the_estimate_and_repeat_with_the_same_seed():
    rng = np.random.default_rng(5)
    x, w = rng.gamma(3, 20, 200), rng.integers(10, 100, 200)
    first = variation(x, w, draws=300, seed=9)
    assert first == variation(x, w, draws=300, seed=9)
    for m in (first.cv, first.gini, first.theil):
        assert m.lower < m.value < m.upper
    assert variation(x, w, draws=300, seed=10).gini.lower != first.gini.lower


def test_several_amounts_share_the_resamples_and_each_matches_its_own_run():
    rng = np.random.default_rng(6)
    spend, access, need = rng.gamma(3, 20, 50), rng.uniform(0, 0.2, 50), rng.integers(5, 90, 50)
    together = variation_many([spend, access], need, draws=200, seed=4)
    assert together == [variation(a, need, draws=200, seed=4) for a in (spend, access)]


def test_areas_with_no_one_in_need_are_left_out():
    assert variation([5.0, 7.0, 99.0], [10, 10, 0], draws=0).areas == 2
    assert math.isnan(variation([5.0], [0], draws=0).mean)


@pytest.mark.parametrize(
    ("values", "weights", "message"),
    [
        ([1.0, 2.0], [1], "2 values for 1 weights"),
        ([-1.0], [1], "negative"),
        ([np.nan], [1], "finite"),
    ],
)
def test_bad_input_is_refused(values, weights, message):
    with pytest.raises(ValueError, match=message):
        variation(values, weights)


def test_an_area_reaching_far_fewer_of_its_people_in_need_is_flagged_below_the_outer_limit():
    reached = [100, 95, 105, 98, 102, 100, 97, 103, 100, 30]
    result = access_funnel(reached, [1000] * 10)
    assert result.target == pytest.approx(930 / 10_000)
    assert result.bands.tolist() == [WITHIN] * 9 + [BELOW_OUTER]
    assert result.lower_998[9] < result.lower_95[9] < result.target < result.upper_95[9]


def test_a_small_area_with_the_same_shortfall_is_not_flagged():
    result = access_funnel([100, 95, 105, 98, 102, 1], [1000] * 5 + [30])
    assert result.bands[5] == WITHIN


def test_funnel_refuses_more_reached_than_in_need():
    with pytest.raises(ValueError, match="from 0 to the number"):
        access_funnel([11], [10])
