"""How a run is shown: rows for the results table, each area's waterfall as a chart with its
table, and the open-data form (CSV and JSON share it). Residents see pounds, never pence."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from opus.allocation.models import AllocationResult, AllocationRun
from opus.core.charts import AXIS_BAND, nice_top, value_axis
from opus.engines.fair_shares import STEPS
from opus.engines.money import pounds


def step_labels() -> dict[str, str]:
    return {
        "equal_share": _("Equal share per head"),
        "age": _("Age"),
        "need": _("Need"),
        "inequalities": _("Inequalities"),
        "cost": _("Unavoidable costs"),
        "resources": _("Resources (ability to pay)"),
        "transition": _("Pace of change or floor"),
    }


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:+.1f}%" if whole else "–"


def result_rows(results: list[AllocationResult]) -> list[dict[str, Any]]:
    return [
        {
            "code": r.area.code,
            "name": r.area.name,
            "population": r.population,
            "baseline": None if r.baseline_pence is None else pounds(r.baseline_pence),
            "target": pounds(r.target_pence),
            "allocation": pounds(r.allocation_pence),
            "distance": pounds(r.distance_pence),
            "distance_percent": _percent(r.distance_pence, r.target_pence),
            "per_head": pounds(r.allocation_pence // r.population) if r.population else "–",
        }
        for r in results
    ]


def waterfall(result: AllocationResult, width: int = 640, bar: int = 20) -> tuple[dict, list]:
    """Bars from an equal share per head to the allocation, each starting where the last ended."""
    labels = step_labels()
    label_width, running, rows, bars = 220, 0, [], []
    levels = [0]
    for amount in result.steps:
        running += amount
        levels.append(running)
    step, top = nice_top(max(levels) / 100)
    length = width - label_width - 30
    scale = length / top / 100
    for i, (key, amount) in enumerate(zip(STEPS, result.steps, strict=True)):
        start, end = sorted((levels[i], levels[i + 1]))
        rows.append(
            {"label": labels[key], "amount": pounds(amount), "after": pounds(levels[i + 1])}
        )
        bars.append({
            "label": labels[key],
            "x": round(label_width + start * scale, 1),
            "w": max(round((end - start) * scale, 1), 1),
            "y": i * (bar + 6),
            "text_y": i * (bar + 6) + bar - 5,
            "falls": amount < 0,
            "amount": pounds(amount),
        })  # fmt: skip
    base = len(bars) * (bar + 6)
    chart = {
        "width": width,
        "height": base + AXIS_BAND,
        "bars": bars,
        "axis": value_axis(top, step, start=label_width, length=length, at=base),
    }
    return chart, rows


def run_json(run: AllocationRun) -> dict[str, Any]:
    """The run as open data: what it was, its fingerprint and one line per area (pounds)."""
    results = run.results.select_related("area")
    names = list(STEPS)
    return {
        "id": run.pk,
        "title": run.title,
        "period": run.period,
        "level": run.level,
        "status": run.status,
        "published_at": run.published_at.isoformat() if run.published_at else None,
        "formula": {"name": run.formula.name, "version": run.formula.version,
                    "terms": run.inputs.get("formula", {})},
        "total_pounds": _money(run.total_pence),
        "input_hash_sha256": run.input_hash,
        "results": [
            {
                "area_code": r.area.code,
                "area_name": r.area.name,
                "population": r.population,
                "baseline_pounds": None if r.baseline_pence is None else _money(r.baseline_pence),
                "target_pounds": _money(r.target_pence),
                "allocation_pounds": _money(r.allocation_pence),
                "distance_from_target_pounds": _money(r.distance_pence),
                **{f"step_{n}_pounds": _money(v) for n, v in zip(names, r.steps, strict=True)},
            }
            for r in results
        ],
    }  # fmt: skip


def _money(pence: int) -> str:
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(pence), 100)
    return f"{sign}{whole}.{part:02d}"
