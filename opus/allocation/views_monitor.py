"""The public postcode-lottery monitor: variation across areas, funnel plot, index over time."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from opus.allocation import monitor
from opus.allocation.monitor_charts import funnel_chart, history_chart
from opus.core import csvsafe
from opus.engines.disclosure import suppress_estimates
from opus.needs.models import Indicator

BANDS = {
    -2: ("worse", gettext_lazy("Below the 99.8% limit: very unlikely to be chance")),
    -1: ("worse", gettext_lazy("Below the 95% limit: worth a look")),
    0: ("none", gettext_lazy("Within the limits")),
    1: ("better", gettext_lazy("Above the 95% limit")),
    2: ("better", gettext_lazy("Above the 99.8% limit")),
}


def _level(request: HttpRequest) -> str:
    level = request.GET.get("level", "neighbourhood")
    return level if level in monitor.LEVELS else "neighbourhood"


def _chosen(kinds: list[dict[str, Any]], code: str | None) -> dict[str, Any]:
    for kind in kinds:
        if kind["code"] == code:
            return kind
    flagged = [k for k in kinds if any(a["band"] < 0 for a in k["areas"])]
    return (flagged or kinds)[0]


def _pounds(pence: float) -> str:
    return f"£{pence / 100:,.2f}"


def area_rows(kind: dict[str, Any]) -> list[dict[str, Any]]:
    """Each area's figures for the page and CSV: counts of people under 5 (and their rates and
    limits) hidden, spend in pounds per person in need, the band in words."""
    areas = kind["areas"]
    hidden = suppress_estimates([a["reached"] for a in areas], [a["in_need"] for a in areas]).mask
    rows = []
    for area, hide in zip(areas, hidden, strict=True):
        need = area["in_need"]
        tone, words = BANDS[area["band"]]
        rows.append(
            {
                **area,
                "reached": None if hide else area["reached"],
                "rate": None if hide else area["rate"],
                "in_need": round(need),
                "spend": _pounds(area["spend_pence"]),
                "spend_per": _pounds(area["spend_pence"] / need) if need > 0 else "",
                "tone": tone,
                "verdict": words,
                "flagged": area["band"] != 0,
            }
        )
    return rows


def _summary(kinds: list[dict[str, Any]]) -> list[dict[str, Any]]:
    names = dict(Indicator.objects.values_list("slug", "name"))
    return [
        {
            **kind,
            "measured_by": names.get(kind["indicator"], _("Population (everyone)")),
            "mean_spend": ""
            if kind["spend"]["mean"] is None
            else _pounds(100 * kind["spend"]["mean"]),
            "flagged": sum(1 for a in kind["areas"] if a["band"] < 0),
        }
        for kind in kinds
    ]


def _history(level: str, code: str) -> list[dict[str, Any]]:
    rows = []
    for snapshot in monitor.history(level):
        kind = next((k for k in snapshot.figures["kinds"] if k["code"] == code), None)
        if kind is not None:
            rows.append(
                {
                    "period": snapshot.period,
                    "spend": kind["spend"]["gini"][0],
                    "spend_interval": kind["spend"]["gini"][1:],
                    "access": kind["access"]["gini"][0],
                    "access_interval": kind["access"]["gini"][1:],
                }
            )
    return rows


@require_GET
def monitor_page(request: HttpRequest) -> HttpResponse:
    """Public: how much need-adjusted spend and access vary across areas, and where."""
    level = _level(request)
    snapshot = monitor.latest(level)
    if snapshot is None:
        return render(request, "allocation/monitor/page.html", {"snapshot": None, "level": level})
    kinds = snapshot.figures["kinds"]
    chosen = _chosen(kinds, request.GET.get("kind"))
    rows = area_rows(chosen)
    history = _history(level, chosen["code"])
    context = {
        "snapshot": snapshot,
        "level": level,
        "kinds": _summary(kinds),
        "chosen": chosen,
        "rows": rows,
        "flagged": [row for row in rows if row["band"] < 0],
        "funnel": funnel_chart(rows, chosen["target"]),
        "target_percent": 100 * chosen["target"],
        "history": history,
        "history_chart": history_chart(history),
    }
    return render(request, "allocation/monitor/page.html", context)


@require_GET
def monitor_areas_csv(request: HttpRequest) -> HttpResponse:
    """The chosen kind's areas as CSV, with the same small numbers hidden as on the page."""
    level = _level(request)
    snapshot = monitor.latest(level)
    if snapshot is None:
        raise Http404
    chosen = _chosen(snapshot.figures["kinds"], request.GET.get("kind"))
    response = csvsafe.download(f"monitor-{snapshot.period}-{chosen['code']}.csv")
    out = csvsafe.writer(response)
    out.writerow(
        ["area_code", "area", "population", "people_in_need", "spend_pounds",
         "spend_per_person_in_need_pounds", "people_reached", "access_rate", "lower_95",
         "upper_95", "lower_998", "upper_998", "verdict"]
    )  # fmt: skip
    for row in area_rows(chosen):
        hidden = row["rate"] is None
        out.writerow(
            [row["code"], row["name"], row["population"], row["in_need"],
             f"{row['spend_pence'] / 100:.2f}", row["spend_per"].lstrip("£").replace(",", ""),
             "" if hidden else row["reached"], "" if hidden else row["rate"],
             *("" if hidden else row[k] for k in ("l95", "u95", "l998", "u998")),
             row["verdict"]]
        )  # fmt: skip
    return response


@require_GET
def monitor_history_csv(request: HttpRequest) -> HttpResponse:
    """Every monthly snapshot's measures for every service kind, as CSV."""
    level = _level(request)
    response = csvsafe.download(f"monitor-history-{level}.csv")
    out = csvsafe.writer(response)
    header = ["period", "as_of", "service_kind"]
    header += [f"{what}_{m}{end}" for what in ("spend", "access") for m in ("cv", "gini", "theil")
               for end in ("", "_lower", "_upper")]  # fmt: skip
    out.writerow(header)
    for snapshot in monitor.history(level):
        for kind in snapshot.figures["kinds"]:
            values = [
                "" if v is None else v
                for what in ("spend", "access") for m in ("cv", "gini", "theil")
                for v in kind[what][m]
            ]  # fmt: skip
            out.writerow([snapshot.period, snapshot.as_of.isoformat(), kind["name"], *values])
    return response
