"""Turning stored result columns into rows for pages and downloads, suppressed for the public."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from django.conf import settings

from opus.engines.assessment import LOWER95, LOWER998, UPPER95, UPPER998
from opus.engines.disclosure import suppress_estimates, suppress_table
from opus.needs.models import Result

LEVEL_LABELS = {
    "lsoa": "Small areas (LSOAs)",
    "ward": "Wards",
    "neighbourhood": "Neighbourhoods",
    "la": "Local authority",
}
COLUMNS = {
    "value": "value",
    LOWER95: "lower",
    UPPER95: "upper",
    LOWER998: "lower_998",
    UPPER998: "upper_998",
    "numerator": "numerator",
    "denominator": "denominator",
    "vs_parent": "vs_parent",
    "vs_parent_998": "vs_parent_998",
    "vs_benchmark": "vs_benchmark",
}
MIN_DENOMINATOR = 30  # rates on fewer people than this are too unstable, and too revealing
HIDDEN_WHEN_SUPPRESSED = ("value", "lower", "upper", "lower_998", "upper_998", "numerator")


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        return None if not math.isfinite(value) else round(value, 6)
    return value


def table_rows(result: Result) -> list[dict[str, Any]]:
    data = result.arrays()
    present = {name: data[key] for key, name in COLUMNS.items() if key in data}
    rows = []
    for i, code in enumerate(data["codes"]):
        row: dict[str, Any] = {"code": str(code), "name": str(data["names"][i])}
        row.update({name: _clean(column[i].item()) for name, column in present.items()})
        rows.append(row)
    return rows


def public_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Hide figures resting on small numbers (and any that would reveal them)."""
    if not rows:
        return rows
    numerators = np.array(
        [r.get("numerator") if r.get("numerator") is not None else np.nan for r in rows]
    )
    denominators = np.array(
        [r.get("denominator") if r.get("denominator") is not None else np.nan for r in rows]
    )
    threshold = settings.OPUS_SUPPRESSION_THRESHOLD
    x, n = np.nan_to_num(numerators, nan=0.0), np.nan_to_num(denominators, nan=0.0)
    small = suppress_estimates(x, n, threshold=threshold, min_denominator=MIN_DENOMINATOR).mask
    # The areas' counts add up to a published total, so one hidden count needs a second.
    recoverable = suppress_table(x[None, :], threshold=threshold).mask[0]
    mask = small | recoverable
    shown = []
    for row, hidden in zip(rows, mask, strict=True):
        if hidden:
            row = {**row, **dict.fromkeys(HIDDEN_WHEN_SUPPRESSED), "suppressed": True}
        shown.append(row)
    return shown


def gradient_rows(result: Result, authority_code: str, *, public: bool) -> list[dict[str, Any]]:
    rows = [r for r in table_rows(result) if r["code"].startswith(f"{authority_code}:")]
    for row in rows:
        row["decile"] = int(row["code"].split(":")[1])
    return public_rows(rows) if public else rows


def sii_line(sii: dict[str, Any], high_is_bad: bool) -> tuple[float, float] | None:
    """Fitted values at the most (x = 0) and least (x = 1) deprived ends of the SII line."""
    intercept, slope_index = sii.get("intercept"), sii.get("sii")
    if intercept is None or slope_index is None:
        return None
    multiplier = -1 if high_is_bad else 1
    return float(intercept), float(intercept + slope_index / multiplier)


def judgement(flag: int | None, high_is_bad: bool) -> str:
    """'Worse', 'Better' or 'Similar' from a −1/0/+1 comparison and the indicator's polarity."""
    if flag is None or flag == 0:
        return "Similar"
    return "Worse" if (flag > 0) == high_is_bad else "Better"


def with_judgements(rows: list[dict[str, Any]], high_is_bad: bool) -> list[dict[str, Any]]:
    for row in rows:
        shown = row.get("value") is not None
        for key in ("vs_parent", "vs_parent_998", "vs_benchmark", "vs_benchmark_998"):
            row[f"{key}_label"] = judgement(row.get(key), high_is_bad) if shown else ""
    return rows
