"""Awards per lot, the notices to bidders, contracts, their KPIs and the providers' returns."""

from __future__ import annotations

from datetime import date, datetime

from django.db import models
from django.urls import reverse
from django.utils import timezone

from opus.core.models import Organisation, User


class AwardStatus(models.TextChoices):
    """OCDS's award status codelist: pending covers the standstill."""

    PENDING = "pending", "In standstill"
    ACTIVE = "active", "Awarded"
    CANCELLED = "cancelled", "Reversed"


class Award(models.Model):
    """The decision to award one lot to one bid, with the reasons."""

    lot = models.ForeignKey("commissioning.Lot", on_delete=models.PROTECT, related_name="awards")
    bid = models.ForeignKey("commissioning.Bid", on_delete=models.PROTECT, related_name="awards")
    suppliers = models.ManyToManyField(Organisation, related_name="awards_won")
    value_pence = models.PositiveBigIntegerField()
    reasons = models.TextField()
    status = models.CharField(
        max_length=12, choices=AwardStatus.choices, default=AwardStatus.PENDING
    )
    decided_at = models.DateTimeField()
    decided_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    standstill_ends = models.DateTimeField(help_text="End of the last standstill day (London)")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    reversed_at = models.DateTimeField(null=True, blank=True)
    reversed_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    reversal_reason = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["lot", "-decided_at"]

    def __str__(self) -> str:
        return f"Award of lot {self.lot_id} to bid {self.bid_id}"

    def in_standstill(self, now: datetime | None = None) -> bool:
        return self.status == AwardStatus.PENDING and (now or timezone.now()) < self.standstill_ends


class AwardNotice(models.Model):
    """What each bidder was told about a lot: their scores, the winner's, and the reasons."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="notices")
    bid = models.ForeignKey("commissioning.Bid", on_delete=models.CASCADE, related_name="notices")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    successful = models.BooleanField()
    body = models.TextField()
    scores = models.JSONField(default=dict)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["award", "-successful", "organisation__name"]

    def __str__(self) -> str:
        return f"Notice to {self.organisation_id} on award {self.award_id}"


class ContractStatus(models.TextChoices):
    """OCDS's contract status codelist."""

    PENDING = "pending", "Pending"
    ACTIVE = "active", "Active"
    CANCELLED = "cancelled", "Cancelled"
    TERMINATED = "terminated", "Ended"


class Contract(models.Model):
    award = models.OneToOneField(Award, on_delete=models.PROTECT, related_name="contract")
    title = models.CharField(max_length=200)
    supplier = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="contracts")
    value_pence = models.PositiveBigIntegerField()
    start_date = models.DateField()
    end_date = models.DateField()
    status = models.CharField(
        max_length=12, choices=ContractStatus.choices, default=ContractStatus.ACTIVE
    )
    signed_at = models.DateTimeField()
    signed_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    service = models.ForeignKey(
        "directory.Service",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contracts",
        help_text="The winning provider's directory service that delivers the contract",
    )
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-signed_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("commissioning:contract_detail", args=[self.pk])


class KpiFrequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    ANNUALLY = "annually", "Annually"


class KPI(models.Model):
    """A key performance indicator of a contract: what is measured, the target, how often."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="kpis")
    name = models.CharField(max_length=200)
    measure = models.CharField(max_length=300, help_text="How it is measured")
    unit = models.CharField(max_length=40, default="%")
    target = models.DecimalField(max_digits=12, decimal_places=2)
    higher_is_better = models.BooleanField(default=True)
    frequency = models.CharField(max_length=12, choices=KpiFrequency.choices)
    grace_days = models.PositiveSmallIntegerField(
        default=15, help_text="Days after the period ends that the return is due"
    )
    indicator = models.ForeignKey(
        "needs.Indicator",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="kpis",
        help_text="The needs indicator its returns become data for (as the commissioner's)",
    )
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["contract", "pk"]
        verbose_name = "KPI"

    def __str__(self) -> str:
        return self.name


class ReturnStatus(models.TextChoices):
    DUE = "due", "Not yet due"
    ON_TIME = "on_time", "Returned on time"
    LATE = "late", "Returned late"
    MISSED = "missed", "Missed"


class KpiReturn(models.Model):
    """One period's figure for one KPI, as the provider returned it (or not)."""

    kpi = models.ForeignKey(KPI, on_delete=models.CASCADE, related_name="returns")
    period_start = models.DateField()
    period_end = models.DateField()
    due_date = models.DateField()
    value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    note = models.TextField(blank=True)
    numerator = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="For a KPI feeding an indicator: the count"
    )
    denominator = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="For a KPI feeding an indicator: out of how many"
    )
    dataset = models.ForeignKey(
        "needs.Dataset",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The indicator data version this return went into",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["kpi", "period_start"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "period_start"], name="kpi_return_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kpi_id} {self.period_start}–{self.period_end}"

    def status(self, today: date | None = None) -> str:
        today = today or timezone.localdate()
        if self.submitted_at is not None:
            late = timezone.localtime(self.submitted_at).date() > self.due_date
            return ReturnStatus.LATE if late else ReturnStatus.ON_TIME
        return ReturnStatus.MISSED if today > self.due_date else ReturnStatus.DUE

    def met_target(self) -> bool | None:
        if self.value is None:
            return None
        if self.kpi.higher_is_better:
            return self.value >= self.kpi.target
        return self.value <= self.kpi.target
