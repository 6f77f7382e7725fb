#!/usr/bin/env python3
"""Benchmark for issue 16, "Fairness in money": the postcode-lottery monitor at national scale.

What it measures (no database: `opus/engines/variation.py` is pure numpy):

* the monitor's figures for one service kind over 33,755 synthetic areas (England's LSOA
  count): need-adjusted spend and access, each with CV, Gini and Theil and 1,000 bootstrap
  draws, and the access funnel (exact binomial 95% and 99.8% limits for every area). Target:
  under 5 s, printed with its ratio to the target;
* the baseline: the textbook bootstrap (resample, then sort each draw again for the Gini) on
  the same data, timed on 100 draws and scaled to 1,000, and its ratio to the engine; before
  timing, the engine's point estimates are checked against the textbook's (to 1e-9) and a
  difference stops the benchmark.

It is a benchmark, not a test: a missed target is reported (MISS) and the exit status is 0.

Run from the project root:  .venv/bin/python bench/allocation_monitor.py [--areas N] [--draws N]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np
from common import ROOT, BenchError  # bench/common.py: shared by every benchmark

sys.path.insert(0, str(ROOT))

from opus.engines import variation  # noqa: E402

LSOAS = 33_755
TARGET_SECONDS = 5.0


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def national(areas: int, seed: int = 16) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    in_need = rng.integers(50, 600, areas).astype(np.float64)
    spend = in_need * rng.gamma(4.0, 25.0, areas)
    reached = rng.binomial(in_need.astype(np.int64), rng.beta(20, 180, areas)).astype(np.float64)
    return {"in_need": in_need, "spend": spend, "reached": reached}


def monitor(data: dict[str, np.ndarray], draws: int) -> None:
    need = data["in_need"]
    amounts = [data["spend"] / need, data["reached"] / need]
    variation.variation_many(amounts, need, draws=draws, seed=1)
    variation.access_funnel(data["reached"], need)


def textbook_gini(x: np.ndarray, w: np.ndarray) -> float:
    order = np.argsort(x)
    x, w = x[order], w[order]
    amount = np.cumsum(w * x) / (w * x).sum()
    before = np.concatenate([[0.0], amount[:-1]])
    return float(1 - ((w / w.sum()) * (amount + before)).sum())


def textbook(data: dict[str, np.ndarray], draws: int) -> float:
    """Seconds for the per-draw bootstrap of the Gini alone (resample, sort, sum)."""
    rng = np.random.default_rng(1)
    x, w = data["spend"] / data["in_need"], data["in_need"]
    start = time.process_time()
    for _ in range(draws):
        pick = rng.integers(0, x.size, x.size)
        textbook_gini(x[pick], w[pick])
    return time.process_time() - start


def same_point_estimates(data: dict[str, np.ndarray]) -> None:
    x, w = data["spend"] / data["in_need"], data["in_need"]
    engine = variation.variation(x, w, draws=0).gini.value
    if abs(engine - textbook_gini(x, w)) > 1e-9:
        raise BenchError(f"Gini differs: engine {engine} vs textbook {textbook_gini(x, w)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--areas", type=int, default=LSOAS, help="areas (default 33,755)")
    parser.add_argument("--draws", type=int, default=1000, help="bootstrap draws (default 1,000)")
    args = parser.parse_args()
    if not 2 <= args.areas <= 1_000_000 or not 1 <= args.draws <= variation.MAX_DRAWS:
        parser.error("--areas must be 2 to 1,000,000 and --draws 1 to 10,000")
    data = national(args.areas)
    same_point_estimates(data)
    print(f"Monitor benchmark: {args.areas:,} areas, {args.draws:,} bootstrap draws, spend and "
          f"access (CV, Gini, Theil) and the access funnel")  # fmt: skip
    wall, cpu = time.perf_counter(), time.process_time()
    monitor(data, args.draws)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"  monitor: wall {wall:.2f} s, CPU {cpu:.2f} s; load {load:.1f} on {os.cpu_count()} cores"
    )
    for label, seconds in (("CPU time", cpu), ("wall time", wall)):
        print(f"  {label}: ratio {seconds / TARGET_SECONDS:.2f} of the {TARGET_SECONDS:.0f} s "
              f"target {verdict(seconds < TARGET_SECONDS)}")  # fmt: skip
    sample = min(100, args.draws)
    baseline = textbook(data, sample) * args.draws / sample
    print(f"  textbook bootstrap of the Gini alone, {args.draws:,} draws (from {sample}): CPU "
          f"{baseline:.2f} s; the whole monitor takes {cpu / baseline:.2f} of that")  # fmt: skip


if __name__ == "__main__":
    main()
