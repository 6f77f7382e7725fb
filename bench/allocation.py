#!/usr/bin/env python3
"""Benchmark for issue 16, "Fairness in money": a national fair-shares run.

What it measures (no database: `opus/engines/fair_shares.py` is pure Python and numpy):

* a national allocation run over 33,755 synthetic LSOAs (England's count) with 19 age bands and
  age weights, a need index from 20 indicators, an inequalities component (IMD score) blended
  with h = 0.1, a cost index, and pace of change from a baseline (1% minimum growth): the need
  index, targets, transition, every area's seven-step waterfall, all exact and rounded to pence
  by the largest-remainder rule. Target: under 2 s (the best of several runs), printed with its
  ratio to the target;
* before timing, the same formula on the first 500 areas through the exact `Fraction` inputs
  (mappings of `Fraction`) is compared penny for penny with the integer-column inputs used at
  national scale; a difference stops the benchmark (BenchError). So do pence that do not sum to
  the total or a waterfall that does not sum to its allocation.

It is a benchmark, not a test: a missed target is reported (MISS) and the exit status is 0.
At the end it runs helper benchmarks bench/allocation_optimiser.py and bench/allocation_monitor.py
when they exist.

Run from the project root:  .venv/bin/python bench/allocation.py [--areas N] [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from fractions import Fraction

import numpy as np
from common import ROOT, BenchError  # bench/common.py: shared by every benchmark

sys.path.insert(0, str(ROOT))

from opus.engines import fair_shares as fs  # noqa: E402
from opus.engines import synthetic_geography as synth  # noqa: E402

TARGET_SECONDS = 2.0
LSOAS = 33_755
INDICATORS = 20
AGE_WEIGHTS = [Fraction(w) for w in ("1.2", "1", "1", "1", "0.9", "0.9", "0.9", "0.9", "0.9", "1",
               "1", "1", "1.1", "1.2", "1.4", "1.6", "1.9", "2.2", "2.5")]  # fmt: skip
HELPERS = ("allocation_optimiser.py", "allocation_monitor.py")


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def national(areas: int, seed: int = 16) -> dict[str, object]:
    """Synthetic LSOAs: people by age band, 20 indicators (3 decimals), IMD (6), costs, baseline."""
    rng = np.random.default_rng(seed)
    small = synth.small_areas(rng.normal(0, 1, areas), rng)
    people = small.male + small.female
    latent = small.latent
    columns = [
        np.maximum(0, np.round((10 + 3 * latent + rng.normal(0, 2, areas)) * 1000)).astype(int)
        for _ in range(INDICATORS)
    ]
    imd = np.round(small.imd_score * 1_000_000).astype(int)
    cost = rng.integers(900, 1200, areas)
    heads = people.sum(axis=1)
    baseline = (heads * rng.integers(9_000, 11_000, areas)).astype(int)  # about £100 a head
    return {
        "codes": [f"E01{i:06d}" for i in range(areas)],
        "people": people.tolist(),
        "columns": [c.tolist() for c in columns],
        "weights": [Fraction(int(w), 10) for w in rng.integers(1, 10, INDICATORS)],
        "imd": imd.tolist(),
        "cost": cost.tolist(),
        "baseline": baseline.tolist(),
        "total": int(baseline.sum() * 104 // 100),
    }


def fast_run(data: dict) -> fs.Outcome:
    """The national path: integer columns (fair_shares.Scaled) all the way."""
    codes, people = data["codes"], data["people"]
    heads = [sum(p) for p in people]
    need = fs.need_index_columns([fs.Scaled(c) for c in data["columns"]], data["weights"], heads)
    inequalities = fs.need_index_columns([fs.Scaled(data["imd"])], [Fraction(1)], heads)
    return fs.allocate(fs.Inputs(
        total=data["total"], population=dict(zip(codes, people, strict=True)),
        age_weights=AGE_WEIGHTS, need=need, inequalities=inequalities, h=Fraction(1, 10),
        cost=fs.Scaled(data["cost"], 1000),
        baseline=dict(zip(codes, data["baseline"], strict=True)), method="pace",
        min_growth=Fraction(1, 100),
    ))  # fmt: skip


def exact_run(data: dict) -> fs.Outcome:
    """The same formula through mappings of Fraction (how small runs and the tests call it)."""
    codes, people = data["codes"], data["people"]
    heads = {c: sum(p) for c, p in zip(codes, people, strict=True)}
    values = {
        f"i{k}": {c: Fraction(v, 1000) for c, v in zip(codes, col, strict=True)}
        for k, col in enumerate(data["columns"])
    }
    weights = {f"i{k}": w for k, w in enumerate(data["weights"])}
    imd = {"imd": {c: Fraction(v, 10**6) for c, v in zip(codes, data["imd"], strict=True)}}
    return fs.allocate(fs.Inputs(
        total=data["total"], population=dict(zip(codes, people, strict=True)),
        age_weights=AGE_WEIGHTS, need=fs.need_index(values, weights, heads),
        inequalities=fs.need_index(imd, {"imd": Fraction(1)}, heads), h=Fraction(1, 10),
        cost={c: Fraction(v, 1000) for c, v in zip(codes, data["cost"], strict=True)},
        baseline=dict(zip(codes, data["baseline"], strict=True)),
        method="pace", min_growth=Fraction(1, 100),
    ))  # fmt: skip


def check(outcome: fs.Outcome, total: int) -> None:
    if sum(a.allocation for a in outcome.areas) != total:
        raise BenchError("allocations do not sum to the total")
    if any(sum(a.steps) != a.allocation for a in outcome.areas):
        raise BenchError("a waterfall does not sum to its allocation")


def same_pence_on_a_sample(areas: int = 500) -> None:
    data = national(areas, seed=7)
    data["total"] = int(sum(data["baseline"]) * 104 // 100)
    fast, exact = fast_run(data), exact_run(data)
    if [a.allocation for a in fast.areas] != [a.allocation for a in exact.areas]:
        raise BenchError("the integer-column path and the Fraction path disagree")
    if [a.steps for a in fast.areas] != [a.steps for a in exact.areas]:
        raise BenchError("the two paths' waterfalls disagree")
    check(fast, data["total"])
    print(f"  check: integer columns = exact Fractions on {areas} areas, to the penny")


def run_helpers() -> None:
    for name in HELPERS:
        path = ROOT / "bench" / name
        if path.exists():
            print(f"\n--- bench/{name} ---", flush=True)
            subprocess.run([sys.executable, str(path)], check=False, cwd=ROOT)  # noqa: S603


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--areas", type=int, default=LSOAS, help="LSOAs (default 33,755)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs; the best counts")
    parser.add_argument("--no-helpers", action="store_true", help="skip the optimiser/monitor")
    args = parser.parse_args()
    if not 1 <= args.areas <= 1_000_000 or not 1 <= args.repeat <= 20:
        parser.error("--areas must be 1 to 1,000,000 and --repeat 1 to 20")
    print(f"Fair shares benchmark: {args.areas:,} LSOAs, {INDICATORS} indicators, 19 age bands, "
          f"pace of change (Python {platform.python_version()}, {platform.machine()})")  # fmt: skip
    same_pence_on_a_sample()
    data = national(args.areas)
    walls, cpus = [], []
    for _ in range(args.repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        outcome = fast_run(data)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    check(outcome, data["total"])
    moved = sum(1 for a in outcome.areas if a.allocation != a.target)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"  {moved:,} areas not yet at target; load average {load:.1f} on {os.cpu_count()} cores")
    for label, times in (("CPU time", cpus), ("wall time", walls)):
        best = min(times)
        print(f"  national run, {label}: best {best:.3f} s of {args.repeat}; ratio "
              f"{best / TARGET_SECONDS:.2f} of the {TARGET_SECONDS:.0f} s target "
              f"{verdict(best < TARGET_SECONDS)}")  # fmt: skip
    print("  (the verdict that counts is CPU time when the machine is busy: wall time then "
          "includes waiting for a core)")  # fmt: skip
    if not args.no_helpers:
        run_helpers()


if __name__ == "__main__":
    main()
