"""Invitations: an administrator asks someone to join an organisation with a role.

The e-mailed link carries a secret kept only as its SHA-256. It works once, for seven days,
until revoked; resending makes a new secret (the old link stops working) and a new week.
Following it, a person without an account chooses a name and password and gets the account
and the membership; a person with one signs in as that account and accepts. Every change is
audited in its transaction, and the e-mail is written to the outbox in the same transaction.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from opus.core.audit import audit_record
from opus.core.models import Invitation, Membership, Organisation, Role, User
from opus.core.people import require_admin


def _send(invitation: Invitation, secret: str) -> None:
    from opus.notifications.services import notify, site_link

    by = invitation.invited_by
    context = {
        "organisation": invitation.organisation.name,
        "role": Role(invitation.role).label,
        "inviter": (by.full_name or by.email) if by else "",
        "link": site_link(reverse("core:invitation_accept", args=[secret])),
        "expires": date_format(timezone.localtime(invitation.expires_at), "j F Y"),
    }
    notify(recipient=invitation.email, template="invitation", context=context,
           event="invitation.send", target=invitation)  # fmt: skip


def _new_secret() -> tuple[str, str]:
    secret = secrets.token_urlsafe(32)
    return secret, Invitation.hash_secret(secret)


@transaction.atomic
def invitation_create(*, email: str, organisation: Organisation, role: str, by: User) -> Invitation:
    require_admin(by)
    email = email.strip().lower()
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a role")})
    if Membership.objects.filter(user__email=email, organisation=organisation, role=role).exists():
        raise ValidationError(
            {"email": _("This person already has that role at that organisation")}
        )
    secret, digest = _new_secret()
    now = timezone.now()
    invitation = Invitation.objects.create(
        email=email, organisation=organisation, role=role, token_hash=digest, invited_by=by,
        created_at=now, sent_at=now, expires_at=now + timedelta(days=Invitation.LIFETIME_DAYS),
    )  # fmt: skip
    audit_record(actor=by, action="invitation.create", target=invitation,
                 summary={"email": email, "organisation": organisation.slug, "role": role,
                          "expires_at": invitation.expires_at})  # fmt: skip
    _send(invitation, secret)
    return invitation


def _pending(invitation: Invitation, by: User) -> Invitation:
    require_admin(by)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ValidationError({"invitation": _("This invitation has already been accepted")})
    if invitation.revoked_at is not None:
        raise ValidationError({"invitation": _("This invitation has already been revoked")})
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: User) -> Invitation:
    invitation = _pending(invitation, by)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_record(actor=by, action="invitation.revoke", target=invitation,
                 summary={"email": invitation.email})  # fmt: skip
    return invitation


@transaction.atomic
def invitation_resend(*, invitation: Invitation, by: User) -> Invitation:
    """A new link for another seven days; the old link stops working."""
    invitation = _pending(invitation, by)
    secret, digest = _new_secret()
    now = timezone.now()
    invitation.token_hash, invitation.sent_at = digest, now
    invitation.expires_at = now + timedelta(days=Invitation.LIFETIME_DAYS)
    invitation.save(update_fields=["token_hash", "sent_at", "expires_at"])
    audit_record(actor=by, action="invitation.resend", target=invitation,
                 summary={"email": invitation.email,
                          "expires_at": invitation.expires_at})  # fmt: skip
    _send(invitation, secret)
    return invitation


def invitation_for_secret(secret: str) -> Invitation | None:
    """The invitation a link's secret belongs to, whatever its state (None if none)."""
    if not secret or len(secret) > 100:
        return None
    return (
        Invitation.objects.select_related("organisation")
        .filter(token_hash=Invitation.hash_secret(secret))
        .first()
    )


def _usable(secret: str) -> Invitation:
    found = invitation_for_secret(secret)
    if found is None:
        raise ValidationError({"invitation": _("This invitation link does not work")})
    invitation = Invitation.objects.select_for_update().get(pk=found.pk)
    if invitation.state != "pending":
        raise ValidationError({"invitation": _("This invitation link does not work")})
    return invitation


def _join(invitation: Invitation, user: User) -> Membership:
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=invitation.organisation, role=invitation.role
    )
    if created:
        audit_record(actor=user, action="membership.grant", target=membership,
                     summary={"user": user.email, "organisation": invitation.organisation.slug,
                              "role": invitation.role, "invitation": invitation.pk})  # fmt: skip
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(actor=user, action="invitation.accept", target=invitation,
                 summary={"email": invitation.email, "new_account": False})  # fmt: skip
    return membership


@transaction.atomic
def invitation_accept_new(*, secret: str, full_name: str, password: str) -> User:
    """The invited person, with no account yet, makes one and joins."""
    invitation = _usable(secret)
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise ValidationError(
            {"invitation": _("You already have an account: sign in to accept the invitation")}
        )
    full_name = full_name.strip()
    if not full_name:
        raise ValidationError({"full_name": _("Enter your full name")})
    candidate = User(email=invitation.email, full_name=full_name)
    try:
        validate_password(password, candidate)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None
    user = User.objects.create_user(
        email=invitation.email, password=password, full_name=full_name[:200]
    )
    user.email_verified_at = timezone.now()  # the link reached this address
    user.save(update_fields=["email_verified_at"])
    audit_record(actor=user, action="user.create", target=user,
                 summary={"email": user.email, "invitation": invitation.pk})  # fmt: skip
    _join(invitation, user)
    return user


@transaction.atomic
def invitation_accept_existing(*, secret: str, by: User) -> Membership:
    """The signed-in holder of the invited address accepts: the role is added."""
    invitation = _usable(secret)
    if by.email.lower() != invitation.email.lower():
        raise ValidationError({"invitation": _("This invitation is for another e-mail address")})
    return _join(invitation, by)
