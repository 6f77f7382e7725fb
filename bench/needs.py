#!/usr/bin/env python3
"""Benchmark for issue 3, "Joint Equalities Needs Assessment": England in one assessment.

What it measures, in a fresh database (SQLite, and PostgreSQL on request):

* end to end: `opus.needs.services.assessment_compute` for an assessment of a synthetic
  England (33,755 LSOAs in 300 authorities, `seed_demo --scale national --seed 1`) with 20
  directly standardised rates: DSRs with 95% and 99.8% limits for every LSOA, aggregates to
  wards and authorities, the SII with 100,000 repetitions for every authority, from the
  database to stored results and priorities. Targets: under 10 s, peak memory under 2 GB.
  It runs in a child process of its own, and the peak memory is that process's peak resident
  set size (ru_maxrss), so it includes Python, Django and numpy as well as the arrays;
* the engine alone on the same arrays (loaded untimed): dsr_many for every LSOA, aggregation
  to wards and authorities, local deciles and sii_many for every authority (informational);
* two baselines on the same DSR job (one indicator, 33,755 areas, both confidence levels):
  a plain per-area Python loop over opus.engines.statistics.dsr (informational), and the
  published Python port of these methods, PHStatsMethods `ph_dsr` (target: the vectorised
  engine at least 100x faster; results must agree to 1e-9).

Set-up (migrate, seed, the 20 indicators and their uploads through the partner-agency CSV
path) is untimed; the 20 uploads' time is printed as an extra figure.

It is a benchmark, not a test: a missed target is reported (MISS) and the exit status is
still 0; only an error (a failed command or stage) exits non-zero.

Run from the project root:  .venv/bin/python bench/needs.py [--quick] [--databases ...]
PHStatsMethods is the optional `bench` extra: .venv/bin/pip install phstatsmethods
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import csv
import io
import json
import os
import platform
import pstats
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
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
E2E_TARGET_S = 10.0
MEMORY_TARGET_BYTES = 2_000_000_000  # 2 GB
PHSTATS_TARGET_RATIO = 100.0
AGREEMENT = 1e-9
INDICATORS = 20
REPETITIONS = 100_000
QUICK_INDICATORS, QUICK_REPETITIONS, QUICK_PH_AREAS = 2, 1_000, 2_000
PERIOD = "2025/26"
CONFIDENCES = (0.95, 0.998)
DEFAULT_PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASES = ("sqlite", "postgresql")
# Mid-points of the 19 ESP bands, and age profiles of the synthetic rates (as opus.needs.demo).
AGE_MID = np.arange(2, 95, 5, dtype=float)
PROFILES = {
    "old": np.exp((AGE_MID - 45) / 22),
    "young": np.exp(-((AGE_MID - 22) ** 2) / 300),
    "midlife": np.exp(-((AGE_MID - 60) ** 2) / 500) * (AGE_MID < 75) + 0.02,
    "flat": np.ones(19),
}


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


def stage(name: str, env: dict[str, str], options: argparse.Namespace, **extra: Any) -> dict:
    """Run one stage of this script in a child process; its JSON report."""
    args = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--stage",
        name,
        "--indicators",
        str(options.indicators),
        "--repetitions",
        str(options.repetitions),
        "--loop-sample",
        str(options.loop_sample),
        "--ph-areas",
        str(options.ph_areas),
    ]
    for key, value in extra.items():
        args += [f"--{key.replace('_', '-')}", str(value)]
    if options.profile and name == "compute":
        args.append("--profile")
    _, out = run(args, env, f"stage {name}")
    found: dict = {}
    for line in out.splitlines():
        if line.startswith(MARK):
            found = json.loads(line[len(MARK) :])
        elif line.strip():
            print(f"    {line}", flush=True)
    if not found:
        raise BenchError(f"stage {name} printed no report:\n{out[-3000:]}")
    return found


# --- databases ----------------------------------------------------------------------------


def _indicator_specs(count: int) -> list[tuple[str, float, float, str]]:
    """(slug, rate per 100,000 in an average area, deprivation gradient, age profile)."""
    rng = np.random.default_rng(20)
    profiles = list(PROFILES)
    specs = [("dsr-00-emergency-admissions", 9_500.0, 0.22, "old")]  # the baselines' job
    for k in range(1, count):
        base = float(np.exp(rng.uniform(np.log(150), np.log(12_000))))
        specs.append(
            (
                f"dsr-{k:02d}",
                round(base, 1),
                round(float(rng.uniform(0.05, 0.4)), 3),
                profiles[k % len(profiles)],
            )
        )
    return specs


def _band_csv(codes: list[str], counts: np.ndarray) -> bytes:
    from opus.needs.uploads import BAND_COLUMNS

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["area_code", "period", "breakdown", "group", "numerator", "denominator", *BAND_COLUMNS]
    )
    totals = counts.sum(axis=1)
    writer.writerows(
        [code, PERIOD, "all", "", int(total), "", *row]
        for code, total, row in zip(codes, totals.tolist(), counts.tolist(), strict=True)
    )
    return out.getvalue().encode("utf-8")


def _country() -> Any:
    """A country above every authority, so that one assessment covers all of them."""
    from opus.core.models import Area, AreaKind

    country = Area.objects.create(code="E92900001", name="Synthetic England", kind=AreaKind.COUNTRY)
    Area.objects.filter(kind=AreaKind.LOCAL_AUTHORITY).update(parent=country)
    return country


def _agency() -> Any:
    from opus.core import services as core_services
    from opus.core.models import Organisation, OrganisationKind

    found = Organisation.objects.order_by("pk").first()
    return found or core_services.organisation_create(
        by=None, name="Synthetic NHS England", kind=OrganisationKind.NHS_BODY
    )


def stage_prepare(options: argparse.Namespace) -> None:
    """Country, agency, indicators, uploads and the assessment (untimed but for the uploads)."""
    django_setup()
    from opus.core.models import Area, AreaKind
    from opus.needs import services
    from opus.needs.models import Method, Polarity

    started = time.perf_counter()
    country, agency = _country(), _agency()
    lsoas = list(
        Area.objects.filter(kind=AreaKind.LSOA)
        .order_by("code")
        .values_list("code", "imd_score", "population_male", "population_female")
    )
    codes = [row[0] for row in lsoas]
    scores = np.array([row[1] or 0.0 for row in lsoas])
    latent = (scores - scores.mean()) / (scores.std() or 1)
    pops = np.array([np.add(row[2], row[3]) for row in lsoas], dtype=float)
    weights = pops.sum(axis=0) / pops.sum()
    rng = np.random.default_rng(1)
    indicators, upload_s = [], 0.0
    for slug, base, slope, age in _indicator_specs(options.indicators):
        profile = PROFILES[age] / (PROFILES[age] @ weights)  # mean rate = base
        rate = base / 100_000 * profile[None, :] * np.exp(slope * latent)[:, None]
        counts = rng.poisson(pops * rate)
        indicator = services.indicator_create(
            by=None,
            slug=slug,
            name=f"Synthetic DSR {slug}",
            method=Method.DSR,
            multiplier=100_000,
            unit="per 100,000",
            polarity=Polarity.HIGH_IS_BAD,
            source_agency=agency,
            period=PERIOD,
            definition=f"Synthetic benchmark rate {slug}.",
            numerator_label="Events",
            denominator_label="Resident population",
            breakdowns=[],
        )
        content = _band_csv(codes, counts)
        upload_started = time.perf_counter()
        services.dataset_upload(
            indicator=indicator,
            agency=agency,
            period=PERIOD,
            content=content,
            file_name=f"{slug}.csv",
            by=None,
        )
        upload_s += time.perf_counter() - upload_started
        indicators.append(indicator)
    assessment = services.assessment_create(
        title="Synthetic England needs assessment (benchmark)",
        area=country,
        period=PERIOD,
        indicators=indicators,
        partners=[agency],
        by=None,
    )
    report_json(
        {
            "assessment": assessment.pk,
            "lsoas": len(codes),
            "upload_s": upload_s,
            "prepare_s": time.perf_counter() - started,
            "csv_bytes": len(content),
        }
    )


def _rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def stage_compute(options: argparse.Namespace) -> None:
    """The timed part: assessment_compute, from the database to stored results."""
    django_setup()
    from opus.needs import services
    from opus.needs.models import Priority, Result

    rss_before = _rss_bytes()
    profiler = cProfile.Profile() if options.profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    found = services.assessment_compute(options.assessment, None, repetitions=options.repetitions)
    if profiler:
        profiler.disable()
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    if profiler:
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats("cumulative").print_stats(30)
        stats.sort_stats("tottime").print_stats(20)
    report_json(
        {
            "seconds": elapsed,
            "peak_rss": peak,
            "rss_before": rss_before,
            "results": Result.objects.filter(assessment_id=options.assessment).count(),
            "priorities": Priority.objects.filter(assessment_id=options.assessment).count(),
            "returned": found,
        }
    )


def _timed(action: Any, runs: int = 1) -> tuple[float, Any]:
    """Median wall-clock seconds of RUNS calls of ACTION, and its last result."""
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _engine_indicator(base: Any, frame: Any, repetitions: int) -> dict[str, float]:
    from opus.engines import assessment as engine

    timings = {}
    timings["dsr"], _ = _timed(lambda: engine.estimate(base))
    started = time.perf_counter()
    for name in ("ward", "la"):
        level = frame.levels[name]
        engine.estimate(engine.aggregate(base, level.index, len(level.codes)))
    timings["aggregate"] = time.perf_counter() - started
    parent, n_la = frame.levels["lsoa"].parent, len(frame.levels["la"].codes)
    started = time.perf_counter()
    deciles = engine.local_deciles(frame.imd_score, parent, n_la)
    timings["deciles"] = time.perf_counter() - started
    timings["sii"], _ = _timed(
        lambda: engine.gradient(
            base, parent, deciles, n_la, high_is_bad=True, repetitions=repetitions
        )
    )
    return timings


def _loop(counts: np.ndarray, pops: np.ndarray, sample: int) -> tuple[float, int, np.ndarray]:
    """Seconds for statistics.dsr per area and confidence (scaled up from SAMPLE areas)."""
    from opus.engines import statistics as st

    n = len(counts) if sample <= 0 else min(sample, len(counts))
    out = np.full((n, 5), np.nan)
    started = time.perf_counter()
    for i in range(n):
        for j, level in enumerate(CONFIDENCES):
            found = st.dsr(counts[i], pops[i], st.ESP2013, confidence=level)
            out[i, 0], out[i, 1 + 2 * j], out[i, 2 + 2 * j] = found.value, found.lower, found.upper
    elapsed = time.perf_counter() - started
    return elapsed * len(counts) / n, n, out


def _differences(ours: np.ndarray, theirs: np.ndarray) -> dict[str, float]:
    """Max absolute and relative differences, and how many areas are nan on one side only."""
    mismatched = int((np.isnan(ours) != np.isnan(theirs)).sum())
    both = np.isfinite(ours) & np.isfinite(theirs)
    gap = np.abs(ours[both] - theirs[both])
    scale = np.maximum(np.abs(theirs[both]), np.finfo(float).tiny)
    return {
        "max_abs": float(gap.max(initial=0.0)),
        "max_rel": float((gap / scale).max(initial=0.0)),
        "nan_mismatch": mismatched,
        "compared": int(both.sum()),
    }


def _phstats(codes: np.ndarray, counts: np.ndarray, pops: np.ndarray, ours: dict) -> dict:
    """ph_dsr on the same job: its time and its agreement with Opus, or why it was skipped."""
    try:
        import pandas as pd
        from PHStatsMethods.DSR import ph_dsr
    except ImportError as exc:
        return {
            "skipped": f"PHStatsMethods is not importable ({exc}); "
            ".venv/bin/pip install phstatsmethods"
        }
    from opus.core.models import AGE_BANDS
    from opus.engines import statistics as st

    n, bands = counts.shape
    frame = pd.DataFrame(
        {
            "area": np.repeat(codes, bands),
            "age_band": np.tile(np.array(AGE_BANDS), n),
            "events": counts.ravel(),
            "population": pops.ravel(),
            "esp": np.tile(np.array(st.ESP2013, dtype=float), n),
        }
    )
    seconds, found = _timed(
        lambda: ph_dsr(
            frame,
            "events",
            "population",
            "esp",
            group_cols="area",
            metadata=False,
            confidence=list(CONFIDENCES),
            multiplier=100_000,
            euro_standard_pops=False,
        )
    )
    found = found.set_index("area").loc[codes]
    columns = {
        "value": "Value",
        st.limit_keys(0.95)[0]: "lower_95_ci",
        st.limit_keys(0.95)[1]: "upper_95_ci",
        st.limit_keys(0.998)[0]: "lower_99_8_ci",
        st.limit_keys(0.998)[1]: "upper_99_8_ci",
    }
    agreement = {
        key: _differences(ours[key], found[col].to_numpy(dtype=float))
        for key, col in columns.items()
    }
    return {
        "seconds": seconds,
        "version": version("phstatsmethods"),
        "pandas": version("pandas"),
        "agreement": agreement,
    }


def _inputs(options: argparse.Namespace) -> tuple[Any, list[Any]]:
    from opus.needs import compute
    from opus.needs.models import Assessment

    assessment = Assessment.objects.select_related("area").get(pk=options.assessment)
    frame = compute.load_frame(assessment)
    bases = [
        compute.lsoa_inputs(ind, frame, compute.latest_datasets(ind, assessment.period))
        for ind in assessment.indicators.order_by("slug")
    ]
    return frame, bases


def stage_engine(options: argparse.Namespace) -> None:
    """The engine alone on arrays loaded (untimed) from the database, and the baselines."""
    django_setup()
    from opus.engines import statistics as st

    frame, bases = _inputs(options)
    per_indicator = [_engine_indicator(b, frame, options.repetitions) for b in bases]
    engine_parts = {k: sum(t[k] for t in per_indicator) for k in per_indicator[0]}
    # The DSR job: the first indicator (emergency-admissions), every LSOA, both confidences.
    counts, pops = bases[0].band_counts, bases[0].band_populations
    vector_s, ours = _timed(
        lambda: st.dsr_many(counts, pops, st.ESP2013, multiplier=100_000, confidences=CONFIDENCES),
        runs=7,
    )
    loop_s, loop_n, loop_out = _loop(counts, pops, options.loop_sample)
    keys = ["value", *st.limit_keys(0.95), *st.limit_keys(0.998)]
    loop_check = max(
        _differences(ours[k][:loop_n], loop_out[:, j])["max_rel"] for j, k in enumerate(keys)
    )
    m = options.ph_areas if options.ph_areas > 0 else len(counts)
    codes = frame.levels["lsoa"].codes[:m]
    ph_vector_s, ph_ours = _timed(
        lambda: st.dsr_many(
            counts[:m], pops[:m], st.ESP2013, multiplier=100_000, confidences=CONFIDENCES
        ),
        runs=7,
    )
    ph = _phstats(codes, counts[:m], pops[:m], ph_ours)
    report_json(
        {
            "engine_s": sum(engine_parts.values()),
            "per_indicator": [sum(t.values()) for t in per_indicator],
            "engine_parts": engine_parts,
            "areas": len(counts),
            "wards": len(frame.levels["ward"].codes),
            "authorities": len(frame.levels["la"].codes),
            "vector_s": vector_s,
            "loop_s": loop_s,
            "loop_n": loop_n,
            "loop_check": loop_check,
            "ph_areas": m,
            "ph_vector_s": ph_vector_s,
            "phstats": ph,
            "nan_values": int(np.isnan(ours["value"]).sum()),
        }
    )


STAGES = {"prepare": stage_prepare, "compute": stage_compute, "engine": stage_engine}


# --- one database -------------------------------------------------------------------------


@dataclass
class Outcome:
    """The figures for one database."""

    database: str
    server_version: str
    seed_s: float = 0.0
    prepared: dict = field(default_factory=dict)
    computed: dict = field(default_factory=dict)
    engine: dict = field(default_factory=dict)
    error: str = ""


def say(database: str, message: str) -> None:
    print(f"[{database}] {message}", flush=True)


def bench_database(
    outcome: Outcome, database_env: dict[str, str], options: argparse.Namespace
) -> None:
    env = subprocess_env(database_env)
    name = outcome.database
    say(name, f"migrate: {manage(['migrate', '--no-input', '--verbosity', '0'], env):.1f} s")
    seed = ["seed_demo", "--scale", "national", "--seed", "1", "--verbosity", "0"]
    outcome.seed_s = manage(seed, env)
    say(name, f"seed_demo --scale national --seed 1: {outcome.seed_s:.1f} s")
    outcome.prepared = prepared = stage("prepare", env, options)
    say(
        name,
        f"{options.indicators} DSR indicators uploaded ({prepared['lsoas']:,} LSOAs each) in "
        f"{prepared['upload_s']:.1f} s; assessment {prepared['assessment']} created",
    )
    outcome.computed = stage("compute", env, options, assessment=prepared["assessment"])
    say(name, f"assessment_compute: {outcome.computed['seconds']:.2f} s")
    if options.profile:
        return
    outcome.engine = stage("engine", env, options, assessment=prepared["assessment"])
    say(name, f"engine alone: {outcome.engine['engine_s']:.2f} s; baselines done")


def run_one(database: str, options: argparse.Namespace) -> Outcome | None:
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
            else fresh_postgresql(options.pg_admin_url, "needs")
        )
        with fresh as database_env:
            bench_database(outcome, database_env, options)
    except (BenchError, OSError) as exc:
        outcome.error = str(exc)
        say(database, f"ERROR: {exc}")
    return outcome


# --- report -------------------------------------------------------------------------------


def below(value: float, target: float) -> str:
    return "PASS" if value < target else "MISS"


def _e2e_rows(o: Outcome) -> list[tuple[str, ...]]:
    c = o.computed
    if not c:
        return []
    gb = MEMORY_TARGET_BYTES / 1e9
    return [
        (
            "end to end (assessment_compute)",
            f"{c['seconds']:.2f} s",
            f"< {E2E_TARGET_S:.0f} s",
            f"{c['seconds'] / E2E_TARGET_S:.2f}",
            below(c["seconds"], E2E_TARGET_S),
        ),
        (
            "peak RSS of that process",
            f"{c['peak_rss'] / 1e9:.2f} GB",
            f"< {gb:.0f} GB",
            f"{c['peak_rss'] / MEMORY_TARGET_BYTES:.2f}",
            below(c["peak_rss"], MEMORY_TARGET_BYTES),
        ),
        ("  (RSS before the call)", f"{c['rss_before'] / 1e9:.2f} GB", "", "", ""),
        ("Result rows / priorities stored", f"{c['results']} / {c['priorities']}", "", "", ""),
    ]


def _engine_rows(o: Outcome) -> list[tuple[str, ...]]:
    e = o.engine
    if not e:
        return []
    parts = ", ".join(f"{k} {v:.2f}" for k, v in e["engine_parts"].items())
    loop_label = "all areas" if e["loop_n"] == e["areas"] else f"{e['loop_n']:,} areas, scaled"
    rows = [
        (
            f"engine alone ({len(e['per_indicator'])} indicators)",
            f"{e['engine_s']:.2f} s",
            "info",
            "",
            "",
        ),
        (f"  = {parts} s", "", "", "", ""),
        ("DSR job, vectorised dsr_many", f"{e['vector_s'] * 1e3:.1f} ms", "", "", ""),
        (
            f"DSR job, per-area loop ({loop_label})",
            f"{e['loop_s']:.2f} s",
            "info",
            f"{e['loop_s'] / e['vector_s']:.0f}x",
            "",
        ),
    ]
    ph = e["phstats"]
    if "skipped" in ph:
        return [*rows, ("PHStatsMethods ph_dsr", f"skipped: {ph['skipped']}", "", "", "")]
    ratio = ph["seconds"] / e["ph_vector_s"]
    worst = max(a["max_rel"] for a in ph["agreement"].values())
    worst_abs = max(a["max_abs"] for a in ph["agreement"].values())
    nan_mismatch = sum(a["nan_mismatch"] for a in ph["agreement"].values())
    agree = "PASS" if worst <= AGREEMENT and nan_mismatch == 0 else "MISS"
    return [
        *rows,
        (
            f"DSR job, PHStatsMethods ph_dsr ({e['ph_areas']:,} areas)",
            f"{ph['seconds']:.2f} s",
            f">= {PHSTATS_TARGET_RATIO:.0f}x",
            f"{ratio:.0f}x",
            "PASS" if ratio >= PHSTATS_TARGET_RATIO else "MISS",
        ),
        ("  agreement, max relative difference", f"{worst:.1e}", f"<= {AGREEMENT:.0e}", "", agree),
        ("  agreement, max absolute difference", f"{worst_abs:.1e}", "", "", ""),
        ("  areas nan on one side only", f"{nan_mismatch}", "0", "", ""),
    ]


def print_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def machine_lines() -> list[str]:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    try:
        ph = f"PHStatsMethods {version('phstatsmethods')}, pandas {version('pandas')}"
    except PackageNotFoundError:
        ph = "PHStatsMethods not installed"
    return [
        f"machine: nproc {len(os.sched_getaffinity(0))} ({cpu}), {platform.platform()}",
        f"software: Python {platform.python_version()}, Django {version('django')}, "
        f"numpy {version('numpy')}, {ph}",
    ]


def report(outcomes: list[Outcome], options: argparse.Namespace) -> None:
    print()
    print("Needs assessment benchmark (issue 3): synthetic England, seed_demo --scale national")
    for line in machine_lines():
        print(line)
    print(
        f"job: {options.indicators} DSR indicators, SII with {options.repetitions:,} repetitions"
        " per authority; ratio = figure / target for times and memory, speed-up for baselines"
    )
    for o in outcomes:
        print()
        print(
            f"{o.database} ({o.server_version}); seed {o.seed_s:.1f} s, uploads (untimed): "
            if o.prepared
            else f"{o.database} ({o.server_version})",
            end="",
        )
        if o.prepared:
            print(
                f"{o.prepared['upload_s']:.1f} s for {options.indicators} uploads "
                f"({o.prepared['csv_bytes'] / 1e6:.1f} MB CSV each)"
            )
        else:
            print()
        rows = _e2e_rows(o) + _engine_rows(o)
        if o.error:
            rows.append(("ERROR", "see above", "", "", ""))
        print_table(("measure", "figure", "target", "ratio", "verdict"), rows)
        if o.engine:
            e = o.engine
            print(
                f"geography: {e['areas']:,} LSOAs, {e['wards']:,} wards, {e['authorities']} "
                f"authorities; DSR job: {e['nan_values']} LSOAs below 10 events (nan); "
                f"loop vs dsr_many max relative difference {e['loop_check']:.1e}"
            )
            if "agreement" in e["phstats"]:
                print_table(
                    ("column", "max abs", "max rel", "nan mismatch", "compared"),
                    [
                        (
                            k,
                            f"{a['max_abs']:.2e}",
                            f"{a['max_rel']:.2e}",
                            str(a["nan_mismatch"]),
                            str(a["compared"]),
                        )
                        for k, a in e["phstats"]["agreement"].items()
                    ],
                )


# --- command line -------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Seed a synthetic England into a fresh database, upload 20 directly "
        "standardised indicators and time a full needs assessment (assessment_compute) against "
        "10 s and 2 GB peak RSS; time the engine alone, and the same DSR job as a per-area "
        "Python loop and with PHStatsMethods ph_dsr (target: 100x faster, agreement 1e-9). "
        "Reports; does not fail on a missed target.",
    )
    parser.add_argument(
        "--databases",
        default="sqlite",
        help="comma-separated, from: sqlite, postgresql (default: sqlite)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"smoke run: {QUICK_INDICATORS} indicators, {QUICK_REPETITIONS:,} "
        f"repetitions, ph_dsr on {QUICK_PH_AREAS:,} areas",
    )
    parser.add_argument("--indicators", type=int, default=INDICATORS, help="default 20")
    parser.add_argument("--repetitions", type=int, default=REPETITIONS, help="default 100,000")
    parser.add_argument(
        "--loop-sample",
        type=int,
        default=3_000,
        help="time the per-area loop on this many areas and scale linearly to all of "
        "them (default 3,000; 0: every area)",
    )
    parser.add_argument(
        "--ph-areas", type=int, default=0, help="areas for the ph_dsr comparison (default 0: all)"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="run assessment_compute under cProfile and print where time goes "
        "(the timed figure then includes profiling overhead)",
    )
    parser.add_argument(
        "--pg-admin-url",
        default=os.environ.get("OPUS_BENCH_POSTGRES", DEFAULT_PG_ADMIN),
        help="PostgreSQL admin connection used to create and drop the bench "
        f"database (default: $OPUS_BENCH_POSTGRES or {DEFAULT_PG_ADMIN})",
    )
    parser.add_argument("--stage", choices=sorted(STAGES), help=argparse.SUPPRESS)
    parser.add_argument("--assessment", type=int, default=0, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    options.databases = [d.strip() for d in options.databases.split(",") if d.strip()]
    unknown = sorted(set(options.databases) - set(DATABASES))
    if unknown or not options.databases:
        parser.error(f"--databases takes sqlite and/or postgresql, not {unknown or 'nothing'}")
    if options.quick:
        options.indicators, options.repetitions = QUICK_INDICATORS, QUICK_REPETITIONS
        options.ph_areas = options.ph_areas or QUICK_PH_AREAS
    if options.indicators < 1 or options.repetitions < 1000:
        parser.error("--indicators must be at least 1 and --repetitions at least 1000")
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
