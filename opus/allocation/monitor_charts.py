"""Server-side SVG geometry for the monitor: the funnel plot and the index over time.

Each chart is drawn beside its table. Series are told apart by more than colour: the 99.8%
limits are solid and the 95% dashed (and labelled), and areas outside are named on the chart.
"""

from __future__ import annotations

from typing import Any

from opus.core.charts import nice_top, tick_label, value_axis
from opus.engines import funnel

WIDTH, HEIGHT, LEFT, BOTTOM, TOP, RIGHT = 640, 300, 56, 40, 12, 16


def _scale(value: float, top: float, start: float, length: float) -> float:
    return round(start + length * value / top, 1) if top else start


def _polyline(xs: list[float], ys: list[float]) -> str:
    return " ".join(f"{x},{y}" for x, y in zip(xs, ys, strict=True))


def funnel_chart(areas: list[dict[str, Any]], target: float) -> dict[str, Any] | None:
    """Rates (in %) against people in need, with 95% and 99.8% limits around ``target``.

    ``areas`` carry in_need, rate (None when hidden), band and name. None with no one in need.
    """
    sizes = [a["in_need"] for a in areas if a["in_need"] > 0]
    if not sizes:
        return None
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    x_step, x_top = nice_top(max(sizes) * 1.05)
    n, limits = funnel.curve(target, max(min(sizes) / 2, 1), x_top, points=60)
    shown = [a["rate"] for a in areas if a["rate"] is not None]
    upper = [float(v) for v in limits[0.998][1] if v == v]
    y_step, y_top = nice_top(100 * max([*shown, *upper, target, 1e-6]))

    def x_of(value: float) -> float:
        return _scale(value, x_top, LEFT, plot_w)

    def y_of(rate: float) -> float:
        return round(TOP + plot_h - plot_h * min(100 * rate, y_top) / y_top, 1)

    xs = [x_of(float(v)) for v in n]
    lines = {
        f"{kind}_{side_name}": _polyline(xs, [y_of(float(v)) for v in limits[level][side]])
        for level, kind in ((0.95, "inner"), (0.998, "outer"))
        for side, side_name in ((0, "lower"), (1, "upper"))
    }
    points = [
        {
            "x": x_of(a["in_need"]), "y": y_of(a["rate"]), "name": a["name"],
            "flagged": a["band"] != 0, "below": a["band"] < 0,
        }
        for a in areas
        if a["rate"] is not None and a["in_need"] > 0
    ]  # fmt: skip
    return {
        "width": WIDTH, "height": HEIGHT, "points": points,
        "lines": lines, "target_y": y_of(target), "left": LEFT, "right": WIDTH - RIGHT,
        "y_axis": value_axis(y_top, y_step, start=TOP, length=plot_h, at=LEFT, vertical=True),
        "x_axis": value_axis(x_top, x_step, start=LEFT, length=plot_w, at=TOP + plot_h),
        "x_label_y": HEIGHT - 4, "x_label_x": LEFT + plot_w / 2,
    }  # fmt: skip


def history_chart(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The Gini of need-adjusted spend and of access, one point per monthly snapshot."""
    if not rows:
        return None
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    values = [v for r in rows for v in (r["spend"], r["access"]) if v is not None]
    step, top = nice_top(max([*values, 0.01]))
    gap = plot_w / max(len(rows), 1)

    def y_of(value: float) -> float:
        return round(TOP + plot_h - plot_h * value / top, 1)

    series = {}
    for name in ("spend", "access"):
        kept = [(i, r[name]) for i, r in enumerate(rows) if r[name] is not None]
        xs = [round(LEFT + gap * (i + 0.5), 1) for i, _ in kept]
        ys = [y_of(v) for _, v in kept]
        points = [{"x": x, "y": y} for x, y in zip(xs, ys, strict=True)]
        series[name] = {"line": _polyline(xs, ys), "points": points}
    labels = [
        {"x": round(LEFT + gap * (i + 0.5), 1), "text": r["period"]} for i, r in enumerate(rows)
    ]
    return {
        "width": WIDTH, "height": HEIGHT, "series": series, "labels": labels,
        "label_y": HEIGHT - 14, "top_label": tick_label(top, step),
        "axis": value_axis(top, step, start=TOP, length=plot_h, at=LEFT, vertical=True),
    }  # fmt: skip
