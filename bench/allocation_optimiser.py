#!/usr/bin/env python3
"""Benchmark for issue 16, "Fairness in money": the optimiser over a national problem.

What it measures (no database: `opus/engines/optimise_shares.py` is pure Python, numpy, SciPy):

* a budget shared across 33,755 synthetic areas (England's LSOA count) × 10 services, each cell
  with a need weight and a concave benefit curve of three slices scaled by its population, with
  a floor and a cap for every area and every service: about a million slice variables, solved
  by HiGHS (SciPy's `linprog`). Target: under 10 s, printed with its ratio to the target;
* the same model built with PuLP and solved by CBC (installed here for the benchmark only, as
  the Makefile installs the GPL comparisons): its time, the ratio HiGHS / CBC, and the two
  objectives, which must agree to 1e-6 (relative); a difference stops the benchmark.

It is a benchmark, not a test: a missed target is reported (MISS) and the exit status is 0.

Run from the project root:  .venv/bin/python bench/allocation_optimiser.py [--areas N] [--no-cbc]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import time
from typing import Any

import numpy as np
from common import ROOT, BenchError  # bench/common.py: shared by every benchmark

sys.path.insert(0, str(ROOT))

from opus.engines import optimise_shares as engine  # noqa: E402

LSOAS, SERVICES = 33_755, 10
TARGET_SECONDS = 10.0
AGREE = 1e-6


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def national(areas: int, seed: int = 16) -> engine.Problem:
    """A synthetic national problem: budget about 40% of what the curves could absorb."""
    rng = np.random.default_rng(seed)
    need = rng.gamma(2.0, 0.5, (areas, SERVICES))
    population = rng.integers(1_000, 3_000, areas).astype(np.float64)
    scale = np.repeat((population / 1_500)[:, None], SERVICES, axis=1)
    curves = tuple(
        engine.Curve((2_000_000, 3_000_000, 5_000_000), (3.0 + 0.1 * j, 1.5, 0.5))
        for j in range(SERVICES)
    )
    budget = int(areas * SERVICES * 4_000_000)
    return engine.Problem(
        budget_pence=budget,
        areas=tuple(f"E01{i:06d}" for i in range(areas)),
        services=tuple(f"service {j}" for j in range(SERVICES)),
        need=need,
        curves=curves,
        scale=scale,
        area_floors=tuple(int(p * 5_000) for p in population),
        area_caps=tuple(int(p * 40_000) for p in population),
        service_floors=(budget // 40,) * SERVICES,
        service_caps=(budget // 6,) * SERVICES,
    )


def highs(problem: engine.Problem) -> tuple[float, float, float, engine.Shares]:
    wall, cpu = time.perf_counter(), time.process_time()
    shares = engine.optimise(problem)
    return time.perf_counter() - wall, time.process_time() - cpu, shares.objective, shares


def _pulp() -> Any:
    if importlib.util.find_spec("pulp") is None:
        print("  installing PuLP (with CBC) for this benchmark only…", flush=True)
        subprocess.run(  # noqa: S603 - a fixed command
            [sys.executable, "-m", "pip", "install", "--quiet", "pulp"], check=True
        )
    import pulp

    return pulp


def cbc(problem: engine.Problem) -> tuple[float, float, float]:
    """Wall time (building and solving; CBC runs in its own process), build time, objective."""
    pulp = _pulp()
    model = engine._model(problem)  # the very matrix HiGHS gets, variable for variable
    wall = time.perf_counter()
    lp = pulp.LpProblem("shares", pulp.LpMinimize)
    columns = [
        pulp.LpVariable(f"x{i}", lowBound=float(lo), upBound=None if np.isinf(hi) else float(hi))
        for i, (lo, hi) in enumerate(model.bounds)
    ]
    lp += pulp.LpAffineExpression([(columns[i], float(c)) for i, c in enumerate(model.costs) if c])
    matrix = model.equalities.tocsr()
    for row in range(matrix.shape[0]):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        terms = zip(matrix.indices[start:end], matrix.data[start:end], strict=True)
        lp += pulp.LpAffineExpression([(columns[j], float(v)) for j, v in terms]) == 0
    budget = model.budget_row.tocsr()
    lp += (
        pulp.LpAffineExpression([(columns[j], 1.0) for j in budget.indices])
        <= problem.budget_pence / engine.PENCE_PER_UNIT
    )
    built = time.perf_counter() - wall
    status = lp.solve(pulp.PULP_CBC_CMD(msg=False, threads=1))
    if pulp.LpStatus[status] != "Optimal":
        raise BenchError(f"CBC did not solve the problem: {pulp.LpStatus[status]}")
    print(f"  (PuLP took {built:.1f} s to build the model)")
    return time.perf_counter() - wall, built, -float(pulp.value(lp.objective))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--areas", type=int, default=LSOAS, help="areas (default 33,755)")
    parser.add_argument("--no-cbc", action="store_true", help="skip the PuLP + CBC comparison")
    args = parser.parse_args()
    if not 1 <= args.areas <= 200_000:
        parser.error("--areas must be 1 to 200,000")
    problem = national(args.areas)
    print(f"Optimiser benchmark: {args.areas:,} areas × {SERVICES} services, 3 slices each, "
          f"floors and caps on every area and service")  # fmt: skip
    wall, cpu, objective, shares = highs(problem)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"  HiGHS: wall {wall:.2f} s, CPU {cpu:.2f} s; objective {objective:,.6f}; "
        f"{len(shares.binding):,} binding constraints; load {load:.1f} on {os.cpu_count()} cores"
    )
    for label, seconds in (("CPU time", cpu), ("wall time", wall)):
        print(f"  HiGHS {label}: ratio {seconds / TARGET_SECONDS:.2f} of the "
              f"{TARGET_SECONDS:.0f} s target {verdict(seconds < TARGET_SECONDS)}")  # fmt: skip
    if args.no_cbc:
        return
    cbc_wall, _built, cbc_objective = cbc(problem)
    gap = abs(cbc_objective - objective) / max(abs(objective), 1.0)
    if gap > AGREE:
        raise BenchError(f"objectives differ: HiGHS {objective} vs CBC {cbc_objective}")
    print(
        f"  PuLP + CBC: wall {cbc_wall:.2f} s (building and solving); objective "
        f"{cbc_objective:,.6f} (relative gap {gap:.1e} ≤ {AGREE})"
    )
    print(f"  ratio HiGHS / PuLP + CBC (wall): {wall / cbc_wall:.3f} "
          f"({cbc_wall / wall:.1f}× faster)")  # fmt: skip


if __name__ == "__main__":
    main()
