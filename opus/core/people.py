"""Administrators manage people: grant and revoke roles, switch accounts off and on.

Every change is checked here (administrators only: PermissionDenied for anyone else), made in
one transaction with its audit event, and the person is told (`role_changed`). Two things are
refused with a ValidationError naming the field: removing the last active administrator (by
taking the role away or switching the account off) and switching off one's own account.

Switching an account off ends its sessions (Django's ModelBackend no longer loads an inactive
user) and revokes its API tokens (opus.core.account_security, on is_active=False).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from opus.core.audit import audit_record
from opus.core.models import Membership, Organisation, Role, User
from opus.core.roles import has_role


def require_admin(by: Any) -> None:
    """People and their roles are managed by a signed-in administrator (not the system)."""
    if by is None or not getattr(by, "is_active", False) or not has_role(by, Role.ADMIN):
        raise PermissionDenied("Only administrators can do this")


def people_search(q: str = "") -> QuerySet[User]:
    """Accounts whose name or e-mail contains `q` (at most 100 characters), by name."""
    people = User.objects.all()
    q = q.strip()[:100]
    if q:
        people = people.filter(Q(full_name__icontains=q) | Q(email__icontains=q))
    return people.order_by("full_name", "email", "pk")


def active_admin_ids() -> set[int]:
    return set(
        Membership.objects.filter(role=Role.ADMIN, user__is_active=True).values_list(
            "user_id", flat=True
        )
    )


def _tell(user: User, change: str, *, by: User | None, target: Any, event: str) -> None:
    from opus.notifications.services import notify, site_link

    context = {
        "name": user.full_name or user.email,
        "change": change,
        "link": site_link(reverse("core:dashboard")),
    }
    notify(recipient=user, template="role_changed", context=context, event=event, target=target)


def _role_words(membership: Membership) -> dict[str, str]:
    return {"role": Role(membership.role).label, "organisation": membership.organisation.name}


@transaction.atomic
def role_grant(*, user: User, organisation: Organisation, role: str, by: User) -> Membership:
    """Give `user` a role at `organisation` (nothing changes if they hold it already)."""
    require_admin(by)
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a role")})
    user = User.objects.select_for_update().get(pk=user.pk)
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=organisation, role=role
    )
    if created:
        audit_record(
            actor=by,
            action="membership.grant",
            target=membership,
            summary={"user": user.email, "organisation": organisation.slug, "role": role},
        )
        change = _("You are now %(role)s at %(organisation)s.") % _role_words(membership)
        _tell(user, change, by=by, target=membership, event="membership.grant")
    return membership


@transaction.atomic
def role_revoke(*, membership: Membership, by: User) -> None:
    """Take a role away; refused for the last active administrator's administrator role."""
    require_admin(by)
    membership = (
        Membership.objects.select_for_update()
        .select_related("user", "organisation")
        .get(pk=membership.pk)
    )
    user = membership.user
    if membership.role == Role.ADMIN and user.is_active:
        others = Membership.objects.filter(role=Role.ADMIN, user__is_active=True)
        if not others.exclude(pk=membership.pk).exists():
            raise ValidationError(
                {"membership": _("This is the last active administrator: invite another first")}
            )
    words = _role_words(membership)
    summary = {"user": user.email, "organisation": membership.organisation.slug,
               "role": membership.role}  # fmt: skip
    audit_record(actor=by, action="membership.revoke", target=membership, summary=summary)
    change = _("You are no longer %(role)s at %(organisation)s.") % words
    _tell(user, change, by=by, target=user, event="membership.revoke")
    membership.delete()


@transaction.atomic
def account_deactivate(*, user: User, by: User) -> User:
    """Switch an account off: its sessions end and its API tokens are revoked."""
    require_admin(by)
    if user.pk == by.pk:
        raise ValidationError({"user": _("You cannot switch off your own account")})
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        return user
    if active_admin_ids() == {user.pk}:
        raise ValidationError(
            {"user": _("This is the last active administrator: invite another first")}
        )
    # The person is told before the switch: notify() does not write to inactive accounts.
    _tell(user, _("Your account has been switched off."), by=by, target=user,
          event="user.deactivate")  # fmt: skip
    user.is_active = False
    user.save(update_fields=["is_active"])  # account_security revokes its tokens
    audit_record(actor=by, action="user.switch_off", target=user, summary={"email": user.email})
    return user


@transaction.atomic
def account_reactivate(*, user: User, by: User) -> User:
    """Switch an account back on (tokens revoked when it was switched off stay revoked)."""
    require_admin(by)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        return user
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit_record(actor=by, action="user.reactivate", target=user, summary={"email": user.email})
    _tell(user, _("Your account has been switched on again."), by=by, target=user,
          event="user.reactivate")  # fmt: skip
    return user
