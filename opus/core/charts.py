"""Chart geometry for server-rendered SVG: no JavaScript needed, data table always beside.

Every chart has a value axis with labelled ticks at round numbers (`value_axis`, drawn by
`charts/axis.html`), and no series is told apart by colour alone: the pyramid's halves are
labelled and the female bars hatched, comparison bars carry their verdict in words, and the
gradient's fitted line is dashed and labelled.
"""

from __future__ import annotations

import math
from typing import Any

AXIS_BAND = 24  # room under horizontal bars for the axis and its labels


def nice_top(maximum: float, count: int = 5) -> tuple[float, float]:
    """A round step and the smallest multiple of it at or above `maximum` (about `count` ticks)."""
    if maximum <= 0 or not math.isfinite(maximum):
        return 1.0, 1.0
    raw = maximum / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return step, step * math.ceil(maximum / step - 1e-9)


def tick_label(value: float, step: float) -> str:
    """The value with as many decimals as the step needs (0.25 → two, 250 → none)."""
    text = f"{step:.6g}"
    decimals = len(text.split(".")[1]) if "." in text and "e" not in text else 0
    return f"{value:,.{decimals}f}"


def value_axis(
    top: float,
    step: float,
    *,
    start: float,
    length: float,
    at: float,
    vertical: bool = False,
    reverse: bool = False,
) -> dict[str, Any]:
    """Ticks from 0 to `top` every `step`, placed along `length` from `start` (upwards when
    vertical, leftwards when `reverse`); `at` is the axis line's other coordinate."""
    count = round(top / step)
    ticks = []
    for i in range(count + 1):
        value = i * step
        offset = length * value / top
        if vertical:
            pos = start + length - offset
        else:
            pos = start - offset if reverse else start + offset
        ticks.append({"pos": round(pos, 1), "label": tick_label(value, step)})
    end = start - length if reverse and not vertical else start + length
    return {
        "vertical": vertical,
        "at": at,
        "start": start,
        "end": end,
        "ticks": ticks,
        "label_at": round(at + 16, 1) if not vertical else round(at - 6, 1),
    }


def pyramid(rows: list[dict[str, Any]], width: int = 600, bar_height: int = 16) -> dict[str, Any]:
    """Bars for a population pyramid: males to the left, females to the right, oldest on top."""
    label_width, gap, head = 60, 2, 18
    half = (width - label_width) / 2
    step, largest = nice_top(max([max(r["male"], r["female"]) for r in rows] + [1]), 4)
    bars = []
    for i, row in enumerate(reversed(rows)):
        y = head + i * (bar_height + gap)
        male_w = half * row["male"] / largest
        female_w = half * row["female"] / largest
        bars.append(
            {
                "band": row["band"],
                "y": y,
                "text_y": y + bar_height - 4,
                "male_x": half - male_w,
                "male_w": round(male_w, 1),
                "female_x": half + label_width,
                "female_w": round(female_w, 1),
                "label_x": half + label_width / 2,
            }
        )
    base = head + len(rows) * (bar_height + gap)
    return {
        "width": width,
        "height": base + AXIS_BAND,
        "bar_height": bar_height,
        "bars": bars,
        # The halves are named in words, not only by colour.
        "male_label_x": round(half / 2, 1),
        "female_label_x": round(half + label_width + half / 2, 1),
        "head_y": 12,
        "axes": [
            value_axis(largest, step, start=half, length=half, at=base, reverse=True),
            value_axis(largest, step, start=half + label_width, length=half, at=base),
        ],
    }


def horizontal_bars(
    rows: list[tuple[str, float]], maximum: float, width: int = 600, bar_height: int = 18
) -> dict[str, Any]:
    """Simple labelled horizontal bars, e.g. deprivation domain scores."""
    label_width = 260
    step, top = nice_top(maximum or 1)
    length = width - label_width - 50
    scale = length / top
    bars = [
        {
            "label": label,
            "value": value,
            "y": i * (bar_height + 6),
            "text_y": i * (bar_height + 6) + bar_height - 5,
            "x": label_width,
            "w": round(max(value, 0) * scale, 1),
            "value_x": label_width + round(max(value, 0) * scale, 1) + 4,
        }
        for i, (label, value) in enumerate(rows)
    ]
    base = len(rows) * (bar_height + 6)
    return {
        "width": width,
        "height": base + AXIS_BAND,
        "bars": bars,
        "axis": value_axis(top, step, start=label_width, length=length, at=base),
    }


