"""The outbox of notices to people, and what each person wants to be told and how."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("Text message")


class Status(models.TextChoices):
    QUEUED = "queued", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Could not be sent")


class Category(models.TextChoices):
    """What a notice is about: people switch e-mail off, or text messages on, by category."""

    BOOKINGS = "bookings", _("Bookings and requests")
    CONSENT = "consent", _("Help from a Choice Champion")
    PROCUREMENT = "procurement", _("Opportunities, bids and contracts")
    ACCOUNT = "account", _("Your account")


class Notification(models.Model):
    """One notice to one address on one channel, written with the event it tells of.

    Rows are never deleted: a notice that could not be delivered stays, marked failed, so the
    event it describes is never lost.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
    )
    address = models.CharField(max_length=254, help_text="E-mail address or mobile number")
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    template = models.CharField(max_length=64)
    category = models.CharField(max_length=16, choices=Category.choices)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    status = models.CharField(
        max_length=8, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    provider_reference = models.CharField(max_length=100, blank=True)
    # The audit event this notice tells of: its action and its object ("choice.booking:<id>").
    event = models.CharField(max_length=64, blank=True)
    event_object = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # A notice about a sealed bid or consortium: until then nobody but its recipient may see
    # who it went to (the administrators' list of failed messages hides it; its audit names
    # no one).
    sealed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_person_idx"),
            models.Index(fields=["status", "next_attempt_at"], name="notification_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} to {self.address} ({self.get_status_display()})"

    def is_sealed(self, now: datetime | None = None) -> bool:
        return self.sealed_until is not None and (now or timezone.now()) < self.sealed_until


class Preference(models.Model):
    """A person's choices: e-mail is on for every category until switched off."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email_off = models.JSONField(default=list, help_text="Categories not to e-mail about")
    sms_on = models.JSONField(default=list, help_text="Categories to text about")
    mobile = models.CharField(max_length=16, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Notification preferences of {self.user}"

    def wants(self, channel: str, category: str) -> bool:
        if channel == Channel.SMS:
            return bool(self.mobile) and category in self.sms_on
        return category not in self.email_off


class Reminder(models.Model):
    """A reminder that comes from a date, recorded when sent so that it is sent once only.

    The unique constraint makes a second run, on the same day or on another machine, find the
    reminder already sent (its insert fails) and tell no one again.
    """

    kind = models.CharField(max_length=32)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    due_date = models.DateField(help_text="The date the reminder is about")
    notices = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_type", "object_id", "due_date"], name="reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.object_type}:{self.object_id} ({self.due_date})"
