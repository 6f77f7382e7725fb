"""Delivery of one notice: GOV.UK Notify when OPUS_NOTIFY_API_KEY is set, else Django's e-mail.

Notify is reached through one generic template per channel whose content is the notice's own
words: an e-mail template `((subject))` / `((body))` and a text message template `((body))`,
their ids in OPUS_NOTIFY_EMAIL_TEMPLATE_ID and OPUS_NOTIFY_SMS_TEMPLATE_ID.
"""

from __future__ import annotations

import smtplib
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from opus.notifications.models import Channel, Notification

# The seam tests replace with a fake class: nothing here reaches the network in a test.
NotifyClient: Any = NotificationsAPIClient


class DeliveryError(Exception):
    """A notice could not be handed over; `permanent` when trying again cannot help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def notify_configured() -> bool:
    return bool(getattr(settings, "OPUS_NOTIFY_API_KEY", ""))


def sms_available() -> bool:
    """Text messages go only through Notify, and need its text message template."""
    return notify_configured() and bool(getattr(settings, "OPUS_NOTIFY_SMS_TEMPLATE_ID", ""))


def deliver(notice: Notification) -> str:
    """Hand the notice over; the provider's reference for it (empty for plain e-mail)."""
    if notify_configured():
        return _through_notify(notice)
    if notice.channel != Channel.EMAIL:
        raise DeliveryError(
            "Text messages need GOV.UK Notify (OPUS_NOTIFY_API_KEY)", permanent=True
        )
    message = EmailMessage(notice.subject, notice.body, None, [notice.address])
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        raise DeliveryError(f"{type(error).__name__}: {error}") from error
    return ""


def _through_notify(notice: Notification) -> str:
    client = NotifyClient(settings.OPUS_NOTIFY_API_KEY)
    reference = f"opus-{notice.pk}"
    try:
        if notice.channel == Channel.SMS:
            answer = client.send_sms_notification(
                phone_number=notice.address,
                template_id=settings.OPUS_NOTIFY_SMS_TEMPLATE_ID,
                personalisation={"body": notice.body},
                reference=reference,
            )
        else:
            answer = client.send_email_notification(
                email_address=notice.address,
                template_id=settings.OPUS_NOTIFY_EMAIL_TEMPLATE_ID,
                personalisation={"subject": notice.subject, "body": notice.body},
                reference=reference,
            )
    except APIError as error:
        status = getattr(error, "status_code", None)
        permanent = isinstance(status, int) and 400 <= status < 500 and status != 429
        raise DeliveryError(f"GOV.UK Notify: {error}", permanent=permanent) from error
    return str((answer or {}).get("id", ""))
