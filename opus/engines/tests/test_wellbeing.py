"""WELLBY flows, present value, uprating, measured change and the tender rule."""

from fractions import Fraction as F

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from opus.engines import wellbeing as w


def _pounds(pence: F) -> str:
    return f"{round(pence) / 100:,.2f}"


def test_two_hundred_people_up_point_three_for_three_years_is_180_wellbys_worth_2305589_07():
    a = w.Assumptions(discount_rate=F(15, 1000))
    result = w.value_wellbys(F(200), F(3, 10), 3, a, w.value_per_wellby(2019))
    assert result.total == 180
    assert _pounds(result.present_value_pence) == "2,305,589.07"


def test_deadweight_attribution_and_drop_off_give_flows_24_18_13_5_worth_712893_01():
    a = w.Assumptions(F(1, 5), F(1, 2), F(1, 4), F(15, 1000))
    result = w.value_wellbys(F(200), F(3, 10), 3, a, w.value_per_wellby(2019))
    assert result.flows == (F(24), F(18), F(27, 2))
    assert _pounds(result.present_value_pence) == "712,893.01"


def test_year_one_is_undiscounted():
    result = w.value_wellbys(F(10), F(1), 1, w.Assumptions(discount_rate=F(1, 5)), F(100))
    assert result.present_value_pence == 1000


def test_value_is_uprated_by_the_deflator_table():
    deflators = {2019: F(100), 2024: F(11950, 100)}
    assert w.value_per_wellby(2024, deflators) == F(1_300_000) * F(1195, 1000)


def test_a_year_missing_from_the_deflator_table_is_named():
    with pytest.raises(ValueError, match="no index for 2025"):
        w.value_per_wellby(2025, {2019: F(100)})


def test_money_proxy_follows_the_same_conventions():
    result = w.value_proxy(F(3), F(1000), 2, w.Assumptions(drop_off=F(1, 2)))
    assert result.flows == (F(3000), F(1500)) and result.present_value_pence == 4500


@pytest.mark.parametrize(
    ("assumptions", "name"),
    [
        (w.Assumptions(deadweight=F(-1, 10)), "deadweight"),
        (w.Assumptions(attribution=F(11, 10)), "attribution"),
        (w.Assumptions(drop_off=F(2)), "drop_off"),
        (w.Assumptions(discount_rate=F(1, 2)), "discount_rate"),
    ],
)
def test_assumptions_out_of_bounds_are_refused_by_name(assumptions, name):
    with pytest.raises(ValueError, match=name):
        w.flows(F(1), F(1), 1, assumptions)


@pytest.mark.parametrize(
    ("quantity", "change", "years", "name"),
    [(F(-1), F(1), 1, "quantity"), (F(1), F(11), 1, "per_unit"), (F(1), F(1), 0, "years"),
     (F(1), F(1), 51, "years"), (F(10**8), F(1), 1, "quantity")],
)  # fmt: skip
def test_commitments_out_of_bounds_are_refused_by_name(quantity, change, years, name):
    with pytest.raises(ValueError, match=name):
        w.flows(quantity, change, years, w.Assumptions())


@given(st.integers(0, 1000), st.fractions(F(0), F(1)), st.fractions(F(0), F(1)), st.integers(1, 10))
def test_more_deadweight_never_adds_value(people, dead, drop, years):
    low = w.Assumptions(deadweight=dead / 2, drop_off=drop, discount_rate=F(35, 1000))
    high = w.Assumptions(deadweight=dead, drop_off=drop, discount_rate=F(35, 1000))
    one = w.value_wellbys(F(people), F(1, 2), years, low, F(1300))
    two = w.value_wellbys(F(people), F(1, 2), years, high, F(1300))
    assert two.present_value_pence <= one.present_value_pence


def test_measured_change_is_the_difference_in_differences_with_welch_interval():
    treated = [(4, 6), (5, 7), (3, 6), (6, 7), (5, 6)]
    control = [(5, 5), (4, 5), (6, 6), (5, 4)]
    result = w.measured_change(treated, control)
    t_changes, c_changes = [2, 2, 3, 1, 1], [0, 1, 0, -1]
    assert result.difference == pytest.approx(1.8 - 0.0)
    welch = stats.ttest_ind(t_changes, c_changes, equal_var=False)
    low, high = welch.confidence_interval(0.95)
    assert (result.lower, result.upper) == (pytest.approx(low), pytest.approx(high))


def test_implied_wellbys_carry_the_interval():
    change = w.MeasuredChange(5, 5, 1.0, 0.5, 0.5, 0.1, 0.9, 8.0)
    implied = w.implied_wellbys(change, 100, 2)
    assert (implied.value, implied.lower, implied.upper) == pytest.approx((100, 20, 180))


@pytest.mark.parametrize(
    ("treated", "message"),
    [([(4, 11), (5, 6)], "from 0 to 10"), ([(4, 5)], "at least 2"), ([(4.5, 5), (1, 2)], "whole")],
)
def test_measured_change_refuses_bad_scores(treated, message):
    with pytest.raises(ValueError, match=message):
        w.measured_change(treated, [(1, 2), (2, 3)])


def test_social_value_under_the_minimum_weight_is_refused():
    assert w.tender_weight_error(50, 10, 10, per_quality_point=False) is None
    assert "at least 10%" in w.tender_weight_error(55, 5, 10, per_quality_point=False)


def test_under_price_per_quality_point_the_rule_applies_to_the_quality_score():
    assert w.tender_weight_error(90, 10, 10, per_quality_point=True) is None
    assert "of the quality score" in w.tender_weight_error(95, 5, 10, per_quality_point=True)
