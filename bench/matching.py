#!/usr/bin/env python3
"""Benchmark for the matching issue: a national directory, and needs matched against it.

What it does, on SQLite and on PostgreSQL, each in a fresh database:

* builds (untimed, but reported) the synthetic England of `seed_demo --scale national --seed 1`
  and a directory of N services (default 1,000,000), those met at a place at ~1.3 locations
  each, ~N/10 providers, realistic mixes of needs (1-3 of the 56 leaf terms, skewed
  popularity), remote delivery (a fifth visit people at home across service areas: a few
  LSOAs, a ward or two, or an authority),
  age ranges, circumstances, residency, languages, costs, schedules and vacancies, with
  `search_text` written as opus.directory.search.text_for would (so the FTS5 triggers or the
  GIN index pick it up), plus one postcode per LSOA; then derives the tables matching and
  ORUK's term listing read (opus.directory.derived.rebuild_all, as `rebuild_search_index`
  does after a bulk load) and runs ANALYZE (PostgreSQL: VACUUM ANALYZE, autovacuum being off here);
* times PROFILES random needs profiles through opus.directory.matching.match(limit=20)
  in-process; targets p50 < 15 ms and p95 < 50 ms;
* baseline A, "today's directories": the same questions as one SQL query ranked by text
  score then distance (FTS5 bm25 / ts_rank), within the person's distance, no eligibility and
  no needs model; and how many of its top 20 the person could not use (engine exclusions);
* baseline B, a full scan in Python: every service's candidate data in memory, ranked by
  opus.engines.matching.rank (on a random sample of services, scaled up linearly);
* the ORUK /api/oruk/services endpoint with search + taxonomy_term_id on a real runserver
  (DEBUG off, a new connection per request); target p95 < 100 ms.

Geography: seed_demo's national LSOAs all lie within ~40 km of (52.5, -1.5) (its authorities
are spread over England, its LSOAs are not), which would put a million services in a space the
size of a county. By default ("--geography spread") every LSOA is placed for this benchmark at
its authority's centre plus 0.6 x its offset in the seeded cluster (wards ~8 km around their
authority), so services and postcodes cover England's extent at about England's density. The
Area rows are not changed. "--geography seeded" uses the seeded LSOA centroids as they are.

It is a benchmark, not a test: a missed target is reported (MISS) and the exit status is
still 0; only an error (a failed command or stage) exits non-zero.

Run from the project root:  .venv/bin/python bench/matching.py [--quick] [--services N]
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
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
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
P50_TARGET_MS, P95_TARGET_MS, ORUK_TARGET_MS = 15.0, 50.0, 100.0
DEFAULT_PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASES = ("sqlite", "postgresql")
HOST = "127.0.0.1"
CHUNK = 20_000
WARMUP = 20
QUICK = {"services": 20_000, "profiles": 300, "oruk": 100, "scan_sample": 20_000}
# Words a service's description may use, by family; profiles and ORUK queries use them too.
FAMILY_WORDS = {
    "daily-living": ["shopping", "cooking", "cleaning", "bills", "equipment", "alarm"],
    "personal-care": ["care", "washing", "medication", "hospital", "night"],
    "social-activity": ["lonely", "friendship", "group", "walk", "garden", "exercise", "art"],
    "carers-support": ["carer", "respite", "break", "sitting"],
    "mental-wellbeing": ["counselling", "wellbeing", "anxiety", "crisis", "bereavement"],
    "employment": ["job", "work", "volunteer", "skills", "computer"],
    "housing": ["housing", "tenancy", "homeless", "energy", "warm"],
    "advice": ["benefits", "debt", "money", "legal", "advocacy"],
    "transport": ["transport", "bus", "travel", "wheelchair"],
    "health": ["healthy", "smoking", "falls", "diabetes", "dementia", "memory"],
    "children-families": ["children", "parents", "youth", "family", "school"],
    "safety": ["abuse", "scams", "safe", "safeguarding"],
}
KINDS = ["service", "group", "club", "project", "network", "hub", "drop-in", "line"]
FILLER = [
    "Friendly local support from trained staff and volunteers.",
    "Drop in or call us to find out more.",
    "We work across the area with partners in health and the council.",
    "Free to use; donations welcome.",
    "Run by people with lived experience.",
]
AGE_RANGES = [(18, None), (65, None), (11, 25), (16, None), (None, 18), (50, None), (0, 5)]
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


# --- subprocesses (the driver: no Django in this process) ---------------------------------


def run(command: list[str], env: dict[str, str], what: str, echo: bool = False) -> str:
    """Run COMMAND to completion, echoing its lines if asked; its stdout."""
    process = subprocess.Popen(  # noqa: S603 — our own interpreter and scripts
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    lines = []
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line)
        if echo and not line.startswith(MARK) and line.strip():
            print(f"    {line.rstrip()}", flush=True)
    stderr = process.stderr.read() if process.stderr else ""
    if process.wait() != 0:
        output = ("".join(lines) + stderr).strip()[-4000:]
        raise BenchError(f"{what} exited {process.returncode}:\n{output}")
    return "".join(lines)


def manage(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    run([sys.executable, str(MANAGE), *args], env, f"manage.py {' '.join(args)}")
    return time.perf_counter() - started


def stage(name: str, env: dict[str, str], options: argparse.Namespace) -> dict[str, Any]:
    """Run one stage of this script in a child process; its JSON report."""
    args = [sys.executable, str(Path(__file__).resolve()), "--stage", name]
    for key in ("services", "profiles", "scan_sample", "scan_profiles", "seed", "geography"):
        args += [f"--{key.replace('_', '-')}", str(getattr(options, key))]
    out = run(args, env, f"stage {name}", echo=True)
    found: dict[str, Any] = {}
    for line in out.splitlines():
        if line.startswith(MARK):
            found = json.loads(line[len(MARK) :])
    if not found:
        raise BenchError(f"stage {name} printed no report:\n{out[-3000:]}")
    return found


# --- databases ----------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50": percentile(values, 0.5),
        "p95": percentile(values, 0.95),
        "max": max(values, default=math.nan),
        "mean": sum(values) / len(values) if values else math.nan,
    }


@dataclass
class Leaves:
    """The 56 leaf terms with a skewed popularity, and their families."""

    codes: list[str]
    weights: list[float]
    ids: dict[str, Any]
    names: dict[str, str]
    family: dict[str, str]
    family_name: dict[str, str]


def leaves(seed: int) -> Leaves:
    from opus.directory.models import TaxonomyTerm

    terms = list(TaxonomyTerm.objects.filter(parent__isnull=False).select_related("parent"))
    terms.sort(key=lambda t: t.code)
    random.Random(seed).shuffle(terms)
    return Leaves(
        codes=[t.code for t in terms],
        weights=[1 / (rank + 1) ** 0.9 for rank in range(len(terms))],
        ids={t.code: t.pk for t in terms},
        names={t.code: t.name for t in terms},
        family={t.code: t.parent.code for t in terms},
        family_name={t.code: t.parent.name for t in terms},
    )


# --- stage: load ---------------------------------------------------------------------------


class Writer:
    """Fast inserts: executemany on SQLite, COPY on PostgreSQL; per-table rows and seconds."""

    def __init__(self) -> None:
        from django.db import connection

        self.connection = connection
        self.sqlite = connection.vendor == "sqlite"
        self.counts: dict[str, int] = {}
        self.seconds: dict[str, float] = {}
        self.now = datetime.now(UTC)
        self.now_db: Any = self.now.replace(tzinfo=None).isoformat(" ") if self.sqlite else self.now

    def uid(self, value: uuid.UUID) -> Any:
        return value.hex if self.sqlite else value

    def flag(self, value: bool) -> Any:
        return int(value) if self.sqlite else value

    def columns(self, model: Any, given: list[str]) -> tuple[str, list[str], tuple[Any, ...]]:
        """The table, the columns to write (given ones, then defaults for the rest)."""
        from django.db import models

        rest, defaults = [], []
        for f in model._meta.local_concrete_fields:
            if f.column in given or f.attname in given:
                continue
            if isinstance(f, models.AutoField | models.BigAutoField | models.GeneratedField):
                continue  # the database numbers these rows, or computes these columns
            value = f.get_default()
            if isinstance(f, models.JSONField):
                value = json.dumps(value)
            elif value is not None:
                value = f.get_db_prep_save(value, self.connection)
            rest.append(f.column)
            defaults.append(value)
        return model._meta.db_table, given + rest, tuple(defaults)

    def write(self, model: Any, given: list[str], rows: list[tuple[Any, ...]]) -> None:
        from django.db import transaction

        table, columns, defaults = self.columns(model, given)
        if defaults:
            rows = [row + defaults for row in rows]
        started = time.perf_counter()
        with transaction.atomic():
            if self.sqlite:
                marks = ", ".join("?" * len(columns))
                sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
                self.connection.connection.executemany(sql, rows)
            else:
                with (
                    self.connection.connection.cursor() as cursor,
                    cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
                ):
                    for row in rows:
                        copy.write_row(row)
        self.seconds[table] = self.seconds.get(table, 0.0) + time.perf_counter() - started
        self.counts[table] = self.counts.get(table, 0) + len(rows)

    def tune(self) -> None:
        """Settings for the load only (this connection): no fsync, no per-row FK checks."""
        with self.connection.cursor() as cursor:
            if self.sqlite:
                for pragma in (
                    "synchronous=OFF",
                    "foreign_keys=OFF",
                    "cache_size=-1000000",
                    "temp_store=MEMORY",
                ):
                    cursor.execute(f"PRAGMA {pragma}")
            else:
                cursor.execute("SET synchronous_commit = off")
                cursor.execute("SET session_replication_role = replica")
                cursor.execute("SET maintenance_work_mem = '512MB'")


@dataclass
class Geography:
    """Each LSOA's benchmark position, its authority, and the authorities' LSOA ranges."""

    lsoa_ids: list[int]
    lat: list[float]
    lon: list[float]
    la_of: list[int]  # index into la_ids
    la_ids: list[int]
    la_names: list[str]
    la_start: list[int]  # LSOAs sorted by authority: where each authority's run starts
    la_count: list[int]
    postcodes: list[str] = field(default_factory=list)
    ward_of: list[int] = field(default_factory=list)  # each LSOA's ward (pk)
    names: dict[int, str] = field(default_factory=dict)  # LSOAs' and wards' names by pk


def geography(mode: str) -> Geography:
    """LSOAs sorted by authority, placed as --geography says (see the module docstring)."""
    from opus.core.models import Area, AreaKind

    las = {
        a.pk: a
        for a in Area.objects.filter(kind=AreaKind.LOCAL_AUTHORITY).only(
            "pk", "name", "latitude", "longitude"
        )
    }
    la_ids = sorted(las)
    index = {pk: i for i, pk in enumerate(la_ids)}
    rows = sorted(
        Area.objects.filter(kind=AreaKind.LSOA).values_list(
            "pk", "latitude", "longitude", "parent__parent_id", "parent_id", "name", "parent__name"
        ),
        key=lambda r: (index[r[3]], r[0]),
    )
    geo = Geography([], [], [], [], la_ids, [las[pk].name for pk in la_ids], [], [])
    for pk, lat, lon, la, ward, name, ward_name in rows:
        geo.ward_of.append(ward)
        geo.names[pk], geo.names[ward] = name, ward_name
        if mode == "spread":
            lat, lon = las[la].latitude + (lat - 52.5) * 0.6, las[la].longitude + (lon + 1.5) * 0.6
        geo.lsoa_ids.append(pk)
        geo.lat.append(lat)
        geo.lon.append(lon)
        geo.la_of.append(index[la])
    counts = [0] * len(la_ids)
    for i in geo.la_of:
        counts[i] += 1
    start = 0
    for count in counts:
        geo.la_start.append(start)
        geo.la_count.append(count)
        start += count
    return geo


INWARD = "ABDEFGHJLNPQRSTUWXYZ"


def bench_postcode(i: int) -> str:
    """A distinct fake postcode for LSOA number i: ZX1 0AA, ZX1 0AB, … (valid shape)."""
    district, rest = divmod(i, 4000)
    digit, letters = divmod(rest, 400)
    return f"ZX{district + 1} {digit}{INWARD[letters // 20]}{INWARD[letters % 20]}"


def load_postcodes(geo: Geography, rng: random.Random) -> int:
    from opus.core.models import Postcode

    rows = []
    for i, pk in enumerate(geo.lsoa_ids):
        code = bench_postcode(i)
        geo.postcodes.append(code)
        lat = round(geo.lat[i] + rng.gauss(0, 0.002), 5)
        rows.append(Postcode(postcode=code, latitude=lat, longitude=geo.lon[i], lsoa_id=pk))
    Postcode.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def load_organisations(geo: Geography, count: int, rng: random.Random) -> list[tuple]:
    """~N/10 providers by bulk_create: (pk, name, authority index) each."""
    from opus.core.models import Organisation, OrganisationKind

    kinds = [
        OrganisationKind.CHARITY,
        OrganisationKind.COMMUNITY_GROUP,
        OrganisationKind.SOCIAL_ENTERPRISE,
        OrganisationKind.MUTUAL,
        OrganisationKind.SME,
        OrganisationKind.LARGE_FIRM,
    ]
    found = []
    for start in range(0, count, 5000):
        batch = []
        for i in range(start, min(count, start + 5000)):
            home = rng.randrange(len(geo.lsoa_ids))
            batch.append(
                Organisation(
                    uuid=uuid.uuid4(),
                    name=f"Bench provider {i + 1:06d}",
                    slug=f"bench-provider-{i + 1:06d}",
                    kind=rng.choice(kinds),
                    latitude=geo.lat[home],
                    longitude=geo.lon[home],
                    area_id=geo.la_ids[geo.la_of[home]],
                )
            )
        created = Organisation.objects.bulk_create(batch, batch_size=2500)
        found += [(o.pk, o.name, o.area_id) for o in created]
    la_index = {pk: i for i, pk in enumerate(geo.la_ids)}
    return [(pk, name, la_index[la]) for pk, name, la in found]


SERVICE_COLUMNS = [
    "id",
    "organisation_id",
    "name",
    "description",
    "status",
    "eligibility_description",
    "minimum_age",
    "maximum_age",
    "circumstances",
    "residency_area_id",
    "referral_required",
    "delivery",
    "delivers_remotely",
    "capacity",
    "vacancies",
    "search_text",
    "reviewed_at",
    "last_modified",
]


@dataclass
class Chunk:
    """The rows of one chunk of services, table by table."""

    services: list[tuple] = field(default_factory=list)
    terms: list[tuple] = field(default_factory=list)
    locations: list[tuple] = field(default_factory=list)
    at: list[tuple] = field(default_factory=list)
    areas: list[tuple] = field(default_factory=list)
    languages: list[tuple] = field(default_factory=list)
    costs: list[tuple] = field(default_factory=list)
    schedules: list[tuple] = field(default_factory=list)


class Maker:
    """Generates services with realistic mixes (see the module docstring)."""

    def __init__(self, w: Writer, geo: Geography, orgs: list[tuple], lv: Leaves, seed: int):
        from opus.directory.vocabularies import ACCESSIBILITY, CIRCUMSTANCES, LANGUAGES

        self.w, self.geo, self.orgs, self.lv = w, geo, orgs, lv
        self.rng = random.Random(seed)
        self.home = 0  # services visiting people at home across service areas
        self.circumstances = sorted(CIRCUMSTANCES)
        self.access = sorted(ACCESSIBILITY)
        self.languages = sorted((c, n) for c, n in LANGUAGES.items() if c != "en")
        self.by_family: dict[str, list[str]] = {}
        for code in lv.codes:
            self.by_family.setdefault(lv.family[code], []).append(code)

    def _terms(self) -> list[str]:
        rng, lv = self.rng, self.lv
        first = rng.choices(lv.codes, lv.weights)[0]
        chosen = [first]
        for _ in range(rng.choices([0, 1, 2], [0.45, 0.4, 0.15])[0]):
            pool = self.by_family[lv.family[first]] if rng.random() < 0.5 else lv.codes
            extra = rng.choice(pool)
            if extra not in chosen:
                chosen.append(extra)
        return chosen

    def _eligibility(self) -> tuple[Any, Any, list[str], str]:
        rng = self.rng
        low, high = rng.choice(AGE_RANGES) if rng.random() < 0.3 else (None, None)
        circumstances = (
            rng.sample(self.circumstances, rng.choice([1, 1, 2])) if rng.random() < 0.15 else []
        )
        parts = []
        if low is not None or high is not None:
            parts.append(f"For people aged {low or 0} to {high or 'any age'}.")
        if circumstances:
            parts.append("For people who are " + " or ".join(circumstances) + ".")
        return low, high, circumstances, " ".join(parts)

    def _delivery(self) -> list[str]:
        """A fifth visit people at home across service areas (see _home_areas)."""
        roll = self.rng.random()
        if roll < 0.68:
            return ["in-person"]
        if roll < 0.88:
            return ["at-home"]
        return self.rng.choice([["online"], ["in-person", "online"]])

    def service(self, chunk: Chunk) -> None:
        rng, w, lv = self.rng, self.w, self.lv
        sid = uuid.uuid4()
        org_pk, org_name, la = rng.choice(self.orgs)
        terms = self._terms()
        low, high, circumstances, eligibility = self._eligibility()
        delivery = self._delivery()
        remote = bool(set(delivery) & {"at-home", "online"})
        self.home += "at-home" in delivery
        words = FAMILY_WORDS[lv.family[terms[0]]]
        name = f"{lv.names[terms[0]]} {rng.choice(KINDS)}"
        description = (
            f"{name} for {self.geo.la_names[la]}: {', '.join(rng.sample(words, 2))} and "
            f"{rng.choice(words)}. {rng.choice(FILLER)}"
        )
        names = [lv.names[t] for t in terms] + [lv.family_name[t] for t in terms]
        text = "\n".join(p for p in [name, description, eligibility, *names, org_name] if p)
        residency = self.geo.la_ids[la] if rng.random() < 0.05 else None
        vacancies = rng.choice([None, None, 0, 2, 5, 10])
        chunk.services.append(
            (w.uid(sid), org_pk, name[:200], description,
             "active" if rng.random() < 0.97 else "inactive", eligibility, low, high,
             json.dumps(circumstances), residency, w.flag(rng.random() < 0.1),
             json.dumps(delivery), w.flag(remote), None if vacancies is None else 20, vacancies,
             text, w.now_db, w.now_db)
        )  # fmt: skip
        for code in terms:
            chunk.terms.append((w.uid(sid), w.uid(lv.ids[code])))
        if delivery != ["at-home"]:
            self._places(chunk, sid, org_pk, la)
        self._extras(chunk, sid, delivery, la)

    def _places(self, chunk: Chunk, sid: uuid.UUID, org_pk: int, la: int) -> None:
        rng, w, geo = self.rng, self.w, self.geo
        for _ in range(rng.choices([1, 2, 3], [0.75, 0.2, 0.05])[0]):
            i = geo.la_start[la] + rng.randrange(geo.la_count[la])
            lid = uuid.uuid4()
            access = rng.sample(self.access, rng.choice([0, 1, 2, 3, 4]))
            chunk.locations.append(
                (w.uid(lid), org_pk, "physical", f"{geo.la_names[la]} venue", "",
                 f"{rng.randrange(1, 200)} High Street", geo.la_names[la][:100],
                 geo.postcodes[i], round(geo.lat[i] + rng.gauss(0, 0.003), 6),
                 round(geo.lon[i] + rng.gauss(0, 0.0045), 6), json.dumps(access))
            )  # fmt: skip
            chunk.at.append((w.uid(uuid.uuid4()), w.uid(sid), w.uid(lid), ""))

    def _home_areas(self, la: int) -> list[tuple[int, str]]:
        """Where a home service goes, as providers say it: a few neighbouring LSOAs (30%),
        a ward or two (40%) or the whole authority (30%), all in its authority."""
        rng, geo = self.rng, self.geo
        roll = rng.random()
        if roll < 0.3:
            la_pk = geo.la_ids[la]
            return [(la_pk, geo.la_names[la])]
        i = geo.la_start[la] + rng.randrange(geo.la_count[la])
        if roll < 0.6:
            end = min(i + rng.randint(2, 6), geo.la_start[la] + geo.la_count[la])
            return [(geo.lsoa_ids[j], geo.names[geo.lsoa_ids[j]]) for j in range(i, end)]
        wards = [geo.ward_of[i]]
        if rng.random() < 0.5:
            j = geo.la_start[la] + rng.randrange(geo.la_count[la])
            wards.append(geo.ward_of[j])
        return [(ward, geo.names[ward]) for ward in dict.fromkeys(wards)]

    def _extras(self, chunk: Chunk, sid: uuid.UUID, delivery: list[str], la: int) -> None:
        rng, w = self.rng, self.w
        areas: list[tuple[int, str]] = []
        if "at-home" in delivery:
            areas = self._home_areas(la)
        elif "online" in delivery and rng.random() < 0.5:
            areas = [(self.geo.la_ids[la], self.geo.la_names[la])]
        for area_pk, name in areas:
            chunk.areas.append((w.uid(uuid.uuid4()), w.uid(sid), area_pk, name))
        chunk.languages.append((w.uid(uuid.uuid4()), w.uid(sid), "en", "English"))
        if rng.random() < 0.2:
            for code, name in rng.sample(self.languages, rng.choice([1, 1, 2])):
                chunk.languages.append((w.uid(uuid.uuid4()), w.uid(sid), code, name))
        if rng.random() < 0.6:
            unit = rng.choice(["hour", "session", "session", "week", "month"])
            amount = rng.choice([0, 150, 300, 450, 800, 1500, 1900, 2350, 3000])
            chunk.costs.append((w.uid(uuid.uuid4()), w.uid(sid), "", amount, unit, "GBP"))
        if rng.random() < 0.7:
            days = ",".join(d for d in DAYS if d in rng.sample(DAYS, rng.randint(1, 5)))
            chunk.schedules.append(
                (w.uid(uuid.uuid4()), w.uid(sid), "WEEKLY", 1, days, "09:00:00", "17:00:00", "")
            )


def write_chunk(w: Writer, chunk: Chunk) -> None:
    from opus.directory import models as m

    w.write(m.Service, SERVICE_COLUMNS, chunk.services)
    w.write(m.Service.terms.through, ["service_id", "taxonomyterm_id"], chunk.terms)
    w.write(
        m.Location,
        ["id", "organisation_id", "location_type", "name", "description", "address_1", "city",
         "postal_code", "latitude", "longitude", "accessibility"],
        chunk.locations,
    )  # fmt: skip
    w.write(m.ServiceAtLocation, ["id", "service_id", "location_id", "description"], chunk.at)
    w.write(m.ServiceArea, ["id", "service_id", "area_id", "name"], chunk.areas)
    w.write(m.Language, ["id", "service_id", "code", "name"], chunk.languages)
    w.write(
        m.CostOption,
        ["id", "service_id", "option", "amount_pence", "unit", "currency"],
        chunk.costs,
    )
    w.write(
        m.Schedule,
        ["id", "service_id", "freq", "interval", "byday", "opens_at", "closes_at", "description"],
        chunk.schedules,
    )


def analyse(w: Writer) -> float:
    """Statistics for the planners; on PostgreSQL also VACUUM, which autovacuum would do in
    time (it is off on the benchmark machine): without it the first reads of each page set
    its hint bits, writing as they read, and counts cannot skip all-visible pages."""
    started = time.perf_counter()
    with w.connection.cursor() as cursor:
        cursor.execute("ANALYZE" if w.sqlite else "VACUUM ANALYZE")
    return time.perf_counter() - started


def derive(w: Writer) -> tuple[float, int]:
    """The cards and reach rows matching reads, derived from the loaded tables by SQL (what
    `manage.py rebuild_search_index` does after a bulk load); its seconds and rows."""
    from django.db import transaction

    from opus.directory import derived

    started = time.perf_counter()
    with transaction.atomic():
        rows = derived.rebuild_all()
    return time.perf_counter() - started, rows


def stage_load(options: argparse.Namespace) -> None:
    """Postcodes, providers and the directory (untimed for the targets; reported)."""
    django_setup()
    w = Writer()
    w.tune()
    rng = random.Random(options.seed)
    started = time.perf_counter()
    geo = geography(options.geography)
    w.seconds["core_postcode"] = -time.perf_counter()
    w.counts["core_postcode"] = load_postcodes(geo, rng)
    w.seconds["core_postcode"] += time.perf_counter()
    w.seconds["core_organisation"] = -time.perf_counter()
    orgs = load_organisations(geo, max(1, options.services // 10), rng)
    w.seconds["core_organisation"] += time.perf_counter()
    w.counts["core_organisation"] = len(orgs)
    maker = Maker(w, geo, orgs, leaves(options.seed), options.seed)
    generate = 0.0
    for start in range(0, options.services, CHUNK):
        made = time.perf_counter()
        chunk = Chunk()
        for _ in range(min(CHUNK, options.services - start)):
            maker.service(chunk)
        generate += time.perf_counter() - made
        write_chunk(w, chunk)
        done = start + len(chunk.services)
        if done % (10 * CHUNK) == 0 or done == options.services:
            rate = done / (time.perf_counter() - started)
            print(f"{done:,} services loaded ({rate:,.0f}/s)", flush=True)
    print("deriving the matching and listing tables (cards, reach, listing)", flush=True)
    derive_s, reach_rows = derive(w)
    analyse_s = analyse(w)
    total = time.perf_counter() - started
    report_json(
        {
            "total_s": total,
            "generate_s": generate,
            "derive_s": derive_s,
            "reach_rows": reach_rows,
            "home_services": maker.home,
            "analyse_s": analyse_s,
            "counts": w.counts,
            "seconds": w.seconds,
        }
    )


# --- profiles ------------------------------------------------------------------------------


def questions(count: int, seed: int, lv: Leaves) -> list[Any]:
    """COUNT random needs profiles, the same for every stage and database."""
    from opus.core.models import Postcode
    from opus.directory.matching import Question
    from opus.directory.vocabularies import ACCESSIBILITY, CIRCUMSTANCES, LANGUAGES

    rng = random.Random(seed * 7919 + 1)
    codes = sorted(Postcode.objects.filter(postcode__startswith="ZX").values_list("postcode"))
    found = []
    for _ in range(count):
        needs: list[str] = []
        for code in rng.choices(lv.codes, lv.weights, k=rng.choice([1, 1, 2, 3])):
            if code not in needs:
                needs.append(code)
        family_words = FAMILY_WORDS[lv.family[needs[0]]]
        found.append(
            Question(
                needs=needs,
                postcode=rng.choice(codes)[0],
                max_distance_km=rng.choice(range(4, 51)) / 2,
                remote_ok=rng.random() < 0.5,
                age=rng.randint(5, 90) if rng.random() < 0.8 else None,
                circumstances=tuple(
                    rng.sample(sorted(CIRCUMSTANCES), rng.randint(1, 2))
                    if rng.random() < 0.3
                    else ()
                ),
                languages=(rng.choice(sorted(LANGUAGES)),) if rng.random() < 0.15 else (),
                language_required=rng.random() < 0.05,
                accessibility=(rng.choice(sorted(ACCESSIBILITY)),) if rng.random() < 0.15 else (),
                days=tuple(rng.sample(DAYS, rng.randint(1, 3))) if rng.random() < 0.2 else (),
                max_price_pence=rng.choice([500, 1000, 2000]) if rng.random() < 0.25 else None,
                words=" ".join(rng.sample(family_words, rng.randint(1, 2)))
                if rng.random() < 0.3
                else "",
            )
        )
    return found


# --- stage: match (Opus and baseline A) ----------------------------------------------------


def timed_ms(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = action()
    return (time.perf_counter() - started) * 1000, result


class QueryCounter:
    """Counts the SQL statements run (a connection execute wrapper)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def baseline_text(question: Any, lv: Leaves) -> str:
    """The person's words, or the first need's name when they gave none."""
    text = question.words or lv.names[question.needs[0]]
    words = [w for w in "".join(c if c.isalnum() else " " for c in text.lower()).split()]
    return " ".join(w for w in words if len(w) > 2 and w != "and")


