"""Computing an assessment: rows from the database in, arrays through the engine, results out.

The geography is read once into a frame of arrays (one row per LSOA, with the index of
its ward, neighbourhood and authority); each indicator's latest data from every partner
agency is laid onto that frame; opus.engines.assessment does the arithmetic; the results
are written back as one columnar row per indicator and level.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import cached_property
from typing import Any

import numpy as np
from django.db.models import Q

from opus.core.models import Area, AreaKind
from opus.engines import assessment as engine
from opus.needs.models import (
    Assessment,
    Breakdown,
    Dataset,
    Indicator,
    Method,
    Priority,
    Result,
    pack,
)

Progress = Callable[[int, int, str], None]
LEVELS = ("lsoa", "ward", "neighbourhood", "la")


@dataclass
class Level:
    codes: np.ndarray
    names: np.ndarray
    index: np.ndarray  # for each LSOA, its row at this level (−1: none)
    parent: np.ndarray  # for each row at this level, its authority's row


@dataclass
class Frame:
    """The small areas of an assessment and how they group."""

    lsoa_ids: np.ndarray
    populations: np.ndarray  # [N, 19] both sexes
    male: np.ndarray
    female: np.ndarray
    imd_score: np.ndarray
    levels: dict[str, Level]
    area_rows: dict[int, tuple[str, int]]  # area id → (level, row), for uploads above LSOA
    deciles: np.ndarray  # each LSOA's deprivation decile within its authority (0: none)

    @cached_property
    def row_of(self) -> dict[int, int]:
        """Each LSOA's row, by its id."""
        return {int(pk): i for i, pk in enumerate(self.lsoa_ids)}


def _scope(assessment: Assessment) -> Q:
    area = assessment.area
    if area.kind == AreaKind.LOCAL_AUTHORITY:
        return Q(parent__parent=area) | Q(parent=area)
    return Q(pk__in=area.lsoas.values("pk")) if area.kind == AreaKind.NEIGHBOURHOOD else Q()


def _level(codes: list[str], names: dict[str, str], index: list[int], parent: list[int]) -> Level:
    return Level(
        np.array(codes, dtype=str),
        np.array([names[c] for c in codes], dtype=str),
        np.array(index, dtype=np.int64),
        np.array(parent, dtype=np.int64),
    )


def load_frame(assessment: Assessment) -> Frame:
    lsoas = list(
        Area.objects.filter(_scope(assessment), kind=AreaKind.LSOA)
        .order_by("code")
        .values_list(
            "pk",
            "code",
            "name",
            "parent_id",
            "parent__parent_id",
            "neighbourhood_id",
            "imd_score",
            "population_male",
            "population_female",
        )
    )
    if not lsoas:
        raise ValueError(f"{assessment.area} has no small areas (LSOAs) to assess")
    ids, codes, names, wards, las, hoods, imd, male, female = zip(*lsoas, strict=True)
    las = tuple(
        la or ward for la, ward in zip(las, wards, strict=True)
    )  # LSOAs straight under an LA
    parents = Area.objects.in_bulk({*wards, *las, *(h for h in hoods if h)})
    la_ids = sorted(set(las))
    la_row = {pk: i for i, pk in enumerate(la_ids)}
    levels = {
        "lsoa": _level(
            list(codes),
            dict(zip(codes, names, strict=True)),
            list(range(len(codes))),
            [la_row[x] for x in las],
        )
    }
    for name, keys in (("ward", wards), ("neighbourhood", hoods), ("la", las)):
        distinct = sorted(
            {k for k in keys if k and parents[k].kind != AreaKind.LOCAL_AUTHORITY}
            if name != "la"
            else set(keys)
        )
        row = {pk: i for i, pk in enumerate(distinct)}
        level_codes = [parents[pk].code for pk in distinct]
        level_names = {parents[pk].code: parents[pk].name for pk in distinct}
        parent = [la_row.get(parents[pk].parent_id or pk, la_row.get(pk, 0)) for pk in distinct]
        levels[name] = _level(level_codes, level_names, [row.get(k, -1) for k in keys], parent)
    male_arr, female_arr = np.array(male, dtype=np.float64), np.array(female, dtype=np.float64)
    area_rows = {pk: ("lsoa", i) for i, pk in enumerate(ids)}
    pk_of_code = {area.code: pk for pk, area in parents.items()}
    for name in ("ward", "la"):
        for i, code in enumerate(levels[name].codes):
            area_rows[pk_of_code[code]] = (name, i)
    imd_scores = np.array([np.nan if s is None else s for s in imd], dtype=np.float64)
    deciles = engine.local_deciles(imd_scores, levels["lsoa"].parent, len(levels["la"].codes))
    return Frame(
        np.array(ids), male_arr + female_arr, male_arr, female_arr, imd_scores, levels,
        area_rows, deciles,
    )  # fmt: skip


