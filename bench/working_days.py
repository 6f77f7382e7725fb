#!/usr/bin/env python3
"""Benchmark for issue 15, "Voice and accountability": the working-day engine's speed.

What it measures (no database: `opus/engines/working_days.py` is pure Python and numpy):

* the scalar `add_working_days(start, days, nation)` called in a Python loop, in calls a second;
* the vectorised `add_working_days_array(starts, days, nation)` on 1,000,000 dates (random
  receipt days 2020–2030, random 0–60 working days each), in calls (dates) a second, the best of
  several runs, first warmed up so the nation's holiday calendar is already built.
  Target: at least 1,000,000 calls a second;
* the naive Python loop a developer would write without the engine: step a day at a time and
  ask `govuk_bank_holidays.BankHolidays.is_work_day` about each, on the same cases (it knows
  only GOV.UK's years, so its answers are compared with the engine's only within them). The
  vectorised form's rate is printed as a ratio to it and to the scalar loop.

Before timing, the vectorised answers are checked against the scalar ones on the sample; a
mismatch stops the benchmark (BenchError). It is a benchmark, not a test: a missed target is
reported (MISS) and the exit status is 0.

Run from the project root:  .venv/bin/python bench/working_days.py [--quick] [--nation NATION]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta

import numpy as np
from common import ROOT, BenchError  # bench/common.py: shared by every benchmark

sys.path.insert(0, str(ROOT))

from opus.engines import working_days as wd  # noqa: E402

VECTOR_TARGET = 1_000_000.0
DATES = 1_000_000
FIRST = date(2020, 1, 1)
LAST = date(2030, 12, 31)
MAX_DAYS = 60


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def cases(count: int, seed: int = 15) -> tuple[np.ndarray, np.ndarray]:
    """Random receipt days 2020–2030 (datetime64[D]) and working days 0–60."""
    rng = np.random.default_rng(seed)
    span = (LAST - FIRST).days + 1
    starts = np.datetime64(FIRST, "D") + rng.integers(0, span, count).astype("timedelta64[D]")
    days = rng.integers(0, MAX_DAYS + 1, count)
    return starts, days


def best_seconds(run: Callable[[], object], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def naive_loop(nation: str) -> Callable[[list[date], list[int]], list[date]]:
    """The deadline the obvious way: a day at a time, asking the package about each day."""
    from govuk_bank_holidays.bank_holidays import BankHolidays

    holidays = BankHolidays(use_cached_holidays=True)

    def run(starts: list[date], days: list[int]) -> list[date]:
        out = []
        for start, n in zip(starts, days, strict=True):
            day, counted = start, 0
            while counted < n:
                day += timedelta(days=1)
                if holidays.is_work_day(day, division=nation):
                    counted += 1
            out.append(day)
        return out

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="100,000 dates, fewer repeats")
    parser.add_argument("--nation", default=wd.ENGLAND_AND_WALES, choices=wd.NATIONS)
    options = parser.parse_args()
    nation = options.nation
    size = 100_000 if options.quick else DATES
    repeats = 3 if options.quick else 5
    scalar_sample = 20_000 if options.quick else 100_000
    naive_sample = 5_000 if options.quick else 20_000
    print(
        f"bench/working_days.py on {platform.node()} ({os.cpu_count()} cores), Python "
        f"{platform.python_version()}, numpy {np.__version__}; nation {nation}; "
        f"receipt days {FIRST.year}–{LAST.year}, 0–{MAX_DAYS} working days",
        flush=True,
    )
    starts, days = cases(size)
    start_dates: list[date] = starts[:scalar_sample].tolist()
    day_counts: list[int] = days[:scalar_sample].tolist()

    # Warm up (builds the holiday set and numpy's calendar once) and check the two forms agree.
    vector = wd.add_working_days_array(starts, days, nation)
    scalar = [
        wd.add_working_days(s, n, nation) for s, n in zip(start_dates, day_counts, strict=True)
    ]
    if vector[:scalar_sample].tolist() != scalar:
        raise BenchError("the vectorised and scalar forms disagree")
    naive = naive_loop(nation)
    # The package alone knows only GOV.UK's years: compare where the deadline is within them.
    last_published = wd.published_years(nation)[-1]
    naive_answers = naive(start_dates[:naive_sample], day_counts[:naive_sample])
    if any(
        mine != theirs
        for mine, theirs in zip(scalar[:naive_sample], naive_answers, strict=True)
        if mine.year <= last_published
    ):
        raise BenchError("the naive loop and the engine disagree")

    def run_scalar() -> None:
        for s, n in zip(start_dates, day_counts, strict=True):
            wd.add_working_days(s, n, nation)

    scalar_rate = scalar_sample / best_seconds(run_scalar, 1 if options.quick else 2)
    naive_rate = naive_sample / best_seconds(
        lambda: naive(start_dates[:naive_sample], day_counts[:naive_sample]), 1
    )
    vector_seconds = best_seconds(lambda: wd.add_working_days_array(starts, days, nation), repeats)
    vector_rate = size / vector_seconds
    fixed_seconds = best_seconds(lambda: wd.add_working_days_array(starts, 10, nation), repeats)
    fixed_rate = size / fixed_seconds

    print(
        f"naive loop (package's is_work_day a day at a time): {naive_rate:12,.0f} calls/s "
        f"({naive_sample:,} calls)"
    )
    print(
        f"scalar add_working_days in a Python loop:           {scalar_rate:12,.0f} calls/s "
        f"({scalar_sample:,} calls)"
    )
    print(
        f"add_working_days_array, {size:,} dates, days 0–{MAX_DAYS}: {vector_rate:12,.0f} calls/s "
        f"({vector_seconds * 1000:.0f} ms)  target ≥ {VECTOR_TARGET:,.0f}/s "
        f"{verdict(vector_rate >= VECTOR_TARGET)}"
    )
    print(
        f"add_working_days_array, {size:,} dates, days = 10:   {fixed_rate:12,.0f} calls/s "
        f"({fixed_seconds * 1000:.0f} ms)"
    )
    print(
        f"ratio: vectorised {vector_rate / scalar_rate:,.0f}× the scalar loop, "
        f"{vector_rate / naive_rate:,.0f}× the naive loop; scalar loop "
        f"{scalar_rate / naive_rate:,.1f}× the naive loop",
        flush=True,
    )


if __name__ == "__main__":
    main()
