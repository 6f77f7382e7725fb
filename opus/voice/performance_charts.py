"""Geometry of the funnel plot, drawn as server-side SVG (no JavaScript; the table sits beside).

x is the number of decided complaints, y the share answered on time (0–100%). The centre line
is the area's rate; the dashed lines are the 95% limits and the dotted ones the 99.8% limits
(`engines/funnel.py`), told apart by their dash pattern and named in the legend, not by colour.
Points outside the limits carry their organisation's name.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from opus.core.charts import nice_top, value_axis
from opus.engines import funnel
from opus.voice.performance import INNER, OUTER, Performance

WIDTH, HEIGHT = 640, 340
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 12, 40


def _scale(top: float) -> tuple[Any, Any]:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x_of(n: float) -> float:
        return round(LEFT + plot_w * n / top, 1)

    def y_of(rate: float) -> float:
        return round(TOP + plot_h * (1 - rate), 1)

    return x_of, y_of


def _polyline(xs: np.ndarray, ys: np.ndarray, x_of: Any, y_of: Any) -> str:
    return " ".join(
        f"{x_of(float(x))},{y_of(float(y))}" for x, y in zip(xs, ys, strict=True) if np.isfinite(y)
    )


def funnel_chart(found: Performance) -> dict[str, Any] | None:
    """Lines and points to draw, or None when there is nothing to plot yet."""
    points = found.plotted
    if found.target is None or not points:
        return None
    step, top = nice_top(max(r.decided or 0 for r in points), 5)
    x_of, y_of = _scale(top)
    sizes, limits = funnel.curve(found.target, 1, top, points=80)
    lines = [
        {"name": name, "css": css, "points": _polyline(sizes, bound, x_of, y_of)}
        for level, name, css in (
            (INNER, "95%", "opus-funnel-95"),
            (OUTER, "99.8%", "opus-funnel-998"),
        )
        for bound in limits[level]
    ]
    plot_h = HEIGHT - TOP - BOTTOM
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "target_y": y_of(found.target),
        "x0": LEFT,
        "x1": WIDTH - RIGHT,
        "lines": lines,
        "points": [_point(r, x_of, y_of) for r in points],
        "x_axis": value_axis(top, step, start=LEFT, length=WIDTH - LEFT - RIGHT, at=TOP + plot_h),
        "y_axis": value_axis(100, 20, start=TOP, length=plot_h, at=LEFT, vertical=True),
        "x_label": {"x": LEFT + (WIDTH - LEFT - RIGHT) / 2, "y": HEIGHT - 2},
        "y_mid": TOP + plot_h / 2,
    }


def _point(row: Any, x_of: Any, y_of: Any) -> dict[str, Any]:
    x, y = x_of(row.decided), y_of(row.on_time_rate)
    return {
        "x": x,
        "y": y,
        "outside": row.band != funnel.WITHIN,
        "label": row.name,
        "label_x": x + 6 if x < WIDTH - 160 else x - 6,
        "anchor": "start" if x < WIDTH - 160 else "end",
    }
