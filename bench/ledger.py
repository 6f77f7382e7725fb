#!/usr/bin/env python3
"""Benchmark for issue 5, "Personal budgets": ledger throughput and reconciliation time.

What it measures, in a fresh database for each engine (SQLite, PostgreSQL):

* operations per second through the real services (`opus.budgets.services`: row locks,
  guarded balances, entries, running figures, audit event, idempotency key) with 1, 4 and 16
  concurrent clients, each with its own database connection, started and set up before the
  clock starts; the mix is direct payments, deliveries, invoice payments and releases against
  1,000 budgets, each with a commitment. Refused operations (not enough left) count as
  operations: they took the same locks. The clients run twice: as processes, each its own
  Python interpreter, and as threads of one process, as a threaded application server runs
  its requests. On 2 cores, sixteen interpreters switching in and out cost each operation
  about twice the CPU of sixteen threads (the client's and the server's CPU an operation are
  printed, read from /proc), so both are shown. Target: at least 1,000 operations a second on
  PostgreSQL with 16 clients. Baseline: the same operation done the naive way, a single
  INSERT of one row per payment with no lock, check, entry pair or audit (printed as the
  ratio of its rate to ours, so the cost of safety is visible);
* `manage.py ledger_verify` over 10,000,000 entries (5,000,000 balanced transactions across
  10,000 budgets, written straight into the tables, untimed). Target: under 30 s.

It is a benchmark, not a test: a missed target is reported (MISS) and the exit status is 0.

Run from the project root:  .venv/bin/python bench/ledger.py [--quick] [--databases ...]
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing as mp
import os
import platform
import random
import subprocess
import sys
import time
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

OPS_TARGET = 1_000.0
VERIFY_TARGET_S = 30.0
DEFAULT_PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
BUDGETS = 1_000
CLIENTS = (1, 4, 16)


# --- stages, run in child processes ------------------------------------------------------


def stage_setup(budgets: int) -> None:
    """Migrate, then budgets each with an accepted, committed booking (through the services)."""
    django_setup()
    from decimal import Decimal

    from django.core.management import call_command
    from django.utils import timezone

    from opus.budgets import services as budgets_services
    from opus.choice import services as choice
    from opus.core.models import OrganisationKind, Role, User
    from opus.directory import services as directory
    from opus.testing import create_member, create_organisation, create_service

    call_command("migrate", verbosity=0)
    council = create_organisation(name="Bench Council", kind=OrganisationKind.LOCAL_AUTHORITY)
    charity = create_organisation(name="Bench Charity", kind=OrganisationKind.CHARITY)
    commissioner = create_member(Role.COMMISSIONER, council, email="cora@bench.test")
    provider = create_member(Role.PROVIDER, charity, email="priya@bench.test")
    service = create_service(name="Bench service", organisation=charity)
    directory.service_set_cost(service=service, amount_pence=12_00, unit="hour", option="", by=None)
    today = timezone.localdate()
    users = User.objects.bulk_create(
        User(email=f"person{n}@bench.test", full_name=f"Person {n}") for n in range(budgets)
    )
    for person in users:
        budgets_services.budget_create(
            person=person,
            title="Bench budget",
            period_start=today,
            period_end=today.replace(year=today.year + 1),
            by=commissioner,
            sources=[("social_care", council, 100_000_00)],
        )
        booking = choice.booking_request(
            person=person,
            service=service,
            by=person,
            units_per_week=Decimal(10),
            start_date=today,
            message="",
            needs=[],
            circumstances=[],
        )
        choice.booking_decide(booking=booking, accept=True, reason="", by=provider)
    _analyse()
    report_json({"budgets": budgets})


def _analyse() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _client(
    run: str, index: int, seconds: float, barrier: Any, results: Any, threaded: bool = False
) -> None:
    """One client: its own connection (and process, unless threaded); random operations
    until time is up."""
    if not threaded:
        django_setup()
    clock = time.thread_time if threaded else time.process_time
    from opus.budgets import services
    from opus.budgets.models import Commitment
    from opus.core.models import User
    from opus.engines.ledger import LedgerError

    commissioner = User.objects.get(email="cora@bench.test")
    provider = User.objects.get(email="priya@bench.test")
    commitments = list(Commitment.objects.select_related("budget", "provider"))
    rng = random.Random(index)
    barrier.wait()
    done = refused = 0
    started, cpu, server = time.perf_counter(), clock(), _backend_cpu()
    while time.perf_counter() - started < seconds:
        commitment = rng.choice(commitments)
        kind = rng.random()
        key = f"{run}-{index}-{done + refused}"  # new in every run: no replays of earlier ones
        try:
            if kind < 0.4:
                services.direct_payment(
                    budget=commitment.budget, amount=rng.randint(1, 100), by=commissioner, key=key
                )
            elif kind < 0.7:
                services.deliver(
                    commitment=commitment, amount=rng.randint(1, 500), by=provider, key=key
                )
            elif kind < 0.9:
                services.pay_invoice(
                    commitment=commitment,
                    amount=rng.randint(1, 200),
                    reference=key,  # an invoice is paid once: each payment its own number
                    by=commissioner,
                    key=key,
                )
            else:
                services.release(
                    commitment=commitment, amount=rng.randint(1, 50), by=commissioner, key=key
                )
            done += 1
        except LedgerError:
            refused += 1
    cpu, server = clock() - cpu, _backend_cpu() - server
    results.put((done, refused, time.perf_counter() - started, cpu, server))
    if threaded:
        from django.db import connection

        connection.close()


def _backend_cpu() -> float:
    """CPU seconds used so far by this connection's PostgreSQL server process (0 elsewhere)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    connection.ensure_connection()
    try:
        with open(f"/proc/{connection.connection.info.backend_pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:  # the server runs on another machine
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stage_throughput(clients: int, seconds: float, mode: str) -> None:
    """Clients as processes (each its own interpreter) or as threads of one process (as a
    threaded application server runs them: one interpreter, a connection each)."""
    django_setup()
    run = f"bench-{mode}-{clients}-{time.time_ns()}"
    workers: list[Any]
    if mode == "threads":
        import queue
        import threading

        barrier, results = threading.Barrier(clients + 1), queue.Queue()
        workers = [
            threading.Thread(target=_client, args=(run, i, seconds, barrier, results, True))
            for i in range(clients)
        ]
    else:
        context = mp.get_context("spawn")
        barrier, results = context.Barrier(clients + 1), context.Queue()
        workers = [
            context.Process(target=_client, args=(run, i, seconds, barrier, results))
            for i in range(clients)
        ]
    for worker in workers:
        worker.start()
    barrier.wait()
    started = time.perf_counter()
    outcomes = [results.get(timeout=seconds + 120) for _ in workers]
    wall = time.perf_counter() - started
    for worker in workers:
        worker.join()
    done = sum(o[0] for o in outcomes)
    refused = sum(o[1] for o in outcomes)
    operations = max(1, done + refused)
    from django.core.management import call_command

    call_command("ledger_verify", verbosity=0)  # raises if the run broke anything
    report_json(
        {
            "clients": clients,
            "done": done,
            "refused": refused,
            "seconds": wall,
            "ops_per_s": (done + refused) / wall,
            "client_cpu_ms": sum(o[3] for o in outcomes) / operations * 1000,
            "server_cpu_ms": sum(o[4] for o in outcomes) / operations * 1000,
        }
    )


def stage_naive(seconds: float) -> None:
    """Baseline: one INSERT per payment, no lock, no balance check, no entries, no audit."""
    django_setup()
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_naive_payment "
            "(id integer PRIMARY KEY, budget varchar(40), amount integer)"
        )
    n, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO bench_naive_payment (id, budget, amount) VALUES (%s, %s, %s)",
                [n + 1, "b", 100],
            )
        n += 1
    report_json({"ops_per_s": n / (time.perf_counter() - started)})


