"""Who is told of which event, and with what words: called inside the event's transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from opus.core.models import Role, User
from opus.notifications.messages import booking_amount
from opus.notifications.services import notify, site_link

if TYPE_CHECKING:
    from opus.choice.models import Booking, Consent


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


def booking_requested(booking: Booking) -> None:
    """The provider's staff hear of a new request (or its address, when it has no staff)."""
    organisation = booking.service.organisation
    staff = User.objects.filter(
        memberships__organisation=organisation, memberships__role=Role.PROVIDER, is_active=True
    ).distinct()
    context = {**_booking_context(booking),
               "link": site_link(reverse("choice:decide", args=[booking.pk]))}  # fmt: skip
    recipients: list[User | str] = list(staff) or [organisation.email]
    for recipient in recipients:
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
