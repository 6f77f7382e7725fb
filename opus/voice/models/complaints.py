"""Complaints: regimes as data, stages and their clocks, pauses, forwarding, outcomes.

The regimes themselves (stages, days, ombudsman) are data in `opus/engines/complaint_clocks.py`;
a complaint stores its regime's code and the nation whose bank holidays its clocks count, and
each stage stores the dates the engine gave it, so a page reads them without counting again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opus.core.models import Organisation
from opus.engines.complaint_clocks import REGIMES
from opus.engines.working_days import ENGLAND_AND_WALES, NATION_NAMES

__all__ = [
    "Complaint",
    "ComplaintBody",
    "ComplaintStage",
    "ComplaintStatus",
    "ComplaintStep",
    "Nation",
    "Outcome",
    "StepKind",
]


class Nation(models.TextChoices):
    """The nations of GOV.UK's bank holidays (the working-day engine's)."""

    ENGLAND_AND_WALES = ENGLAND_AND_WALES, NATION_NAMES[ENGLAND_AND_WALES]
    SCOTLAND = "scotland", NATION_NAMES["scotland"]
    NORTHERN_IRELAND = "northern-ireland", NATION_NAMES["northern-ireland"]


REGIME_CHOICES = [(code, regime.name) for code, regime in REGIMES.items()]


class ComplaintBody(models.Model):
    """A body's complaint settings: the nation whose bank holidays its clocks count (England
    and Wales when a body has no row)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="complaint_settings"
    )
    nation = models.CharField(max_length=20, choices=Nation.choices, default=ENGLAND_AND_WALES)

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_nation_display()}"


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    PAUSED = "paused", _("Paused")
    ANSWERED = "answered", _("Answered")
    ESCALATED = "escalated", _("Escalated to stage 2")
    CLOSED = "closed", _("Closed")
    FORWARDED = "forwarded", _("Forwarded to another body")
    OMBUDSMAN = "ombudsman", _("With the ombudsman")


OPEN_STATUSES = (
    ComplaintStatus.RECEIVED,
    ComplaintStatus.ACKNOWLEDGED,
    ComplaintStatus.PAUSED,
    ComplaintStatus.ESCALATED,
)


class Outcome(models.TextChoices):
    UPHELD = "upheld", _("Upheld")
    PARTLY_UPHELD = "partly_upheld", _("Partly upheld")
    NOT_UPHELD = "not_upheld", _("Not upheld")


class Complaint(models.Model):
    """One complaint to one body. Forwarding makes a new complaint at the right body
    (`forwarded_from`) and keeps this one, marked forwarded."""

    complainant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="complaints"
    )
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )  # the complainant, or the Choice Champion with their consent
    body = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="complaints_received"
    )
    about_service = models.ForeignKey(
        "directory.Service", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    about_booking = models.ForeignKey(
        "choice.Booking", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    regime = models.CharField(max_length=20, choices=REGIME_CHOICES)
    nation = models.CharField(max_length=20, choices=Nation.choices, default=ENGLAND_AND_WALES)
    summary = models.TextField()
    wanted = models.TextField(blank=True)  # what the person would like to happen
    events_on = models.DateField()
    received_on = models.DateField()
    status = models.CharField(
        max_length=12, choices=ComplaintStatus.choices, default=ComplaintStatus.RECEIVED
    )
    stage = models.PositiveSmallIntegerField(default=1)
    forwarded_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="forwarded_to"
    )
    ombudsman_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_on", "-pk"]
        indexes = [models.Index(fields=["body", "status"])]

    def __str__(self) -> str:
        return f"{self.reference} to {self.body}"

    def get_absolute_url(self) -> str:
        return reverse("voice:complaint_detail", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"C{self.pk:06d}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ComplaintStage(models.Model):
    """One stage of a complaint with the deadlines the engine gave it and its answer."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="stages")
    number = models.PositiveSmallIntegerField()
    received_on = models.DateField()
    acknowledge_due = models.DateField()
    acknowledged_on = models.DateField(null=True, blank=True)
    answer_due = models.DateField(null=True, blank=True)  # None: the regime sets no day
    tell_why_due = models.DateField(null=True, blank=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    extension_days = models.PositiveSmallIntegerField(default=0)
    paused_days = models.PositiveSmallIntegerField(default=0)
    paused_on = models.DateField(null=True, blank=True)  # set while paused
    answered_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=14, choices=Outcome.choices, blank=True)
    response = models.TextField(blank=True)
    remedy = models.TextField(blank=True)
    learning = models.TextField(blank=True)

    class Meta:
        ordering = ["complaint", "number"]
        constraints = [
            models.UniqueConstraint(fields=["complaint", "number"], name="voice_stage_once"),
            models.CheckConstraint(
                condition=models.Q(number__gte=1, number__lte=2), name="voice_stage_number"
            ),
            models.CheckConstraint(
                condition=models.Q(extension_days__lte=30), name="voice_stage_extension_bound"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.complaint.reference} stage {self.number}"

    def get_absolute_url(self) -> str:
        return self.complaint.get_absolute_url()

    def current_due(self) -> models.DateField | None:
        """The next deadline while open: the acknowledgement's, then the answer's (or, where
        the regime sets no day for it, the day to tell the person why there is none yet)."""
        if self.answered_on is not None or self.paused_on is not None:
            return None
        if self.acknowledged_on is None:
            return self.acknowledge_due  # type: ignore[return-value]
        return self.answer_due or self.tell_why_due  # type: ignore[return-value]


class StepKind(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    PAUSED = "paused", _("Paused")
    RESUMED = "resumed", _("Resumed")
    EXTENDED = "extended", _("Extended")
    FORWARDED = "forwarded", _("Forwarded")
    ANSWERED = "answered", _("Answered")
    ESCALATED = "escalated", _("Escalated")
    CLOSED = "closed", _("Closed")
    OMBUDSMAN = "ombudsman", _("Taken to the ombudsman")


class ComplaintStep(models.Model):
    """What happened to a complaint and when, with the reason and the deadline it moved."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="steps")
    stage = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=12, choices=StepKind.choices)
    on = models.DateField()
    reason = models.TextField(blank=True)
    due_before = models.DateField(null=True, blank=True)
    due_after = models.DateField(null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["complaint", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.complaint.reference}: {self.kind} on {self.on}"