def _box(lat: float, lon: float, km: float) -> tuple[float, float, float, float, float]:
    dlat = km / 111.0
    kx = 111.0 * max(math.cos(math.radians(lat)), 0.01)
    return lat - dlat, lat + dlat, lon - km / kx, lon + km / kx, kx


BASELINE_SQLITE = """
WITH h AS MATERIALIZED (
    SELECT rowid AS rid, bm25(directory_service_fts) AS score FROM directory_service_fts
    WHERE directory_service_fts MATCH %s)
SELECT s.id, MIN(h.score) AS score,
       MIN(((l.latitude - %s) * 111.0) * ((l.latitude - %s) * 111.0)
         + ((l.longitude - %s) * %s) * ((l.longitude - %s) * %s)) AS d2
FROM h
JOIN directory_service s ON s.rowid = h.rid
JOIN directory_serviceatlocation sal ON sal.service_id = s.id
JOIN directory_location l ON l.id = sal.location_id
WHERE s.status = 'active' AND l.latitude BETWEEN %s AND %s AND l.longitude BETWEEN %s AND %s
GROUP BY s.id HAVING d2 <= %s
ORDER BY score, d2 LIMIT 20
"""
BASELINE_POSTGRES = """
SELECT s.id::text, ts_rank(s.search_vector, to_tsquery('english', %s)) AS score,
       MIN(((l.latitude - %s) * 111.0) * ((l.latitude - %s) * 111.0)
         + ((l.longitude - %s) * %s) * ((l.longitude - %s) * %s)) AS d2
FROM directory_service s
JOIN directory_serviceatlocation sal ON sal.service_id = s.id
JOIN directory_location l ON l.id = sal.location_id
WHERE s.search_vector @@ to_tsquery('english', %s)
  AND s.status = 'active' AND l.latitude BETWEEN %s AND %s AND l.longitude BETWEEN %s AND %s
GROUP BY s.id
HAVING MIN(((l.latitude - %s) * 111.0) * ((l.latitude - %s) * 111.0)
         + ((l.longitude - %s) * %s) * ((l.longitude - %s) * %s)) <= %s
ORDER BY score DESC, d2 LIMIT 20
"""


