"""Organisations that register themselves, and the gate that keeps them out until verified.

Charities, community groups, social enterprises, mutuals and small firms register with their
identifiers; the registrant becomes the organisation's provider staff. The organisation waits
(pending) until an administrator verifies it or rejects it with a reason. Until it is verified
it cannot bid, lead a consortium, or create or publish a directory service: each of those
services calls `require_verified`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opus.core.audit import audit_record
from opus.core.models import (
    SELF_REGISTERING_KINDS,
    Membership,
    Organisation,
    Role,
    User,
    VerificationStatus,
)
from opus.core.people import require_admin
from opus.core.services import ORGANISATION_FIELDS, _snapshot, unique_slug

REGISTRATION_FIELDS = [
    "name", "kind", "charity_number", "company_number", "org_id", "address", "postcode",
    "email", "website",
]  # fmt: skip


def require_verified(organisation: Organisation, field: str = "organisation") -> None:
    """Refuse (ValidationError naming `field`) unless an administrator has verified it."""
    status = organisation.verification_status
    if status == VerificationStatus.VERIFIED:
        return
    if status == VerificationStatus.REJECTED:
        message = _("%(name)s was not verified, so it cannot do this") % {"name": organisation.name}
    else:
        message = _(
            "%(name)s is waiting for an administrator to verify it; you can do this once it is"
        ) % {"name": organisation.name}
    raise ValidationError({field: message})


def pending_organisations() -> QuerySet[Organisation]:
    return Organisation.objects.filter(verification_status=VerificationStatus.PENDING).order_by(
        "created_at", "pk"
    )


def _admins() -> QuerySet[User]:
    return User.objects.filter(memberships__role=Role.ADMIN, is_active=True).distinct()


@transaction.atomic
def organisation_register(*, registrant: User, **fields: Any) -> Organisation:
    """A pending organisation with `registrant` as its provider staff; administrators told."""
    from opus.notifications.services import notify, site_link

    unknown = set(fields) - set(REGISTRATION_FIELDS)
    if unknown:
        raise ValueError(f"{sorted(unknown)} cannot be given here")
    if fields.get("kind") not in SELF_REGISTERING_KINDS:
        raise ValidationError(
            {"kind": _("Choose a charity, community group, social enterprise, mutual or "
                       "small or medium firm")}
        )  # fmt: skip
    organisation = Organisation(
        slug=unique_slug(fields.get("name") or ""),
        verification_status=VerificationStatus.PENDING,
        **fields,
    )
    organisation.full_clean()
    organisation.save(force_insert=True)
    audit_record(actor=registrant if registrant.is_active else None,
                 action="organisation.register", target=organisation,
                 summary={"after": _snapshot(organisation, ORGANISATION_FIELDS),
                          "registrant": registrant.email})  # fmt: skip
    membership = Membership.objects.create(
        user=registrant, organisation=organisation, role=Role.PROVIDER
    )
    audit_record(actor=registrant if registrant.is_active else None,
                 action="membership.grant", target=membership,
                 summary={"user": registrant.email, "organisation": organisation.slug,
                          "role": Role.PROVIDER, "registration": True})  # fmt: skip
    context = {
        "organisation": organisation.name,
        "kind": organisation.get_kind_display(),
        "registrant": registrant.full_name or registrant.email,
        "link": site_link(reverse("core:organisation_queue")),
    }
    for admin in _admins():
        notify(recipient=admin, template="organisation_registered", context=context,
               event="organisation.register", target=organisation)  # fmt: skip
    return organisation


def _decide(organisation: Organisation, status: str, reason: str, by: User) -> Organisation:
    from opus.notifications.services import notify, site_link

    require_admin(by)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.verification_status != VerificationStatus.PENDING:
        raise ValidationError({"decision": _("This organisation is not waiting for a decision")})
    reason = reason.strip()
    if status == VerificationStatus.REJECTED and not reason:
        raise ValidationError({"reason": _("Say why the organisation is not verified")})
    if len(reason) > 2000:
        raise ValidationError({"reason": _("The reason must be 2,000 characters or fewer")})
    organisation.verification_status = status
    organisation.verified_by, organisation.verified_at = by, timezone.now()
    organisation.verification_reason = reason
    organisation.save(update_fields=["verification_status", "verified_by", "verified_at",
                                     "verification_reason"])  # fmt: skip
    action = (
        "organisation.verify" if status == VerificationStatus.VERIFIED else "organisation.reject"
    )
    audit_record(actor=by, action=action, target=organisation, summary={"reason": reason})
    staff = User.objects.filter(
        memberships__organisation=organisation, memberships__role=Role.PROVIDER
    ).distinct()
    for person in staff:
        context = {
            "name": person.full_name or person.email,
            "organisation": organisation.name,
            "verified": status == VerificationStatus.VERIFIED,
            "reason": reason,
            "link": site_link(reverse("core:dashboard")),
        }
        notify(recipient=person if person.is_active else person.email,
               template="organisation_verified", context=context, event=action,
               target=organisation)  # fmt: skip
    return organisation


@transaction.atomic
def organisation_verify(*, organisation: Organisation, by: User) -> Organisation:
    return _decide(organisation, VerificationStatus.VERIFIED, "", by)


@transaction.atomic
def organisation_reject(*, organisation: Organisation, reason: str, by: User) -> Organisation:
    return _decide(organisation, VerificationStatus.REJECTED, reason, by)


@transaction.atomic
def organisation_register_with_account(
    *, account_email: str, full_name: str, password: str, **fields: Any
) -> Organisation | None:
    """Registration by someone without an account: theirs is made switched off until they
    follow the e-mailed link. An address that has an account reveals nothing: its owner is
    e-mailed instead (sign in, then register) and None is returned."""
    from opus.core import signup

    email = account_email.strip().lower()
    signup.check_new_account(email=email, full_name=full_name, password=password)
    if User.objects.filter(email__iexact=email).exists():
        signup.tell_existing(email)
        return None
    user = signup.create_unverified(email=email, full_name=full_name, password=password)
    organisation = organisation_register(registrant=user, **fields)
    signup.send_verification(user)
    return organisation