def stage_bulk(entries: int, budgets: int) -> None:
    """Write a large consistent ledger straight into the tables (untimed set-up)."""
    django_setup()
    from ledger_bulk import write_bulk_ledger  # bench/ledger_bulk.py

    started = time.perf_counter()
    write_bulk_ledger(entries=entries, budgets=budgets)
    _analyse()
    report_json({"entries": entries, "seconds": time.perf_counter() - started})


# --- the driver ----------------------------------------------------------------------------


def run_stage(args: list[str], env: dict[str, str], timeout: float = 3600) -> dict[str, Any]:
    completed = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(Path(__file__)), "--stage", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    for line in completed.stdout.splitlines():
        if line.startswith(MARK):
            return dict(json.loads(line[len(MARK) :]))
    raise BenchError(
        f"stage {args[0]} failed:\n{completed.stdout[-2000:]}\n{completed.stderr[-4000:]}"
    )


def timed_command(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    completed = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if completed.returncode != 0:
        raise BenchError(f"{args[0]} failed: {completed.stderr[-2000:]}")
    return time.perf_counter() - started


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def bench_database(name: str, database_env: dict[str, str], options: argparse.Namespace) -> None:
    env = subprocess_env(database_env)
    print(f"\n== {name} ==", flush=True)
    run_stage(["setup", str(options.budgets)], env)
    if options.only in (None, "throughput"):
        bench_throughput(name, env, options)
    if options.only in (None, "verify"):
        bench_verify(env, options)


def bench_throughput(name: str, env: dict[str, str], options: argparse.Namespace) -> None:
    naive = run_stage(["naive", str(options.seconds)], env)["ops_per_s"]
    for mode, clients in itertools.product(("processes", "threads"), CLIENTS):
        r = run_stage(["throughput", str(clients), str(options.seconds), mode], env)
        line = (
            f"{clients:>2} clients as {mode:<9}: {r['ops_per_s']:6.0f} operations/s "
            f"({r['done']:,} done, {r['refused']:,} refused in {r['seconds']:.1f} s); "
            f"naive single-INSERT baseline {naive:,.0f}/s, ratio {naive / r['ops_per_s']:.1f}×; "
            f"CPU an operation: client {r['client_cpu_ms']:.2f} ms"
        )
        if r["server_cpu_ms"]:
            line += f", server {r['server_cpu_ms']:.2f} ms"
        if clients == 16 and name == "postgresql":
            line += f"  target ≥ {OPS_TARGET:,.0f}/s {verdict(r['ops_per_s'] >= OPS_TARGET)}"
        print(line, flush=True)


def bench_verify(env: dict[str, str], options: argparse.Namespace) -> None:
    bulk = run_stage(["bulk", str(options.entries), "10000"], env)
    print(f"bulk ledger: {bulk['entries']:,} entries written in {bulk['seconds']:.1f} s (untimed)")
    seconds = timed_command(["ledger_verify"], env)
    print(
        f"ledger_verify over {options.entries:,} entries: {seconds:.1f} s  "
        f"target < {VERIFY_TARGET_S:.0f} s {verdict(seconds < VERIFY_TARGET_S)}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stage", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="small sizes, short runs")
    parser.add_argument(
        "--databases", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"]
    )
    parser.add_argument("--only", choices=["throughput", "verify"], help="run one part")
    parser.add_argument("--pg-admin", default=os.environ.get("OPUS_BENCH_PG", DEFAULT_PG_ADMIN))
    options = parser.parse_args()
    if options.stage:
        stage, *rest = options.stage
        stages = {
            "setup": lambda: stage_setup(int(rest[0])),
            "throughput": lambda: stage_throughput(int(rest[0]), float(rest[1]), rest[2]),
            "naive": lambda: stage_naive(float(rest[0])),
            "bulk": lambda: stage_bulk(int(rest[0]), int(rest[1])),
        }
        stages[stage]()
        return
    options.budgets = 100 if options.quick else BUDGETS
    options.seconds = 3.0 if options.quick else 15.0
    options.entries = 200_000 if options.quick else 10_000_000
    print(
        f"bench/ledger.py on {platform.node()} ({os.cpu_count()} cores), Python "
        f"{platform.python_version()}",
        flush=True,
    )
    for name in options.databases:
        if name == "sqlite":
            with fresh_sqlite() as database_env:
                bench_database(name, database_env, options)
        else:
            print(f"PostgreSQL {postgresql_version(options.pg_admin)}")
            with fresh_postgresql(options.pg_admin, "ledger") as database_env:
                bench_database(name, database_env, options)


if __name__ == "__main__":
    main()
