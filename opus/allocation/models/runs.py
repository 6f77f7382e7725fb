"""Allocation runs: a formula (versioned: every edit is a new version), and each run of it over
the areas at one level, with its inputs, a hash of inputs and formula, and the results per area.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opus.core.models import Area, Organisation, User

__all__ = [
    "AllocationFormula",
    "AllocationResult",
    "AllocationRun",
    "NeedSource",
    "RunLevel",
    "RunStatus",
    "Transition",
]

SHARE = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))]


class NeedSource(models.TextChoices):
    NONE = "none", _("No need adjustment (population only)")
    ASSESSMENT = "assessment", _("Indicators from a published needs assessment")
    DEPRIVATION = "deprivation", _("Deprivation (Index of Multiple Deprivation score)")


class Transition(models.TextChoices):
    PACE = (
        "pace",
        _("Pace of change: a minimum growth for everyone, the rest to areas under target"),
    )
    FLOOR = "floor", _("Floor: no area loses more than a set share of last year's money")
    NONE = "none", _("None: allocate the target straight away")


class RunLevel(models.TextChoices):
    LSOA = "lsoa", _("Small areas (LSOAs)")
    WARD = "ward", _("Wards")
    NEIGHBOURHOOD = "neighbourhood", _("Neighbourhoods")
    AUTHORITY = "la", _("Local authorities")


class RunStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class AllocationFormula(models.Model):
    """One version of a formula. Editing makes a new version in the same family; runs keep
    the version they used, so a published run can always be explained."""

    family = models.PositiveIntegerField(db_index=True, help_text="Shared by every version")
    version = models.PositiveIntegerField(default=1)
    name = models.CharField(max_length=200)
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    scope = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", help_text="The place shared across"
    )
    age_weights = models.JSONField(
        default=list, blank=True, help_text="One weight per age band (as text); empty: a head count"
    )
    need_source = models.CharField(max_length=12, choices=NeedSource.choices)
    assessment = models.ForeignKey(
        "needs.Assessment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    indicator_weights = models.JSONField(default=dict, blank=True, help_text="slug → weight")
    inequalities = models.BooleanField(default=False, help_text="Blend in deprivation with h")
    h = models.DecimalField(max_digits=5, decimal_places=4, default=Decimal(0), validators=SHARE)
    cost_index = models.JSONField(default=dict, blank=True, help_text="area code → index")
    resources = models.JSONField(default=dict, blank=True, help_text="area code → adjustment")
    transition = models.CharField(max_length=8, choices=Transition.choices)
    min_growth = models.DecimalField(
        max_digits=6, decimal_places=4, default=Decimal(0), validators=SHARE
    )
    max_loss = models.DecimalField(
        max_digits=6, decimal_places=4, default=Decimal(0), validators=SHARE
    )
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["family", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["family", "version"], name="allocation_formula_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} (version {self.version})"


class AllocationRun(models.Model):
    """A formula applied to the areas at one level: reproducible from `inputs` and `formula`
    (`input_hash` is the SHA-256 of both); open data once published."""

    formula = models.ForeignKey(AllocationFormula, on_delete=models.PROTECT, related_name="runs")
    title = models.CharField(max_length=200)
    period = models.CharField(max_length=20, help_text="For example 2026/27")
    level = models.CharField(max_length=16, choices=RunLevel.choices)
    total_pence = models.PositiveBigIntegerField()
    baseline = models.JSONField(default=dict, blank=True, help_text="area code → pence")
    inputs = models.JSONField(default=dict)
    input_hash = models.CharField(max_length=64)
    decision = models.ForeignKey(
        "commissioning.ServiceDecision",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="allocation_runs",
        help_text="A plan's decision whose budget this run shares out",
    )
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.DRAFT)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "-published_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == RunStatus.PUBLISHED


class AllocationResult(models.Model):
    """One area's target, allocation and waterfall steps (pence, in fair_shares.STEPS order)."""

    run = models.ForeignKey(AllocationRun, on_delete=models.CASCADE, related_name="results")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    population = models.PositiveIntegerField()
    baseline_pence = models.BigIntegerField(null=True, blank=True)
    target_pence = models.BigIntegerField()
    allocation_pence = models.BigIntegerField()
    steps = models.JSONField(default=list)

    class Meta:
        ordering = ["run", "area__code"]
        constraints = [
            models.UniqueConstraint(fields=["run", "area"], name="allocation_result_area")
        ]

    def __str__(self) -> str:
        return f"{self.area} in {self.run}"

    @property
    def distance_pence(self) -> int:
        return self.allocation_pence - self.target_pence
