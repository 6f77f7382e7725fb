"""Every write in choice: one transaction with its audit event."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from opus.choice.acting import require_acting
from opus.choice.models import (
    Booking,
    BookingStatus,
    ChoiceRecord,
    Consent,
    ShortlistItem,
)
from opus.choice.signals import booking_accepted
from opus.core.audit import audit_record
from opus.core.models import Role, User
from opus.core.roles import has_role
from opus.directory.models import CostUnit, Service, ServiceStatus
from opus.notifications import events as notices


class ChoiceError(ValueError):
    """A request that cannot be carried out, with a message for the person."""


# The most hours or sessions a week a booking may ask for (the hours in a week).
MAX_UNITS_PER_WEEK = 168

# Consent is given for a while, then given again: never for ever (a resident once granted it
# until 9999-12-31). Two years from today, to the last moment of that day.
CONSENT_LONGEST_DAYS = 730


def consent_latest_day() -> date:
    """The last day a consent given today may run to."""
    return timezone.localdate() + timedelta(days=CONSENT_LONGEST_DAYS)


def consent_too_long() -> str:
    return _("Consent can last up to two years: choose a last day on or before %(day)s") % {
        "day": date_format(consent_latest_day(), "j F Y")
    }


@transaction.atomic
def shortlist_add(*, person: User, service: Service, by: User) -> ShortlistItem:
    require_acting(by, person.pk)
    item, created = ShortlistItem.objects.get_or_create(
        person=person, service=service, defaults={"added_by": by}
    )
    if created:
        audit_record(
            actor=by,
            action="shortlist.add",
            target=item,
            summary={"person": person.pk, "service": str(service.pk)},
        )
    return item


@transaction.atomic
def shortlist_remove(*, person: User, service: Service, by: User) -> None:
    require_acting(by, person.pk)
    deleted, _ = ShortlistItem.objects.filter(person=person, service=service).delete()
    if deleted:
        audit_record(
            actor=by,
            action="shortlist.remove",
            object_type="choice.shortlistitem",
            object_id=f"{person.pk}:{service.pk}",
            summary={},
        )


@transaction.atomic
def booking_request(
    *,
    person: User,
    service: Service,
    by: User,
    units_per_week: Decimal,
    start_date: date,
    message: str,
    needs: list[str],
    circumstances: list[str],
) -> Booking:
    """Choose a service: a booking request to its provider, recorded as a choice made."""
    require_acting(by, person.pk)
    if service.status != ServiceStatus.ACTIVE:
        raise ChoiceError("This service is not taking bookings at the moment")
    if units_per_week <= 0:
        raise ChoiceError("Say how much of the service you want each week")
    if units_per_week > MAX_UNITS_PER_WEEK:
        raise ChoiceError(_("Enter 168 or fewer hours or sessions a week"))
    cost = service.cost_options.first()
    booking = Booking.objects.create(
        person=person,
        service=service,
        requested_by=by,
        units_per_week=units_per_week,
        price_pence=cost.amount_pence if cost else 0,
        unit=cost.unit if cost else CostUnit.SESSION,
        start_date=start_date,
        message=message,
    )
    ChoiceRecord.objects.create(
        person=person,
        service=service,
        booking=booking,
        needs=needs,
        circumstances=circumstances,
        assisted=by != person,
    )
    audit_record(
        actor=by,
        action="booking.request",
        target=booking,
        summary={
            "person": person.pk,
            "service": str(service.pk),
            "weekly_pence": booking.weekly_pence,
            "assisted": by != person,
        },
    )
    notices.booking_requested(booking)
    return booking


def _provider_may_decide(booking: Booking, by: User) -> bool:
    staff = booking.service.organisation.memberships.filter(user=by, role=Role.PROVIDER).exists()
    return staff or has_role(by, Role.ADMIN)


@transaction.atomic
def booking_decide(*, booking: Booking, accept: bool, reason: str, by: User) -> Booking:
    """The provider accepts, or declines with a reason the person will read."""
    booking = (
        Booking.objects.select_for_update()
        .select_related("service__organisation")
        .get(pk=booking.pk)
    )
    if not _provider_may_decide(booking, by):
        raise ChoiceError("Only the provider's staff can answer this request")
    if booking.status != BookingStatus.REQUESTED:
        raise ChoiceError("This request has already been answered")
    if not accept and not reason.strip():
        raise ChoiceError("Give the person a reason for declining")
    booking.status = BookingStatus.ACCEPTED if accept else BookingStatus.DECLINED
    booking.provider_reason, booking.decided_by = reason.strip(), by
    booking.decided_at = timezone.now()
    booking.save(update_fields=["status", "provider_reason", "decided_by", "decided_at"])
    audit_record(
        actor=by,
        action=f"booking.{booking.status}",
        target=booking,
        summary={"reason": booking.provider_reason},
    )
    notices.booking_decided(booking)
    if accept:
        booking_accepted.send(sender=Booking, booking=booking, by=by)
    return booking


@transaction.atomic
def consent_grant(*, person: User, champion: User, scope: str, expires_at: datetime) -> Consent:
    if not has_role(champion, Role.CHAMPION):
        raise ChoiceError("That person is not a Choice Champion")
    if expires_at <= timezone.now():
        raise ChoiceError("The end date must be in the future")
    if timezone.localdate(expires_at) > consent_latest_day():
        raise ChoiceError(consent_too_long())
    consent = Consent.objects.create(
        person=person, champion=champion, scope=scope, expires_at=expires_at
    )
    audit_record(
        actor=person,
        action="consent.grant",
        target=consent,
        summary={"champion": champion.pk, "scope": scope, "expires_at": expires_at.isoformat()},
    )
    notices.consent_given(consent)
    return consent


@transaction.atomic
def consent_withdraw(*, consent: Consent, by: User) -> Consent:
    if by is not None and by.pk not in (consent.person_id, consent.champion_id):
        raise PermissionDenied("Only the resident or their champion can withdraw a consent")
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_at is None:
        consent.withdrawn_at = timezone.now()
        consent.save(update_fields=["withdrawn_at"])
        audit_record(actor=by, action="consent.withdraw", target=consent, summary={})
        notices.consent_withdrawn(consent, by)
    return consent
