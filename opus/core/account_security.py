"""What protects an account: API tokens revoked when it is at risk, its owner told of a
lockout, and password-reset e-mails throttled.

- When django-axes locks an account after failed sign-ins (keyed on the account, see
  AXES_LOCKOUT_PARAMETERS), its API tokens are revoked and its owner is sent one notice
  per lockout.
- When its password changes or it is switched off, its API tokens are revoked (User.save is
  one transaction, so the revocations commit or roll back with the change); a new password
  also lifts a lockout, as the locked-out page promises.
- A password-reset e-mail is sent at most OPUS_PASSWORD_RESET_PER_ACCOUNT_PER_HOUR times an
  hour to one address and OPUS_PASSWORD_RESET_PER_CLIENT_PER_HOUR times from one client; the
  page says the same whatever happened, so it reveals nothing about who has an account.

Every change is audited in its own transaction through audit_record.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from axes.signals import user_locked_out
from axes.utils import reset as axes_reset
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from opus.core import throttle
from opus.core.audit import audit_record
from opus.core.models import ApiToken, AuditEvent, TokenRevocation, User

log = logging.getLogger(__name__)

HOUR = timedelta(hours=1)


def revoke_tokens(*, user: User, reason: str, by: User | None = None) -> int:
    """Revoke every working token of `user`, each audited; returns how many."""
    now = timezone.now()
    count = 0
    with transaction.atomic():
        tokens = ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True)
        for token in tokens:
            token.revoked_at = now
            token.revoked_reason = reason
            token.save(update_fields=["revoked_at", "revoked_reason"])
            audit_record(
                actor=by, action="api_token.revoke", target=token, summary={"reason": reason}
            )
            count += 1
    return count


# Password changes and switching accounts off -------------------------------------------


@receiver(pre_save, sender=User)
def _note_security_changes(sender: Any, instance: User, **kwargs: Any) -> None:
    instance._opus_security_changes = ()  # type: ignore[attr-defined]
    update_fields = kwargs.get("update_fields")
    if instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return  # e.g. last_login on every sign-in: nothing to compare
    before = User.objects.filter(pk=instance.pk).values_list("password", "is_active").first()
    if before is None:
        return
    changes = []
    if before[0] != instance.password:
        changes.append(TokenRevocation.PASSWORD)
    if before[1] and not instance.is_active:
        changes.append(TokenRevocation.DEACTIVATED)
    instance._opus_security_changes = tuple(changes)  # type: ignore[attr-defined]


@receiver(post_save, sender=User)
def _act_on_security_changes(sender: Any, instance: User, created: bool, **kwargs: Any) -> None:
    changes = getattr(instance, "_opus_security_changes", ())
    instance._opus_security_changes = ()  # type: ignore[attr-defined]
    for change in changes:
        revoked = revoke_tokens(user=instance, reason=change)
        action = "user.password_change" if change == TokenRevocation.PASSWORD else "user.deactivate"
        audit_record(
            actor=None, action=action, target=instance, summary={"tokens_revoked": revoked}
        )
        if change == TokenRevocation.PASSWORD:
            axes_reset(username=instance.email)


# Lockouts ----------------------------------------------------------------------------


def _cooloff() -> timedelta:
    hours = settings.AXES_COOLOFF_TIME
    return hours if isinstance(hours, timedelta) else timedelta(hours=float(hours or 1))


@receiver(user_locked_out)
def _on_locked_out(
    sender: Any, request: HttpRequest | None = None, username: str | None = None, **kwargs: Any
) -> None:
    """Axes says an account is locked (on the failure that locks it, and on every try after)."""
    user = User.objects.filter(email=(username or "").strip().lower()).first()
    if user is None:
        return
    notice = False
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        revoked = revoke_tokens(user=user, reason=TokenRevocation.LOCKOUT)
        told = AuditEvent.objects.filter(
            action="user.lock_out",
            object_type=user._meta.label_lower,
            object_id=str(user.pk),
            created_at__gte=timezone.now() - _cooloff(),
        ).exists()
        if not told:
            audit_record(
                actor=None,
                action="user.lock_out",
                target=user,
                summary={"tokens_revoked": revoked, "notice_sent_to": user.email},
            )
            notice = True
    if notice:
        _send_lockout_notice(user)


def _send_lockout_notice(user: User) -> None:
    context = {
        "user": user,
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "hours": max(1, round(_cooloff().total_seconds() / 3600)),
    }
    subject = render_to_string("core/account_locked_subject.txt", context).strip()
    body = render_to_string("core/account_locked_email.txt", context)
    try:
        send_mail(subject, body, None, [user.email])
    except Exception:  # the lockout stands even if the mail server is down
        log.exception("Could not send the lockout notice to user %s", user.pk)


# Password resets ---------------------------------------------------------------------


def password_reset_allowed(*, email: str, request: HttpRequest) -> bool:
    """Whether a reset e-mail may go to `email` now; counts it if so."""
    client = throttle.client_ip(request) or "unknown"
    if not throttle.allow(
        "reset.client", client, limit=settings.OPUS_PASSWORD_RESET_PER_CLIENT_PER_HOUR, window=HOUR
    ):
        return False
    return throttle.allow(
        "reset.account",
        email,
        limit=settings.OPUS_PASSWORD_RESET_PER_ACCOUNT_PER_HOUR,
        window=HOUR,
    )


@transaction.atomic
def password_reset_sent(*, user: User) -> None:
    """Record that a reset link went to `user` (the link itself is never recorded)."""
    audit_record(actor=None, action="user.password_reset_sent", target=user, summary={})
