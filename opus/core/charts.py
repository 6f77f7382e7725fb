"""Chart geometry for server-rendered SVG: no JavaScript needed, data table always beside."""

from __future__ import annotations

from typing import Any


def pyramid(rows: list[dict[str, Any]], width: int = 600, bar_height: int = 16) -> dict[str, Any]:
    """Bars for a population pyramid: males to the left, females to the right, oldest on top."""
    label_width, gap = 60, 2
    half = (width - label_width) / 2
    largest = max([max(r["male"], r["female"]) for r in rows] + [1])
    bars = []
    for i, row in enumerate(reversed(rows)):
        y = i * (bar_height + gap)
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
    return {
        "width": width,
        "height": len(rows) * (bar_height + gap),
        "bar_height": bar_height,
        "bars": bars,
    }


def horizontal_bars(
    rows: list[tuple[str, float]], maximum: float, width: int = 600, bar_height: int = 18
) -> dict[str, Any]:
    """Simple labelled horizontal bars, e.g. deprivation domain scores."""
    label_width = 260
    scale = (width - label_width - 50) / (maximum or 1)
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
    return {"width": width, "height": len(rows) * (bar_height + 6), "bars": bars}
