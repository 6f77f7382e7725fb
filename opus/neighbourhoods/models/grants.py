"""Small grants from neighbourhood budgets: applications, decisions, payments, monitoring.

A neighbourhood council opens a `GrantRound` (a ceiling per grant, dates, the budget that pays);
a group (an `Organisation`) applies for a project with an amount under the ceiling and a place
(an LSOA or ward); councillors without a declared interest decide; an award is a commitment in
the council's ledger (`money.neighbourhood_commit`) and its payment goes through the same
ledger (`money.neighbourhood_pay`); the group sends a monitoring return. Awarded grants are
published in the 360Giving Data Standard (`opus.neighbourhoods.threesixty`).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opus.core.models import Area, Organisation, User

__all__ = ["GrantApplication", "GrantRound", "GrantStatus", "MonitoringReturn"]


class GrantRound(models.Model):
    council = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="grant_rounds")
    budget = models.ForeignKey(
        "budgets.Budget", on_delete=models.PROTECT, related_name="grant_rounds"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    ceiling_pence = models.PositiveBigIntegerField(_("most a grant can be"))
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ceiling_pence__gt=0)
                & models.Q(ceiling_pence__lte=10_000_000_00),
                name="grant_round_ceiling_bounded",
            ),
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="grant_round_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_open(self, on: object = None) -> bool:
        day = on or timezone.localdate()
        return self.opens_on <= day <= self.closes_on  # type: ignore[operator]


class GrantStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for a decision")
    AWARDED = "awarded", _("Awarded")
    DECLINED = "declined", _("Not awarded")
    PAID = "paid", _("Paid")


class GrantApplication(models.Model):
    round = models.ForeignKey(GrantRound, on_delete=models.PROTECT, related_name="applications")
    group = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="grant_applications"
    )
    title = models.CharField(_("project"), max_length=200)
    description = models.TextField(_("what the project does"))
    amount_pence = models.PositiveBigIntegerField(_("amount asked for"))
    place = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    applicant = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=10, choices=GrantStatus.choices, default=GrantStatus.SUBMITTED, db_index=True
    )
    awarded_pence = models.PositiveBigIntegerField(null=True, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True)
    commitment = models.OneToOneField(
        "budgets.Commitment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grant_application",
    )
    payment = models.OneToOneField(
        "budgets.Transaction",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grant_application",
    )
    paid_on = models.DateField(null=True, blank=True)
    modified_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_pence__gt=0) & models.Q(amount_pence__lte=10_000_000_00),
                name="grant_amount_bounded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.group})"

    @property
    def link(self) -> str:
        """The ledger's name for this grant (a commitment's `link`, a declaration's `item`)."""
        return f"neighbourhoods.grant:{self.pk}"

    @property
    def is_awarded(self) -> bool:
        return self.status in (GrantStatus.AWARDED, GrantStatus.PAID)


class MonitoringReturn(models.Model):
    application = models.OneToOneField(
        GrantApplication, on_delete=models.CASCADE, related_name="monitoring"
    )
    spent_pence = models.PositiveBigIntegerField(_("money spent"))
    people_reached = models.PositiveIntegerField(_("people who took part"))
    summary = models.TextField(_("what happened"))
    submitted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Monitoring: {self.application}"