def latest_datasets(indicator: Indicator, period: str) -> list[Dataset]:
    """The newest upload of each partner agency for this indicator and period, oldest first."""
    newest: dict[int, Dataset] = {}
    found = Dataset.objects.filter(indicator=indicator, period=period).select_related(
        "indicator", "agency"
    )
    for dataset in found.order_by("version"):
        newest[dataset.agency_id] = dataset
    return sorted(newest.values(), key=lambda d: d.created_at)


def dataset_sources(datasets: list[Dataset]) -> list[dict[str, Any]]:
    """Who sent each version used: the organisation that uploaded it, not the indicator's owner."""
    return [
        {
            "agency": d.agency.name,
            "agency_slug": d.agency.slug,
            "version": d.version,
            "period": d.period,
            "uploaded_at": d.created_at.isoformat(),
        }
        for d in datasets
    ]


# Stored figures beyond this are not counts of people (uploads are checked to 10^9 a cell since
# issue 11; older ones were not): such rows are treated as missing, with a warning, so that one
# bad cell cannot make every assessment with its indicator fail.
LARGEST_USABLE = 1e12
NUMERIC = ("numerator", "denominator", "bands", "band_pops")
LABEL_CHARS = Priority._meta.get_field("label").max_length or 300


def usable_arrays(dataset: Dataset) -> dict[str, np.ndarray]:
    """The dataset's columns with unusable rows blanked (nan); their count in .skipped_rows."""
    cached = getattr(dataset, "_usable", None)
    if cached is not None:
        return cached
    data = dataset.arrays()
    bad = np.zeros(len(data["area_id"]), dtype=bool)
    for name in NUMERIC:
        if name in data:
            values = data[name].reshape(len(bad), -1)
            with np.errstate(invalid="ignore"):
                wrong = np.isinf(values) | (values < 0) | (values > LARGEST_USABLE)
            bad |= wrong.any(axis=1)
    if dataset.indicator.method == Method.PROPORTION:
        with np.errstate(invalid="ignore"):
            bad |= data["numerator"] > data["denominator"]
    for name in NUMERIC:
        if name in data and bad.any():
            data[name] = data[name].astype(np.float64)
            data[name][bad] = np.nan
    dataset._usable = data  # type: ignore[attr-defined]
    dataset.skipped_rows = int(bad.sum())  # type: ignore[attr-defined]
    return data


def skipped_warning(datasets: list[Dataset]) -> str | None:
    """A line for the results when stored rows had to be left out."""
    skipped = sum(getattr(d, "skipped_rows", 0) for d in datasets)
    if not skipped:
        return None
    return (
        f"{skipped} stored row{'s' if skipped != 1 else ''} with an impossible figure "
        "(infinite, negative, too large, or a numerator above its denominator) "
        "left out as missing"
    )