def baseline_query(text: str, home: tuple[float, float], km: float) -> list[str]:
    """Today's directories: one SQL query, text rank then distance; ids of the top 20."""
    from django.db import connection

    from opus.directory.search import uuid_text

    lat, lon = home
    lat0, lat1, lon0, lon1, kx = _box(lat, lon, km)
    dist = [lat, lat, lon, kx, lon, kx]
    words = text.split() or ["service"]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            match = " OR ".join(f'"{w}"' for w in words)
            cursor.execute(BASELINE_SQLITE, [match, *dist, lat0, lat1, lon0, lon1, km * km])
            return [uuid_text(row[0]) for row in cursor.fetchall()]
        query = " | ".join(words)
        box = [lat0, lat1, lon0, lon1]
        cursor.execute(BASELINE_POSTGRES, [query, *dist, query, *box, *dist, km * km])
        return [row[0] for row in cursor.fetchall()]


def unusable(profile: Any, ids: list[str]) -> tuple[int, int]:
    """Of these services: how many the person cannot use (engine exclusions), and how many
    meet none of their needs (nor a broader term of the same family)."""
    from opus.directory.matching import candidates_for
    from opus.engines import matching as engine

    excluded = off_need = 0
    for candidate in candidates_for(ids):
        excluded += bool(engine.exclusions(profile, candidate))
        off_need += engine._need_part(profile, candidate) == 0
    return excluded, off_need


