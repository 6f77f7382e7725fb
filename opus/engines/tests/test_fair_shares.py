"""Fair shares: the issue's worked example to the penny, the transitions' promises as
properties, and bad input refused with the areas named."""

from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opus.engines.fair_shares import (
    STEPS,
    FairSharesError,
    Inputs,
    allocate,
    damp_to_floor,
    need_index,
    pace_of_change,
    round_fractions,
)

MILLION = 100_000_000  # pence


def _worked(**changes):
    data = dict(
        total=300 * MILLION,
        population={"A": [100_000], "B": [150_000], "C": [50_000]},
        need={"A": F("1.10"), "B": F("0.95"), "C": F("1.05")},
        inequalities={"A": F("1.30"), "B": F("0.80"), "C": F("1.10")},
        h=F("0.10"),
        cost={"A": F("1.05"), "B": F("1.00"), "C": F("0.98")},
        baseline={"A": 95 * MILLION, "B": 150 * MILLION, "C": 50 * MILLION},
        method="pace",
        min_growth=F("0.01"),
    )
    return Inputs(**{**data, **changes})


def test_the_worked_example_gives_the_issues_targets_and_allocations_to_the_penny():
    areas = {a.code: a for a in allocate(_worked()).areas}
    assert [areas[c].target for c in "ABC"] == [11_397_373_564, 13_592_530_973, 5_010_095_463]
    assert [areas[c].allocation for c in "ABC"] == [9_800_000_000, 15_150_000_000, 5_050_000_000]
    assert areas["B"].distance == 15_150_000_000 - 13_592_530_973


def test_pace_of_change_on_the_worked_example_is_exact():
    weighted = {"A": F(117_600), "B": F(140_250), "C": F(51_695)}
    target = {c: 300 * MILLION * w / sum(weighted.values()) for c, w in weighted.items()}
    baseline = {"A": 95 * MILLION, "B": 150 * MILLION, "C": 50 * MILLION}
    moved = pace_of_change(baseline, target, 300 * MILLION, F(1, 100))
    assert moved == {"A": 98 * MILLION, "B": F(151_500_000_00), "C": 50_500_000_00}


def test_each_areas_waterfall_sums_to_its_allocation_and_each_step_to_the_total():
    outcome = allocate(
        _worked(age_weights=(F(1),), population={"A": [100_000], "B": [150_000], "C": [50_000]})
    )
    for area in outcome.areas:
        assert len(area.steps) == len(STEPS)
        assert sum(area.steps) == area.allocation
    assert sum(a.steps[0] for a in outcome.areas) == 300 * MILLION  # equal share per head
    assert [a.steps[0] for a in outcome.areas] == [100 * MILLION, 150 * MILLION, 50 * MILLION]
    for step in range(1, len(STEPS)):
        assert sum(a.steps[step] for a in outcome.areas) == 0  # each step only moves money


def test_age_weights_move_money_to_the_older_area():
    inputs = Inputs(
        total=1_000, population={"young": [10, 0], "old": [0, 10]}, age_weights=(F(1), F(3))
    )
    areas = {a.code: a for a in allocate(inputs).areas}
    assert areas["old"].allocation == 750 and areas["old"].steps[:2] == (500, 250)


def test_a_floor_holds_every_loss_and_the_gainers_pay_for_it():
    previous = {"A": 100, "B": 100, "C": 100}
    unfloored = {"A": F(60), "B": F(110), "C": F(130)}
    out = damp_to_floor(previous, unfloored, F(1, 10))
    assert out["A"] == 90
    assert out["B"] == 100 + 10 * F(10, 40) and out["C"] == 100 + 30 * F(10, 40)
    assert sum(out.values()) == 300


def test_an_unfundable_floor_is_explained():
    with pytest.raises(FairSharesError) as error:
        damp_to_floor({"A": 100, "B": 100}, {"A": F(50), "B": F(100)}, F(1, 10))
    assert error.value.field == "max_loss"
    assert "cannot be funded" in str(error.value) and "£0.40" in str(error.value)


def test_an_unaffordable_minimum_growth_is_explained():
    with pytest.raises(FairSharesError, match="minimum growth of 5%"):
        pace_of_change({"A": 100, "B": 100}, {"A": F(100), "B": F(100)}, 200, F(5, 100))


def test_an_indicator_missing_areas_names_them():
    with pytest.raises(FairSharesError) as error:
        need_index({"smoking": {"A": F(1)}}, {"smoking": F(1)}, {"A": 10, "B": 10, "C": 5})
    assert error.value.areas == ("B", "C") and "B, C" in str(error.value)


