#!/usr/bin/env python3
"""Benchmark for issue 13, "Performance": ``manage.py import_oruk`` of 100,000 services.

What it measures, in a fresh database for each engine (SQLite, PostgreSQL), migrated before
the clock starts:

* a synthetic feed of SERVICES services (by default 100,000) written as page files of 5,000
  services each (the ORUK 3.0 Page shape, ``{"contents": [...]}``), nine in ten in the ORUK 3.0
  shape (a nested organisation shared by ten services, a location, languages, a cost option, a
  schedule, a contact, a service area, needs terms and an LGA term) and one in ten in the ORUK
  1.0 / Placecube shape (``pc_metadata``, ``service_taxonomys``, HTML descriptions, web
  addresses without a scheme: warnings);
* the import through ``opus.directory.importers.import_feed`` in a child process, for the
  full size, a tenth of it and 1,000 (each in a fresh database): services a second (wall clock,
  from reading the first file to the commit, with the derived tables' refresh), the importer's
  own CPU time, and the child's peak memory (``resource.getrusage`` maxrss), in all and above
  what it held once Django was set up. Flat memory: the full size's peak within 1.3 times a
  tenth's;
* a second import of the same feed (nothing changes: every record compared and passed over).

Target: at least 5,000 services a second with flat memory. The ratio to the target, to the
importer before it was streamed (347 services a second wall for 100,000 on SQLite, 1.75 GB
peak) and to the importer before the split (a CPU-second, below) is printed.

Before the split (``opus/directory/importer.py`` as one module, every file's JSON held until
the end, commit 2a41824), ``--quick`` (10,000 services) on this machine's 2 cores while other
work kept the load average near 9, so wall-clock figures are a fraction of what an idle
machine gives and the importer's own CPU time a second is the figure to compare:
    SQLite:      576 services a CPU-second (66/s wall at that load; 581/s at a lighter one),
                 a re-import of the same feed 186/s wall; peak memory 232 MB above Django's
                 for 10,000 services, 29 MB for 1,000
    PostgreSQL:  736 services a CPU-second (225/s wall); 227 MB for 10,000, 24 MB for 1,000
Before streaming (split, every file held, each record's rows built as model objects, commit
6e2a3cb): 347 services a second for 100,000 on SQLite, 1.75 GB peak.

Where the time went (pyinstrument, 20,000 services on SQLite at a load average near 10):
before streaming, parsing 31% (records 26%, json and the depth walk 5%), writing 59% (the
derived tables' refresh 23%, lists 12%, services 7%, provenance 6%, terms 4%), needs 6%;
after, the derived refresh 35% (search_index.refresh builds every Service with its terms and
organisation, and holds the changed ones for one bulk_update: also what memory grows with),
parsing 35%, writing 27%. Without the derived refresh the import runs at about 800 services a
CPU-second and its peak memory is 210 MB for 5,000 services, 225 MB for 20,000.

It is a benchmark, not a test: a missed target is reported (MISS) and the exit status is 0.

Run from the project root:  .venv/bin/python bench/import_oruk.py [--quick] [--databases ...]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import uuid
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

TARGET = 5_000.0  # services a second
SERVICES = 100_000
PAGE = 5_000
DEFAULT_PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
# The importer before the split, services a CPU-second of its own process (see the docstring).
BEFORE: dict[str, float] = {"sqlite": 576.0, "postgresql": 736.0}
BEFORE_STREAMING = 347.0  # services a second, wall, for 100,000 on SQLite (see the docstring)
FLAT = 1.3  # the full size's peak memory at most this times a tenth's

NS = uuid.UUID("3b0f5a52-4d0e-4b7e-9d43-6a1c2b7e9f10")
NEEDS = ["social-activity", "personal-care", "carers-support", "mental-wellbeing", "advice"]
DAYS = ["MO", "TU", "WE", "TH", "FR"]


def _id(kind: str, n: int) -> str:
    return str(uuid.uuid5(NS, f"{kind}:{n}"))


def service_oruk3(n: int, needs: list[str]) -> dict[str, Any]:
    org = n // 10
    need = needs[n % len(needs)]
    return {
        "id": _id("service", n),
        "name": f"Bench service {n}",
        "description": f"Service number {n}: weekly sessions for people in the area.",
        "url": f"https://service{n}.example.org/",
        "email": f"hello{n}@example.org",
        "status": "active",
        "fees_description": "Small charge per session.",
        "minimum_age": 18,
        "maximum_age": 99,
        "assured_date": "2026-01-15",
        "last_modified": "2026-02-01T09:30:00Z",
        "organization": {
            "id": _id("org", org),
            "name": f"Bench organisation {org}",
            "description": "A local charity.",
            "website": f"https://org{org}.example.org",
            "organization_identifiers": [],
        },
        "service_at_locations": [
            {
                "id": _id("sal", n),
                "location": {
                    "id": _id("location", n),
                    "location_type": "physical",
                    "name": f"Hall {n}",
                    "latitude": 51.0 + (n % 1000) / 1000,
                    "longitude": -2.0 + (n % 997) / 1000,
                    "addresses": [
                        {
                            "address_1": f"{n} High Street",
                            "city": "Fakeborough",
                            "postal_code": "ZA1 1AA",
                            "address_type": "physical",
                        }
                    ],
                    "accessibility": [{"description": "Wheelchair access. Induction loop."}],
                },
            }
        ],
        "languages": [{"id": _id("language", n), "code": "en", "name": "English"}],
        "cost_options": [
            {
                "id": _id("cost", n),
                "option": "Each session",
                "amount": 3.5 + n % 7,
                "amount_description": "per session",
            }
        ],
        "schedules": [
            {
                "id": _id("schedule", n),
                "freq": "WEEKLY",
                "byday": DAYS[n % 5],
                "opens_at": "10:00",
                "closes_at": "12:00",
            }
        ],
        "contacts": [{"id": _id("contact", n), "name": "Front desk", "phone": "01632 960000"}],
        "service_areas": [{"id": _id("area", n), "name": "Fakeborough"}],
        "attributes": [
            {"taxonomy_term": {"id": need, "taxonomy": "Opus local needs"}},
            {
                "taxonomy_term": {
                    "id": _id("lga", n % 50),
                    "code": f"lga-{n % 50}",
                    "name": f"LGA service type {n % 50}",
                    "taxonomy": "esdServiceTypes",
                }
            },
        ],
    }


def service_oruk1(n: int, need_names: list[tuple[str, str]]) -> dict[str, Any]:
    org = n // 10
    term, name = need_names[n % len(need_names)]
    return {
        "id": _id("service", n),
        "name": f"Bench Placecube service {n}",
        "description": f"<p>Service {n}: a volunteer visits <strong>at home</strong>.</p>",
        "url": f"www.pc{n}.example.org",
        "email": f"visits{n}@example.org",
        "status": "active",
        "fees": "Free",
        "deliverable_type": "Befriending",
        "attending_type": "Home visit",
        "assured_date": "2026-06-01",
        "pc_metadata": {"last_modified_date": "2026-09-14T10:22:00Z", "visible": True},
        "pc_targetAudience": [{"id": "ta-older", "name": "Older people"}],
        "organization": {"id": _id("org", org), "name": f"Bench organisation {org}"},
        "service_taxonomys": [
            {
                "id": f"st{n}",
                "taxonomy": {"id": term, "name": name, "vocabulary": "Opus local needs"},
            }
        ],
        "service_areas": [{"id": f"sa{n}", "service_area": "Fakeborough"}],
        "regular_schedules": [],
        "contacts": [
            {"id": f"c{n}", "name": "Visits team", "phones": [{"number": "01632 960001"}]}
        ],
    }


def write_feed(folder: Path, services: int) -> None:
    """Page files of PAGE services; one service in ten in the ORUK 1.0 shape."""
    from opus.directory.taxonomy import TERMS, term_id

    codes = [c for c in NEEDS if c in TERMS] or list(TERMS)[:5]
    needs = [str(term_id(c)) for c in codes]
    need_names = [(str(term_id(c)), TERMS[c][0]) for c in codes]
    for page, start in enumerate(range(0, services, PAGE), start=1):
        contents = [
            service_oruk1(n, need_names) if n % 10 == 9 else service_oruk3(n, needs)
            for n in range(start, min(start + PAGE, services))
        ]
        body = {"total_items": services, "page_number": page, "contents": contents}
        (folder / f"page_{page:04d}.json").write_text(json.dumps(body), encoding="utf-8")


# --- stages, run in child processes ------------------------------------------------------


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def stage_setup() -> None:
    django_setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    report_json({"ok": True})


def stage_generate(folder: str, services: int) -> None:
    django_setup()
    write_feed(Path(folder), services)
    report_json({"ok": True})


def stage_import(folder: str) -> None:
    django_setup()
    try:
        from opus.directory.importers import import_feed
    except ImportError:  # the importer before the split
        from opus.directory.importer import import_feed  # type: ignore[no-redef]
    from django.db import connection

    connection.ensure_connection()
    before = _rss_mb()
    started, cpu = time.perf_counter(), time.process_time()
    outcome = import_feed(folder, partial=False, source="bench")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    report_json(
        {
            "seconds": seconds,
            "cpu_seconds": cpu,
            "written": outcome.written,
            "created": outcome.counts.created,
            "unchanged": outcome.counts.unchanged,
            "rejected": len(outcome.rejections),
            "warnings": len(outcome.warnings),
            "total": outcome.total,
            "peak_mb": _rss_mb() - before,
            "base_mb": before,
            "total_mb": _rss_mb(),
        }
    )


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


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def import_once(fresh: Any, feed: Path, again: bool = False) -> list[dict[str, Any]]:
    """The feed imported into a fresh, migrated database (then again, when asked)."""
    with fresh() as database_env:
        env = subprocess_env(database_env)
        run_stage(["setup"], env)
        first = run_stage(["import", str(feed)], env)
        if not first["written"] or first["created"] != first["total"]:
            raise BenchError(f"the import did not create every service: {first}")
        return [first, run_stage(["import", str(feed)], env)] if again else [first]


def bench_database(name: str, fresh: Any, feeds: dict[int, Path], services: int) -> None:
    """Each size imported in a fresh database, smallest first; the full size twice."""
    print(f"\n== {name} ==", flush=True)
    found: dict[int, dict[str, Any]] = {}
    for size in sorted(feeds):
        runs = import_once(fresh, feeds[size], again=size == services)
        found[size] = first = runs[0]
        rate = first["total"] / first["seconds"]
        cpu_rate = first["total"] / first["cpu_seconds"]
        before = BEFORE.get(name)
        against = f"; {cpu_rate / before:.1f}× the importer before the split" if before else ""
        print(
            f"{first['total']:>7,} services: {first['seconds']:.1f} s, {rate:,.0f} services/s, "
            f"{rate / TARGET:.2f}× the target of {TARGET:,.0f}/s {verdict(rate >= TARGET)}, "
            f"{rate / BEFORE_STREAMING:.1f}× the {BEFORE_STREAMING:.0f}/s before streaming; CPU "
            f"{first['cpu_seconds']:.1f} s, {cpu_rate:,.0f} services a CPU-second{against}; "
            f"peak memory {first['total_mb']:,.0f} MB ({first['peak_mb']:,.0f} MB above "
            f"Django's); {first['warnings']:,} warnings (load average "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)",
            flush=True,
        )
        if len(runs) > 1:
            again = runs[1]
            print(
                f"the same {again['total']:,} again (nothing changes): {again['seconds']:.1f} s, "
                f"{again['total'] / again['seconds']:,.0f} services/s; CPU "
                f"{again['cpu_seconds']:.1f} s",
                flush=True,
            )
    tenth = max(services // 10, 1_000)
    if tenth != services:
        ratio = found[services]["total_mb"] / found[tenth]["total_mb"]
        print(
            f"peak memory: {found[services]['total_mb']:,.0f} MB for {services:,} services, "
            f"{found[tenth]['total_mb']:,.0f} MB for {tenth:,}: {ratio:.2f}× (at most "
            f"{FLAT}×) {verdict(ratio <= FLAT)}",
            flush=True,
        )


def postgresql_factory(admin: str) -> Any:
    return lambda: fresh_postgresql(admin, "import_oruk")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stage", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="10,000 services, not 100,000")
    parser.add_argument("--services", type=int, help="how many services (default 100,000)")
    parser.add_argument(
        "--databases", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"]
    )
    parser.add_argument("--pg-admin", default=os.environ.get("OPUS_BENCH_PG", DEFAULT_PG_ADMIN))
    options = parser.parse_args()
    if options.stage:
        stage, *rest = options.stage
        stages = {
            "setup": stage_setup,
            "generate": lambda: stage_generate(rest[0], int(rest[1])),
            "import": lambda: stage_import(rest[0]),
        }
        stages[stage]()
        return
    services = options.services or (10_000 if options.quick else SERVICES)
    if not 1_000 <= services <= 1_000_000:
        parser.error("--services must be from 1,000 to 1,000,000")
    print(
        f"bench/import_oruk.py on {platform.node()} ({os.cpu_count()} cores), Python "
        f"{platform.python_version()}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="opus-bench-oruk-") as folder:
        feeds: dict[int, Path] = {}
        for size in sorted({services, max(services // 10, 1_000), 1_000}):
            feeds[size] = Path(folder) / f"feed_{size}"
            feeds[size].mkdir()
            with fresh_sqlite() as database_env:
                run_stage(["generate", str(feeds[size]), str(size)], subprocess_env(database_env))
        megabytes = sum(p.stat().st_size for p in feeds[services].iterdir()) / 1e6
        print(f"feed: {services:,} services in {megabytes:,.0f} MB of JSON", flush=True)
        for name in options.databases:
            if name == "sqlite":
                bench_database(name, fresh_sqlite, feeds, services)
            else:
                print(f"PostgreSQL {postgresql_version(options.pg_admin)}")
                bench_database(name, postgresql_factory(options.pg_admin), feeds, services)


if __name__ == "__main__":
    main()