def breakdown(qs: list[Any], sample: int) -> dict[str, Any]:
    """Untimed instrumentation on a sample: services read in full, and where the time goes.

    The parts are timed one by one outside a match, so they add up only roughly: profile_from
    (the postcode and areas), narrow (the two ordered reads of the reach table, first round),
    read (reading the first round's services in full, words included), rank (the engine).
    """
    from django.db import connection

    from opus.directory import matching as dm
    from opus.directory import search
    from opus.directory.matching import facts, narrowing
    from opus.engines import matching as engine

    read_counts, queries = [], []
    parts: dict[str, list[float]] = {"profile_from": [], "narrow": [], "read": [], "rank": []}
    for q in qs[:sample]:
        ms, profile = timed_ms(lambda q=q: dm.profile_from(q))
        parts["profile_from"].append(ms)
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            read_counts.append(dm.reading(profile, q.words, limit=20)[1])
        queries.append(counter.count)
        groups = search.word_groups(q.words)
        query = narrowing.Query(profile, words=bool(groups))
        terms = dm.tiers(profile).needs
        ms, rows = timed_ms(
            lambda t=terms, qy=query: (
                [r.service_id for r in qy.best(t, 40)] + qy.closest_excluded(t, 20)
            )
        )
        parts["narrow"].append(ms)
        ms, found = timed_ms(
            lambda r=rows, g=groups: facts.read(r, search.words_found(g, r) if g else {})
        )
        parts["read"].append(ms)
        parts["rank"].append(timed_ms(lambda p=profile, f=found: engine.rank(p, f, limit=20))[0])
    return {
        "sample": len(read_counts),
        "read": summary([float(c) for c in read_counts]),
        "queries": summary([float(c) for c in queries]),
        "parts": {k: summary(v) for k, v in parts.items()},
    }


