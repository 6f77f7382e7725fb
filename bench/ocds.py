#!/usr/bin/env python3
"""Benchmark for issue 6, section 8: OCDS export of 100,000 contracting processes.

What it measures, in a fresh database (SQLite, and PostgreSQL on request):

* `manage.py export_ocds --out FILE` (run through call_command in a child process of its
  own, so its peak resident set size is the export's alone) at 10,000, 50,000 and 100,000
  synthetic contracting processes: releases per second (target: at least 10,000) and peak
  RSS (ru_maxrss), which must not grow with the number of processes (target: the peak at
  the largest size within 10% + 20 MB of the peak at the smallest);
* the naive baseline on the same rows, read the same way: every release held in one list
  and the whole package written with one `json.dumps` (its time and peak RSS; the ratios
  are streamed ÷ naive for speed and naive ÷ streamed for memory).

The processes (synthetic, marked so in their titles) are bulk-inserted straight into the
commissioning tables, untimed: a mix of open opportunities (bids still sealed: only a
tender release), cancelled ones, and awarded ones with two lots, three bidders, awards
through standstill (one in twenty with lot 2's award reversed), contracts, a KPI each and
two quarterly returns (one on time; the other missed, or made late). About 14 releases per
awarded process.

It is a benchmark, not a test: a missed target is reported (MISS) and the exit status is
still 0; only an error (a failed command or stage) exits non-zero.

Run from the project root:  .venv/bin/python bench/ocds.py [--quick] [--databases ...]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any

from common import (  # bench/common.py: shared by every benchmark
    MARK,
    ROOT,
    BenchError,
    django_setup,
    fresh_postgresql,
    fresh_sqlite,
    postgresql_version,
    report_json,
    subprocess_env,
)

MANAGE = ROOT / "manage.py"
RATE_TARGET = 10_000.0  # releases per second
MEMORY_SLACK = 1.10  # the largest size's peak within 10% (+ 20 MB) of the smallest's
MEMORY_SLACK_BYTES = 20_000_000
SIZES = (10_000, 50_000, 100_000)
QUICK_SIZES = (1_000, 5_000, 10_000)
BASELINE_SIZES = (10_000, 50_000)
QUICK_BASELINE_SIZES = (1_000, 5_000)
PROVIDERS, BUYERS = 2_000, 20
BATCH = 1_000  # processes per round of bulk inserts
DEFAULT_PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASES = ("sqlite", "postgresql")


# --- subprocesses (the driver: no Django in this process) ---------------------------------


def run(command: list[str], env: dict[str, str], what: str) -> tuple[float, str]:
    """Run COMMAND to completion: (wall-clock seconds, stdout); BenchError if it fails."""
    started = time.perf_counter()
    completed = subprocess.run(  # noqa: S603 — our own interpreter and scripts
        command, cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        output = (completed.stdout + completed.stderr).strip()[-4000:]
        raise BenchError(f"{what} exited {completed.returncode}:\n{output}")
    return elapsed, completed.stdout


def manage(args: list[str], env: dict[str, str]) -> float:
    return run([sys.executable, str(MANAGE), *args], env, f"manage.py {' '.join(args)}")[0]


def stage(name: str, env: dict[str, str], **options: Any) -> dict[str, Any]:
    """Run one stage of this script in a child process; its JSON report."""
    args = [sys.executable, str(Path(__file__).resolve()), "--stage", name]
    for key, value in options.items():
        args += [f"--{key.replace('_', '-')}", str(value)]
    _, out = run(args, env, f"stage {name}")
    found: dict[str, Any] = {}
    for line in out.splitlines():
        if line.startswith(MARK):
            found = json.loads(line[len(MARK) :])
        elif line.strip():
            print(f"    {line}", flush=True)
    if not found:
        raise BenchError(f"stage {name} printed no report:\n{out[-3000:]}")
    return found


# --- stage: seed (bulk inserts, untimed in the figures) -------------------------------------


def _world(now: Any) -> dict[str, Any]:
    """Organisations, one area, a published plan with one decision per buyer (first call)."""
    from opus.commissioning.models import CommissioningPlan, ServiceDecision
    from opus.core.models import Area, AreaKind, Organisation, OrganisationKind, SizeBand

    kinds = [OrganisationKind.CHARITY, OrganisationKind.COMMUNITY_GROUP,
             OrganisationKind.SOCIAL_ENTERPRISE, OrganisationKind.MUTUAL, OrganisationKind.SME,
             OrganisationKind.LARGE_FIRM]  # fmt: skip
    bands = [SizeBand.MICRO, SizeBand.SMALL, SizeBand.MEDIUM, SizeBand.SMALL, SizeBand.SMALL,
             SizeBand.LARGE]  # fmt: skip
    providers = Organisation.objects.bulk_create(
        Organisation(
            name=f"Bench provider {n} (synthetic)", slug=f"bench-provider-{n}",
            kind=kinds[n % 6], size_band=bands[n % 6],
            charity_number=f"{1_100_000 + n}" if n % 6 == 0 else "",
            company_number=f"{20_000_000 + n:08d}" if n % 6 in (4, 5) else "",
            address=f"{n} Bench Street", postcode="TS1 1AA",
        )
        for n in range(PROVIDERS)
    )  # fmt: skip
    buyers = Organisation.objects.bulk_create(
        Organisation(name=f"Bench council {n} (synthetic)", slug=f"bench-council-{n}",
                     kind=OrganisationKind.LOCAL_AUTHORITY, org_id=f"GB-LAE-B{n:03d}")
        for n in range(BUYERS)
    )  # fmt: skip
    area = Area.objects.create(code="E06999999", name="Benchshire (synthetic)",
                               kind=AreaKind.LOCAL_AUTHORITY, population=500_000)  # fmt: skip
    plans = CommissioningPlan.objects.bulk_create(
        CommissioningPlan(title=f"Bench plan {n} (synthetic)", commissioner=b, area=area,
                          period="2024/25", status="published",
                          published_at=now - timedelta(days=900))
        for n, b in enumerate(buyers)
    )  # fmt: skip
    decisions = ServiceDecision.objects.bulk_create(
        ServiceDecision(plan=p, need="Loneliness (synthetic)", proposed_level="commissioned",
                        level="commissioned", budget_pence=9_000_000)
        for p in plans
    )  # fmt: skip
    return {"providers": providers, "buyers": buyers, "plans": plans, "decisions": decisions}


def _opportunities(world: dict[str, Any], numbers: range, now: Any) -> list[Any]:
    from opus.commissioning.models import Opportunity

    rows = []
    for i in numbers:
        kind = i % 20
        published = (now - timedelta(days=3) if kind == 0
                     else now - timedelta(days=800 - i % 500, minutes=i % 1440))  # fmt: skip
        start = (published + timedelta(days=45)).date()
        rows.append(Opportunity(
            ocid=f"ocds-bench0-{i:07d}", title=f"Bench service {i} (synthetic)",
            description="Synthetic contracting process for the OCDS benchmark.",
            buyer=world["buyers"][i % BUYERS], plan=world["plans"][i % BUYERS],
            value_pence=9_000_000, procedure="light_touch" if i % 2 else "open",
            reservation="vcse_sme" if i % 7 == 0 else "",
            status={0: "published", 1: "cancelled", 2: "opened"}.get(kind, "awarded"),
            published_at=published, clarification_deadline=published + timedelta(days=10),
            submission_deadline=published + timedelta(days=14), contract_start=start,
            contract_end=start + timedelta(days=365), price_weight=40, quality_weight=50,
            social_value_weight=10, created_at=published,
        ))  # fmt: skip
    return rows


def _seed_batch(world: dict[str, Any], numbers: range, now: Any) -> int:
    """One batch of processes: every row they need, in one bulk insert per table."""
    from opus.commissioning import models as m

    opportunities = m.Opportunity.objects.bulk_create(_opportunities(world, numbers, now))
    m.Opportunity.decisions.through.objects.bulk_create(
        m.Opportunity.decisions.through(opportunity=o, servicedecision=world["decisions"][
            int(o.ocid[-7:]) % BUYERS]) for o in opportunities
    )  # fmt: skip
    lots = m.Lot.objects.bulk_create(
        m.Lot(opportunity=o, number=n, title=("North", "South")[n - 1], value_pence=4_500_000,
              status="active" if o.status in ("published", "cancelled") or (
                  o.status == "opened" and n == 2) else "awarded")
        for o in opportunities for n in (1, 2)
    )  # fmt: skip
    bids = m.Bid.objects.bulk_create(
        m.Bid(opportunity=o, bidder=world["providers"][(int(o.ocid[-7:]) * 3 + k) % PROVIDERS],
              submitted_at=o.published_at + timedelta(days=2, hours=k), receipt_sha256="0" * 64)
        for o in opportunities for k in range(3)
    )  # fmt: skip
    rows = len(opportunities) * 2 + len(lots) + len(bids)
    rows += _seed_awards(opportunities, lots, bids)
    return rows


def _seed_awards(opportunities: list[Any], lots: list[Any], bids: list[Any]) -> int:
    from opus.commissioning import models as m

    awards = []
    for index, o in enumerate(opportunities):
        if o.status in ("published", "cancelled"):
            continue
        for n in (0, 1):
            decided = o.submission_deadline + timedelta(days=6, hours=n)
            ends = decided + timedelta(days=12)
            reversed_ = o.status == "opened" and n == 1
            awards.append(m.Award(
                lot=lots[index * 2 + n], bid=bids[index * 3 + n], value_pence=4_000_000 + n,
                reasons="Highest total score (synthetic)", decided_at=decided,
                standstill_ends=ends, status="cancelled" if reversed_ else "active",
                confirmed_at=None if reversed_ else ends,
                reversed_at=decided + timedelta(days=3) if reversed_ else None,
                reversal_reason="Scores added up wrongly (synthetic)" if reversed_ else "",
            ))  # fmt: skip
    awards = m.Award.objects.bulk_create(awards)
    m.Award.suppliers.through.objects.bulk_create(
        m.Award.suppliers.through(award=a, organisation_id=a.bid.bidder_id) for a in awards
    )
    live = [a for a in awards if a.status == "active"]
    contracts = m.Contract.objects.bulk_create(
        m.Contract(award=a, title="Bench contract (synthetic)", supplier_id=a.bid.bidder_id,
                   value_pence=a.value_pence, start_date=a.lot.opportunity.contract_start,
                   end_date=a.lot.opportunity.contract_end, status="active",
                   signed_at=a.standstill_ends)
        for a in live
    )  # fmt: skip
    kpis = m.KPI.objects.bulk_create(
        m.KPI(contract=c, name="Visits made", measure="Visits ÷ planned visits", unit="%",
              target=95, frequency="quarterly")
        for c in contracts
    )  # fmt: skip
    return len(awards) * 2 + len(contracts) + len(kpis) + _seed_returns(kpis, contracts)


def _seed_returns(kpis: list[Any], contracts: list[Any]) -> int:
    from opus.commissioning import models as m
    from opus.commissioning.services.common import end_of_day

    returns = []
    for k, c in zip(kpis, contracts, strict=True):
        first_end = c.start_date + timedelta(days=90)
        second_end = first_end + timedelta(days=91)
        made_late = c.pk % 3 == 0
        returns += [
            m.KpiReturn(kpi=k, period_start=c.start_date, period_end=first_end,
                        due_date=first_end + timedelta(days=15), value=97,
                        submitted_at=end_of_day(first_end + timedelta(days=5))),
            m.KpiReturn(kpi=k, period_start=first_end + timedelta(days=1), period_end=second_end,
                        due_date=second_end + timedelta(days=15), value=91 if made_late else None,
                        submitted_at=end_of_day(second_end + timedelta(days=25))
                        if made_late else None),
        ]  # fmt: skip
    return len(m.KpiReturn.objects.bulk_create(returns))


def stage_seed(options: argparse.Namespace) -> None:
    django_setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from opus.commissioning.models import CommissioningPlan, ServiceDecision
    from opus.core.models import Organisation

    started = time.perf_counter()
    now = timezone.now()
    if options.start == 0:
        world = _world(now)
    else:
        world = {
            "providers": list(Organisation.objects.filter(slug__startswith="bench-provider-")
                              .order_by("pk")),
            "buyers": list(Organisation.objects.filter(slug__startswith="bench-council-")
                           .order_by("pk")),
            "plans": list(CommissioningPlan.objects.order_by("pk")),
            "decisions": list(ServiceDecision.objects.order_by("pk")),
        }  # fmt: skip
    rows = 0
    for first in range(options.start, options.stop, BATCH):
        with transaction.atomic():
            rows += _seed_batch(world, range(first, min(first + BATCH, options.stop)), now)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics, as autovacuum would soon gather
    report_json({"seconds": time.perf_counter() - started, "rows": rows})


# --- stages: the export and the naive baseline ----------------------------------------------


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def _cpu_seconds() -> float:
    """This process's user + system CPU time: less swayed than the wall clock by other work
    on a shared machine (the database server's own CPU, on PostgreSQL, is not in it)."""
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def stage_export(options: argparse.Namespace) -> None:
    """The timed part: manage.py export_ocds, in this process, from settings to the file."""
    django_setup()
    import io

    from django.core.management import call_command

    said = io.StringIO()
    before = _peak_rss()
    cpu, started = _cpu_seconds(), time.perf_counter()
    call_command("export_ocds", "--out", options.out, "--no-progress", stdout=said)
    elapsed, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    line = said.getvalue().strip()
    releases, processes = int(line.split()[1]), int(line.split()[4])
    report_json(
        {
            "seconds": elapsed,
            "cpu_seconds": cpu,
            "peak_rss": _peak_rss(),
            "rss_before": before,
            "releases": releases,
            "processes": processes,
            **_file_facts(options.out),
        }
    )


def _file_facts(path: str) -> dict[str, Any]:
    """Size, and that the file is one JSON object ending its releases array (cheap checks)."""
    size = os.path.getsize(path)
    with open(path, "rb") as handle:
        head = handle.read(200)
        handle.seek(max(0, size - 2))
        tail = handle.read()
    if not head.startswith(b'{"uri":') or tail != b"]}":
        raise BenchError(f"{path} is not a whole release package")
    return {"bytes": size}


def stage_naive(options: argparse.Namespace) -> None:
    """The baseline: the same rows and releases, but all held in memory and dumped at once."""
    django_setup()
    from django.utils import timezone

    from opus.commissioning import ocds as publication
    from opus.engines import ocds

    before = _peak_rss()
    cpu, started = _cpu_seconds(), time.perf_counter()
    now = timezone.now()
    rows = publication.public_opportunities()
    everything = list(publication.releases(publication.processes(rows, now=now), now=now))
    package = ocds.release_package(everything, uri=publication.site_url("/api/v1/ocds/releases"),
                                   publisher=publication.publisher(), published=now)  # fmt: skip
    text = json.dumps(package)
    Path(options.out).write_text(text, encoding="utf-8")
    elapsed, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    report_json({"seconds": elapsed, "cpu_seconds": cpu, "peak_rss": _peak_rss(),
                 "rss_before": before, "releases": len(everything),
                 "bytes": len(text.encode())})  # fmt: skip


STAGES = {"seed": stage_seed, "export": stage_export, "naive": stage_naive}


# --- the driver -----------------------------------------------------------------------------


@dataclass
class Outcome:
    database: str
    server_version: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""


def say(database: str, message: str) -> None:
    print(f"[{database}] {message}", flush=True)


def bench_database(outcome: Outcome, database_env: dict[str, str], options: Any) -> None:
    env = subprocess_env(database_env)
    name = outcome.database
    say(name, f"migrate: {manage(['migrate', '--no-input', '--verbosity', '0'], env):.1f} s")
    seeded = 0
    with tempfile.TemporaryDirectory(prefix="opus-bench-ocds-") as folder:
        out = str(Path(folder) / "ocds.json")
        for size in options.sizes:
            grown = stage("seed", env, start=seeded, stop=size)
            say(name, f"seeded {size - seeded:,} more processes ({grown['rows']:,} rows) in "
                      f"{grown['seconds']:.1f} s")  # fmt: skip
            seeded = size
            row: dict[str, Any] = {"size": size, "export": stage("export", env, out=out)}
            e = row["export"]
            say(
                name,
                f"export_ocds: {e['releases']:,} releases of {e['processes']:,} processes "
                f"in {e['seconds']:.1f} s; peak RSS {e['peak_rss'] / 1e6:.0f} MB",
            )
            if size in options.baseline_sizes:
                row["naive"] = n = stage("naive", env, out=out)
                say(name, f"naive: {n['seconds']:.1f} s; peak RSS {n['peak_rss'] / 1e6:.0f} MB")
            Path(out).unlink(missing_ok=True)
            outcome.rows.append(row)


def run_one(database: str, options: Any) -> Outcome | None:
    """The figures for DATABASE, or None when PostgreSQL is unreachable (skipped)."""
    server = f"SQLite {sqlite3.sqlite_version}"
    if database == "postgresql":
        try:
            server = f"PostgreSQL {postgresql_version(options.pg_admin_url)}"
        except Exception as exc:  # noqa: BLE001 — any failure to connect means skip
            say(database, f"skipped: {options.pg_admin_url} is unreachable ({exc})")
            return None
    outcome = Outcome(database, server)
    say(database, f"fresh database on {server}")
    try:
        fresh = (
            fresh_sqlite()
            if database == "sqlite"
            else fresh_postgresql(options.pg_admin_url, "ocds")
        )
        with fresh as database_env:
            bench_database(outcome, database_env, options)
    except (BenchError, OSError) as exc:
        outcome.error = str(exc)
        say(database, f"ERROR: {exc}")
    return outcome


# --- report -------------------------------------------------------------------------------


def print_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def _mb(value: float) -> str:
    return f"{value / 1e6:,.0f} MB"


def _rows(outcome: Outcome) -> list[tuple[str, ...]]:
    rows = []
    for r in outcome.rows:
        e = r["export"]
        rate = e["releases"] / e["seconds"]
        cells = [f"{r['size']:,}", f"{e['releases']:,}", f"{e['seconds']:.1f} s", f"{rate:,.0f}",
                 "PASS" if rate >= RATE_TARGET else "MISS",
                 f"{e['releases'] / e['cpu_seconds']:,.0f}", _mb(e["peak_rss"]),
                 _mb(e["bytes"])]  # fmt: skip
        if "naive" in r:
            n = r["naive"]
            naive_rate = n["releases"] / n["seconds"]
            cells += [f"{naive_rate:,.0f}", _mb(n["peak_rss"]), f"{rate / naive_rate:.2f}x",
                      f"{n['peak_rss'] / e['peak_rss']:.1f}x"]  # fmt: skip
        else:
            cells += ["-", "-", "-", "-"]
        rows.append(tuple(cells))
    return rows


def _memory_verdict(outcome: Outcome) -> str:
    if len(outcome.rows) < 2:
        return "memory: one size only"
    small, large = outcome.rows[0]["export"], outcome.rows[-1]["export"]
    limit = small["peak_rss"] * MEMORY_SLACK + MEMORY_SLACK_BYTES
    verdict = "PASS" if large["peak_rss"] <= limit else "MISS"
    return (
        f"memory: peak RSS {_mb(small['peak_rss'])} at {outcome.rows[0]['size']:,} processes, "
        f"{_mb(large['peak_rss'])} at {outcome.rows[-1]['size']:,} (target ≤ {_mb(limit)}; "
        f"ratio {large['peak_rss'] / small['peak_rss']:.2f}) {verdict}"
    )


def machine_lines() -> list[str]:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return [
        f"machine: nproc {len(os.sched_getaffinity(0))} ({cpu}), {platform.platform()}; "
        f"load average now {load} (other work on a shared machine slows the wall clock)",
        f"software: Python {platform.python_version()}, Django {version('django')}",
    ]


def report(outcomes: list[Outcome]) -> None:
    print()
    print("OCDS export benchmark (issue 6): synthetic contracting processes, export_ocds")
    for line in machine_lines():
        print(line)
    print(f"targets: at least {RATE_TARGET:,.0f} releases/s (wall clock); peak RSS flat as "
          "processes grow. per CPU s = releases per second of the export's own CPU time; "
          "speed = streamed ÷ naive releases/s; memory = naive ÷ streamed peak RSS")  # fmt: skip
    for o in outcomes:
        print()
        print(f"{o.database} ({o.server_version})")
        header = ("processes", "releases", "export", "releases/s", "verdict", "per CPU s",
                  "peak RSS", "file", "naive rel/s", "naive RSS", "speed", "memory")  # fmt: skip
        print_table(header, _rows(o))
        print(_memory_verdict(o))
        if o.error:
            print(f"ERROR: {o.error.splitlines()[0]}")


# --- command line -------------------------------------------------------------------------


def _sizes(text: str) -> tuple[int, ...]:
    return tuple(sorted(int(part.replace("_", "")) for part in text.split(",") if part.strip()))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Bulk-insert synthetic contracting processes into a fresh database and time "
        "manage.py export_ocds at 10,000, 50,000 and 100,000 of them (target: 10,000 releases/s, "
        "peak memory flat), against a naive in-memory json.dumps baseline. Reports; does not "
        "fail on a missed target.",
    )
    parser.add_argument(
        "--databases",
        default="sqlite",
        help="comma-separated, from: sqlite, postgresql (default: sqlite)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"smoke run at {', '.join(f'{s:,}' for s in QUICK_SIZES)} processes",
    )
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=None,
        help="comma-separated process counts (default 10000,50000,100000)",
    )
    parser.add_argument("--baseline-sizes", type=_sizes, default=None,
                        help="sizes at which to run the naive baseline too (default "
                        "10000,50000: at 100,000 it needs many GB)")  # fmt: skip
    parser.add_argument(
        "--pg-admin-url",
        default=os.environ.get("OPUS_BENCH_POSTGRES", DEFAULT_PG_ADMIN),
        help="PostgreSQL admin connection used to create and drop the bench "
        f"database (default: $OPUS_BENCH_POSTGRES or {DEFAULT_PG_ADMIN})",
    )
    parser.add_argument("--stage", choices=sorted(STAGES), help=argparse.SUPPRESS)
    parser.add_argument("--start", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--stop", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--out", default="", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    options.databases = [d.strip() for d in options.databases.split(",") if d.strip()]
    unknown = sorted(set(options.databases) - set(DATABASES))
    if unknown or not options.databases:
        parser.error(f"--databases takes sqlite and/or postgresql, not {unknown or 'nothing'}")
    options.sizes = options.sizes or (QUICK_SIZES if options.quick else SIZES)
    options.baseline_sizes = options.baseline_sizes or (
        QUICK_BASELINE_SIZES if options.quick else BASELINE_SIZES
    )
    if min(options.sizes) < 1:
        parser.error("--sizes must be positive")
    return options


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    if options.stage:
        STAGES[options.stage](options)
        return 0
    outcomes = [o for d in options.databases if (o := run_one(d, options)) is not None]
    report(outcomes)
    return 1 if any(o.error for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
