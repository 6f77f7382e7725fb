#!/usr/bin/env python3
"""Benchmark for issue 15, item 3 ("public performance, fairly shown"), and its working days.

What it measures, in a fresh database (SQLite, and PostgreSQL when reachable):

* `opus.voice.performance.figures()`, everything the public funnel page and the JSON API show,
  for 5,000 providers (and a council), 1,000,000 complaints and 5,000,000 ratings: the best of
  three runs after one warm-up. Target: under 2 s on each database.
* the baseline a developer would write without it: for each provider, read its complaints'
  first stages, count them in Python, count each one's working days with the scalar
  `working_days_between`, work out its Wilson limits and read its ratings. It is timed on a
  sample of providers and extrapolated to all of them; the ratio is baseline ÷ figures().
* `add_working_days_array` on 1,000,000 dates (bench/working_days.py's cases): calls a
  second, target at least 1,000,000, and its ratio to the scalar loop.

The data (synthetic) goes straight into the tables with one SQL statement per table
(generate_series on PostgreSQL, a recursive CTE on SQLite), untimed: providers of every
kind with one service each, complaints with receipt days over two years, first stages due
14 days later and answered 0 to 29 days after receipt (one in ten not yet), their lateness
varying by provider so the funnel has points outside it; 5,000,000 published ratings go
into voice_feedback and the services' sums are rebuilt by its one owner
(`opus.voice.feedback.refresh_rating`).

It is a benchmark, not a test: a missed target is reported (MISS) and the exit status is
still 0; only an error (a failed stage) exits non-zero.

Run from the project root:  .venv/bin/python bench/voice.py [--quick] [--databases ...]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
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

MANAGE = ROOT / "manage.py"
TARGET_SECONDS = 2.0
VECTOR_TARGET = 1_000_000.0
FULL = {"providers": 5_000, "complaints": 1_000_000, "ratings": 5_000_000, "sample": 100}
QUICK = {"providers": 500, "complaints": 50_000, "ratings": 200_000, "sample": 50}
DEFAULT_PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASES = ("sqlite", "postgresql")
STORY = "Synthetic rating for the benchmark"
SUMMARY = "Synthetic complaint for the benchmark"


# --- subprocesses (the driver: no Django in this process) ---------------------------------


def run(command: list[str], env: dict[str, str], what: str) -> str:
    completed = subprocess.run(  # noqa: S603 — our own interpreter and scripts
        command, cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        output = (completed.stdout + completed.stderr).strip()[-4000:]
        raise BenchError(f"{what} exited {completed.returncode}:\n{output}")
    return completed.stdout


def stage(name: str, env: dict[str, str], sizes: dict[str, int]) -> dict[str, Any]:
    """Run one stage of this script in a child process with Django; its JSON report."""
    args = [sys.executable, str(Path(__file__).resolve()), "--stage", name,
            "--sizes", json.dumps(sizes)]  # fmt: skip
    out = run(args, env, f"stage {name}")
    for line in out.splitlines():
        if line.startswith(MARK):
            return dict(json.loads(line[len(MARK) :]))
    raise BenchError(f"stage {name} printed no report:\n{out[-3000:]}")


# --- stage: seed ------------------------------------------------------------------------------


def _organisations(count: int) -> None:
    from opus.core.models import Organisation, OrganisationKind
    from opus.directory.models import Service

    kinds = [OrganisationKind.CHARITY, OrganisationKind.COMMUNITY_GROUP,
             OrganisationKind.SOCIAL_ENTERPRISE, OrganisationKind.MUTUAL, OrganisationKind.SME,
             OrganisationKind.LARGE_FIRM]  # fmt: skip
    providers = Organisation.objects.bulk_create(
        Organisation(name=f"Bench provider {n:05d} (synthetic)", slug=f"bench-provider-{n}",
                     kind=kinds[n % len(kinds)])
        for n in range(count)
    )  # fmt: skip
    Organisation.objects.create(name="Bench council (synthetic)", slug="bench-council",
                                kind=OrganisationKind.LOCAL_AUTHORITY)  # fmt: skip
    Service.objects.bulk_create(
        Service(organisation=org, name=f"Bench service {n:05d}", description="Synthetic")
        for n, org in enumerate(providers)
    )


# Each statement's %(name)s are filled from a dict of plain numbers; values go as parameters.
SQLITE_SEED = [
    "CREATE TEMP TABLE bench_bodies AS SELECT row_number() OVER (ORDER BY id) - 1 AS k, id "
    "FROM core_organisation WHERE slug LIKE 'bench-provider-%%'",
    "CREATE TEMP TABLE bench_services AS SELECT row_number() OVER (ORDER BY id) - 1 AS k, id "
    "FROM directory_service",
    # Product of two uniforms: many small providers and a few large ones, as in life.
    """WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < %(complaints)s - 1)
    INSERT INTO voice_complaint (complainant_id, made_by_id, body_id, regime, nation, summary,
        wanted, events_on, received_on, status, stage, created_at)
    SELECT %(user)s, %(user)s, b.id, 'lgsco',
        CASE WHEN x.i %% 10 = 0 THEN 'scotland' ELSE 'england-and-wales' END, %(summary)s, '',
        x.d, x.d, 'answered', 1, %(now)s
    FROM (SELECT i, date('2025-01-01', '+' || (abs(random()) %% 700) || ' days') AS d,
                 (abs(random()) %% %(providers)s) * (abs(random()) %% 1000) / 1000 AS k FROM n) x
    JOIN bench_bodies b ON b.k = x.k""",
    """INSERT INTO voice_complaintstage (complaint_id, number, received_on, acknowledge_due,
        acknowledged_on, answer_due, extension_days, paused_days, answered_on, outcome,
        response, remedy, learning)
    SELECT id, 1, received_on, date(received_on, '+5 days'), date(received_on, '+3 days'),
        date(received_on, '+14 days'), 0, 0,
        CASE WHEN abs(random()) %% 10 = 0 THEN NULL
             ELSE date(received_on, '+' || (abs(random()) %% (16 + body_id %% 14)) || ' days')
        END, '', '', '', ''
    FROM voice_complaint""",
    """WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < %(ratings)s - 1)
    INSERT INTO voice_feedback (id, service_id, author_id, story, published_story, overall,
        kindness, reliability, recommend, status, moderation_note, restriction,
        restriction_reason, reply, badge, badge_explanation, badge_confirmed, created_at)
    SELECT lower(hex(randomblob(16))), s.id, %(user)s, %(story)s, %(story)s,
        1 + abs(random()) %% 5, 4, 4, 4, 'published', '', '', '', '', '', '', 0, %(now)s
    FROM n JOIN bench_services s ON s.k = n.i %% %(providers)s""",
]
POSTGRESQL_SEED = [
    "CREATE TEMP TABLE bench_bodies AS SELECT row_number() OVER (ORDER BY id) - 1 AS k, id "
    "FROM core_organisation WHERE slug LIKE 'bench-provider-%%'",
    "CREATE TEMP TABLE bench_services AS SELECT row_number() OVER (ORDER BY id) - 1 AS k, id "
    "FROM directory_service",
    """INSERT INTO voice_complaint (complainant_id, made_by_id, body_id, regime, nation, summary,
        wanted, events_on, received_on, status, stage, created_at)
    SELECT %(user)s, %(user)s, b.id, 'lgsco',
        CASE WHEN x.i %% 10 = 0 THEN 'scotland' ELSE 'england-and-wales' END, %(summary)s, '',
        x.d, x.d, 'answered', 1, %(now)s
    FROM (SELECT i, DATE '2025-01-01' + floor(random() * 700)::int AS d,
                 floor(floor(random() * %(providers)s) * random())::int AS k
          FROM generate_series(0, %(complaints)s - 1) AS i) x
    JOIN bench_bodies b ON b.k = x.k""",
    """INSERT INTO voice_complaintstage (complaint_id, number, received_on, acknowledge_due,
        acknowledged_on, answer_due, extension_days, paused_days, answered_on, outcome,
        response, remedy, learning)
    SELECT id, 1, received_on, received_on + 5, received_on + 3, received_on + 14, 0, 0,
        CASE WHEN random() < 0.1 THEN NULL
             ELSE received_on + floor(random() * (16 + body_id %% 14))::int END, '', '', '', ''
    FROM voice_complaint""",
    """INSERT INTO voice_feedback (id, service_id, author_id, story, published_story, overall,
        kindness, reliability, recommend, status, moderation_note, restriction,
        restriction_reason, reply, badge, badge_explanation, badge_confirmed, created_at)
    SELECT gen_random_uuid(), s.id, %(user)s, %(story)s, %(story)s,
        1 + floor(random() * 5)::int, 4, 4, 4, 'published', '', '', '', '', '', '', false,
        %(now)s
    FROM generate_series(0, %(ratings)s - 1) AS i JOIN bench_services s
        ON s.k = i %% %(providers)s""",
]


def stage_seed(sizes: dict[str, int]) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from opus.core.models import User
    from opus.directory.models import Service
    from opus.voice.feedback import refresh_rating

    started = time.perf_counter()
    user = User.objects.create(email="bench@example.test", full_name="Bench (synthetic)")
    _organisations(sizes["providers"])
    values = {**sizes, "user": user.pk, "now": timezone.now(), "story": STORY, "summary": SUMMARY}
    statements = POSTGRESQL_SEED if connection.vendor == "postgresql" else SQLITE_SEED
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql, values)
    refresh_rating(Service.objects.values_list("pk", flat=True))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    from opus.voice.models import Complaint, Feedback

    report_json({"seconds": time.perf_counter() - started, "complaints": Complaint.objects.count(),
                 "ratings": Feedback.objects.count()})  # fmt: skip


# --- stage: measure ---------------------------------------------------------------------------


def _best(run: Any, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def naive_provider(organisation_id: int, as_of: Any) -> dict[str, Any]:
    """One provider's figures the obvious way: its rows into Python, counted one by one."""
    import statistics as pystats

    from django.db.models import Sum

    from opus.engines.statistics import wilson_ci
    from opus.engines.working_days import working_days_between
    from opus.voice.models import ComplaintStage, ServiceRating

    stages = ComplaintStage.objects.filter(number=1, complaint__body_id=organisation_id).exclude(
        complaint__status="forwarded"
    )
    decided = on_time = 0
    waits = []
    for s in stages.select_related("complaint"):
        due = s.answer_due or s.tell_why_due
        if s.answered_on is not None:
            decided += 1
            on_time += due is None or s.answered_on <= due
            waits.append(working_days_between(s.received_on, s.answered_on, s.complaint.nation))
        elif due is not None and due < as_of:
            decided += 1
    limits = wilson_ci(on_time, decided) if decided else None
    ratings = ServiceRating.objects.filter(service__organisation_id=organisation_id).aggregate(
        total=Sum("rating_sum"), count=Sum("rating_count")
    )
    median = pystats.median(waits) if waits else None
    return {"decided": decided, "on_time": on_time, "limits": limits, "median": median,
            "ratings": ratings}  # fmt: skip