def stage_match(options: argparse.Namespace) -> None:
    django_setup()
    from opus.directory.matching import match, profile_from

    lv = leaves(options.seed)
    qs = questions(options.profiles, options.seed, lv)
    for q in questions(WARMUP, options.seed + 1, lv):
        match(q, limit=20)
    opus_ms, empty = [], 0
    for i, q in enumerate(qs):
        ms, (_, ranking) = timed_ms(lambda q=q: match(q, limit=20))
        opus_ms.append(ms)
        empty += not ranking.matches
        if (i + 1) % 500 == 0:
            print(f"opus: {i + 1:,} profiles, p50 so far {percentile(opus_ms, 0.5):.1f} ms")
    print(f"opus: {len(qs):,} profiles timed", flush=True)
    profiles = [profile_from(q) for q in qs]
    base_ms, base_ids = [], []
    for q, p in zip(qs, profiles, strict=True):
        text = baseline_text(q, lv)
        ms, ids = timed_ms(lambda t=text, p=p: baseline_query(t, p.home, p.max_distance_km))
        base_ms.append(ms)
        base_ids.append(ids)
    print(f"baseline A: {len(qs):,} queries timed", flush=True)
    sample = min(100, len(qs))
    shown = excluded = off_need = 0
    for p, ids in zip(profiles[:sample], base_ids[:sample], strict=True):
        shown += len(ids)
        e, o = unusable(p, ids)
        excluded, off_need = excluded + e, off_need + o
    report_json(
        {
            "opus": summary(opus_ms),
            "opus_empty": empty,
            "baseline": summary(base_ms),
            "baseline_sample": sample,
            "baseline_shown": shown,
            "baseline_excluded": excluded,
            "baseline_off_need": off_need,
            "breakdown": breakdown(qs, sample),
            "peak_rss": peak_rss(),
            "database_bytes": database_bytes(),
        }
    )


