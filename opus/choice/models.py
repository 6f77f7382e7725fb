"""Choice: what a person asked for, what they kept, what they chose, and who helps them.

A booking is the request a choice sends to the provider; once accepted, the budgets
module turns it into a commitment (its weekly cost is price × units per week, in pence).
A choice record is the person's exercised right to choose, kept for accountability and,
aggregated and anonymised, for "people with needs like yours chose…".
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from opus.core.models import User
from opus.directory.models import CostUnit, Service
from opus.engines.money import times


class ShortlistItem(models.Model):
    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="shortlist")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    added_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["person", "service"], name="shortlist_unique")
        ]

    def __str__(self) -> str:
        return f"{self.service} for {self.person}"


class BookingStatus(models.TextChoices):
    REQUESTED = "requested", "Waiting for the provider"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    CANCELLED = "cancelled", "Cancelled"


class Booking(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="bookings")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="bookings")
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=10, choices=BookingStatus.choices, default=BookingStatus.REQUESTED
    )
    units_per_week = models.DecimalField(max_digits=6, decimal_places=2)
    price_pence = models.PositiveIntegerField(help_text="Per unit, when the booking was made")
    unit = models.CharField(max_length=10, choices=CostUnit.choices)
    start_date = models.DateField()
    message = models.TextField(blank=True)
    provider_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.service} for {self.person} ({self.get_status_display()})"

    @property
    def weekly_pence(self) -> int:
        """What the booking costs a week, in whole pence (rounded half up)."""
        return times(self.price_pence, self.units_per_week)


class ChoiceRecord(models.Model):
    """A person exercised their right to choose: kept, and counted only in aggregate."""

    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="choices")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    booking = models.OneToOneField(Booking, on_delete=models.PROTECT, related_name="choice")
    needs = models.JSONField(default=list)
    circumstances = models.JSONField(default=list)
    assisted = models.BooleanField(default=False)
    chosen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-chosen_at"]

    def __str__(self) -> str:
        return f"{self.person} chose {self.service}"


class ConsentScope(models.TextChoices):
    FIND = "find", "Find and compare services for me"
    CHOOSE = "choose", "Find, compare, shortlist and book services for me"


class Consent(models.Model):
    """A resident lets a Choice Champion act for them: scoped, dated, withdrawable."""

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consents_given")
    champion = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consents_held")
    scope = models.CharField(max_length=10, choices=ConsentScope.choices)
    starts_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.person} → {self.champion} ({self.get_scope_display()})"

    def is_active(self, at: object = None) -> bool:
        now = at or timezone.now()
        return self.withdrawn_at is None and self.starts_at <= now < self.expires_at
