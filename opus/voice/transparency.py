"""The area's transparency page: where the money goes and how services do, in one place.

Each section reads the figures its own app already publishes, so the numbers here are the
same as on the app's page: grants per head by deprivation decile (`neighbourhoods.grants`),
the value of awards by kind of provider (`commissioning.diversity`), complaints answered on
time (`voice.performance`), ratings by kind of provider, and the gaps of the latest published
needs assessment (`needs`). Every section gives rows for a table and a CSV.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Sum

from opus.commissioning import diversity
from opus.engines.matching import bayesian_rating
from opus.needs.models import Assessment, AssessmentStatus, Priority
from opus.neighbourhoods.grants import grants_by_decile
from opus.voice.models import ServiceRating
from opus.voice.performance import Performance

__all__ = ["TABLES", "csv_table", "needs_gaps", "providers_by_kind", "ratings_by_kind", "spend"]

GAPS_SHOWN = 10


def spend() -> list[dict[str, Any]]:
    """Grants awarded per head in each deprivation decile (1 = most deprived tenth)."""
    return grants_by_decile()


def providers_by_kind() -> list[dict[str, Any]]:
    """The value of awards by kind of provider, with each kind's share."""
    return diversity.figures()["by_kind"]


def _group_of(kind: str) -> str:
    return next((label for label, kinds in diversity.GROUPS if kind in kinds), diversity.OTHER)


def ratings_by_kind() -> list[dict[str, Any]]:
    """Published overall ratings by kind of provider: how many, and the Bayesian average.

    Kinds with fewer ratings than the suppression threshold show neither figure."""
    threshold = int(settings.OPUS_SUPPRESSION_THRESHOLD)
    totals: dict[str, list[int]] = {label: [0, 0] for label, _ in diversity.GROUPS}
    totals[diversity.OTHER] = [0, 0]
    rows = (
        ServiceRating.objects.filter(rating_count__gt=0)
        .values("service__organisation__kind")
        .annotate(total=Sum("rating_sum"), count=Sum("rating_count"))
        .values_list("service__organisation__kind", "total", "count")
        .order_by()
    )
    for kind, total, count in rows:
        pair = totals[_group_of(kind)]
        pair[0], pair[1] = pair[0] + int(total), pair[1] + int(count)
    return [
        {
            "label": label,
            "count": None if 0 < count < threshold else count,
            "average": round(bayesian_rating(total, count), 2) if count >= threshold else None,
        }
        for label, (total, count) in totals.items()
    ]


def needs_gaps() -> tuple[Assessment | None, list[Priority]]:
    """The latest published needs assessment and its largest gaps, by people affected."""
    assessment = (
        Assessment.objects.filter(status=AssessmentStatus.PUBLISHED)
        .order_by("-published_at", "-pk")
        .first()
    )
    if assessment is None:
        return None, []
    return assessment, list(assessment.priorities.order_by("rank")[:GAPS_SHOWN])


def _percent(value: float | None) -> Decimal | None:
    if value is None:
        return None
    return (Decimal(value) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def complaints_summary(found: Performance) -> dict[str, Any]:
    return {
        "rate": _percent(found.target),
        "received": found.received,
        "organisations": len(found.plotted),
        "below": sum(1 for r in found.outside if r.band < 0),
        "above": sum(1 for r in found.outside if r.band > 0),
    }


def _spend_csv() -> tuple[list[str], list[list[Any]]]:
    header = ["imd_decile", "people", "grants_pence", "grants_pence_per_head"]
    return header, [
        [r["decile"], r["population"], r["pence"], r["pence_per_head"]] for r in spend()
    ]


def _providers_csv() -> tuple[list[str], list[list[Any]]]:
    header = [
        "kind",
        "contracts",
        "share_of_contracts_percent",
        "value_pence",
        "share_of_value_percent",
    ]
    rows = providers_by_kind()
    return header, [
        [r["label"], r["contracts"], r["contract_share"], r["value"], r["value_share"]]
        for r in rows
    ]


def _ratings_csv() -> tuple[list[str], list[list[Any]]]:
    header = ["kind", "ratings", "bayesian_average_out_of_5"]
    return header, [[r["label"], r["count"], r["average"]] for r in ratings_by_kind()]


def _needs_csv() -> tuple[list[str], list[list[Any]]]:
    header = ["rank", "need", "group", "people_affected", "gap"]
    _assessment, gaps = needs_gaps()
    return header, [[p.rank, p.label, p.group, round(p.people_affected), p.gap] for p in gaps]


TABLES = {
    "spend": _spend_csv,
    "providers": _providers_csv,
    "ratings": _ratings_csv,
    "needs": _needs_csv,
}


def csv_table(name: str) -> tuple[list[str], list[list[Any]]]:
    """The header and rows of one of the page's tables (a KeyError for an unknown name)."""
    return TABLES[name]()
