#!/usr/bin/env python3
"""Benchmark for issue "Foundation": a synthetic England, seeded and served.

What it measures, on SQLite and on PostgreSQL, each in a fresh database:

* the wall-clock time of `manage.py seed_demo --scale national --seed 1` (33,755 LSOAs,
  300 local authorities and their wards, bulk inserted); target: under 60 s;
* the latency of the area list page (`/areas/`) and of the areas API (`/api/v1/areas`)
  served by a real `manage.py runserver` process with DEBUG off, for a realistic mix of
  URLs across the whole national range; target: p95 under 100 ms on this 2-core machine.

Why: these are the first pages and the first API a newcomer, a resident or a data user
touches, and they must stay fast when the database holds the whole of England rather than
the demo county. Requests are sent one at a time, each on a new loopback connection, so the
figures are per-request latency (server, database and template time), not throughput.
Every manage.py command runs with DEBUG=false and OPUS_ENV unset, as a plain install would.

It is a benchmark, not a test: a missed target is reported (MISS) and the exit status is
still 0; only an error (a failed command, a bad response) exits non-zero.

Run from the project root:  .venv/bin/python bench/seed_national.py [--quick]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import math
import os
import platform
import random
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlparse

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
MANAGE = ROOT / "manage.py"
SEED_TARGET_S = 60.0
LATENCY_TARGET_MS = 100.0
PAGE_SIZE = 50  # opus.core.views.PAGE_SIZE
API_PER_PAGE = 100  # the API's default per_page
DEFAULT_PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASES = ("sqlite", "postgresql")
WARMUP = 20
QUICK_REQUESTS = 50
HOST = "127.0.0.1"
# Variables that would point the subprocesses at another database or another mode.
SCRUBBED_ENV = ("OPUS_ENV", "DATABASE_URL", "SQLITE_PATH", "DEBUG", "ALLOWED_HOSTS")
ROW_RE = re.compile(rb'<tr class="govuk-table__row"><td class="govuk-table__cell"><a ')

Check = Callable[[bytes], None]


class BenchError(Exception):
    """Something went wrong that makes the figures meaningless."""


@dataclass(frozen=True)
class Probe:
    """One request of the mix: its family (list or api), its URL shape, path and check."""

    family: str
    shape: str
    path: str
    check: Check


@dataclass
class World:
    """What the seeded database holds, found through the API before timing starts."""

    lsoa_count: int
    decile1_count: int
    lsoa_codes: list[str]
    ward_codes: list[str]


@dataclass
class Result:
    """The figures for one database."""

    database: str
    server_version: str
    migrate_s: float = 0.0
    seed_s: float = 0.0
    samples: dict[str, list[float]] = field(default_factory=dict)  # shape -> ms
    families: dict[str, list[float]] = field(default_factory=dict)  # family -> ms
    error: str = ""


# --- subprocesses -------------------------------------------------------------------------


def subprocess_env(database_env: dict[str, str]) -> dict[str, str]:
    """The caller's environment without database or mode settings, plus the bench's own."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in SCRUBBED_ENV and key.removesuffix("_FILE") not in SCRUBBED_ENV
    }
    env.update(DEBUG="false", ALLOWED_HOSTS=HOST, PYTHONUNBUFFERED="1", **database_env)
    return env