def lsoa_inputs(indicator: Indicator, frame: Frame, datasets: list[Dataset]) -> engine.Inputs:
    """The 'everyone' rows at LSOA level laid onto the frame (nan where nobody sent data)."""
    n = len(frame.lsoa_ids)
    row_of = frame.row_of
    columns: dict[str, np.ndarray] = {}
    for dataset in datasets:
        data = usable_arrays(dataset)
        rows = np.array([row_of.get(int(a), -1) for a in data["area_id"]], dtype=np.int64)
        keep = (rows >= 0) & (data["breakdown"] == Breakdown.ALL)
        for name in ("numerator", "denominator", "bands", "band_pops"):
            if name in data:
                column = columns.setdefault(name, np.full((n, *data[name].shape[1:]), np.nan))
                column[rows[keep]] = data[name][keep]
    if indicator.method in SPREADABLE:
        _spread_area_rows(frame, datasets, columns)
    numerators = columns.get("numerator", np.full(n, np.nan))
    if indicator.method == Method.LIFE_EXPECTANCY:
        pops = columns.get("band_pops", np.full((n, 20), np.nan))
        deaths = columns.get("bands", np.full((n, 20), np.nan))
        return engine.Inputs(indicator.method, 1, numerators, pops.sum(axis=1), deaths, pops)
    if indicator.method in (Method.DSR, Method.ISR):
        bands = columns.get("bands", np.full((n, 19), np.nan))
        return engine.Inputs(
            indicator.method,
            indicator.multiplier,
            numerators,
            frame.populations.sum(axis=1),
            bands,
            frame.populations,
        )
    denominators = columns.get("denominator", np.full(n, np.nan))
    return engine.Inputs(indicator.method, indicator.multiplier, numerators, denominators)


SPREADABLE = (Method.PROPORTION, Method.CRUDE_RATE)


def _spread_area_rows(
    frame: Frame, datasets: list[Dataset], columns: dict[str, np.ndarray]
) -> None:
    """'Everyone' figures for a whole ward, neighbourhood or authority (a contract's KPI returns,
    say) fill its small areas that have no figures of their own, shared by population: the
    area's total is the figure sent and each small area shows the area's rate."""
    n = len(frame.lsoa_ids)
    wanted: set[int] = set()
    for dataset in datasets:
        data = usable_arrays(dataset)
        ids = np.unique(data["area_id"][data["breakdown"] == Breakdown.ALL])
        wanted.update(int(a) for a in ids[~np.isin(ids, frame.lsoa_ids)])
    if not wanted:
        return
    codes = dict(Area.objects.filter(pk__in=wanted).values_list("pk", "code"))
    places = {
        str(code): (name, row)
        for name in ("ward", "neighbourhood", "la")
        for row, code in enumerate(frame.levels[name].codes)
    }
    numerators = columns.setdefault("numerator", np.full(n, np.nan))
    denominators = columns.setdefault("denominator", np.full(n, np.nan))
    people = frame.populations.sum(axis=1)
    for dataset in datasets:
        data = usable_arrays(dataset)
        above = np.isin(data["area_id"], list(codes))
        for i in np.flatnonzero((data["breakdown"] == Breakdown.ALL) & above):
            place = places.get(codes.get(int(data["area_id"][i]), ""))
            if place is None:
                continue
            inside = np.flatnonzero(frame.levels[place[0]].index == place[1])
            empty = inside[np.isnan(numerators[inside]) & np.isnan(denominators[inside])]
            total = people[empty].sum()
            if total > 0:
                numerators[empty] = data["numerator"][i] * people[empty] / total
                denominators[empty] = data["denominator"][i] * people[empty] / total


def _table(
    level: Level,
    inputs: engine.Inputs,
    limits: dict[str, np.ndarray],
    parent_values: np.ndarray,
    benchmark: float,
) -> dict[str, np.ndarray]:
    reference = (
        parent_values[level.parent] if len(parent_values) else np.full(len(level.codes), np.nan)
    )
    denominators = (
        inputs.denominators
        if inputs.denominators is not None
        else np.full(len(level.codes), np.nan)
    )
    return {
        "codes": level.codes,
        "names": level.names,
        "numerator": inputs.numerators,
        "denominator": denominators,
        **{k: v for k, v in limits.items()},
        "vs_parent": engine.compare(limits, reference, 0.95),
        "vs_parent_998": engine.compare(limits, reference, 0.998),
        "vs_benchmark": engine.compare(limits, np.full(len(level.codes), benchmark), 0.95),
        "vs_benchmark_998": engine.compare(limits, np.full(len(level.codes), benchmark), 0.998),
    }


