#!/usr/bin/env python3
"""Benchmark for issue 14, "Neighbourhoods": counting participatory-budgeting ballots.

What it measures, on synthetic approval elections made here from a fixed seed (no database):

* the Method of Equal Shares with cost utilities, the Add1 completion (stopping at the first
  exhaustive outcome) and exact arithmetic (`opus.engines.pb.count`), on a real-size election
  (6,600 voters, 64 projects, like a city district's) and on 100,000 voters × 100 projects;
* the 100,000-voter count once more without completion (a single run, for pabutools' time of
  one count at that size);
* the same counts by pabutools' `method_of_equal_shares` (gmpy2 fractions,
  `voter_budget_increment=1`, our published tie order as its tie-breaking), with the winners
  asserted identical. Targets: at least 20× faster than pabutools, and the 100,000-voter
  count under 10 s. Our time is the best of three runs (ballots grouped, counted, Add1 and
  all); pabutools' is one run of `method_of_equal_shares` on profiles built beforehand.

Voters approve between 1 and 10 projects (5 on average), chosen with a popularity that falls
off across projects, and costs run from 2% to 15% of the budget, so Add1 has work to do.

pabutools is GPL and is not a dependency of Opus: install it for the benchmark only
(`.venv/bin/pip install pabutools`); without it that comparison is skipped, saying so.
pabutools on 100,000 voters takes long: `--pabutools-max-voters` (default 100,000) skips it
above that size.

The ballots-per-second figure (16 concurrent clients through the real services) is
`bench/pb_ballots.py`.

It is a benchmark, not a test: a missed target is reported (MISS) and the exit status is 0.

Run from the project root:  .venv/bin/python bench/pb.py [--quick]
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from opus.engines import pb  # noqa: E402

SPEEDUP_TARGET = 20.0
LARGE_TARGET_S = 10.0
SEED = 14


def election(
    voters: int, projects: int, budget: int, seed: int
) -> tuple[list[pb.Project], list[pb.Ballot]]:
    """A synthetic approval election: popularity falling off across projects, 1–10 choices."""
    rng = random.Random(seed)
    costs = [rng.randint(budget // 50, budget * 15 // 100) for _ in range(projects)]
    items = [pb.Project(str(j + 1), cost) for j, cost in enumerate(costs)]
    weights = [1.0 / (1 + j) ** 0.6 for j in range(projects)]
    rng.shuffle(weights)
    ids = [p.id for p in items]
    ballots = []
    for i in range(voters):
        size = min(projects, max(1, int(rng.triangular(1, 10, 4))))
        chosen: set[str] = set()
        while len(chosen) < size:
            chosen.update(rng.choices(ids, weights, k=size - len(chosen)))
        ballots.append(pb.Ballot(str(i + 1), dict.fromkeys(chosen, 1)))
    return items, ballots


def pabutools_count(
    projects: list[pb.Project],
    ballots: list[pb.Ballot],
    budget: int,
    tie: tuple[str, ...],
    completion: pb.Completion = "add1",
) -> Callable[[], list[str]]:
    """pabutools' Equal Shares with cost utilities and Add1, ties in our published order: the
    instance and profile are built here, the returned function counts."""
    from pabutools.election import ApprovalBallot, ApprovalProfile, Cost_Sat, Instance
    from pabutools.election import Project as PabuProject
    from pabutools.rules import method_of_equal_shares
    from pabutools.tiebreaking import TieBreakingRule

    instance = Instance(budget_limit=budget)
    by_id = {}
    for p in projects:
        by_id[p.id] = PabuProject(p.id, p.cost)
        instance.add(by_id[p.id])
    profile = ApprovalProfile(instance=instance)
    for ballot in ballots:
        profile.append(ApprovalBallot([by_id[k] for k in ballot.points]))
    rank = {pid: k for k, pid in enumerate(tie)}

    def count() -> list[str]:
        outcome = method_of_equal_shares(
            instance,
            profile,
            sat_class=Cost_Sat,
            tie_breaking=TieBreakingRule(lambda _i, _p, project: rank[project.name]),
            voter_budget_increment=1 if completion == "add1" else None,
        )
        return sorted(project.name for project in outcome)

    return count


def timed(run: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = run()
    return time.perf_counter() - start, value


def pabutools_version() -> str | None:
    try:
        from importlib.metadata import version

        import pabutools  # noqa: F401
    except ImportError:
        return None
    return version("pabutools")


def measure(
    name: str,
    voters: int,
    projects: int,
    budget: int,
    options: argparse.Namespace,
    completion: pb.Completion = "add1",
) -> dict:
    items, ballots = election(voters, projects, budget, SEED + voters)
    tie = pb.tie_order(items, ballots, "bench")
    variant = pb.Variant(rule="equal-shares", utility="cost", completion=completion, tie_order=tie)
    # The best of three: the machine is shared, and the least disturbed run is the fairest.
    runs = [timed(lambda: pb.count(items, ballots, budget, variant)) for _ in range(3)]
    ours_s, outcome = min(runs, key=lambda run: run[0])
    row: dict[str, Any] = {
        "name": name,
        "voters": voters,
        "projects": projects,
        "completion": completion,
        "winners": len(outcome.winners),
        "spent": outcome.cost / budget,
        "ours_s": ours_s,
    }
    if pabutools_version() is None:
        row["skipped"] = "pabutools is not installed (.venv/bin/pip install pabutools)"
    elif voters > options.pabutools_max_voters:
        row["skipped"] = f"pabutools skipped above {options.pabutools_max_voters:,} voters"
    else:
        print(f"  {name}: pabutools counting (this can take many minutes)…", flush=True)
        theirs_s, winners = timed(pabutools_count(items, ballots, budget, tie, completion))
        if winners != sorted(outcome.winners):
            raise SystemExit(f"{name}: winners differ from pabutools: {winners} != ours")
        row["theirs_s"] = theirs_s
        row["speedup"] = theirs_s / ours_s
    return row


def report(rows: list[dict]) -> None:
    print()
    print("PB counting benchmark (issue 14): Equal Shares, cost utilities, Add1, exact")
    print(f"  Python {platform.python_version()}, {platform.machine()}, pabutools", end=" ")
    print(pabutools_version() or "not installed")
    for row in rows:
        print()
        print(
            f"  {row['name']}: {row['voters']:,} voters × {row['projects']} projects, "
            f"completion {row['completion']}: {row['winners']} winners, "
            f"{row['spent']:.1%} of the budget"
        )
        print(f"    Opus       {row['ours_s']:8.2f} s")
        if "skipped" in row:
            print(f"    pabutools  skipped: {row['skipped']}")
        else:
            verdict = "ok" if row["speedup"] >= SPEEDUP_TARGET else "MISS"
            print(f"    pabutools  {row['theirs_s']:8.2f} s   (identical winners)")
            print(
                f"    speed-up   {row['speedup']:8.1f}×   target ≥ {SPEEDUP_TARGET:.0f}×: {verdict}"
            )
        if row["voters"] >= 100_000 and row["completion"] == "add1":
            verdict = "ok" if row["ours_s"] < LARGE_TARGET_S else "MISS"
            print(f"    target < {LARGE_TARGET_S:.0f} s for 100,000 voters: {verdict}")
    print()
    print("  Ballots a second through the services: bench/pb_ballots.py.")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="leave out Add1 on 100,000 voters (pabutools takes a long time over it)",
    )
    parser.add_argument(
        "--pabutools-max-voters",
        type=int,
        default=100_000,
        help="skip pabutools above this many voters (default 100,000)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    rows = [measure("real size", 6_600, 64, 2_000_000, options)]
    # One count without completion: pabutools' time for a single run at 100,000 voters.
    rows.append(measure("large", 100_000, 100, 10_000_000, options, completion="none"))
    if not options.quick:
        rows.append(measure("large", 100_000, 100, 10_000_000, options))
    report(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
