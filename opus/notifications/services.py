"""Every write in notifications: the outbox row with the event, and its delivery after commit.

`notify` is called inside the transaction of the event it tells of, so the notice exists if
and only if the event committed; the sending task is enqueued when that transaction commits.
Delivery happens outside any transaction: a slow or failing mail service never holds locks
or undoes the event. A notice that fails is tried again later with growing waits, and after
the last attempt is marked failed for the administrators to see; it is never deleted.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from opus.core.audit import audit_record
from opus.core.models import User
from opus.notifications import delivery
from opus.notifications.messages import MESSAGES
from opus.notifications.models import Channel, Notification, Preference, Status

logger = logging.getLogger(__name__)

# Waits before each retry: 1, 5, 30 and 120 minutes; the fifth failure is final.
RETRY_MINUTES = (1, 5, 30, 120)


def max_attempts() -> int:
    return int(getattr(settings, "OPUS_NOTIFY_MAX_ATTEMPTS", len(RETRY_MINUTES) + 1))


def site_link(path: str) -> str:
    """A link for a notice, built from the site's configured address."""
    return f"{str(settings.SITE_URL).rstrip('/')}{path}"


def preference_for(user: User) -> Preference:
    return Preference.objects.filter(user=user).first() or Preference(user=user)


def _render(template: str, context: dict[str, Any]) -> tuple[str, str]:
    subject = render_to_string(f"notifications/messages/{template}_subject.txt", context)
    body = render_to_string(f"notifications/messages/{template}.txt", context)
    return " ".join(subject.split())[:300], body.strip()


def _addresses(recipient: User | str, channel: str, template: str) -> list[tuple[str, str]]:
    """(channel, address) pairs the notice goes to, as the person's preferences allow."""
    message = MESSAGES[template]
    if isinstance(recipient, str):
        return [(channel, recipient)] if recipient else []
    if not recipient.is_active:
        return []
    preference = preference_for(recipient)
    pairs = []
    if message.essential or preference.wants(Channel.EMAIL, message.category):
        pairs.append((Channel.EMAIL.value, recipient.email))
    if preference.wants(Channel.SMS, message.category) and delivery.sms_available():
        pairs.append((Channel.SMS.value, preference.mobile))
    return pairs