def _levels(indicator: Indicator, frame: Frame, base: engine.Inputs) -> dict[str, dict[str, Any]]:
    la = frame.levels["la"]
    la_inputs = engine.aggregate(base, frame.levels["la"].index, len(la.codes))
    everyone = engine.aggregate(base, np.zeros(len(frame.lsoa_ids), dtype=np.int64), 1)
    reference = engine.reference_band_rates(base) if indicator.method == Method.ISR else None
    la_limits = engine.estimate(la_inputs, reference)
    benchmark = float(engine.estimate(everyone, reference)["value"][0])
    tables = {}
    for name in LEVELS:
        level = frame.levels[name]
        if len(level.codes) == 0:
            continue
        inputs = base if name == "lsoa" else engine.aggregate(base, level.index, len(level.codes))
        limits = la_limits if name == "la" else engine.estimate(inputs, reference)
        tables[name] = {
            "table": _table(level, inputs, limits, la_limits["value"], benchmark),
            "summary": {"benchmark": _finite(benchmark)},
        }
    return tables


def _gradient(
    indicator: Indicator, frame: Frame, base: engine.Inputs, repetitions: int
) -> tuple[dict[str, Any], engine.Gradient, np.ndarray]:
    la = frame.levels["la"]
    deciles = frame.deciles
    found = engine.gradient(
        base,
        frame.levels["lsoa"].parent,
        deciles,
        len(la.codes),
        high_is_bad=indicator.high_is_bad,
        repetitions=repetitions,
    )
    codes = np.array([f"{code}:{d}" for code in la.codes for d in range(1, 11)])
    table = {
        "codes": codes,
        "names": np.array([f"Decile {d}" for _ in la.codes for d in range(1, 11)]),
        "value": found.values.ravel(),
        engine.LOWER95: found.lower.ravel(),
        engine.UPPER95: found.upper.ravel(),
        "denominator": found.populations.ravel(),
    }
    summary = {"sii": {code: _sii_dict(s) for code, s in zip(la.codes, found.sii, strict=True)}}
    return {"table": table, "summary": summary}, found, deciles


def _finite(value: float) -> float | None:
    """JSON has no nan: a missing figure is stored as null."""
    return float(value) if np.isfinite(value) else None


def _sii_dict(result: engine.SII) -> dict[str, float | None]:
    return {
        k: (None if not np.isfinite(v) else round(float(v), 6)) for k, v in asdict(result).items()
    }


def _area_populations(frame: Frame, sex: str) -> dict[tuple[str, int], np.ndarray]:
    """Band populations for every area an upload row may name, by sex ('' for both)."""
    source = {"male": frame.male, "female": frame.female}.get(sex, frame.populations)
    found = {("lsoa", i): source[i] for i in range(len(source))}
    for name in ("ward", "la"):
        level = frame.levels[name]
        sums = engine.group_sum(source, level.index, len(level.codes))
        found.update({(name, i): sums[i] for i in range(len(level.codes))})
    return found


def breakdowns(
    indicator: Indicator, frame: Frame, datasets: list[Dataset]
) -> dict[str, dict[str, Any]]:
    """Values for each protected-characteristic group, over the whole assessment area."""
    groups: dict[tuple[str, str], list[np.ndarray]] = {}
    for dataset in datasets:
        data = usable_arrays(dataset)
        for i in np.flatnonzero(data["breakdown"] != Breakdown.ALL):
            where = frame.area_rows.get(int(data["area_id"][i]))
            if where is None:
                continue
            key = (str(data["breakdown"][i]), str(data["group"][i]))
            bands = data["bands"][i] if "bands" in data else np.zeros(0)
            groups.setdefault(key, []).append(
                np.concatenate(
                    [
                        [data["numerator"][i], data["denominator"][i]],
                        bands,
                        [LEVELS.index(where[0]), where[1]],
                    ]
                )
            )
    tables: dict[str, dict[str, Any]] = {}
    for kind in sorted({k for k, _ in groups}):
        names = sorted(g for k, g in groups if k == kind)
        inputs = _group_inputs(indicator, frame, [groups[(kind, g)] for g in names], kind, names)
        if inputs is None:
            continue
        limits = engine.estimate(inputs)
        best = np.nanmin(limits["value"]) if indicator.high_is_bad else np.nanmax(limits["value"])
        table = {
            "codes": np.array(names),
            "names": np.array(names),
            "numerator": inputs.numerators,
            "denominator": engine.populations_of(inputs),
            **limits,
        }
        tables[f"breakdown:{kind}"] = {"table": table, "summary": {"best": _finite(best)}}
    return tables