def stage_measure(sizes: dict[str, int]) -> None:
    from django.db import connection
    from django.utils import timezone

    from opus.voice import performance

    as_of = timezone.localdate()
    found = performance.figures(as_of)  # warm-up (and the holiday calendars built)
    seconds = _best(lambda: performance.figures(as_of), 3)
    by_id = {r.organisation_id: r for r in found.rows}
    sample = [r.organisation_id for r in found.rows if r.decided][: sizes["sample"]]
    started = time.perf_counter()
    for organisation_id in sample:
        naive = naive_provider(organisation_id, as_of)
        if naive["on_time"] != by_id[organisation_id].on_time:
            raise BenchError(f"the naive loop and figures() disagree on {organisation_id}")
    per_provider = (time.perf_counter() - started) / max(len(sample), 1)
    report_json({
        "vendor": connection.vendor, "seconds": seconds, "organisations": len(found.rows),
        "plotted": len(found.plotted), "outside": len(found.outside),
        "decided": found.decided, "target": found.target, "sample": len(sample),
        "naive_per_provider": per_provider,
        "naive_extrapolated": per_provider * len(found.rows),
    })  # fmt: skip


STAGES = {"seed": stage_seed, "measure": stage_measure}


# --- the driver -------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def bench_database(database: str, options: Any) -> dict[str, Any] | None:
    if database == "postgresql":
        try:
            server = f"PostgreSQL {postgresql_version(options.pg_admin_url)}"
        except Exception as exc:  # noqa: BLE001 — any failure to connect means skip
            print(f"[postgresql] skipped: {options.pg_admin_url} is unreachable ({exc})")
            return None
        fresh = fresh_postgresql(options.pg_admin_url, "voice")
    else:
        server, fresh = f"SQLite {sqlite3.sqlite_version}", fresh_sqlite()
    with fresh as database_env:
        env = subprocess_env(database_env)
        run([sys.executable, str(MANAGE), "migrate", "--no-input", "--verbosity", "0"], env,
            "migrate")  # fmt: skip
        seeded = stage("seed", env, options.sizes)
        print(f"[{database}] {server}: seeded {seeded['complaints']:,} complaints and "
              f"{seeded['ratings']:,} ratings in {seeded['seconds']:.0f} s (untimed)",
              flush=True)  # fmt: skip
        measured = stage("measure", env, options.sizes)
    measured["server"] = server
    return measured


