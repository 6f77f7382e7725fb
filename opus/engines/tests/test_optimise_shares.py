"""The optimiser shares a budget for the most need-weighted benefit, and says what binds."""

from dataclasses import replace

import numpy as np
import pytest

from opus.engines.optimise_shares import (
    AREA_CAP,
    AREA_FLOOR,
    BUDGET,
    SERVICE_CAP,
    Curve,
    InfeasibleShares,
    Problem,
    infeasibility,
    optimise,
)

K = 100_000  # £1,000 in pence


def one_area_two_services() -> Problem:
    """£10k; service A gives 3 per £1k for its first £5k then 1; service B 2 per £1k up to £10k."""
    return Problem(
        budget_pence=10 * K,
        areas=("Old Town",),
        services=("Befriending", "Respite"),
        need=np.ones((1, 2)),
        curves=(Curve((5 * K, 5 * K), (3.0, 1.0)), Curve((10 * K,), (2.0,))),
    )


def two_areas() -> Problem:
    """£10k for one service worth 1 per £1k in Ash ward and, with twice the need, 2 in Elm."""
    return Problem(
        budget_pence=10 * K,
        areas=("Ash", "Elm"),
        services=("Meals",),
        need=np.array([[1.0], [2.0]]),
        curves=(Curve((10 * K,), (1.0,)),),
    )


def test_money_goes_to_the_steepest_slices_first_as_worked_by_hand():
    shares = optimise(one_area_two_services())
    # A's first £5k (3/£k) beats B (2/£k), which beats A's second £5k (1/£k).
    assert shares.pence.tolist() == [[5 * K, 5 * K]]
    assert shares.objective == pytest.approx(5 * 3 + 5 * 2)
    assert shares.benefit.ravel().tolist() == pytest.approx([15.0, 10.0])
    assert shares.unspent_pence == 0


def test_the_budgets_dual_is_what_another_thousand_pounds_buys():
    shares = optimise(one_area_two_services())
    (budget,) = shares.binding
    assert (budget.kind, budget.gain_per_1000) == (BUDGET, pytest.approx(2.0))
    more = optimise(replace(one_area_two_services(), budget_pence=11 * K))
    assert more.objective - shares.objective == pytest.approx(budget.gain_per_1000)


def test_a_binding_cap_says_what_raising_it_would_buy_and_that_is_what_it_buys():
    capped = replace(two_areas(), area_caps=(None, 3 * K))
    shares = optimise(capped)
    assert shares.pence.tolist() == [[7 * K], [3 * K]]
    cap = next(b for b in shares.binding if b.kind == AREA_CAP)
    assert (cap.name, cap.limit_pence, cap.gain_per_1000) == ("Elm", 3 * K, pytest.approx(1.0))
    raised = optimise(replace(capped, area_caps=(None, 4 * K)))
    assert raised.objective - shares.objective == pytest.approx(cap.gain_per_1000)


def test_a_binding_floor_says_what_lowering_it_would_buy():
    floored = replace(two_areas(), area_floors=(6 * K, 0))
    shares = optimise(floored)
    assert shares.pence.tolist() == [[6 * K], [4 * K]]
    floor = next(b for b in shares.binding if b.kind == AREA_FLOOR)
    assert (floor.name, floor.gain_per_1000) == ("Ash", pytest.approx(1.0))
    lowered = optimise(replace(floored, area_floors=(5 * K, 0)))
    assert lowered.objective - shares.objective == pytest.approx(floor.gain_per_1000)


def test_slack_constraints_are_not_reported_as_binding():
    shares = optimise(replace(two_areas(), area_caps=(20 * K, 20 * K), service_caps=(50 * K,)))
    assert [b.kind for b in shares.binding] == [BUDGET]


def test_a_service_cap_binds_and_the_money_moves_to_the_next_best_service():
    shares = optimise(replace(one_area_two_services(), service_caps=(2 * K, None)))
    assert shares.pence.tolist() == [[2 * K, 8 * K]]
    cap = next(b for b in shares.binding if b.kind == SERVICE_CAP)
    assert (cap.name, cap.gain_per_1000) == ("Befriending", pytest.approx(3.0 - 2.0))


def test_curves_that_end_before_the_budget_leave_money_unspent_and_the_budget_free():
    shares = optimise(replace(two_areas(), budget_pence=30 * K))
    assert shares.pence.tolist() == [[10 * K], [10 * K]]
    assert shares.unspent_pence == 10 * K
    assert shares.binding == ()


def test_allocations_are_whole_pence_adding_up_to_the_budget():
    rng = np.random.default_rng(7)
    problem = Problem(
        budget_pence=1_234_567,
        areas=tuple(f"a{i}" for i in range(7)),
        services=("x", "y", "z"),
        need=rng.uniform(0.5, 2, (7, 3)),
        curves=tuple(Curve((100_000, 200_000), (2.0 + j, 1.0)) for j in range(3)),
    )
    shares = optimise(problem)
    assert shares.pence.dtype.kind == "i"
    assert int(shares.pence.sum()) == 1_234_567


def test_floors_above_the_budget_are_explained_before_solving():
    problem = replace(two_areas(), area_floors=(6 * K, 6 * K))
    with pytest.raises(InfeasibleShares) as refused:
        optimise(problem)
    (reason,) = refused.value.reasons
    assert (reason.needed_pence, reason.available_pence) == (12 * K, 10 * K)
    assert "above the budget" in reason.kind


def test_a_floor_above_its_own_cap_or_what_its_curves_can_use_names_the_area():
    reasons = infeasibility(replace(two_areas(), area_floors=(3 * K, 0), area_caps=(2 * K, None)))
    assert [(r.kind, r.name) for r in reasons] == [("area floor above its cap", "Ash")]
    reasons = infeasibility(replace(two_areas(), area_floors=(0, 11 * K), budget_pence=30 * K))
    assert [(r.name, r.available_pence) for r in reasons] == [("Elm", 10 * K)]


def test_floors_and_caps_that_clash_only_together_are_found_by_the_solver():
    # Each service's floor fits its own cap and the budget, but the one area caps them both.
    problem = replace(one_area_two_services(), service_floors=(4 * K, 4 * K), area_caps=(6 * K,))
    assert infeasibility(problem) == []
    with pytest.raises(InfeasibleShares):
        optimise(problem)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"curves": (Curve((K,), (1.0,)),)}, "curves for 2 services"),
        ({"curves": (Curve((K, K), (1.0, 2.0)), Curve((K,), (1.0,)))}, "must fall"),
        ({"curves": (Curve((0,), (1.0,)), Curve((K,), (1.0,)))}, "positive"),
        ({"need": np.array([[1.0, -1.0]])}, "negative"),
        ({"need": np.array([[1.0, np.nan]])}, "finite"),
        ({"budget_pence": -1}, "negative"),
        ({"area_floors": (1, 2)}, "2 area floors for 1 rows"),
    ],
)
def test_malformed_problems_are_refused_with_a_reason(change, message):
    with pytest.raises(ValueError, match=message):
        optimise(replace(one_area_two_services(), **change))