def peak_rss() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def database_bytes() -> int:
    """The database's size on disk (SQLite: the file and its WAL)."""
    from django.db import connection

    if connection.vendor == "sqlite":
        name = Path(str(connection.settings_dict["NAME"]))
        return sum(f.stat().st_size for f in name.parent.glob(name.name + "*"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        return int(cursor.fetchone()[0])


# --- stage: scan (baseline B) --------------------------------------------------------------


def _json(value: Any) -> list[Any]:
    return json.loads(value) if isinstance(value, str) else list(value or [])


def _by_service(cursor: Any, sql: str, low: str) -> dict[str, list[tuple]]:
    cursor.execute(sql, [low])
    found: dict[str, list[tuple]] = {}
    for sid, *rest in cursor.fetchall():
        found.setdefault(str(sid), []).append(tuple(rest))
    return found


SCAN_SQL = {
    "services": "SELECT id, name, delivery, minimum_age, maximum_age, circumstances, "
    "residency_area_id, vacancies FROM directory_service "
    "WHERE status = 'active' AND id < %s",
    "terms": "SELECT st.service_id, t.code, p.code FROM directory_service_terms st "
    "JOIN directory_taxonomyterm t ON t.id = st.taxonomyterm_id "
    "LEFT JOIN directory_taxonomyterm p ON p.id = t.parent_id WHERE st.service_id < %s",
    "places": "SELECT sal.service_id, l.latitude, l.longitude, l.accessibility "
    "FROM directory_serviceatlocation sal JOIN directory_location l ON l.id = sal.location_id "
    "WHERE sal.service_id < %s",
    "languages": "SELECT service_id, code, name FROM directory_language WHERE service_id < %s",
    "costs": "SELECT service_id, amount_pence, unit FROM directory_costoption "
    "WHERE service_id < %s",
    "schedules": "SELECT service_id, byday FROM directory_schedule WHERE service_id < %s",
}


def scan_candidates(fraction: float) -> list[Any]:
    """Every active service whose (random, uuid4) id falls in the first FRACTION of ids."""
    from django.db import connection

    from opus.engines import matching as engine

    top = uuid.UUID(int=min(2**128 - 1, int(fraction * 2**128)))
    low = top.hex if connection.vendor == "sqlite" else str(top)
    with connection.cursor() as cursor:
        rel = {k: _by_service(cursor, sql, low) for k, sql in SCAN_SQL.items() if k != "services"}
        cursor.execute(SCAN_SQL["services"], [low])
        rows = cursor.fetchall()
    found = []
    for sid, name, delivery, low_age, high_age, circumstances, residency, vacancies in rows:
        key = str(sid)
        terms = rel["terms"].get(key, [])
        langs = rel["languages"].get(key, [])
        cost = next(iter(rel["costs"].get(key, [])), None)
        days = {d for (byday,) in rel["schedules"].get(key, []) for d in byday.split(",") if d}
        found.append(
            engine.Candidate(
                id=key, name=name, terms=frozenset(t for t, _ in terms),
                term_families=frozenset(p for _, p in terms if p),
                places=tuple(engine.Place(a, b, frozenset(_json(c)))
                             for a, b, c in rel["places"].get(key, [])),
                delivery=frozenset(_json(delivery)), minimum_age=low_age, maximum_age=high_age,
                circumstances=frozenset(_json(circumstances)), residency_area=residency,
                languages=frozenset(c for c, _ in langs), language_names=tuple(langs),
                price_pence=cost[0] if cost else None, unit=cost[1] if cost else "hour",
                days=frozenset(days), vacancies=vacancies,
            )
        )  # fmt: skip
    return found


def full_scan(profile: Any, families: dict[str, str], everything: list[Any]) -> Any:
    """The whole directory in Python: keep what meets a need or its family, then rank."""
    from opus.engines import matching as engine

    wanted = set(profile.needs) | {families[n] for n in profile.needs if n in families}
    field_ = [c for c in everything if c.terms & wanted or c.term_families & wanted]
    return engine.rank(profile, field_, limit=20)


def stage_scan(options: argparse.Namespace) -> None:
    django_setup()
    import resource

    from opus.directory.matching import profile_from

    lv = leaves(options.seed)
    fraction = min(1.0, options.scan_sample / options.services)
    load_s = -time.perf_counter()
    everything = scan_candidates(fraction)
    load_s += time.perf_counter()
    qs = questions(options.profiles, options.seed, lv)[: options.scan_profiles]
    profiles = [profile_from(q) for q in qs]
    times = [timed_ms(lambda p=p: full_scan(p, lv.family, everything))[0] for p in profiles]
    report_json(
        {
            "fraction": fraction,
            "loaded": len(everything),
            "load_s": load_s,
            "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
            "scan": summary(times),
        }
    )


STAGES = {"load": stage_load, "match": stage_match, "scan": stage_scan}


# --- ORUK over HTTP (driver) ---------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def http_get(port: int, path: str) -> tuple[int, bytes]:
    """GET on a new loopback connection (see bench/seed_national.py for why)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=120)
    try:
        conn.request("GET", path, headers={"Connection": "close"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@contextlib.contextmanager
def running_server(env: dict[str, str], log: Path) -> Iterator[int]:
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
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise BenchError(f"runserver did not come up:\n{log.read_text()[-3000:]}")
                with contextlib.suppress(OSError, http.client.HTTPException):
                    if http_get(port, "/healthz")[0] == 200:
                        break
                time.sleep(0.2)
            yield port
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)


def oruk_paths(count: int, seed: int) -> list[str]:
    """search=<word>&taxonomy_term_id=<a leaf term>: the word mostly from the term's family."""
    sys.path.insert(0, str(ROOT))
    from opus.directory.taxonomy import TERMS, term_id

    rng = random.Random(seed * 31 + 7)
    pairs = [(family, code) for family, (_, kids) in sorted(TERMS.items()) for code in kids]
    rng.shuffle(pairs)
    weights = [1 / (rank + 1) ** 0.9 for rank in range(len(pairs))]
    everything = sorted({w for words in FAMILY_WORDS.values() for w in words})
    paths = []
    for family, code in rng.choices(pairs, weights, k=count):
        word = rng.choice(FAMILY_WORDS[family]) if rng.random() < 0.7 else rng.choice(everything)
        paths.append(
            f"/api/oruk/services?search={word}&taxonomy_term_id={term_id(code)}&per_page=20"
        )
    return paths


def oruk_load(env: dict[str, str], options: argparse.Namespace) -> dict[str, Any]:
    paths = oruk_paths(options.oruk + 10, options.seed)
    times, empty = [], 0
    with tempfile.TemporaryDirectory(prefix="opus-bench-log-") as folder:
        with running_server(env, Path(folder) / "runserver.log") as port:
            for i, path in enumerate(paths):
                started = time.perf_counter()
                status, body = http_get(port, path)
                ms = (time.perf_counter() - started) * 1000
                if status != 200:
                    raise BenchError(f"GET {path} answered {status}: {body[:800]!r}")
                if i >= 10:  # the first ten warm up
                    times.append(ms)
                    empty += json.loads(body).get("total_items", 0) == 0
    return {"oruk": summary(times), "empty": empty}


# --- one database --------------------------------------------------------------------------


@dataclass
class Outcome:
    database: str
    server_version: str
    migrate_s: float = 0.0
    seed_s: float = 0.0
    load: dict[str, Any] = field(default_factory=dict)
    match: dict[str, Any] = field(default_factory=dict)
    scan: dict[str, Any] = field(default_factory=dict)
    oruk: dict[str, Any] = field(default_factory=dict)
    error: str = ""


def say(database: str, message: str) -> None:
    print(f"[{database}] {message}", flush=True)


def bench_database(o: Outcome, database_env: dict[str, str], options: argparse.Namespace) -> None:
    env = subprocess_env(database_env, ALLOWED_HOSTS=HOST)
    name = o.database
    o.migrate_s = manage(["migrate", "--no-input", "--verbosity", "0"], env)
    say(name, f"migrate: {o.migrate_s:.1f} s")
    seed = ["seed_demo", "--scale", "national", "--seed", "1", "--verbosity", "0"]
    o.seed_s = manage(seed, env)
    say(name, f"seed_demo --scale national --seed 1: {o.seed_s:.1f} s (untimed set-up)")
    say(name, f"loading {options.services:,} services (untimed set-up)")
    o.load = stage("load", env, options)
    say(name, f"directory loaded in {o.load['total_s']:.1f} s")
    o.match = stage("match", env, options)
    say(name, "matching and baseline A done")
    o.scan = stage("scan", env, options)
    say(name, f"full scan done on {o.scan['loaded']:,} services")
    o.oruk = oruk_load(env, options)
    say(name, f"ORUK: {options.oruk} requests done")


def run_one(database: str, options: argparse.Namespace) -> Outcome | None:
    server = f"SQLite {sqlite3.sqlite_version}"
    if database == "postgresql":
        try:
            server = f"PostgreSQL {postgresql_version(options.pg_admin_url)}"
        except Exception as exc:  # noqa: BLE001 — any failure to connect means skip
            say(database, f"skipped: {options.pg_admin_url} is unreachable ({exc})")
            return None
    o = Outcome(database, server)
    say(database, f"fresh database on {server}")
    started = time.perf_counter()
    try:
        fresh = (
            fresh_sqlite()
            if database == "sqlite"
            else fresh_postgresql(options.pg_admin_url, "matching")
        )
        with fresh as database_env:
            bench_database(o, database_env, options)
    except (BenchError, OSError) as exc:
        o.error = str(exc)
        say(database, f"ERROR: {exc}")
    say(database, f"wall clock for this database: {time.perf_counter() - started:.0f} s")
    return o


# --- report --------------------------------------------------------------------------------


def verdict(value: float, target: float) -> str:
    return "PASS" if value < target else "MISS"


def print_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def machine_lines(outcomes: list[Outcome]) -> list[str]:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    servers = ", ".join(o.server_version for o in outcomes)
    return [
        f"machine: nproc {len(os.sched_getaffinity(0))} ({cpu}), {platform.platform()}",
        f"software: Python {platform.python_version()}, Django {version('django')}, {servers}",
    ]


def load_rows(o: Outcome) -> list[tuple[str, ...]]:
    load = o.load
    rows = [(table, f"{count:,}", f"{load['seconds'].get(table, 0.0):.1f}")
            for table, count in load["counts"].items()]  # fmt: skip
    home = load.get("home_services", 0)
    share = home / max(1, load["counts"].get("directory_service", 0))
    rows.append((f"(services visiting homes across areas: {share:.0%})", f"{home:,}", ""))
    rows.append(("(generating rows in Python)", "", f"{load['generate_s']:.1f}"))
    rows.append(
        ("(deriving cards, reach, listing)", f"{load['reach_rows']:,}", f"{load['derive_s']:.1f}")
    )
    rows.append(("(ANALYZE; PostgreSQL: VACUUM ANALYZE)", "", f"{load['analyse_s']:.1f}"))
    rows.append(("total load", f"{sum(load['counts'].values()):,}", f"{load['total_s']:.1f}"))
    return rows


def _ms(value: float) -> str:
    return f"{value:.1f} ms" if value < 10_000 else f"{value / 1000:.1f} s"


def figure_rows(o: Outcome, options: argparse.Namespace) -> list[tuple[str, ...]]:
    m, s, r = o.match, o.scan, o.oruk
    opus, base, scan = m["opus"], m["baseline"], s["scan"]
    scale = 1 / s["fraction"]
    rows = []
    for stat, target in (("p50", P50_TARGET_MS), ("p95", P95_TARGET_MS), ("max", 0.0)):
        value = opus[stat]
        rows.append(
            (
                f"Opus match {stat}",
                _ms(value),
                f"< {target:.0f} ms" if target else "",
                f"{value / target:.2f}" if target else "",
                verdict(value, target) if target else "",
                f"{value / base[stat]:.2f}x",
                f"{value / (scan[stat] * scale):.4f}x" if stat != "max" else "",
            )
        )
    for stat in ("p50", "p95"):
        rows.append((f"baseline A (SQL) {stat}", _ms(base[stat]), "", "", "", "1.00x", ""))
    for stat in ("p50", "p95"):
        note = "" if scale == 1 else f" (x{scale:.0f} of {s['loaded']:,})"
        rows.append((f"baseline B (scan) {stat}{note}", _ms(scan[stat] * scale), "", "", "",
                     f"{scan[stat] * scale / base[stat]:.0f}x", "1.00x"))  # fmt: skip
    for stat in ("p50", "p95", "max"):
        value = r["oruk"][stat]
        target = ORUK_TARGET_MS if stat == "p95" else 0.0
        rows.append((f"ORUK /services {stat}", _ms(value),
                     f"< {ORUK_TARGET_MS:.0f} ms" if target else "",
                     f"{value / ORUK_TARGET_MS:.2f}" if target else "",
                     verdict(value, target) if target else "", "", ""))  # fmt: skip
    return rows


def detail_lines(o: Outcome) -> list[str]:
    m, b, s = o.match, o.match["breakdown"], o.scan
    lines = [
        f"Opus: {m['opus']['n']:,} profiles, {m['opus_empty']} with no match; services read "
        f"in full per match (sample of {b['sample']}): mean {b['read']['mean']:,.0f}, "
        f"p50 {b['read']['p50']:,.0f}, p95 {b['read']['p95']:,.0f}, max {b['read']['max']:,.0f}; "
        f"SQL statements per match: p50 {b['queries']['p50']:.0f}, "
        f"p95 {b['queries']['p95']:.0f}",
        "where the time goes (same sample, first round only, ms p50 / p95): "
        + ", ".join(f"{k} {v['p50']:.1f} / {v['p95']:.1f}" for k, v in b["parts"].items()),
        "  (narrow = the reach table's two ordered reads; read = those services in full, with "
        "their words; rank = the engine)",
        f"baseline A, first {m['baseline_sample']} profiles: {m['baseline_shown']:,} results "
        f"shown, {m['baseline_excluded']:,} "
        f"({m['baseline_excluded'] / max(1, m['baseline_shown']):.0%}) the person could not use "
        f"(engine exclusions), {m['baseline_off_need']:,} "
        f"({m['baseline_off_need'] / max(1, m['baseline_shown']):.0%}) meeting none of the needs",
        f"baseline B: {s['loaded']:,} active services in memory ({s['fraction']:.1%} sample, "
        f"{s['load_s']:.0f} s to load, peak RSS {s['peak_rss'] / 1e9:.2f} GB), "
        f"{s['scan']['n']} profiles ranked; figures scaled x{1 / s['fraction']:.1f} to the "
        "whole directory",
        f"ORUK: {o.oruk['oruk']['n']} requests, {o.oruk['empty']} with no results",
        f"memory: the matching process's peak RSS {m['peak_rss'] / 1e6:,.0f} MB; database on "
        f"disk {m['database_bytes'] / 1e9:.2f} GB",
    ]
    return lines


def report(outcomes: list[Outcome], options: argparse.Namespace) -> None:
    print()
    print(
        f"Matching benchmark: {options.services:,} services, {options.profiles:,} needs "
        f"profiles, geography {options.geography}"
    )
    for line in machine_lines(outcomes):
        print(line)
    print("ratio = figure / target; vs A and vs B = Opus / baseline (below 1 is faster than it).")
    for o in outcomes:
        print()
        print(f"== {o.database} ({o.server_version}): migrate {o.migrate_s:.1f} s, "
              f"seed_demo national {o.seed_s:.1f} s")  # fmt: skip
        if o.load:
            print_table(("table", "rows", "seconds"), load_rows(o))
            print()
        if o.match and o.scan and o.oruk:
            header = ("measure", "figure", "target", "ratio", "verdict", "vs A", "vs B")
            print_table(header, figure_rows(o, options))
            for line in detail_lines(o):
                print(line)
        if o.error:
            print("ERROR: see above")


# --- command line --------------------------------------------------------------------------


def postgres_reachable(admin_url: str) -> bool:
    try:
        postgresql_version(admin_url)
    except Exception:  # noqa: BLE001 — unreachable for whatever reason
        return False
    return True


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Build a national directory (default 1,000,000 services) in fresh SQLite "
        "and PostgreSQL databases, time random needs profiles through Opus's matching "
        "(targets p50 < 15 ms, p95 < 50 ms) beside one-SQL-query and full-scan baselines, and "
        "the ORUK /services endpoint with search + taxonomy (target p95 < 100 ms). Reports; "
        "does not fail on a missed target.",
    )
    parser.add_argument(
        "--databases",
        default="",
        help="comma-separated, from: sqlite, postgresql (default: both, PostgreSQL if reachable)",
    )
    parser.add_argument("--services", type=int, default=1_000_000, help="default 1,000,000")
    parser.add_argument("--profiles", type=int, default=2_000, help="default 2,000")
    parser.add_argument("--oruk", type=int, default=300, help="ORUK requests (default 300)")
    parser.add_argument(
        "--scan-sample",
        type=int,
        default=100_000,
        help="services held in memory for the full-scan baseline, scaled up linearly "
        "(default 100,000)",
    )
    parser.add_argument(
        "--scan-profiles", type=int, default=100, help="profiles for the full scan (default 100)"
    )
    parser.add_argument("--geography", choices=["spread", "seeded"], default="spread")
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"smoke run: {QUICK['services']:,} services, {QUICK['profiles']} profiles, "
        f"{QUICK['oruk']} ORUK requests",
    )
    parser.add_argument(
        "--pg-admin-url",
        default=os.environ.get("OPUS_BENCH_POSTGRES", DEFAULT_PG_ADMIN),
        help=f"PostgreSQL admin connection (default: $OPUS_BENCH_POSTGRES or {DEFAULT_PG_ADMIN})",
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--stage", choices=sorted(STAGES), help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.quick:
        options.services, options.profiles = QUICK["services"], QUICK["profiles"]
        options.oruk, options.scan_sample = QUICK["oruk"], QUICK["scan_sample"]
    if options.stage:
        return options
    chosen = [d.strip() for d in options.databases.split(",") if d.strip()]
    if not chosen:
        chosen = ["sqlite"] + (["postgresql"] if postgres_reachable(options.pg_admin_url) else [])
    unknown = sorted(set(chosen) - set(DATABASES))
    if unknown:
        parser.error(f"--databases takes sqlite and/or postgresql, not {unknown}")
    options.databases = chosen
    if options.services < 1000 or options.profiles < 1 or options.oruk < 1:
        parser.error("--services must be at least 1,000; --profiles and --oruk at least 1")
    return options


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    if options.stage:
        STAGES[options.stage](options)
        return 0
    outcomes = [o for d in options.databases if (o := run_one(d, options)) is not None]
    report(outcomes, options)
    return 1 if any(o.error for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