def _group_inputs(
    indicator: Indicator, frame: Frame, rows: list[list[np.ndarray]], kind: str, names: list[str]
) -> engine.Inputs | None:
    stacked = [np.array(r) for r in rows]
    numerators = np.array([r[:, 0].sum() for r in stacked])
    if indicator.method not in (Method.DSR, Method.ISR):
        return engine.Inputs(
            indicator.method,
            indicator.multiplier,
            numerators,
            np.array([r[:, 1].sum() for r in stacked]),
        )
    if kind != Breakdown.SEX:
        return None  # populations by age within other groups are not in the geography
    bands = np.array([r[:, 2:21].sum(axis=0) for r in stacked])
    pops = []
    for name, r in zip(names, stacked, strict=True):
        lookup = _area_populations(frame, name)
        pops.append(sum(lookup[(LEVELS[int(level)], int(row))] for level, row in r[:, 21:23]))
    pops_arr = np.array(pops)
    return engine.Inputs(
        indicator.method, indicator.multiplier, numerators, pops_arr.sum(axis=1), bands, pops_arr
    )


def _excess_deaths(base: engine.Inputs, frame: Frame, deciles: np.ndarray) -> float:
    """Deaths beyond those if each authority's areas had its least deprived tenth's death rates."""
    deaths, pops = base.band_counts, base.band_populations
    assert deaths is not None and pops is not None
    total = 0.0
    for rows in _rows_by_authority(frame):
        best = rows[deciles[rows] == 10]
        if len(best) == 0:
            continue
        with np.errstate(invalid="ignore", divide="ignore"):
            rates = np.nansum(deaths[best], axis=0) / np.nansum(pops[best], axis=0)
        total += engine.excess_events(deaths[rows], pops[rows], np.nan_to_num(rates))
    return total


def needs_for(
    indicator: Indicator,
    frame: Frame,
    base: engine.Inputs,
    gradient: engine.Gradient,
    deciles: np.ndarray,
    tables: dict[str, dict[str, Any]],
) -> list[engine.Need]:
    """The gaps this indicator shows: by deprivation, and between groups."""
    lsoa = tables["lsoa"]["table"]
    least_deprived = gradient.values[:, 9]
    target = least_deprived[frame.levels["lsoa"].parent]
    gap = gradient.values[:, 0] - gradient.values[:, 9]
    excess = (
        _excess_deaths(base, frame, deciles)
        if indicator.method == Method.LIFE_EXPECTANCY
        else sum(
            engine.excess_people(
                lsoa["value"][rows],
                _denominators(base)[rows],
                float(target[rows][0]),
                100 if indicator.method == Method.ISR else indicator.multiplier,
                high_is_bad=indicator.high_is_bad,
            )
            for rows in _rows_by_authority(frame)
            if np.isfinite(target[rows][0])
        )
    )
    sii = [s.sii for s in gradient.sii if np.isfinite(s.sii)]
    found = [
        engine.Need(
            f"{indicator.slug}:deprivation",
            "most and least deprived areas"
            + (" (deaths)" if indicator.method == Method.LIFE_EXPECTANCY else ""),
            excess,
            float(np.nanmean(gap)) if np.isfinite(gap).any() else float("nan"),
            float(np.mean(sii)) if sii else float("nan"),
        )
    ]
    for key, entry in tables.items():
        if not key.startswith("breakdown:"):
            continue
        table, best = entry["table"], entry["summary"]["best"]
        if best is None:
            continue
        for i, group in enumerate(table["codes"]):
            people = engine.excess_people(
                table["value"][i : i + 1],
                table["denominator"][i : i + 1],
                best,
                indicator.multiplier,
                high_is_bad=indicator.high_is_bad,
            )
            if people > 0:
                found.append(
                    engine.Need(
                        f"{indicator.slug}:{key}:{group}",
                        str(group),
                        people,
                        float(table["value"][i] - best),
                        float("nan"),
                    )
                )
    return found


