"""Opportunities (contracting processes), their lots and questions, clarifications, searches."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from opus.core.models import Area, Organisation, User


def new_ocid() -> str:
    """A new open contracting id: the publisher's prefix (a setting, read now) and a UUID."""
    prefix = getattr(settings, "OCDS_OCID_PREFIX", "ocds-xxxxxx")
    return f"{prefix}-{uuid.uuid4()}"


class Procedure(models.TextChoices):
    LIGHT_TOUCH = "light_touch", "Light-touch (no pre-qualification questionnaire)"
    OPEN = "open", "Open"


class Reservation(models.TextChoices):
    NONE = "", "Open to all"
    VCSE_SME = "vcse_sme", "Reserved for small firms and the voluntary sector"
    MUTUAL = "mutual", "Reserved for public-service mutuals"


class PriceFormula(models.TextChoices):
    LOWEST_RATIO = "lowest_ratio", "Lowest price ÷ bid price × weight"
    DIFFERENCE = "difference", "Weight less 1% of it for each 1% above the lowest price"


class TieBreak(models.TextChoices):
    QUALITY_THEN_PRICE = "quality_then_price", "Higher quality score, then lower price"
    PRICE_THEN_QUALITY = "price_then_quality", "Lower price, then higher quality score"
    SOCIAL_VALUE_THEN_QUALITY = (
        "social_value_then_quality",
        "Higher social value score, then higher quality score",
    )


class OpportunityStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    OPENED = "opened", "Bids opened"
    AWARDED = "awarded", "Awarded"
    CANCELLED = "cancelled", "Cancelled"


class Opportunity(models.Model):
    """A contracting process: one notice, one timetable, one set of criteria, several lots.

    Bids are sealed while `submission_deadline` is in the future by the server clock.
    """

    ocid = models.CharField(max_length=100, unique=True, default=new_ocid, editable=False)
    reference = models.CharField(max_length=40, blank=True)
    title = models.CharField(max_length=200)
    description = models.TextField()
    buyer = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="opportunities")
    plan = models.ForeignKey(
        "commissioning.CommissioningPlan",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
    )
    decisions = models.ManyToManyField(
        "commissioning.ServiceDecision", blank=True, related_name="opportunities"
    )
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="opportunities"
    )
    value_pence = models.PositiveBigIntegerField(help_text="Estimated total value of all lots")
    procedure = models.CharField(max_length=16, choices=Procedure.choices)
    reservation = models.CharField(
        max_length=16, choices=Reservation.choices, default=Reservation.NONE, blank=True
    )
    reservation_reason = models.TextField(blank=True)
    supplier_declaration = models.TextField(
        blank=True, help_text="The short declaration bidders make instead of a PQQ"
    )
    status = models.CharField(
        max_length=12, choices=OpportunityStatus.choices, default=OpportunityStatus.DRAFT
    )
    # Timetable: instants on the server clock, shown in Europe/London.
    published_at = models.DateTimeField(null=True, blank=True)
    clarification_deadline = models.DateTimeField()
    submission_deadline = models.DateTimeField(db_index=True)
    evaluation_by = models.DateField(null=True, blank=True)
    award_by = models.DateField(null=True, blank=True)
    standstill_days = models.PositiveSmallIntegerField(default=8)
    contract_start = models.DateField()
    contract_end = models.DateField()
    # Criteria, published with the opportunity: weights are points out of 100.
    price_weight = models.PositiveSmallIntegerField()
    quality_weight = models.PositiveSmallIntegerField()
    social_value_weight = models.PositiveSmallIntegerField()
    price_formula = models.CharField(
        max_length=20, choices=PriceFormula.choices, default=PriceFormula.LOWEST_RATIO
    )
    abnormally_low_percent = models.PositiveSmallIntegerField(
        default=70, help_text="A price below this % of the mean of the other bids is flagged"
    )
    tie_break = models.CharField(
        max_length=32, choices=TieBreak.choices, default=TieBreak.QUALITY_THEN_PRICE
    )
    value_table = models.ForeignKey(
        "commissioning.ValueTable",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opportunities",
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    opened_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["submission_deadline", "pk"]
        verbose_name_plural = "opportunities"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("commissioning:opportunity_detail", args=[self.pk])

    def bids_sealed(self, now: datetime | None = None) -> bool:
        """True until the submission deadline has passed on the server clock."""
        return (now or timezone.now()) < self.submission_deadline

    def is_open_for_bids(self, now: datetime | None = None) -> bool:
        return self.status == OpportunityStatus.PUBLISHED and self.bids_sealed(now)

    @property
    def is_public(self) -> bool:
        return self.status != OpportunityStatus.DRAFT

    @property
    def weights_total(self) -> int:
        return self.price_weight + self.quality_weight + self.social_value_weight


class OpportunityKey(models.Model):
    """The opportunity's sealing key pair: bids are encrypted to the public key; the private
    key is kept wrapped (AES-GCM under a key derived from the server's secret) and is only
    unwrapped by the opening code after the deadline."""

    opportunity = models.OneToOneField(
        Opportunity, on_delete=models.CASCADE, related_name="sealing_key"
    )
    public_key = models.BinaryField()
    wrapped_private_key = models.BinaryField()
    wrap_nonce = models.BinaryField()
    algorithm = models.CharField(max_length=40, default="X25519-HKDF-SHA256-AES256GCM")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Sealing key for {self.opportunity_id}"


class LotStatus(models.TextChoices):
    ACTIVE = "active", "Open"
    AWARDED = "awarded", "Awarded"
    UNSUCCESSFUL = "unsuccessful", "No award"
    CANCELLED = "cancelled", "Cancelled"


class Lot(models.Model):
    """A separately awardable part of an opportunity."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="lots")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    value_pence = models.PositiveBigIntegerField()
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="lots"
    )
    status = models.CharField(max_length=16, choices=LotStatus.choices, default=LotStatus.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["opportunity", "number"]
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "number"], name="lot_number_unique")
        ]

    def __str__(self) -> str:
        return f"Lot {self.number}: {self.title}"


class QualityQuestion(models.Model):
    """A published quality question; its weight is points out of the 100 (all questions'
    weights add up to the opportunity's quality weight). Scored 0 to `max_score`."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="questions")
    number = models.PositiveSmallIntegerField()
    text = models.TextField()
    weight = models.PositiveSmallIntegerField()
    max_score = models.PositiveSmallIntegerField(default=5)
    word_limit = models.PositiveIntegerField(default=750)

    class Meta:
        ordering = ["opportunity", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "number"], name="quality_question_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Q{self.number}. {self.text[:60]}"


class Clarification(models.Model):
    """A bidder's question; its answer is published to everyone without the asker's name."""

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="clarifications"
    )
    asked_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    asked_for = models.ForeignKey(
        Organisation, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    question = models.TextField()
    answer = models.TextField(blank=True)
    asked_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["opportunity", "asked_at", "pk"]

    def __str__(self) -> str:
        return self.question[:80]

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class SavedSearch(models.Model):
    """A provider's search, e-mailed to them when a new opportunity matches it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="saved_searches")
    name = models.CharField(max_length=100)
    filters = models.JSONField(default=dict)
    alerts = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user", "name"]

    def __str__(self) -> str:
        return self.name


class AlertSent(models.Model):
    """So that a saved search tells its owner about each opportunity once."""

    saved_search = models.ForeignKey(SavedSearch, on_delete=models.CASCADE, related_name="sent")
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["saved_search", "opportunity"], name="alert_sent_once")
        ]

    def __str__(self) -> str:
        return f"{self.saved_search_id} told of {self.opportunity_id}"