def test_need_index_is_one_on_average_and_weights_the_indicators():
    index = need_index(
        {"x": {"A": F(2), "B": F(1)}, "y": {"A": F(1), "B": F(1)}},
        {"x": F(1), "y": F(1)},
        {"A": 10, "B": 20},
    )
    assert index == {"A": (F(3, 2) + 1) / 2, "B": (F(3, 4) + 1) / 2}
    assert (index["A"] * 10 + index["B"] * 20) / 30 == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"population": {"A": [-1], "B": [3], "C": [1]}}, "population"),
        ({"cost": {"A": F(-1), "B": F(1), "C": F(1)}}, "cost"),
        ({"cost": {"A": F(1)}}, "cost"),
        ({"h": F(2)}, "h"),
        ({"total": -1}, "total"),
    ],
)
def test_bad_input_is_refused_naming_the_field(changes, field):
    with pytest.raises(FairSharesError) as error:
        allocate(_worked(**changes))
    assert error.value.field == field


def test_rounding_keeps_every_penny():
    assert round_fractions([F(1, 3), F(1, 3), F(1, 3)], 1) == [1, 0, 0]
    assert sum(round_fractions([F(10, 3), F(10, 3), F(10, 3)], 10)) == 10


areas = st.lists(st.tuples(st.integers(1, 10**9), st.integers(1, 10**6)), min_size=1, max_size=8)


@settings(max_examples=60, deadline=None)
@given(areas, st.integers(0, 10**10), st.fractions(0, F(1, 10)))
def test_pace_of_change_sums_to_the_total_and_nobody_above_target_gains_beyond_the_minimum(
    rows, total, growth
):
    baseline = {str(i): b for i, (b, _) in enumerate(rows)}
    weights = {str(i): w for i, (_, w) in enumerate(rows)}
    target = {c: F(total * w, sum(weights.values())) for c, w in weights.items()}
    try:
        moved = pace_of_change(baseline, target, total, growth)
    except FairSharesError:
        assert sum(baseline.values()) * (1 + growth) > total
        return
    assert sum(moved.values()) == total
    for c, amount in moved.items():
        start = baseline[c] * (1 + growth)
        assert amount >= start
        if start >= target[c]:
            assert amount == start
        else:
            assert amount <= target[c]


@settings(max_examples=60, deadline=None)
@given(areas, st.integers(0, 10**10), st.fractions(0, 1))
def test_a_floor_is_respected_and_keeps_the_total(rows, total, loss):
    previous = {str(i): b for i, (b, _) in enumerate(rows)}
    weights = {str(i): w for i, (_, w) in enumerate(rows)}
    unfloored = {c: F(total * w, sum(weights.values())) for c, w in weights.items()}
    try:
        out = damp_to_floor(previous, unfloored, loss)
    except FairSharesError:
        return
    assert sum(out.values()) == total
    assert all(out[c] >= previous[c] * (1 - loss) for c in out)


@settings(max_examples=40, deadline=None)
@given(areas, st.integers(0, 10**10))
def test_allocations_in_pence_sum_to_the_total_and_waterfalls_add_up(rows, total):
    inputs = Inputs(
        total=total,
        population={str(i): [w] for i, (_, w) in enumerate(rows)},
        baseline={str(i): b for i, (b, _) in enumerate(rows)},
        method="floor",
        max_loss=F(1),
    )
    outcome = allocate(inputs)
    assert sum(a.allocation for a in outcome.areas) == total
    assert sum(a.target for a in outcome.areas) == total
    assert all(sum(a.steps) == a.allocation for a in outcome.areas)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 500), st.integers(0, 10**5), st.integers(0, 10**5)),
        min_size=2,
        max_size=6,
    )
)
def test_the_fast_need_index_is_the_exact_one_rounded_to_twelve_places(rows):
    population = {str(i): p for i, (p, _, _) in enumerate(rows)}
    values = {
        "x": {str(i): F(x, 1000) for i, (_, x, _) in enumerate(rows)},
        "y": {str(i): F(y, 10) for i, (_, _, y) in enumerate(rows)},
    }
    weights = {"x": F(2), "y": F(1, 3)}
    index = need_index(values, weights, population)
    for code in population:
        exact = F(0)
        for slug, w in weights.items():
            mean = sum(values[slug][c] * p for c, p in population.items()) / sum(
                population.values()
            )
            exact += w * (values[slug][code] / mean if mean else 0)
        live = sum(w for s, w in weights.items() if any(values[s].values()))
        exact = exact / sum(weights.values()) if live else F(1)
        if live == sum(weights.values()):
            assert abs(index[code] - exact) <= F(1, 2 * 10**12)
