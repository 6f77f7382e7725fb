"""Share a fixed budget across areas × services to buy the most need-weighted benefit.

Each area × service cell turns money into benefit along a concave, piecewise linear curve:
successive slices of spending, each worth less per pound than the one before (diminishing
returns). A cell's benefit is its need weight times the curve's benefit; a slice's width may be
scaled per cell (by its population, say). Areas and services each have a floor (at least this
much) and a cap (at most this much), and the whole may not exceed the budget.

Because the curves are concave, filling slices in order is what an optimum does anyway, so the
problem is a linear programme: one variable per slice, ``0 ≤ x ≤ width``, maximising
Σ need × slope × x subject to the budget, floors and caps. It is solved by HiGHS through SciPy's
``linprog(method="highs")``. The duals (``marginals``) of the budget, floor and cap rows say what
relaxing each would buy: a cap with dual −0.8 per £1,000 means another £1,000 of room under it
adds 0.8 units of benefit (valid for small changes: a dual is a rate at the optimum, not a
promise for any amount).

Money comes in and goes out in whole pence; the solver works in thousands of pounds so its
tolerances sit at a sensible scale, and slopes are benefit units per £1,000. Allocations are
rounded to pence by largest remainder so that they add up to the rounded total spent.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import optimize, sparse

FloatArray = NDArray[np.float64]
PENCE_PER_UNIT = 100_000  # the solver's money unit: £1,000
DUAL_TOLERANCE = 1e-9
MAX_SLICES = 20
METHOD = "highs-ipm"  # interior point then crossover: a vertex, so duals as simplex gives them

BUDGET = "budget"
AREA_CAP, AREA_FLOOR = "area cap", "area floor"
SERVICE_CAP, SERVICE_FLOOR = "service cap", "service floor"


class InfeasibleShares(ValueError):
    """The floors and caps cannot all be met within the budget; ``reasons`` says why."""

    def __init__(self, reasons: list[Reason]) -> None:
        super().__init__("; ".join(reason.kind for reason in reasons) or "infeasible")
        self.reasons = reasons


@dataclass(frozen=True)
class Reason:
    """Why no sharing exists: ``kind`` names the clash, ``name`` the area or service (or ''),
    ``needed_pence`` what the floors ask for and ``available_pence`` what there is to give."""

    kind: str
    name: str
    needed_pence: int
    available_pence: int


@dataclass(frozen=True)
class Curve:
    """Benefit of spending on one service: slice widths in pence (per unit of a cell's scale)
    and benefit units per £1,000 in each slice, strictly decreasing and positive."""

    widths_pence: tuple[int, ...]
    slopes: tuple[float, ...]


@dataclass(frozen=True)
class Problem:
    """The budget, the cells' need weights (areas × services), the curves (one per service),
    optional scales of slice widths per cell, and floors and caps in pence (None: no cap)."""

    budget_pence: int
    areas: tuple[str, ...]
    services: tuple[str, ...]
    need: FloatArray
    curves: tuple[Curve, ...]
    scale: FloatArray | None = None
    area_floors: tuple[int, ...] | None = None
    area_caps: tuple[int | None, ...] | None = None
    service_floors: tuple[int, ...] | None = None
    service_caps: tuple[int | None, ...] | None = None


@dataclass(frozen=True)
class Binding:
    """A constraint that holds the answer back, and what relaxing it by £1,000 would buy.

    For the budget and caps, relaxing means more money or room; for floors, lowering them.
    """

    kind: str
    name: str
    limit_pence: int
    gain_per_1000: float


@dataclass(frozen=True)
class Shares:
    """The optimum: pence per cell (areas × services), benefit per cell, the total benefit,
    what was left unspent (curves that end before the budget does) and the binding constraints,
    largest gain first."""

    pence: NDArray[np.int64]
    benefit: FloatArray
    objective: float
    unspent_pence: int
    binding: tuple[Binding, ...]


# --- checking the inputs ------------------------------------------------------------------------


def _check_curve(curve: Curve, name: str) -> None:
    widths, slopes = curve.widths_pence, curve.slopes
    if not widths or len(widths) != len(slopes) or len(widths) > MAX_SLICES:
        raise ValueError(f"{name}: give 1 to {MAX_SLICES} slices, each with a width and a slope")
    if any(w <= 0 for w in widths) or any(not math.isfinite(s) or s <= 0 for s in slopes):
        raise ValueError(f"{name}: slice widths and slopes must be positive")
    if any(later >= earlier for earlier, later in zip(slopes, slopes[1:], strict=False)):
        raise ValueError(f"{name}: slopes must fall from slice to slice (diminishing returns)")


def _check_bounds(values: Sequence[int | None] | None, size: int, what: str) -> None:
    if values is None:
        return
    if len(values) != size:
        raise ValueError(f"there are {len(values)} {what} for {size} rows")
    if any(v is not None and (v < 0 or isinstance(v, bool)) for v in values):
        raise ValueError(f"{what} must not be negative")


def _check(problem: Problem) -> None:
    shape = (len(problem.areas), len(problem.services))
    if not all(shape):
        raise ValueError("give at least one area and one service")
    if problem.budget_pence < 0:
        raise ValueError("the budget must not be negative")
    if len(problem.curves) != shape[1]:
        raise ValueError(f"there are {len(problem.curves)} curves for {shape[1]} services")
    for name, curve in zip(problem.services, problem.curves, strict=True):
        _check_curve(curve, name)
    for label, array in (("need weights", problem.need), ("scales", problem.scale)):
        if array is not None and (array.shape != shape or not np.isfinite(array).all()):
            raise ValueError(f"{label} must be finite numbers, one per area and service")
        if array is not None and (array < 0).any():
            raise ValueError(f"{label} must not be negative")
    _check_bounds(problem.area_floors, shape[0], "area floors")
    _check_bounds(problem.area_caps, shape[0], "area caps")
    _check_bounds(problem.service_floors, shape[1], "service floors")
    _check_bounds(problem.service_caps, shape[1], "service caps")


# --- reasons a problem has no answer, found before solving -----------------------------------


def _capacity(problem: Problem) -> FloatArray:
    """Pence each cell can absorb (the total width of its slices)."""
    widths = np.array([sum(c.widths_pence) for c in problem.curves], dtype=np.float64)
    scale = problem.scale if problem.scale is not None else np.ones_like(problem.need)
    return np.asarray(scale * widths, dtype=np.float64)


def _clashes(
    names: tuple[str, ...],
    floors: Sequence[int] | None,
    caps: Sequence[int | None] | None,
    room: FloatArray,
    kinds: tuple[str, str],
) -> list[Reason]:
    reasons = []
    for i, name in enumerate(names):
        floor = floors[i] if floors else 0
        cap = caps[i] if caps else None
        if cap is not None and floor > cap:
            reasons.append(Reason(kinds[0], name, floor, cap))
        elif floor > room[i] + 0.5:
            reasons.append(Reason(kinds[1], name, floor, int(room[i])))
    return reasons


def infeasibility(problem: Problem) -> list[Reason]:
    """Plain reasons why the floors cannot be met: floors above the budget, a floor above its
    own cap, or above what its cells' curves can absorb. Empty when none is found (the solver
    may still find a subtler clash between area and service bounds)."""
    capacity = _capacity(problem)
    reasons = []
    for kind, floors in (
        ("area floors", problem.area_floors),
        ("service floors", problem.service_floors),
    ):
        total = sum(floors or ())
        if total > problem.budget_pence:
            reasons.append(Reason(f"{kind} above the budget", "", total, problem.budget_pence))
    reasons += _clashes(
        problem.areas, problem.area_floors, problem.area_caps, capacity.sum(axis=1),
        ("area floor above its cap", "area floor above what its services can use"),
    )  # fmt: skip
    reasons += _clashes(
        problem.services, problem.service_floors, problem.service_caps, capacity.sum(axis=0),
        ("service floor above its cap", "service floor above what its areas can use"),
    )  # fmt: skip
    return reasons


# --- the linear programme ---------------------------------------------------------------------
#
# Each slice appears in exactly two rows: its area's total and its service's total, which are
# variables bounded by the floors and caps; the budget row sums the service totals. A floor or
# cap is then a bound whose marginal is its dual, the matrix has two entries per slice (a
# transportation problem), and HiGHS's presolve never meets a dense row.


@dataclass(frozen=True)
class _Model:
    """The programme: objective, equality rows (slices − totals = 0), bounds, and the slices'
    cells; columns are the slices, then the area totals, then the service totals."""

    costs: FloatArray
    equalities: sparse.csr_array
    budget_row: sparse.csr_array
    bounds: FloatArray
    cells: NDArray[np.int64]


def _slices(problem: Problem) -> tuple[FloatArray, FloatArray, NDArray[np.int64]]:
    """Per variable (service by service, slice by slice, area by area): objective weight,
    width (£k) and its cell (area × services + service)."""
    areas, services = len(problem.areas), len(problem.services)
    scale = problem.scale if problem.scale is not None else np.ones((areas, services))
    gains, widths, cells = [], [], []
    cell_ids = np.arange(areas * services).reshape(areas, services)
    for j, curve in enumerate(problem.curves):
        for width, slope in zip(curve.widths_pence, curve.slopes, strict=True):
            gains.append(problem.need[:, j] * slope)
            widths.append(scale[:, j] * width / PENCE_PER_UNIT)
            cells.append(cell_ids[:, j])
    return (
        np.concatenate(gains).astype(np.float64),
        np.concatenate(widths).astype(np.float64),
        np.concatenate(cells).astype(np.int64),
    )


def _total_bounds(
    size: int, floors: Sequence[int] | None, caps: Sequence[int | None] | None
) -> FloatArray:
    lower = np.array(floors if floors else [0] * size, dtype=np.float64) / PENCE_PER_UNIT
    upper = np.array(
        [np.inf if c is None else c / PENCE_PER_UNIT for c in (caps or [None] * size)],
        dtype=np.float64,
    )
    return np.column_stack([lower, upper])


def _model(problem: Problem) -> _Model:
    gains, widths, cells = _slices(problem)
    areas, services = len(problem.areas), len(problem.services)
    n = cells.size
    rows = np.concatenate([cells // services, areas + cells % services])
    columns = np.concatenate([np.arange(n), np.arange(n)])
    totals = np.arange(n, n + areas + services)
    equalities = sparse.csr_array(
        (
            np.concatenate([np.ones(2 * n), -np.ones(areas + services)]),
            (
                np.concatenate([rows, np.arange(areas + services)]),
                np.concatenate([columns, totals]),
            ),
        ),
        shape=(areas + services, n + areas + services),
    )
    budget_row = sparse.csr_array(
        (np.ones(services), (np.zeros(services, dtype=np.int64), totals[areas:])),
        shape=(1, n + areas + services),
    )
    bounds = np.vstack(
        [
            np.column_stack([np.zeros(n), widths]),
            _total_bounds(areas, problem.area_floors, problem.area_caps),
            _total_bounds(services, problem.service_floors, problem.service_caps),
        ]
    )
    costs = np.concatenate([-gains, np.zeros(areas + services)])
    return _Model(costs, equalities, budget_row, bounds, cells)


def _whole_pence(amounts: FloatArray) -> NDArray[np.int64]:
    """Round to whole pence keeping the rounded total (largest remainder)."""
    pence = np.maximum(amounts * PENCE_PER_UNIT, 0)
    floors = np.floor(pence + 1e-6)
    short = int(round(float(pence.sum()))) - int(floors.sum())
    if short > 0:
        order = np.argsort(-(pence - floors), kind="stable")[:short]
        floors[order] += 1
    return floors.astype(np.int64)


def _binding(
    problem: Problem, model: _Model, result: optimize.OptimizeResult
) -> tuple[Binding, ...]:
    """Budget, floors and caps with a non-zero dual, as what relaxing each by £1,000 buys:
    the solver minimises −benefit, so more room under a cap or budget buys −(its marginal), and
    lowering a floor buys its (positive) lower-bound marginal."""
    first = model.cells.size
    names = [(AREA_CAP, AREA_FLOOR, name) for name in problem.areas]
    names += [(SERVICE_CAP, SERVICE_FLOOR, name) for name in problem.services]
    upper = np.asarray(result.upper.marginals, dtype=np.float64)[first:]
    lower = np.asarray(result.lower.marginals, dtype=np.float64)[first:]
    limits = model.bounds[first:]
    found = []
    for k, (cap_kind, floor_kind, name) in enumerate(names):
        if upper[k] < -DUAL_TOLERANCE:
            found.append(Binding(cap_kind, name, _pence(limits[k, 1]), float(-upper[k])))
        if lower[k] > DUAL_TOLERANCE:
            found.append(Binding(floor_kind, name, _pence(limits[k, 0]), float(lower[k])))
    budget_dual = float(result.ineqlin.marginals[0])
    if budget_dual < -DUAL_TOLERANCE:
        found.append(Binding(BUDGET, "", problem.budget_pence, -budget_dual))
    return tuple(sorted(found, key=lambda b: (-b.gain_per_1000, b.kind, b.name)))


def _pence(thousands: float) -> int:
    return int(round(thousands * PENCE_PER_UNIT))


def optimise(problem: Problem) -> Shares:
    """The sharing of the budget that maximises need-weighted benefit, with what binds.

    Raises ``InfeasibleShares`` with the reasons when the floors and caps cannot all be met,
    and ``ValueError`` for malformed input.
    """
    _check(problem)
    if reasons := infeasibility(problem):
        raise InfeasibleShares(reasons)
    model = _model(problem)
    result = optimize.linprog(
        model.costs,
        A_ub=model.budget_row,
        b_ub=np.array([problem.budget_pence / PENCE_PER_UNIT]),
        A_eq=model.equalities,
        b_eq=np.zeros(model.equalities.shape[0]),
        bounds=model.bounds,
        method=METHOD,
    )
    if result.status == 2:
        raise InfeasibleShares([Reason("floors and caps clash", "", 0, 0)])
    if result.status != 0:
        raise RuntimeError(f"HiGHS stopped without an answer: {result.message}")
    shape = (len(problem.areas), len(problem.services))
    size = shape[0] * shape[1]
    x = result.x[: model.cells.size]
    spent = np.asarray(np.bincount(model.cells, x, size), dtype=np.float64)
    gained = x * -model.costs[: model.cells.size]
    benefit = np.asarray(np.bincount(model.cells, gained, size), dtype=np.float64)
    pence = _whole_pence(spent).reshape(shape)
    return Shares(
        pence=pence,
        benefit=benefit.reshape(shape),
        objective=float(-result.fun),
        unspent_pence=max(problem.budget_pence - int(pence.sum()), 0),
        binding=_binding(problem, model, result),
    )
