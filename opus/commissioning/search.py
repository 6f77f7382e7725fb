"""Finding opportunities: what providers search and filter, and what saved searches match."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from opus.commissioning.models import Opportunity, OpportunityStatus

PUBLIC_STATUSES = (
    OpportunityStatus.PUBLISHED,
    OpportunityStatus.OPENED,
    OpportunityStatus.AWARDED,
)


def public_opportunities() -> QuerySet[Opportunity]:
    return Opportunity.objects.filter(status__in=PUBLIC_STATUSES).select_related("buyer", "area")


def search_opportunities(
    filters: dict[str, Any], *, open_only: bool = True
) -> QuerySet[Opportunity]:
    """Public opportunities matching the filters (all strings, as a saved search keeps them):
    q (words in the title or description), need, area (an area code: the opportunity's or a
    lot's), procedure, min_value and max_value (whole pounds), closing_before (a date)."""
    found = public_opportunities()
    if open_only:
        found = found.filter(
            status=OpportunityStatus.PUBLISHED, submission_deadline__gt=timezone.now()
        )
    if q := filters.get("q"):
        for word in str(q).split()[:8]:
            found = found.filter(Q(title__icontains=word) | Q(description__icontains=word))
    if need := filters.get("need"):
        found = found.filter(Q(decisions__need__icontains=need) | Q(title__icontains=need))
    if area := filters.get("area"):
        found = found.filter(
            Q(area__code=area) | Q(lots__area__code=area) | Q(area__name__iexact=area)
        )
    if procedure := filters.get("procedure"):
        found = found.filter(procedure=procedure)
    found = _by_value(found, filters)
    found = _closing_before(found, filters.get("closing_before"))
    return found.distinct().order_by("submission_deadline", "pk")


def _by_value(found: QuerySet[Opportunity], filters: dict[str, Any]) -> QuerySet[Opportunity]:
    if (low := filters.get("min_value")) and str(low).isdigit():
        found = found.filter(value_pence__gte=int(low) * 100)
    if (high := filters.get("max_value")) and str(high).isdigit():
        found = found.filter(value_pence__lte=int(high) * 100)
    return found


def _closing_before(found: QuerySet[Opportunity], closing: Any) -> QuerySet[Opportunity]:
    if not closing:
        return found
    try:
        day = date.fromisoformat(str(closing))
    except ValueError:
        return found
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time(0)))
    return found.filter(submission_deadline__lt=end)