def interval_bars(
    rows: list[dict[str, Any]], reference: float | None, width: int = 640, bar_height: int = 14
) -> dict[str, Any]:
    """Horizontal bars with confidence whiskers and a reference line (Fingertips-style).

    Each row needs label, value, lower, upper (None when suppressed or missing) and tone
    ('worse', 'better', 'similar' or 'none').
    """
    label_width, right = 220, 60
    values = [v for r in rows for v in (r["value"], r["upper"]) if v is not None]
    step, top = nice_top(max(values + [reference or 0, 1e-9]))
    length = width - label_width - right
    scale = length / top
    gap = 4
    bars = []
    for i, row in enumerate(rows):
        y = i * (bar_height + gap)
        shown = row["value"] is not None
        bars.append(
            {
                **row,
                "y": y,
                "mid": y + bar_height / 2,
                "text_y": y + bar_height - 3,
                "w": round(row["value"] * scale, 1) if shown else 0,
                "lo": round(label_width + (row["lower"] or 0) * scale, 1),
                "hi": round(label_width + (row["upper"] or 0) * scale, 1),
                "whisker": shown and row["lower"] is not None and row["upper"] is not None,
                "value_x": round(label_width + (row["upper"] or row["value"] or 0) * scale + 4, 1),
            }
        )
    height = len(rows) * (bar_height + gap)
    ref_x = round(label_width + reference * scale, 1) if reference is not None else None
    return {
        "width": width,
        "height": height + AXIS_BAND,
        "plot_height": height,
        "axis": value_axis(top, step, start=label_width, length=length, at=height),
        "x0": label_width,
        "bars": bars,
        "ref_x": ref_x,
        "bar_height": bar_height,
    }


def gradient_chart(
    values: list[float | None],
    lower: list[float | None],
    upper: list[float | None],
    line: tuple[float, float] | None,
    width: int = 640,
    height: int = 260,
) -> dict[str, Any]:
    """Columns by deprivation decile (1 = most deprived, on the left) with the SII line.

    `line` is the fitted value at the most and the least deprived ends (x = 0 and x = 1).
    """
    left, bottom, top_pad = 50, 30, 10
    present = [v for v in [*values, *upper] if v is not None]
    if line:
        present += list(line)
    step_value, top = nice_top(max(present + [1e-9]))
    plot_w, plot_h = width - left - 10, height - bottom - top_pad
    step = plot_w / len(values)

    def y_of(v: float) -> float:
        return round(top_pad + plot_h * (1 - max(v, 0) / top), 1)

    columns = []
    for i, (v, lo, hi) in enumerate(zip(values, lower, upper, strict=True)):
        x = left + i * step
        columns.append(
            {
                "label": i + 1,
                "x": round(x + step * 0.15, 1),
                "w": round(step * 0.7, 1),
                "y": y_of(v) if v is not None else None,
                "lo": y_of(lo) if lo is not None else None,
                "hi": y_of(hi) if hi is not None else None,
                "mid": round(x + step / 2, 1),
                "h": round(top_pad + plot_h - y_of(v), 1) if v is not None else 0,
            }
        )
    fitted = None
    if line:
        fitted = {"x1": left, "y1": y_of(line[0]), "x2": left + plot_w, "y2": y_of(line[1])}
    return {
        "width": width,
        "height": height,
        "columns": columns,
        "line": fitted,
        "base_y": top_pad + plot_h,
        "label_y": height - 10,
        "left": left,
        "top_label": tick_label(top, step_value),
        "top_y": top_pad + 10,
        "axis": value_axis(top, step_value, start=top_pad, length=plot_h, at=left, vertical=True),
        "line_label": {"x": left + plot_w - 4, "y": y_of(line[1]) - 6} if line else None,
    }