def notify(
    *,
    recipient: User | str,
    template: str,
    context: dict[str, Any],
    channel: str = Channel.EMAIL,
    event: str = "",
    target: models.Model | None = None,
    sealed_until: datetime | None = None,
) -> list[Notification]:
    """Write the notices of an event in its transaction; they are sent once it commits.

    `sealed_until` (a bid's deadline) keeps who was told from everyone but the recipient
    until then: the notice is about a sealed bid or consortium.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("notify() belongs inside the transaction of the event it tells of")
    subject, body = _render(template, context)
    event_object = f"{target._meta.label_lower}:{target.pk}" if target is not None else ""
    user = recipient if isinstance(recipient, User) else None
    notices = [
        Notification.objects.create(
            recipient=user,
            address=address,
            channel=chosen,
            template=template,
            category=MESSAGES[template].category,
            subject=subject,
            body=body,
            event=event,
            event_object=event_object,
            sealed_until=sealed_until,
        )  # fmt: skip
        for chosen, address in _addresses(recipient, channel, template)
    ]
    for notice in notices:
        transaction.on_commit(lambda pk=notice.pk: _enqueue(pk))
    return notices


def _enqueue(notification_id: int, run_after: datetime | None = None) -> None:
    from opus.notifications.tasks import send_notification

    task = send_notification
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # send_pending_notifications, run on a schedule, picks it up when due
        task = task.using(run_after=run_after)
    task.enqueue(notification_id)


def _claim(notification_id: int, now: datetime) -> Notification | None:
    """Mark a due notice as being sent (one sender at a time), or None if it is not due."""
    with transaction.atomic():
        notice = (
            Notification.objects.select_for_update()
            .filter(pk=notification_id, status=Status.QUEUED, next_attempt_at__lte=now)
            .first()
        )
        if notice is None:
            return None
        notice.status, notice.attempts = Status.SENDING, notice.attempts + 1
        notice.next_attempt_at = now  # when this attempt began (see STALE_SENDING)
        notice.save(update_fields=["status", "attempts", "next_attempt_at"])
        return notice


def notification_send(*, notification_id: int, now: datetime | None = None) -> str | None:
    """Try to deliver one notice; the status it ends in, or None when it was not due."""
    now = now or timezone.now()
    notice = _claim(notification_id, now)
    if notice is None:
        return None
    try:
        reference = delivery.deliver(notice)
    except delivery.DeliveryError as error:
        return _failed_attempt(notice, str(error), now, permanent=error.permanent)
    notice.status, notice.sent_at = Status.SENT, timezone.now()
    notice.provider_reference, notice.last_error = reference[:100], ""
    notice.save(update_fields=["status", "sent_at", "provider_reference", "last_error"])
    return notice.status


def _failed_attempt(
    notice: Notification, error: str, now: datetime, *, permanent: bool = False
) -> str:
    notice.last_error = error[:2000]
    if notice.attempts >= max_attempts() or permanent:
        with transaction.atomic():
            notice.status = Status.FAILED
            notice.save(update_fields=["status", "last_error"])
            if notice.sealed_until is not None:
                # About a sealed bid: the audit log must not say who was told, nor of what.
                audit_record(
                    actor=None, action="notification.failed",
                    object_type=notice._meta.label_lower, object_id=str(notice.pk),
                    summary={"attempts": notice.attempts, "sealed": True},
                )  # fmt: skip
            else:
                audit_record(
                    actor=None, action="notification.failed", target=notice,
                    summary={"attempts": notice.attempts, "error": notice.last_error[:200],
                             "event": notice.event, "event_object": notice.event_object},
                )  # fmt: skip
        logger.warning("notification %s failed after %s attempts", notice.pk, notice.attempts)
        return notice.status
    wait = RETRY_MINUTES[min(notice.attempts, len(RETRY_MINUTES)) - 1]
    notice.status, notice.next_attempt_at = Status.QUEUED, now + timedelta(minutes=wait)
    notice.save(update_fields=["status", "last_error", "next_attempt_at"])
    _enqueue(notice.pk, run_after=notice.next_attempt_at)
    return notice.status


# A notice left "sending" this long was being sent by a worker that stopped: try it again.
STALE_SENDING = timedelta(minutes=15)


def send_pending(*, now: datetime | None = None, limit: int = 500) -> int:
    """Send every notice that is due (retries, and any whose task was lost); how many sent."""
    now = now or timezone.now()
    stale = Notification.objects.filter(
        status=Status.SENDING, next_attempt_at__lte=now - STALE_SENDING
    )
    stale.update(status=Status.QUEUED)
    due = Notification.objects.filter(status=Status.QUEUED, next_attempt_at__lte=now)
    ids = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
    return sum(notification_send(notification_id=pk, now=now) == Status.SENT for pk in ids)


MOBILE_DIGITS = 11


@transaction.atomic
def preference_update(
    *, user: User, by: User, email_off: list[str], sms_on: list[str], mobile: str
) -> Preference:
    if by.pk != user.pk:
        raise PermissionDenied("People choose their own notifications")
    preference = Preference.objects.select_for_update().filter(user=user).first()
    preference = preference or Preference(user=user)
    before = {"email_off": preference.email_off, "sms_on": preference.sms_on,
              "mobile": bool(preference.mobile)}  # fmt: skip
    preference.email_off, preference.sms_on = sorted(email_off), sorted(sms_on)
    preference.mobile, preference.updated_at = mobile, timezone.now()
    preference.save()
    after = {"email_off": preference.email_off, "sms_on": preference.sms_on,
             "mobile": bool(preference.mobile)}  # fmt: skip
    audit_record(actor=by, action="notification_preference.update", target=preference,
                 summary={"before": before, "after": after})  # fmt: skip
    return preference
