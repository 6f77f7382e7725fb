"""Public pages on how providers and public bodies perform: the funnel plot and the area's
transparency page. No sign-in; every chart has its table and a CSV."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from opus.core import csvsafe
from opus.core.charts import gradient_chart, horizontal_bars
from opus.core.models import OrganisationKind
from opus.engines import matching
from opus.voice import performance, transparency
from opus.voice.performance_charts import funnel_chart

CSV_HEADER = [
    "organisation", "kind", "complaints_received", "complaints_decided", "answered_on_time",
    "on_time_percent", "lower_95_percent", "upper_95_percent", "compared_with_area",
    "median_working_days_to_answer", "ratings", "rating_bayesian_average_out_of_5",
]  # fmt: skip


def band_words(band: int) -> str:
    """The funnel band in words (engines/funnel.classify's codes)."""
    return {
        -2: _("Well below the area (outside the 99.8% limits)"),
        -1: _("Below the area (outside the 95% limits)"),
        0: _("Similar to the area, allowing for chance"),
        1: _("Above the area (outside the 95% limits)"),
        2: _("Well above the area (outside the 99.8% limits)"),
    }[band]


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def _kinds() -> dict[str, str]:
    return {str(value): str(label) for value, label in OrganisationKind.choices}


def _table_rows(found: performance.Performance) -> list[dict[str, Any]]:
    kinds = _kinds()
    return [
        {
            "row": r,
            "kind": kinds.get(r.kind, r.kind),
            "percent": _percent(r.on_time_rate),
            "lower": _percent(r.lower),
            "upper": _percent(r.upper),
            "compared": band_words(r.band) if r.on_time_rate is not None else "",
        }
        for r in found.rows
    ]


@require_GET
def performance_page(request: HttpRequest) -> HttpResponse:
    found = performance.figures()
    context = {
        "page_title": _("How providers and public bodies answer complaints"),
        "found": found,
        "area_percent": _percent(found.target),
        "rows": _table_rows(found),
        "chart": funnel_chart(found),
        "outside": [{"row": r, "words": band_words(r.band)} for r in found.outside],
        "threshold": found.threshold,
        "prior": matching.QUALITY_PRIOR_MEAN,
        "prior_count": matching.QUALITY_PRIOR_COUNT,
    }
    return render(request, "voice/performance/funnel.html", context)


@require_GET
def performance_csv(request: HttpRequest) -> HttpResponse:
    found = performance.figures()
    response = csvsafe.download("complaints-performance.csv")
    writer = csvsafe.writer(response)
    writer.writerow(CSV_HEADER)
    for line in _table_rows(found):
        r = line["row"]
        writer.writerow([
            r.name, line["kind"], r.received, r.decided, r.on_time, line["percent"],
            line["lower"], line["upper"], line["compared"], r.median_days,
            r.rating_count, None if r.rating_average is None else round(r.rating_average, 2),
        ])  # fmt: skip
    return response


def _spend_chart(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    per_head = [r["pence_per_head"] for r in rows]
    if not any(per_head):
        return None
    pounds = [None if p is None else float(p) / 100 for p in per_head]
    return gradient_chart(pounds, [None] * len(rows), [None] * len(rows), None)


@require_GET
def transparency_page(request: HttpRequest) -> HttpResponse:
    spend = transparency.spend()
    providers = transparency.providers_by_kind()
    assessment, gaps = transparency.needs_gaps()
    context = {
        "page_title": _("Transparency: where the money goes and how services do"),
        "spend": spend,
        "spend_chart": _spend_chart(spend),
        "providers": providers,
        "providers_chart": horizontal_bars(
            [(r["label"], float(r["value_share"])) for r in providers], 100
        ),
        "complaints": transparency.complaints_summary(performance.figures()),
        "ratings": transparency.ratings_by_kind(),
        "assessment": assessment,
        "gaps": gaps,
    }
    return render(request, "voice/performance/transparency.html", context)


@require_GET
def transparency_csv(request: HttpRequest, table: str) -> HttpResponse:
    if table not in transparency.TABLES:
        raise Http404
    header, rows = transparency.csv_table(table)
    response = csvsafe.download(f"transparency-{table}.csv")
    writer = csvsafe.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response
