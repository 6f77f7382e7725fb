"""Who may see what in commissioning. Refusals are 404s.

Bid content is never readable through this module before opening: a bid row (the
envelope) is shown to its bidder, and opened answers and prices exist as rows only after
the opening, which refuses before the deadline.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from opus.commissioning.models import (
    Bid,
    CommissioningPlan,
    Consortium,
    ConsortiumMember,
    Contract,
    KpiReturn,
    Opportunity,
    OpportunityStatus,
    PanelMember,
    PlanStatus,
)
from opus.core.models import Organisation, Role
from opus.core.roles import has_role

STAFF = (Role.COMMISSIONER, Role.ADMIN)


def is_commissioner(user: Any) -> bool:
    return has_role(user, *STAFF)


def provider_organisations(user: Any) -> QuerySet[Organisation]:
    if not getattr(user, "is_authenticated", False):
        return Organisation.objects.none()
    return Organisation.objects.filter(
        memberships__user=user, memberships__role=Role.PROVIDER
    ).distinct()


def commissioner_organisations(user: Any) -> QuerySet[Organisation]:
    if not getattr(user, "is_authenticated", False):
        return Organisation.objects.none()
    return Organisation.objects.filter(
        memberships__user=user, memberships__role__in=STAFF
    ).distinct()


def plans_for_user(user: Any) -> QuerySet[CommissioningPlan]:
    plans = CommissioningPlan.objects.select_related("commissioner", "area")
    if is_commissioner(user):
        return plans
    return plans.filter(status=PlanStatus.PUBLISHED)


def get_plan_for_user(user: Any, plan_id: int) -> CommissioningPlan:
    plan = plans_for_user(user).filter(pk=plan_id).first()
    if plan is None:
        raise Http404("No such plan")
    return plan


def opportunities_for_user(user: Any) -> QuerySet[Opportunity]:
    found = Opportunity.objects.select_related("buyer", "area")
    if is_commissioner(user):
        return found
    return found.exclude(status=OpportunityStatus.DRAFT)


def get_opportunity_for_user(user: Any, opportunity_id: int) -> Opportunity:
    opportunity = opportunities_for_user(user).filter(pk=opportunity_id).first()
    if opportunity is None:
        raise Http404("No such opportunity")
    return opportunity


def get_opportunity_for_editing(user: Any, opportunity_id: int) -> Opportunity:
    if not is_commissioner(user):
        raise Http404("No such opportunity")
    return get_opportunity_for_user(user, opportunity_id)


def bids_for_provider(user: Any) -> QuerySet[Bid]:
    """The envelopes of the bids a provider's organisations made (alone or as a consortium)."""
    organisations = provider_organisations(user)
    return (
        Bid.objects.filter(
            Q(bidder__in=organisations) | Q(consortium__members__organisation__in=organisations)
        )
        .distinct()
        .select_related("opportunity", "bidder", "consortium")
    )


def get_bid_for_bidder(user: Any, bid_uuid: Any) -> Bid:
    try:
        bid_uuid = uuid.UUID(str(bid_uuid))
    except ValueError as exc:  # not a bid's id: there is no such bid (never a 500)
        raise Http404("No such bid") from exc
    bid = bids_for_provider(user).filter(uuid=bid_uuid).first()
    if bid is None:
        raise Http404("No such bid")
    return bid


def panel_member(user: Any, opportunity: Opportunity) -> PanelMember | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return opportunity.panel.filter(user=user).first()


def may_see_opened_bids(user: Any, opportunity: Opportunity) -> bool:
    """Opened bids: the panel and commissioning staff during evaluation; auditors after.
    Never before the opening (there is nothing opened to see)."""
    if opportunity.opened_at is None or opportunity.bids_sealed():
        return False
    if has_role(user, Role.AUDITOR):
        return True
    return is_commissioner(user)


def get_consortium_for_member(user: Any, consortium_id: int) -> Consortium:
    organisations = provider_organisations(user)
    consortium = (
        Consortium.objects.filter(pk=consortium_id, members__organisation__in=organisations)
        .select_related("opportunity", "lead")
        .distinct()
        .first()
    )
    if consortium is None:
        raise Http404("No such consortium")
    return consortium


def get_invitation_for_user(user: Any, member_id: int) -> ConsortiumMember:
    member = (
        ConsortiumMember.objects.filter(pk=member_id, organisation__in=provider_organisations(user))
        .select_related("consortium__opportunity", "organisation")
        .first()
    )
    if member is None:
        raise Http404("No such invitation")
    return member


def get_contract_for_user(user: Any, contract_id: int) -> Contract:
    """Contracts and their performance are published."""
    contract = (
        Contract.objects.select_related("award__lot__opportunity", "supplier")
        .filter(pk=contract_id)
        .first()
    )
    if contract is None:
        raise Http404("No such contract")
    return contract


def get_return_for_provider(user: Any, return_id: int) -> KpiReturn:
    organisations = provider_organisations(user)
    row = (
        KpiReturn.objects.filter(
            Q(kpi__contract__supplier__in=organisations)
            | Q(kpi__contract__award__suppliers__in=organisations),
            pk=return_id,
        )
        .select_related("kpi__contract")
        .distinct()
        .first()
    )
    if row is None:
        raise Http404("No such return")
    return row


# --- Write permissions, checked by the services (None is the system: the demo, tests) ------


def require_staff(by: Any) -> None:
    """Plans, opportunities, openings, panels, awards and contracts: commissioning staff."""
    if by is not None and not is_commissioner(by):
        raise PermissionDenied("Only commissioning staff can do this")


def require_provider_of(by: Any, organisation: Any) -> None:
    """Bids, consortia and returns: the staff of the provider concerned."""
    if not provider_organisations(by).filter(pk=organisation.pk).exists():
        raise PermissionDenied("Only the provider's own staff can do this")


def require_return_maker(by: Any, row: KpiReturn) -> None:
    try:
        get_return_for_provider(by, row.pk)
    except Http404:
        raise PermissionDenied("Only the contract's supplier makes its returns") from None