def working_days_figures(quick: bool) -> tuple[float, float]:
    """(vectorised calls/s on 1,000,000 dates, scalar loop calls/s), from bench/working_days.py."""
    import working_days as wd_bench  # bench/working_days.py, beside this file

    from opus.engines import working_days as wd

    size = 100_000 if quick else wd_bench.DATES
    starts, days = wd_bench.cases(size)
    wd.add_working_days_array(starts[:10], days[:10])  # builds the calendar once
    vector = size / wd_bench.best_seconds(lambda: wd.add_working_days_array(starts, days), 3)
    few = list(zip(starts[:20_000].tolist(), days[:20_000].tolist(), strict=True))
    scalar = len(few) / wd_bench.best_seconds(
        lambda: [wd.add_working_days(s, int(n)) for s, n in few], 1
    )
    return vector, scalar


def report(results: list[dict[str, Any]], sizes: dict[str, int]) -> None:
    print()
    print(f"figures() for {sizes['providers']:,} providers, {sizes['complaints']:,} complaints, "
          f"{sizes['ratings']:,} ratings (best of 3):")  # fmt: skip
    for r in results:
        ratio = r["naive_extrapolated"] / r["seconds"]
        print(
            f"  {r['server']:<22} {r['seconds']:6.2f} s  target < {TARGET_SECONDS:.0f} s "
            f"{verdict(r['seconds'] < TARGET_SECONDS)}; per-provider loop "
            f"{r['naive_per_provider'] * 1000:.1f} ms × {r['organisations']:,} = "
            f"{r['naive_extrapolated']:.0f} s (sampled on {r['sample']}); ratio {ratio:,.0f}×; "
            f"{r['plotted']:,} plotted, {r['outside']:,} outside the 95% limits, "
            f"area rate {r['target']:.3f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="500 providers, 50,000 complaints")
    parser.add_argument("--databases", default=",".join(DATABASES), help="sqlite,postgresql")
    parser.add_argument("--pg-admin-url", default=DEFAULT_PG_ADMIN)
    parser.add_argument("--stage", choices=sorted(STAGES), help=argparse.SUPPRESS)
    parser.add_argument("--sizes", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.stage:
        django_setup()
        STAGES[options.stage](json.loads(options.sizes))
        return
    options.sizes = QUICK if options.quick else FULL
    print(f"bench/voice.py on {platform.node()} ({os.cpu_count()} cores), Python "
          f"{platform.python_version()}", flush=True)  # fmt: skip
    results = []
    for database in options.databases.split(","):
        if database not in DATABASES:
            raise SystemExit(f"unknown database {database!r}: choose from {', '.join(DATABASES)}")
        found = bench_database(database, options)
        if found:
            results.append(found)
    report(results, options.sizes)
    sys.path.insert(0, str(ROOT))
    vector, scalar = working_days_figures(options.quick)
    print(f"add_working_days_array: {vector:,.0f} calls/s  target ≥ {VECTOR_TARGET:,.0f}/s "
          f"{verdict(vector >= VECTOR_TARGET)}; ratio {vector / scalar:,.0f}× the scalar loop "
          f"({scalar:,.0f} calls/s)")  # fmt: skip


if __name__ == "__main__":
    main()
