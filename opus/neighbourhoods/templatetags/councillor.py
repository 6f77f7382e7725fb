"""The councillor's dashboard block: for each of their neighbourhood councils, casework waiting,
the budget and what it bought, grant decisions waiting, assets of community value and their
clocks, the neighbourhood's needs from the newest published assessment (small numbers
suppressed as for the public) and good practice written for councillors."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Q
from django.utils import timezone

from opus.budgets.models import Budget
from opus.core.models import Area, Organisation, OrganisationKind, Role
from opus.knowledge.models import Entry, EntryStatus
from opus.needs.models import Assessment, AssessmentStatus, Result
from opus.needs.presentation import judgement, public_rows, table_rows
from opus.neighbourhoods.casework import OPEN_STATUSES
from opus.neighbourhoods.models import AcvStatus, Case, Clerk, CommunityAsset
from opus.neighbourhoods.models.grants import GrantApplication, GrantStatus

register = template.Library()

MAX_ROWS = 10
TOP_NEEDS = 5


def councils_of(user: Any) -> list[Organisation]:
    """The neighbourhood councils the person is a councillor or the clerk of."""
    ids = set(
        user.memberships.filter(role=Role.COUNCILLOR).values_list("organisation_id", flat=True)
    )
    ids |= set(Clerk.objects.filter(user_id=user.pk).values_list("council_id", flat=True))
    return list(
        Organisation.objects.filter(pk__in=ids, kind=OrganisationKind.NEIGHBOURHOOD_COUNCIL)
        .select_related("area")
        .order_by("name")
    )


def neighbourhood_needs(area: Area | None) -> dict[str, Any]:
    """The newest published assessment's top priorities, with this neighbourhood's figure
    (hidden when it rests on small numbers) and how it compares with the authority."""
    if area is None:
        return {"assessment": None, "needs": []}
    authorities = Area.objects.filter(children__children__neighbourhood=area).values("pk")
    assessment = (
        Assessment.objects.filter(status=AssessmentStatus.PUBLISHED)
        .filter(Q(area=area) | Q(area__in=authorities))
        .order_by("-published_at", "-pk")
        .first()
    )
    if assessment is None:
        return {"assessment": None, "needs": []}
    needs = []
    for priority in assessment.priorities.select_related("indicator")[:TOP_NEEDS]:
        result = Result.objects.filter(
            assessment=assessment, indicator=priority.indicator, level="neighbourhood"
        ).first()
        row = None
        if result is not None:
            rows = public_rows(table_rows(result))
            row = next((r for r in rows if r["code"] == area.code), None)
        high_is_bad = priority.indicator.high_is_bad
        needs.append(
            {
                "priority": priority,
                "here": row is not None,
                "suppressed": bool(row and row.get("suppressed")),
                "value": row.get("value") if row else None,
                "compared": judgement(row.get("vs_parent"), high_is_bad)
                if row and row.get("value") is not None
                else "",
            }
        )
    return {"assessment": assessment, "needs": needs}


def council_block(council: Organisation) -> dict[str, Any]:
    today = timezone.localdate()
    waiting = Case.objects.filter(council=council, status__in=OPEN_STATUSES).select_related(
        "resident"
    )
    budgets = list(
        Budget.objects.filter(organisation=council)
        .prefetch_related("commitments")
        .order_by("-period_start")[:3]
    )
    decisions = GrantApplication.objects.filter(
        status=GrantStatus.SUBMITTED, round__council=council
    ).select_related("group", "round")
    acvs = []
    for asset in (
        CommunityAsset.objects.filter(neighbourhood_council=council)
        .exclude(status__in=[AcvStatus.NOT_LISTED, AcvStatus.REMOVED])
        .prefetch_related("notices")[:MAX_ROWS]
    ):
        notice = next(iter(asset.notices.all()), None)
        running = notice is not None and notice.protected_end >= today
        acvs.append(
            {
                "asset": asset,
                "moratorium_end": notice.moratorium_end if running and notice else None,
                "protected_end": notice.protected_end if running and notice else None,
            }
        )
    return {
        "council": council,
        "cases": list(waiting[:MAX_ROWS]),
        "cases_count": waiting.count(),
        "budgets": budgets,
        "decisions": list(decisions[:MAX_ROWS]),
        "decisions_count": decisions.count(),
        "acvs": acvs,
        **neighbourhood_needs(council.area),
    }


@register.inclusion_tag("neighbourhoods/casework/_councillor_dashboard.html", takes_context=True)
def councillor_dashboard(context: Any) -> dict[str, Any]:
    user = context["request"].user
    guidance = (
        Entry.objects.filter(status=EntryStatus.PUBLISHED, audiences__audience="councillors")
        .order_by("-published_at")
        .distinct()[:5]
    )
    return {
        "blocks": [council_block(c) for c in councils_of(user)],
        "guidance": list(guidance),
    }
