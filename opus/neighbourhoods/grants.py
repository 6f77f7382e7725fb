"""Small grants: rounds, applications, decisions with conflicts, awards and payments through
the council's ledger, monitoring returns.

Every write checks who may make it (PermissionDenied), runs in one transaction and writes its
audit event there. Money moves only through `opus.neighbourhoods.money` (the budgets ledger's
`post`): an award is a commitment to the group, a payment is delivered-then-paid on it.
Conflicts: a councillor who declared an interest in an application (a `Declaration` whose
`item` is the application's `link`), or who is a member of the applying group, cannot decide it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opus.budgets.models import Budget, Transaction
from opus.core.audit import audit_record
from opus.core.models import Area, AreaKind, Membership, Organisation, OrganisationKind, Role, User
from opus.core.roles import has_role
from opus.engines import per_head
from opus.engines.money import pounds
from opus.neighbourhoods import money
from opus.neighbourhoods.models import Declaration
from opus.neighbourhoods.models.assets import GrantRoundOffer
from opus.neighbourhoods.models.grants import (
    GrantApplication,
    GrantRound,
    GrantStatus,
    MonitoringReturn,
)
from opus.notifications.services import notify, site_link

# Bounds on what comes from outside (pence): no grant over £100,000, no round longer than 2 years.
MAX_GRANT_PENCE = 100_000_00
MAX_ROUND_DAYS = 731
APPLYING_KINDS = {
    OrganisationKind.CHARITY,
    OrganisationKind.COMMUNITY_GROUP,
    OrganisationKind.SOCIAL_ENTERPRISE,
    OrganisationKind.MUTUAL,
}


class GrantError(ValueError):
    """Bad input or a step out of turn; nothing is written. `field` names what to fix."""

    def __init__(self, message: str, field: str = "__all__") -> None:
        super().__init__(message)
        self.field = field


def is_council_officer(user: User, council_id: int) -> bool:
    return money.is_councillor_of(user, council_id) or has_role(user, Role.ADMIN)


def is_group_member(user: User, group_id: int) -> bool:
    return Membership.objects.filter(user_id=user.pk, organisation_id=group_id).exists()


def may_see_application(user: User, application: GrantApplication) -> bool:
    """The group's members, the council's councillors, commissioners, administrators, auditors."""
    if not user.is_authenticated:
        return False
    return (
        is_group_member(user, application.group_id)
        or money.is_councillor_of(user, application.round.council_id)
        or any(has_role(user, r) for r in (Role.COMMISSIONER, Role.ADMIN, Role.AUDITOR))
    )


def conflicted(user: User, application: GrantApplication) -> bool:
    """Declared an interest in this application, or belongs to the group applying."""
    return Declaration.objects.filter(
        councillor=user, item=application.link
    ).exists() or is_group_member(user, application.group_id)


def _amount(value: object, field: str, ceiling: int = MAX_GRANT_PENCE) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise GrantError(_("Enter an amount in pounds, like 750 or 750.50"), field)
    if value <= 0:
        raise GrantError(_("The amount must be more than £0"), field)
    if value > ceiling:
        raise GrantError(
            _("The amount must be %(ceiling)s or less") % {"ceiling": pounds(ceiling)}, field
        )
    return value


@transaction.atomic
def grant_round_open(
    *,
    council: Organisation,
    budget: Budget,
    title: str,
    ceiling_pence: int,
    opens_on: dt.date,
    closes_on: dt.date,
    description: str = "",
    by: User,
) -> GrantRound:
    """A council opens a round of small grants paid from one of its budgets."""
    if not is_council_officer(by, council.pk):
        raise PermissionDenied(_("Only the council's councillors open a grant round"))
    if budget.organisation_id != council.pk:
        raise GrantError(_("Choose one of the council's own budgets"), "budget")
    if not title.strip():
        raise GrantError(_("Enter a title"), "title")
    _amount(ceiling_pence, "ceiling_pence")
    if closes_on < opens_on:
        raise GrantError(_("The round must close on or after the day it opens"), "closes_on")
    if (closes_on - opens_on).days > MAX_ROUND_DAYS:
        raise GrantError(_("A round can be open for 2 years at most"), "closes_on")
    grant_round = GrantRound.objects.create(
        council=council,
        budget=budget,
        title=title.strip()[:200],
        description=description.strip(),
        ceiling_pence=ceiling_pence,
        opens_on=opens_on,
        closes_on=closes_on,
        created_by=by,
    )
    audit_record(
        actor=by,
        action="grant_round.open",
        target=grant_round,
        summary={"council": council.pk, "ceiling_pence": ceiling_pence},
    )
    return grant_round


FEASIBILITY_CEILING_PENCE = 5_000_00
FEASIBILITY_DAYS = 42  # the interim moratorium: a bidder must come forward within it


def offer_round_defaults(offer: GrantRoundOffer) -> dict[str, object]:
    """What a round opened from a moratorium's offer is prefilled with: a feasibility study for
    the asset, open from today until the moratorium ends (or 6 weeks if it already has)."""
    asset = offer.notice.asset
    today = timezone.localdate()
    end = offer.notice.moratorium_end
    closes_on = (
        end
        if isinstance(end, dt.date) and end >= today
        else today + dt.timedelta(days=FEASIBILITY_DAYS)
    )
    return {
        "title": (_("Feasibility study: %(asset)s") % {"asset": asset.name})[:200],
        "description": _(
            "A small grant for a community group to study whether it could bid for %(asset)s "
            "while the moratorium on its sale lasts."
        )
        % {"asset": asset.name},
        "ceiling_pence": FEASIBILITY_CEILING_PENCE,
        "opens_on": today,
        "closes_on": closes_on,
    }


@transaction.atomic
def grant_round_from_offer(
    *,
    offer: GrantRoundOffer,
    budget: Budget,
    title: str,
    ceiling_pence: int,
    opens_on: dt.date,
    closes_on: dt.date,
    description: str = "",
    by: User,
) -> GrantRound:
    """A councillor takes up the offer made when a moratorium started: the round is opened
    through `grant_round_open` and the offer records the round it led to (once)."""
    if not is_council_officer(by, offer.neighbourhood_council_id):
        raise PermissionDenied(_("Only the council's councillors open a grant round"))
    offer = GrantRoundOffer.objects.select_for_update().get(pk=offer.pk)
    if offer.grant_round_id is not None:
        raise GrantError(_("A round has already been opened from this offer"), "title")
    grant_round = grant_round_open(
        council=offer.neighbourhood_council, budget=budget, title=title,
        ceiling_pence=ceiling_pence, opens_on=opens_on, closes_on=closes_on,
        description=description, by=by,
    )  # fmt: skip
    offer.grant_round = grant_round
    offer.save(update_fields=["grant_round"])
    audit_record(
        actor=by,
        action="grant_round.from_offer",
        target=offer,
        summary={"round": grant_round.pk, "notice": offer.notice_id},
    )
    return grant_round


@transaction.atomic
def grant_apply(
    *,
    grant_round: GrantRound,
    group: Organisation,
    title: str,
    description: str,
    amount_pence: int,
    place: Area,
    by: User,
    today: dt.date | None = None,
) -> GrantApplication:
    """A member of a group applies for a project: an amount up to the ceiling, in a place."""
    if not is_group_member(by, group.pk):
        raise PermissionDenied(_("Only a member of the group can apply for it"))
    if group.kind not in APPLYING_KINDS:
        raise GrantError(_("Only a charity or community group can apply"), "group")
    if not grant_round.is_open(today or timezone.localdate()):
        raise GrantError(_("This grant round is not open for applications"), "__all__")
    if not title.strip():
        raise GrantError(_("Enter the project's name"), "title")
    if not description.strip():
        raise GrantError(_("Say what the project will do"), "description")
    _amount(amount_pence, "amount", grant_round.ceiling_pence)
    if place.kind not in (AreaKind.LSOA, AreaKind.WARD, AreaKind.NEIGHBOURHOOD):
        raise GrantError(_("Choose a place in the neighbourhood"), "place")
    application = GrantApplication.objects.create(
        round=grant_round,
        group=group,
        title=title.strip()[:200],
        description=description.strip(),
        amount_pence=amount_pence,
        place=place,
        applicant=by,
    )
    audit_record(
        actor=by,
        action="grant.apply",
        target=application,
        summary={"round": grant_round.pk, "group": group.pk, "amount_pence": amount_pence},
    )
    return application


@transaction.atomic
def grant_declare_interest(
    *, application: GrantApplication, interest: str, by: User
) -> Declaration:
    """A councillor declares an interest in an application (and so cannot decide it)."""
    council_id = application.round.council_id
    if not money.is_councillor_of(by, council_id):
        raise PermissionDenied(_("Only the council's councillors declare interests here"))
    if not interest.strip():
        raise GrantError(_("Describe the interest"), "interest")
    declaration = Declaration.objects.create(
        council_id=council_id,
        councillor=by,
        item=application.link,
        interest=interest.strip(),
    )
    audit_record(
        actor=by,
        action="grant.declare_interest",
        target=application,
        summary={"declaration": declaration.pk},
    )
    return declaration


def _tell(application: GrantApplication, template: str, context: dict[str, object]) -> None:
    notify(
        recipient=application.applicant,
        template=template,
        context={
            "name": application.applicant.full_name,
            "project": application.title,
            "group": application.group.name,
            "council": application.round.council.name,
            "link": site_link(reverse("neighbourhoods:grant_detail", args=[application.pk])),
            **context,
        },
        event=f"grant.{template}",
        target=application,
    )


def grant_decide(
    *,
    application: GrantApplication,
    award: bool,
    reason: str,
    by: User,
    amount_pence: int | None = None,
    today: dt.date | None = None,
) -> GrantApplication:
    """A councillor without a conflict awards (committing the money in the council's ledger)
    or declines an application, with a reason. The applicant is told."""
    grant_round = application.round
    if not is_council_officer(by, grant_round.council_id):
        raise PermissionDenied(_("Only the council's councillors decide grants"))
    with transaction.atomic():
        application = GrantApplication.objects.select_for_update().get(pk=application.pk)
        if application.status != GrantStatus.SUBMITTED:
            raise GrantError(_("This application has already been decided"), "__all__")
        if conflicted(by, application):
            raise GrantError(
                _("You have an interest in this application, so another councillor must decide"),
                "__all__",
            )
        if not reason.strip():
            raise GrantError(_("Give the reason for the decision"), "reason")
        application.decided_by = by
        application.decided_on = today or timezone.localdate()
        application.reason = reason.strip()
        application.modified_at = timezone.now()
        if award:
            amount = _amount(
                application.amount_pence if amount_pence is None else amount_pence,
                "amount",
                min(application.amount_pence, grant_round.ceiling_pence),
            )
            application.awarded_pence = amount
            application.status = GrantStatus.AWARDED
            application.commitment = money.neighbourhood_commit(
                budget=grant_round.budget,
                payee=application.group,
                amount=amount,
                purpose=f"Grant: {application.title}"[:300],
                link=application.link,
                by=by,
            )
        else:
            application.status = GrantStatus.DECLINED
        application.save()
        audit_record(
            actor=by,
            action="grant.award" if award else "grant.decline",
            target=application,
            summary={"awarded_pence": application.awarded_pence, "reason": application.reason},
        )
        _tell(
            application,
            "grant_decided",
            {
                "awarded": award,
                "amount": pounds(application.awarded_pence or 0),
                "reason": application.reason,
            },
        )
    return application


def grant_pay(
    *,
    application: GrantApplication,
    reference: str,
    by: User,
    today: dt.date | None = None,
    key: str | None = None,
) -> Transaction:
    """Pay an awarded grant in full through the council's ledger."""
    if not is_council_officer(by, application.round.council_id) and not has_role(
        by, Role.COMMISSIONER
    ):
        raise PermissionDenied(_("Only the council's councillors pay grants"))
    with transaction.atomic():
        application = GrantApplication.objects.select_for_update().get(pk=application.pk)
        if application.status != GrantStatus.AWARDED or application.commitment is None:
            raise GrantError(_("Only an awarded, unpaid grant can be paid"), "__all__")
        if not reference.strip():
            raise GrantError(_("Enter the payment reference"), "reference")
        payment = money.neighbourhood_pay(
            commitment=application.commitment,
            amount=application.awarded_pence or 0,
            reference=reference.strip()[:100],
            by=by,
            key=key,
        )
        application.payment = payment
        application.paid_on = today or timezone.localdate()
        application.status = GrantStatus.PAID
        application.modified_at = timezone.now()
        application.save(update_fields=["payment", "paid_on", "status", "modified_at"])
        audit_record(
            actor=by,
            action="grant.pay",
            target=application,
            summary={"transaction": str(payment.pk), "amount_pence": application.awarded_pence},
        )
    return payment


@transaction.atomic
def grant_monitor(
    *,
    application: GrantApplication,
    spent_pence: int,
    people_reached: int,
    summary: str,
    by: User,
) -> MonitoringReturn:
    """The group reports what the grant did: money spent, people reached, what happened."""
    if not is_group_member(by, application.group_id):
        raise PermissionDenied(_("Only a member of the group sends its monitoring return"))
    application = GrantApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != GrantStatus.PAID:
        raise GrantError(_("A monitoring return follows a paid grant"), "__all__")
    if MonitoringReturn.objects.filter(application=application).exists():
        raise GrantError(_("This grant's monitoring return has already been sent"), "__all__")
    if isinstance(spent_pence, bool) or not isinstance(spent_pence, int) or spent_pence < 0:
        raise GrantError(_("Enter the money spent in pounds"), "spent")
    if spent_pence > (application.awarded_pence or 0):
        raise GrantError(_("The money spent cannot be more than the grant"), "spent")
    if (
        isinstance(people_reached, bool)
        or not isinstance(people_reached, int)
        or not 0 <= people_reached <= 1_000_000
    ):
        raise GrantError(_("Enter a number of people from 0 to 1,000,000"), "people_reached")
    if not summary.strip():
        raise GrantError(_("Say what happened"), "summary")
    monitoring = MonitoringReturn.objects.create(
        application=application,
        spent_pence=spent_pence,
        people_reached=people_reached,
        summary=summary.strip(),
        submitted_by=by,
    )
    GrantApplication.objects.filter(pk=application.pk).update(modified_at=timezone.now())
    audit_record(
        actor=by,
        action="grant.monitor",
        target=application,
        summary={"spent_pence": spent_pence, "people_reached": people_reached},
    )
    return monitoring


# --- Grants per head by deprivation decile (read) ---------------------------------------


def grants_by_decile(neighbourhood: Area | None = None) -> list[dict[str, int | float | None]]:
    """Awarded grants per head of population in each IMD decile (1 = most deprived), for one
    neighbourhood's LSOAs or the whole area (the arithmetic: `engines/per_head.py`)."""
    lsoas = Area.objects.filter(kind=AreaKind.LSOA, imd_decile__isnull=False)
    if neighbourhood is not None:
        lsoas = lsoas.filter(neighbourhood=neighbourhood)
    areas = [
        per_head.SmallArea(pk, decile, population, tuple(p for p in (ward, hood) if p is not None))
        for pk, decile, population, ward, hood in lsoas.values_list(
            "pk", "imd_decile", "population", "parent_id", "neighbourhood_id"
        )
    ]
    awarded = GrantApplication.objects.filter(
        status__in=(GrantStatus.AWARDED, GrantStatus.PAID)
    ).values_list("place_id", "awarded_pence")
    rows = per_head.per_head_by_decile(areas, ((place, pence or 0) for place, pence in awarded))
    return [asdict(row) for row in rows]
