"""Diversity and openness figures: who wins the work, how many bid, how big the lots are."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from opus.commissioning.models import Award, AwardStatus, BidStatus, Lot, MemberStatus, Opportunity
from opus.commissioning.services.common import light_touch_threshold_pence
from opus.core.charts import horizontal_bars
from opus.core.models import OrganisationKind

GROUPS = [
    (
        "Charities and community groups",
        {OrganisationKind.CHARITY, OrganisationKind.COMMUNITY_GROUP},
    ),
    ("Social enterprises", {OrganisationKind.SOCIAL_ENTERPRISE}),
    ("Public-service mutuals", {OrganisationKind.MUTUAL}),
    ("Small and medium firms", {OrganisationKind.SME}),
    ("Large firms", {OrganisationKind.LARGE_FIRM}),
]
OTHER = "Others"


def _group(kind: str) -> str:
    return next((label for label, kinds in GROUPS if kind in kinds), OTHER)


def _percent(part: int, whole: int) -> Decimal:
    if not whole:
        return Decimal(0)
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _shares(award: Award) -> list[tuple[str, int]]:
    """(group, pence) for an award: a consortium's value split by its members' value shares."""
    bid = award.bid
    if bid.consortium_id is None:
        return [(_group(bid.bidder.kind), award.value_pence)]
    members = [m for m in bid.consortium.members.all() if m.status == MemberStatus.CONFIRMED]
    return [
        (_group(m.organisation.kind), award.value_pence * m.value_share // 100) for m in members
    ]


def figures() -> dict[str, Any]:
    awards = (
        Award.objects.exclude(status=AwardStatus.CANCELLED)
        .select_related("bid__bidder", "bid__consortium")
        .prefetch_related("bid__consortium__members__organisation")
    )
    value: dict[str, int] = {label: 0 for label, _ in GROUPS} | {OTHER: 0}
    count: dict[str, int] = dict.fromkeys(value, 0)
    for award in awards:
        count[_group(award.bid.bidder.kind)] += 1
        for group, pence in _shares(award):
            value[group] += pence
    total_value, total_count = sum(value.values()), sum(count.values())
    by_kind = [
        {"label": label, "contracts": count[label], "value": value[label],
         "contract_share": _percent(count[label], total_count),
         "value_share": _percent(value[label], total_value)}
        for label in value
    ]  # fmt: skip
    closed = Opportunity.objects.filter(submission_deadline__lte=timezone.now()).exclude(
        status="draft"
    )
    bids = closed.annotate(live=Count("bids", filter=Q(bids__status=BidStatus.SUBMITTED))).order_by(
        "-submission_deadline"
    )[:50]
    threshold = light_touch_threshold_pence()
    lots = Lot.objects.exclude(opportunity__status="draft")
    lot_total = lots.count()
    under = lots.filter(value_pence__lt=threshold).count()
    return {
        "by_kind": by_kind, "total_value": total_value, "total_contracts": total_count,
        "bids_per_opportunity": bids, "lots_total": lot_total, "lots_under": under,
        "lots_under_share": _percent(under, lot_total), "threshold": threshold,
        "mean_bids": _percent(sum(o.live for o in bids), len(bids) * 100) if bids else None,
    }  # fmt: skip


def chart(by_kind: list[dict[str, Any]]) -> dict[str, Any]:
    return horizontal_bars([(r["label"], float(r["value_share"])) for r in by_kind], 100)