def _denominators(inputs: engine.Inputs) -> np.ndarray:
    """What a gap multiplies to give people: the population, or for an ISR the expected count."""
    if inputs.method == Method.ISR and inputs.band_populations is not None:
        return inputs.band_populations @ engine.reference_band_rates(inputs)
    return engine.populations_of(inputs)


def _rows_by_authority(frame: Frame) -> list[np.ndarray]:
    parent = frame.levels["lsoa"].parent
    return [np.flatnonzero(parent == a) for a in range(len(frame.levels["la"].codes))]


def trend(indicator: Indicator, frame: Frame, up_to: str, current: engine.Inputs) -> dict[str, Any]:
    """The whole assessment area's value in every period with data, up to this one."""
    periods = sorted(
        p
        for p in Dataset.objects.filter(indicator=indicator)
        .values_list("period", flat=True)
        .distinct()
        if p <= up_to
    )
    everyone = np.zeros(len(frame.lsoa_ids), dtype=np.int64)
    rows = []
    for period in periods:
        if period == up_to:
            base = current
        else:
            base = lsoa_inputs(indicator, frame, latest_datasets(indicator, period))
        rows.append(engine.aggregate(base, everyone, 1))
    limits = [engine.estimate(r) for r in rows]
    table = {
        "codes": np.array(periods, dtype=str),
        "names": np.array(periods, dtype=str),
        "numerator": np.array([r.numerators[0] for r in rows]),
        "denominator": np.array([engine.populations_of(r)[0] for r in rows]),
        **{key: np.array([lim[key][0] for lim in limits]) for key in (limits[0] if limits else {})},
    }
    return {"table": table, "summary": {"periods": periods}}


def compute(
    assessment: Assessment, progress: Progress, *, repetitions: int = 100_000
) -> dict[str, Any]:
    """Every indicator at every level, the gradients, the breakdowns and the ranked needs."""
    frame = load_frame(assessment)
    indicators = list(assessment.indicators.order_by("name"))
    results: list[Result] = []
    needs: list[tuple[Indicator, engine.Need]] = []
    warnings: list[str] = []
    for i, indicator in enumerate(indicators):
        progress(i, len(indicators), f"Computing {indicator.name}")
        datasets = latest_datasets(indicator, assessment.period)
        if not datasets:
            continue
        base = lsoa_inputs(indicator, frame, datasets)
        tables = _levels(indicator, frame, base)
        tables["decile"], gradient, deciles = _gradient(indicator, frame, base, repetitions)
        tables.update(breakdowns(indicator, frame, datasets))
        tables["trend"] = trend(indicator, frame, assessment.period, base)
        sources = dataset_sources(datasets)
        for entry in tables.values():
            entry["summary"]["sources"] = sources
        warning = skipped_warning(datasets)
        if warning:
            warnings.append(f"{indicator.name}: {warning}")
            for entry in tables.values():
                entry["summary"]["warnings"] = [warning]
        results += [
            Result(
                assessment=assessment,
                indicator=indicator,
                level=level,
                table=pack(entry["table"]),
                summary=entry["summary"],
            )
            for level, entry in tables.items()
        ]
        found = needs_for(indicator, frame, base, gradient, deciles, tables)
        needs += [(indicator, need) for need in found]
    progress(len(indicators), len(indicators), "Saving results")
    return {
        "results": results,
        "needs": needs,
        "indicators": len(indicators),
        "warnings": warnings,
    }


def priorities(
    assessment: Assessment, needs: list[tuple[Indicator, engine.Need]], keep: int = 20
) -> list[Priority]:
    by_key = {need.key: indicator for indicator, need in needs}
    ranked = engine.rank_needs([need for _, need in needs])[:keep]
    return [
        Priority(
            assessment=assessment,
            indicator=by_key[need.key],
            rank=rank,
            group="Deprivation"
            if need.key.endswith(":deprivation")
            else need.key.split(":")[2].replace("_", " ").capitalize(),
            # a group's name is at most 80 characters since issue 11; older uploads had no limit
            label=f"{by_key[need.key].name}: {need.label}"[:LABEL_CHARS],
            people_affected=round(need.excess, 1),
            gap=None if not np.isfinite(need.gap) else need.gap,
            sii=None if not np.isfinite(need.sii) else need.sii,
        )
        for rank, need in enumerate(ranked, start=1)
    ]
