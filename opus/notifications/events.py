"""Who is told of which event, and with what words: called inside the event's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from opus.core.models import Organisation, Role, User
from opus.notifications.messages import booking_amount
from opus.notifications.services import notify, site_link

if TYPE_CHECKING:
    from opus.choice.models import Booking, Consent
    from opus.commissioning.models import Clarification, ConsortiumMember


def _booking_context(booking: Booking) -> dict[str, str]:
    return {
        "service": booking.service.name,
        "person": booking.person.full_name or booking.person.email,
        "amount": booking_amount(
            units_per_week=booking.units_per_week,
            price_pence=booking.price_pence,
            weekly_pence=booking.weekly_pence,
            unit=booking.unit,
        ),  # fmt: skip
        "start": date_format(booking.start_date, "j F Y"),
        "reason": booking.provider_reason,
    }


def provider_staff(organisation: Organisation) -> list[User | str]:
    """Who hears for an organisation: its active provider staff, or its address when none."""
    staff = (
        User.objects.filter(
            memberships__organisation=organisation, memberships__role=Role.PROVIDER, is_active=True
        )
        .distinct()
        .order_by("pk")
    )
    return list(staff) or ([organisation.email] if organisation.email else [])


def booking_requested(booking: Booking) -> None:
    """The provider's staff hear of a new request (or its address, when it has no staff)."""
    context = {**_booking_context(booking),
               "link": site_link(reverse("choice:decide", args=[booking.pk]))}  # fmt: skip
    for recipient in provider_staff(booking.service.organisation):
        notify(recipient=recipient, template="booking_requested", context=context,
               event="booking.request", target=booking)  # fmt: skip


def booking_decided(booking: Booking) -> None:
    """The resident hears the answer, and so does the champion who asked for them."""
    template = f"booking_{booking.status}"
    link = (
        reverse("choice:booking_detail", args=[booking.pk])
        if booking.status == "accepted"
        else reverse("choice:start")
    )
    people = [booking.person]
    if booking.requested_by_id != booking.person_id:
        people.append(booking.requested_by)
    for person in people:
        context = {**_booking_context(booking), "name": person.full_name or person.email,
                   "link": site_link(link)}  # fmt: skip
        notify(recipient=person, template=template, context=context,
               event=f"booking.{booking.status}", target=booking)  # fmt: skip


def consent_given(consent: Consent) -> None:
    """The champion hears that a resident has asked for their help, for how long."""
    context = {
        "name": consent.champion.full_name or consent.champion.email,
        "person": consent.person.full_name or consent.person.email,
        "scope": _("find, compare, shortlist and book services for them")
        if consent.scope == "choose"
        else _("find and compare services for them"),
        "until": date_format(timezone.localtime(consent.expires_at), "j F Y"),
        "link": site_link(reverse("choice:caseload")),
    }
    notify(recipient=consent.champion, template="consent_given", context=context,
           event="consent.grant", target=consent)  # fmt: skip


def consent_withdrawn(consent: Consent, by: User | None) -> None:
    """Whoever did not withdraw the consent hears that it has ended."""
    other = consent.champion if by is None or by.pk == consent.person_id else consent.person
    context = {
        "name": other.full_name or other.email,
        "person": consent.person.full_name or consent.person.email,
        "champion": consent.champion.full_name or consent.champion.email,
    }
    notify(recipient=other, template="consent_withdrawn", context=context,
           event="consent.withdraw", target=consent)  # fmt: skip


def _name(user: User) -> str:
    return user.full_name or user.email


def _when(moment: datetime) -> str:
    """A moment in words, London time: "12:00 on 14 January 2027"."""
    return date_format(timezone.localtime(moment), "H:i \\o\\n j F Y")


def consortium_invitation(member: ConsortiumMember, by: User) -> None:
    """The invited organisation's provider staff (or its address) hear who invites them to
    which opportunity, and where to answer. Sealed until the deadline: only they are told."""
    consortium = member.consortium
    opportunity = consortium.opportunity
    context = {
        "inviter": _name(by),
        "lead": consortium.lead.name,
        "consortium": consortium.name,
        "organisation": member.organisation.name,
        "opportunity": opportunity.title,
        "work": member.work,
        "work_share": member.work_share,
        "value_share": member.value_share,
        "deadline": _when(opportunity.submission_deadline),
        "link": site_link(reverse("commissioning:consortium_respond", args=[member.pk])),
    }
    for recipient in provider_staff(member.organisation):
        notify(recipient=recipient, template="consortium_invitation", context=context,
               event="consortium.invite", target=member,
               sealed_until=opportunity.submission_deadline)  # fmt: skip


def clarification_answered(clarification: Clarification) -> None:
    """The asker hears the answer to their question. The answer is published to everyone, so
    every other organisation known to be taking part in the opportunity hears it too: those
    that asked a question, those with a live bid and those in a consortium for it. Each is told
    alone and no notice names the asker; before the deadline, who was told stays sealed."""
    from opus.commissioning.models import (
        Bid,
        BidStatus,
        Clarification,
        ConsortiumMember,
        MemberStatus,
    )

    opportunity = clarification.opportunity
    context = {
        "opportunity": opportunity.title,
        "question": clarification.question,
        "answer": clarification.answer,
        "link": site_link(reverse("commissioning:opportunity_detail", args=[opportunity.pk])),
    }
    asker: list[User | str] = []
    if clarification.asked_by is not None and clarification.asked_by.is_active:
        asker = [clarification.asked_by]
    elif clarification.asked_for is not None:
        asker = provider_staff(clarification.asked_for)
    others: list[User | str] = []
    asked = Clarification.objects.filter(opportunity=opportunity).select_related(
        "asked_by", "asked_for"
    )
    organisations = {c.asked_for for c in asked if c.asked_for is not None}
    organisations |= {
        b.bidder
        for b in Bid.objects.filter(
            opportunity=opportunity, status=BidStatus.SUBMITTED
        ).select_related("bidder")
    }
    organisations |= {m.organisation for m in ConsortiumMember.objects.filter(
        consortium__opportunity=opportunity).exclude(status=MemberStatus.DECLINED)
        .select_related("organisation")}  # fmt: skip
    for organisation in sorted(organisations, key=lambda o: o.pk):
        others.extend(provider_staff(organisation))
    others.extend(c.asked_by for c in asked if c.asked_for is None and c.asked_by is not None)
    told = {_key(r) for r in asker}
    for recipient in asker:
        notify(recipient=recipient, template="clarification_answered",
               context={**context, "yours": True}, event="clarification.answer",
               target=clarification, sealed_until=opportunity.submission_deadline)  # fmt: skip
    for recipient in others:
        if _key(recipient) in told:
            continue
        told.add(_key(recipient))
        notify(recipient=recipient, template="clarification_answered",
               context={**context, "yours": False}, event="clarification.answer",
               target=clarification, sealed_until=opportunity.submission_deadline)  # fmt: skip


def _key(recipient: User | str) -> str:
    return recipient if isinstance(recipient, str) else f"user:{recipient.pk}"