def manage(args: list[str], env: dict[str, str]) -> float:
    """Run `manage.py ARGS` to completion; the wall-clock seconds it took."""
    started = time.perf_counter()
    completed = subprocess.run(  # noqa: S603 — our own interpreter and manage.py
        [sys.executable, str(MANAGE), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        output = (completed.stdout + completed.stderr).strip()[-3000:]
        raise BenchError(f"manage.py {' '.join(args)} exited {completed.returncode}:\n{output}")
    return elapsed


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def tail(path: Path, chars: int = 3000) -> str:
    return path.read_text(encoding="utf-8", errors="replace")[-chars:]


def healthy(port: int) -> bool:
    conn = http.client.HTTPConnection(HOST, port, timeout=2)
    try:
        conn.request("GET", "/healthz")
        response = conn.getresponse()
        return response.status == 200 and json.loads(response.read()).get("status") == "ok"
    except (OSError, http.client.HTTPException, ValueError):
        return False
    finally:
        conn.close()


def wait_until_healthy(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"runserver exited {process.returncode}:\n{tail(log)}")
        if healthy(port):
            return
        time.sleep(0.2)
    raise BenchError(f"runserver did not answer /healthz within 60 s:\n{tail(log)}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@contextlib.contextmanager
def running_server(env: dict[str, str], log: Path) -> Iterator[int]:
    """`manage.py runserver --noreload` on a free loopback port; yields the port."""
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 — our own interpreter and manage.py
            [sys.executable, str(MANAGE), "runserver", "--noreload", f"{HOST}:{port}"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_healthy(process, port, log)
            yield port
        finally:
            stop(process)


# --- databases ----------------------------------------------------------------------------


@contextlib.contextmanager
def fresh_sqlite() -> Iterator[dict[str, str]]:
    """A new SQLite file in a temporary folder, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="opus-bench-") as folder:
        yield {"SQLITE_PATH": str(Path(folder) / "opus.sqlite3")}


def admin_connection(admin_url: str) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(admin_url, autocommit=True, connect_timeout=5)


def postgresql_version(admin_url: str) -> str:
    """The server's version and autovacuum setting; psycopg.OperationalError if unreachable.

    Autovacuum matters here: without it nothing ANALYZEs the freshly seeded tables, and the
    planner works from empty statistics.
    """
    with admin_connection(admin_url) as conn:
        server = conn.execute("SHOW server_version").fetchone()
        autovacuum = conn.execute("SHOW autovacuum").fetchone()
    return f"{server[0] if server else '?'}, autovacuum {autovacuum[0] if autovacuum else '?'}"


def with_database(url: str, name: str) -> str:
    return urlparse(url)._replace(path=f"/{name}").geturl()


@contextlib.contextmanager
def fresh_postgresql(admin_url: str) -> Iterator[dict[str, str]]:
    """A new database opus_bench_<pid>, dropped afterwards even when the run fails."""
    name = f"opus_bench_{os.getpid()}"
    identifier = sql.Identifier(name)
    with admin_connection(admin_url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(identifier))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(identifier))
    try:
        yield {"DATABASE_URL": with_database(admin_url, name)}
    finally:
        with admin_connection(admin_url) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(identifier))


# --- HTTP ---------------------------------------------------------------------------------


class Client:
    """GET over a new loopback connection per request.

    Not keep-alive on purpose: runserver (wsgiref) writes the headers and the body of a
    response separately, and on a reused connection Nagle's algorithm on the server and
    delayed ACKs on the client add about 40 ms to every response (measured: /healthz takes
    ~44 ms on a reused connection, ~2 ms on a new one). That is an artefact of the pairing,
    not of Opus; a loopback connect costs well under a millisecond and is included.
    """

    def __init__(self, port: int) -> None:
        self.port = port

    def get(self, path: str) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
        try:
            conn.request("GET", path, headers={"Connection": "close"})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def fetch(self, path: str) -> bytes:
        status, body = self.get(path)
        if status != 200:
            raise BenchError(
                f"GET {path} answered {status}:\n{body[:1500].decode(errors='replace')}"
            )
        return body

    def api(self, path: str) -> dict[str, object]:
        data: dict[str, object] = json.loads(self.fetch(path))
        return data


# --- the request mix ----------------------------------------------------------------------


def pages(count: int, size: int) -> int:
    return max(1, math.ceil(count / size))


def api_items(body: bytes, path: str) -> list[dict[str, object]]:
    items = json.loads(body).get("items")
    if not isinstance(items, list) or not items:
        raise BenchError(f"GET {path}: the JSON has no items")
    return items


def check_api(path: str, key: str, expected: object) -> Check:
    def check(body: bytes) -> None:
        wrong = [item for item in api_items(body, path) if item.get(key) != expected]
        if wrong:
            raise BenchError(f"GET {path}: an item has {key}={wrong[0].get(key)!r}")

    return check


def check_rows(path: str, must_contain: str = "") -> Check:
    def check(body: bytes) -> None:
        if not ROW_RE.search(body):
            raise BenchError(f"GET {path}: the page has no area rows")
        if must_contain and must_contain.encode() not in body:
            raise BenchError(f"GET {path}: the page does not show {must_contain}")

    return check


def list_probe(world: World, rng: random.Random) -> Probe:
    """The area list page: mostly paging through LSOAs, sometimes a search by code."""
    if rng.random() < 0.75:
        path = f"/areas/?kind=lsoa&page={rng.randint(1, pages(world.lsoa_count, PAGE_SIZE))}"
        return Probe("list", "/areas/?kind=lsoa&page=N", path, check_rows(path))
    code = rng.choice(world.lsoa_codes)
    path = f"/areas/?q={code}"
    return Probe("list", "/areas/?q=<LSOA code>", path, check_rows(path, code))


def api_probe(world: World, rng: random.Random) -> Probe:
    """The areas API: paging LSOAs, the LSOAs of a ward, and the most deprived decile."""
    roll = rng.random()
    if roll < 0.5:
        page = rng.randint(1, pages(world.lsoa_count, API_PER_PAGE))
        path = f"/api/v1/areas?kind=lsoa&page={page}&per_page={API_PER_PAGE}"
        return Probe("api", "/api/v1/areas?kind=lsoa&page=N", path, check_api(path, "kind", "lsoa"))
    if roll < 0.75:
        ward = rng.choice(world.ward_codes)
        path = f"/api/v1/areas?parent={ward}"
        return Probe(
            "api", "/api/v1/areas?parent=<ward>", path, check_api(path, "parent_code", ward)
        )
    page = rng.randint(1, pages(world.decile1_count, API_PER_PAGE))
    path = f"/api/v1/areas?decile=1&page={page}"
    return Probe("api", "/api/v1/areas?decile=1&page=N", path, check_api(path, "imd_decile", 1))


def count_of(client: Client, query: str) -> int:
    count = client.api(f"/api/v1/areas?{query}&per_page=1").get("count")
    if not isinstance(count, int) or count == 0:
        raise BenchError(f"/api/v1/areas?{query} found no areas: was the world seeded?")
    return count


def sample_codes(client: Client, kind: str, rng: random.Random, samples: int = 4) -> list[str]:
    """Codes of areas of KIND from a few random API pages of 500."""
    total_pages = pages(count_of(client, f"kind={kind}"), 500)
    codes: list[str] = []
    for page in rng.sample(range(1, total_pages + 1), min(samples, total_pages)):
        items = api_items(client.fetch(f"/api/v1/areas?kind={kind}&page={page}&per_page=500"), "")
        codes.extend(str(item["code"]) for item in items)
    return codes


def discover(client: Client, rng: random.Random) -> World:
    """Learn the seeded world's sizes and some real codes (untimed)."""
    return World(
        lsoa_count=count_of(client, "kind=lsoa"),
        decile1_count=count_of(client, "decile=1"),
        lsoa_codes=sample_codes(client, "lsoa", rng),
        ward_codes=sample_codes(client, "ward", rng),
    )


def timed(client: Client, probe: Probe) -> float:
    """Milliseconds for one checked GET."""
    started = time.perf_counter()
    status, body = client.get(probe.path)
    elapsed_ms = (time.perf_counter() - started) * 1000
    if status != 200:
        raise BenchError(
            f"GET {probe.path} answered {status}:\n{body[:1500].decode(errors='replace')}"
        )
    probe.check(body)
    return elapsed_ms


def load(client: Client, world: World, requests: int, rng: random.Random, result: Result) -> None:
    """A warm-up, then REQUESTS timed requests per family, list and API interleaved."""
    for i in range(WARMUP):
        timed(client, (list_probe if i % 2 else api_probe)(world, rng))
    for _ in range(requests):
        for probe in (list_probe(world, rng), api_probe(world, rng)):
            elapsed_ms = timed(client, probe)
            result.samples.setdefault(probe.shape, []).append(elapsed_ms)
            result.families.setdefault(probe.family, []).append(elapsed_ms)


# --- one database -------------------------------------------------------------------------


def say(database: str, message: str) -> None:
    print(f"[{database}] {message}", flush=True)


def bench_database(
    result: Result, database_env: dict[str, str], options: argparse.Namespace
) -> None:
    """Migrate, seed (timed), serve and load one fresh database, filling RESULT."""
    env = subprocess_env(database_env)
    name = result.database
    result.migrate_s = manage(["migrate", "--no-input", "--verbosity", "0"], env)
    say(name, f"migrate: {result.migrate_s:.1f} s (not part of the seeding figure)")
    seed = ["seed_demo", "--scale", "national", "--seed", "1", "--verbosity", "0"]
    result.seed_s = manage(seed, env)
    say(name, f"seed_demo --scale national: {result.seed_s:.1f} s")
    rng = random.Random(options.seed)
    with tempfile.TemporaryDirectory(prefix="opus-bench-log-") as folder:
        log = Path(folder) / "runserver.log"
        with running_server(env, log) as port:
            say(name, f"runserver on {HOST}:{port} (DEBUG off) answers /healthz")
            client = Client(port)
            world = discover(client, rng)
            say(name, f"{world.lsoa_count:,} LSOAs, {world.decile1_count:,} in decile 1")
            load(client, world, options.requests, rng, result)
    say(name, f"{WARMUP} warm-up and {2 * options.requests} timed requests done")


@contextlib.contextmanager
def fresh_database(database: str, admin_url: str) -> Iterator[dict[str, str]]:
    with fresh_sqlite() if database == "sqlite" else fresh_postgresql(admin_url) as env:
        yield env


def run_one(database: str, options: argparse.Namespace) -> Result | None:
    """The figures for DATABASE, or None when PostgreSQL is unreachable (skipped)."""
    server_version = f"SQLite {sqlite3.sqlite_version}"
    if database == "postgresql":
        try:
            server_version = f"PostgreSQL {postgresql_version(options.pg_admin_url)}"
        except psycopg.OperationalError as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            say(database, f"skipped: {options.pg_admin_url} is unreachable ({reason})")
            return None
    result = Result(database, server_version)
    say(database, f"fresh database on {server_version}")
    try:
        with fresh_database(database, options.pg_admin_url) as database_env:
            bench_database(result, database_env, options)
    except (BenchError, OSError, psycopg.Error) as exc:
        result.error = str(exc)
        say(database, f"ERROR: {exc}")
    return result


# --- report -------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (the value at or below which FRACTION of samples lie)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def verdict(value: float, target: float) -> str:
    return "PASS" if value < target else "MISS"


def machine_lines(results: list[Result]) -> list[str]:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    servers = ", ".join(r.server_version for r in results) or f"SQLite {sqlite3.sqlite_version}"
    return [
        f"machine: nproc {len(os.sched_getaffinity(0))} ({cpu}), {platform.platform()}",
        f"software: Python {platform.python_version()}, Django {version('django')}, {servers}",
    ]


def result_rows(result: Result) -> list[tuple[str, ...]]:
    seed_ratio = result.seed_s / SEED_TARGET_S
    rows = [
        (
            "seed national",
            f"{result.seed_s:.1f} s",
            f"{SEED_TARGET_S:.0f} s",
            f"{seed_ratio:.2f}",
            verdict(result.seed_s, SEED_TARGET_S),
        )
    ]
    for family, label in (("list", "list page"), ("api", "API")):
        values = result.families.get(family, [])
        if not values:
            continue
        for stat, fraction in (("p50", 0.5), ("p95", 0.95), ("max", 1.0)):
            ms = percentile(values, fraction)
            judged = verdict(ms, LATENCY_TARGET_MS) if stat == "p95" else ""
            rows.append(
                (
                    f"{label} {stat}",
                    f"{ms:.1f} ms",
                    f"{LATENCY_TARGET_MS:.0f} ms",
                    f"{ms / LATENCY_TARGET_MS:.2f}",
                    judged,
                )
            )
    return rows


def print_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def report(results: list[Result], options: argparse.Namespace) -> None:
    print()
    print('Foundation benchmark (issue "Foundation"): seed_demo --scale national --seed 1')
    for line in machine_lines(results):
        print(line)
    print(
        f"load: {WARMUP} warm-up, then {options.requests} timed GETs per family (list page, API),"
        " one at a time (new connection each)\n      to runserver with DEBUG off;"
        " ratio = figure / target (< 1.00 is within target); verdict on seed time and p95"
    )
    print()
    if not results:
        print("no database was benchmarked")
        return
    header = ("database", "measure", "figure", "target", "ratio", "verdict")
    rows = []
    for result in results:
        for row in result_rows(result):
            rows.append((result.database, *row))
        if result.error:
            rows.append((result.database, "ERROR", "-", "-", "-", "see above"))
    print_table(header, rows)
    shape_rows = [
        (r.database, shape, str(len(v)), *(f"{percentile(v, f):.1f}" for f in (0.5, 0.95, 1.0)))
        for r in results
        for shape, v in sorted(r.samples.items())
    ]
    if shape_rows:
        print()
        print("by URL shape (ms):")
        print_table(("database", "URL", "n", "p50", "p95", "max"), shape_rows)


# --- command line -------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Seed a synthetic England (seed_demo --scale national) into fresh SQLite "
        "and PostgreSQL databases, time it against 60 s, then time the area list page and "
        "/api/v1/areas on a real runserver against a 100 ms p95. Reports; does not fail on a "
        "missed target.",
    )
    parser.add_argument(
        "--databases",
        default=",".join(DATABASES),
        help="comma-separated, from: sqlite, postgresql (default: both)",
    )
    parser.add_argument(
        "--requests", type=int, default=300, help="timed requests per family (default 300)"
    )
    parser.add_argument(
        "--quick", action="store_true", help=f"smoke run: {QUICK_REQUESTS} requests per family"
    )
    parser.add_argument(
        "--pg-admin-url",
        default=os.environ.get("OPUS_BENCH_POSTGRES", DEFAULT_PG_ADMIN),
        help="PostgreSQL admin connection used to create and drop the bench database "
        f"(default: $OPUS_BENCH_POSTGRES or {DEFAULT_PG_ADMIN})",
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the request mix (default 1)")
    options = parser.parse_args(argv)
    options.databases = [d.strip() for d in options.databases.split(",") if d.strip()]
    unknown = sorted(set(options.databases) - set(DATABASES))
    if unknown or not options.databases:
        parser.error(f"--databases takes sqlite and/or postgresql, not {unknown or 'nothing'}")
    if options.quick:
        options.requests = QUICK_REQUESTS
    if options.requests < 1:
        parser.error("--requests must be at least 1")
    return options


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    results = [r for d in options.databases if (r := run_one(d, options)) is not None]
    report(results, options)
    return 1 if any(r.error for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
