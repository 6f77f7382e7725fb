"""Social value in wellbeing terms: the council's value model, ledgers, evidence, studies.

A value model (themes → outcomes → metrics) and a deflator table are data a council loads,
each with its licence recorded: Opus bundles no licensed values. A ledger belongs to one bid
(then its contract), one grant or one PB project; its lines are the commitments, valued by
opus.engines.wellbeing; evidence of delivery may point at a KPI return; a wellbeing study
collects ONS life-satisfaction answers before and after, beside a comparison group.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opus.core.models import Organisation, User

__all__ = [
    "ComparisonKind",
    "DeflatorTable",
    "Ledger",
    "LedgerEvidence",
    "LedgerLine",
    "StudyGroup",
    "StudyWave",
    "ValueMetric",
    "ValueModel",
    "WellbeingAnswer",
    "WellbeingStudy",
]


class ValueModel(models.Model):
    """A council's table of social value metrics, as loaded, with where it came from."""

    name = models.CharField(max_length=200)
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=300)
    licence = models.CharField(max_length=300, help_text="The licence the council holds it under")
    synthetic = models.BooleanField(default=False, help_text="Made up, for demonstration only")
    file_sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return self.name


class ValueMetric(models.Model):
    """One metric: a unit of an outcome under a theme, worth a WELLBY change or a £ proxy."""

    model = models.ForeignKey(ValueModel, on_delete=models.CASCADE, related_name="metrics")
    code = models.CharField(max_length=20)
    theme = models.CharField(max_length=100)
    outcome = models.CharField(max_length=200)
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=60)
    wellby_per_unit = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    proxy_pence = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["model", "theme", "outcome", "code"]
        constraints = [
            models.UniqueConstraint(fields=["model", "code"], name="sv_metric_code_unique"),
            models.CheckConstraint(
                condition=Q(wellby_per_unit__isnull=True) ^ Q(proxy_pence__isnull=True),
                name="sv_metric_one_value",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class DeflatorTable(models.Model):
    """GDP deflator indices by year (as text, exact), to uprate £ per WELLBY from 2019."""

    name = models.CharField(max_length=200)
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=300)
    licence = models.CharField(max_length=300)
    synthetic = models.BooleanField(default=False)
    indices = models.JSONField(help_text='{"2019": "100.0", "2024": "119.5"}')
    file_sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return self.name


class Ledger(models.Model):
    """What a bid, contract, grant or PB project committed, delivered and measured."""

    title = models.CharField(max_length=200)
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    bid = models.OneToOneField(
        "commissioning.Bid", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    contract = models.OneToOneField(
        "commissioning.Contract",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="social_value_ledger",
    )
    grant = models.OneToOneField(
        "neighbourhoods.GrantApplication",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="social_value_ledger",
    )
    pb_project = models.OneToOneField(
        "neighbourhoods.Project",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="social_value_ledger",
    )
    value_model = models.ForeignKey(
        ValueModel, null=True, blank=True, on_delete=models.PROTECT, related_name="ledgers"
    )
    deflators = models.ForeignKey(
        DeflatorTable, null=True, blank=True, on_delete=models.PROTECT, related_name="ledgers"
    )
    price_year = models.PositiveSmallIntegerField(default=2019)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(bid__isnull=False)
                | Q(grant__isnull=False)
                | Q(pb_project__isnull=False)
                | Q(contract__isnull=False),
                name="sv_ledger_has_subject",
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("allocation:sv_ledger", args=[self.pk])


class LedgerLine(models.Model):
    """One commitment: so many units of a metric (or of a tender's measure) for so many years.

    The valuation (WELLBYs and pence) is worked out by the service when the line is written.
    """

    ledger = models.ForeignKey(Ledger, on_delete=models.CASCADE, related_name="lines")
    metric = models.ForeignKey(
        ValueMetric, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    measure = models.ForeignKey(
        "commissioning.SocialValueMeasure",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    quantity = models.DecimalField(max_digits=12, decimal_places=2)
    years = models.PositiveSmallIntegerField(default=1)
    deadweight = models.DecimalField(max_digits=5, decimal_places=4, default=0)
    attribution = models.DecimalField(max_digits=5, decimal_places=4, default=1)
    drop_off = models.DecimalField(max_digits=5, decimal_places=4, default=0)
    discount_rate = models.DecimalField(max_digits=5, decimal_places=4, default=0)
    assumptions = models.TextField(blank=True, help_text="Why these figures")
    wellbys = models.DecimalField(max_digits=16, decimal_places=3, null=True, blank=True)
    value_pence = models.PositiveBigIntegerField(default=0)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["ledger", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(metric__isnull=True) ^ Q(measure__isnull=True), name="sv_line_one_unit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.metric or self.measure}"

    @property
    def label(self) -> str:
        item = self.metric or self.measure
        return f"{item.code} {item.name}" if item else ""

    @property
    def unit(self) -> str:
        item = self.metric or self.measure
        return item.unit if item else ""


class LedgerEvidence(models.Model):
    """Evidence that a commitment was delivered, linked to a KPI return where there is one."""

    line = models.ForeignKey(LedgerLine, on_delete=models.CASCADE, related_name="evidence")
    quantity = models.DecimalField(max_digits=12, decimal_places=2)
    period_start = models.DateField()
    period_end = models.DateField()
    note = models.TextField()
    kpi_return = models.ForeignKey(
        "commissioning.KpiReturn",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["line", "period_start", "pk"]

    def __str__(self) -> str:
        return f"{self.quantity} delivered {self.period_start}–{self.period_end}"


class ComparisonKind(models.TextChoices):
    WAITING_LIST = "waiting_list", _("People on the waiting list")
    NEIGHBOURING_AREA = "neighbouring_area", _("People in a neighbouring area")


class WellbeingStudy(models.Model):
    """Before/after life satisfaction of service users beside a comparison group."""

    ledger = models.ForeignKey(Ledger, on_delete=models.CASCADE, related_name="studies")
    title = models.CharField(max_length=200)
    comparison = models.CharField(max_length=20, choices=ComparisonKind.choices)
    comparison_note = models.CharField(max_length=300, blank=True)
    people = models.PositiveIntegerField(help_text="Service users the measured change applies to")
    years = models.PositiveSmallIntegerField(default=1)
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["ledger", "pk"]
        verbose_name_plural = "wellbeing studies"

    def __str__(self) -> str:
        return self.title


class StudyGroup(models.TextChoices):
    PARTICIPANT = "participant", _("Uses the service")
    COMPARISON = "comparison", _("Comparison group")


class StudyWave(models.TextChoices):
    BEFORE = "before", _("Before")
    AFTER = "after", _("After")


class WellbeingAnswer(models.Model):
    """One person's answer (0–10) at one wave, given with consent, under a pseudonym."""

    study = models.ForeignKey(WellbeingStudy, on_delete=models.CASCADE, related_name="answers")
    group = models.CharField(max_length=12, choices=StudyGroup.choices)
    wave = models.CharField(max_length=6, choices=StudyWave.choices)
    respondent = models.CharField(max_length=40, help_text="A reference, never a name")
    score = models.PositiveSmallIntegerField()
    consent = models.BooleanField()
    entered_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["study", "group", "respondent", "wave"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "group", "wave", "respondent"], name="sv_answer_once"
            ),
            models.CheckConstraint(condition=Q(score__lte=10), name="sv_answer_score_0_10"),
            models.CheckConstraint(condition=Q(consent=True), name="sv_answer_with_consent"),
        ]

    def __str__(self) -> str:
        return f"{self.respondent} {self.wave}: {self.score}"
