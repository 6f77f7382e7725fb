"""Service-level decisions and the commissioning plan they make up."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils import timezone

from opus.core.models import Area, Organisation, User


class ServiceLevel(models.TextChoices):
    """Smallest first: the order is the order of the reform's preference."""

    INDIVIDUAL = "individual", "Individual (personal budgets)"
    NEIGHBOURHOOD = "neighbourhood", "Neighbourhood (a neighbourhood budget)"
    COMMISSIONED = "commissioned", "Commissioned (procurement)"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class CommissioningPlan(models.Model):
    """The decisions for a period, with their budgets and timetable; public once published."""

    title = models.CharField(max_length=200)
    commissioner = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="commissioning_plans"
    )
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="commissioning_plans")
    period = models.CharField(max_length=20, help_text="For example 2026/27")
    assessment = models.ForeignKey(
        "needs.Assessment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commissioning_plans",
    )
    summary = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("commissioning:plan_detail", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.status == PlanStatus.PUBLISHED


class ServiceDecision(models.Model):
    """One need, the level it is delivered at, and why (against the five principles).

    The character flags are what the decision aid reads; `proposed_level` is what it
    proposed; a `level` larger than that needs `larger_level_reason`.
    """

    plan = models.ForeignKey(CommissioningPlan, on_delete=models.CASCADE, related_name="decisions")
    priority = models.ForeignKey(
        "needs.Priority",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_decisions",
    )
    need = models.CharField(max_length=300)
    personal = models.BooleanField(default=False, help_text="Shaped around one person")
    divisible = models.BooleanField(default=False, help_text="Can be bought in small units")
    local = models.BooleanField(default=False, help_text="Delivered in one neighbourhood")
    specialist = models.BooleanField(default=False, help_text="Needs rare skills")
    economies_of_scale = models.BooleanField(default=False, help_text="Cheaper at scale")
    proposed_level = models.CharField(max_length=16, choices=ServiceLevel.choices)
    level = models.CharField(max_length=16, choices=ServiceLevel.choices)
    larger_level_reason = models.TextField(blank=True)
    reason_choice = models.TextField("Choice", blank=True)
    reason_decentralisation = models.TextField("Decentralisation", blank=True)
    reason_diversity = models.TextField("Diversity", blank=True)
    reason_fairness = models.TextField("Fairness", blank=True)
    reason_accountability = models.TextField("Accountability", blank=True)
    budget_pence = models.PositiveBigIntegerField(default=0)
    ras_version = models.ForeignKey(
        "budgets.RasVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
        help_text="For an individual-level decision: the RAS its personal budgets are set by",
    )
    tender_by = models.DateField(null=True, blank=True, help_text="When procurement starts")
    service_start = models.DateField(null=True, blank=True)
    service_end = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["plan", "pk"]

    def __str__(self) -> str:
        return f"{self.need} — {self.get_level_display()}"

    @property
    def character(self) -> dict[str, bool]:
        return {
            "personal": self.personal,
            "divisible": self.divisible,
            "local": self.local,
            "specialist": self.specialist,
            "economies_of_scale": self.economies_of_scale,
        }
