"""The evaluation panel, its independent scores, moderation, and social-value tables."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from opus.core.models import Organisation, User


class ValueTable(models.Model):
    """A table of money values per unit of social-value outcome, loaded by a commissioner.

    Opus ships only the structure and a small illustrative table; real proxy values (TOMs,
    HACT) are licensed and must be loaded by whoever holds the licence.
    """

    name = models.CharField(max_length=200)
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="value_tables")
    source = models.CharField(max_length=300)
    licence = models.CharField(max_length=300, blank=True)
    price_year = models.CharField(max_length=10, blank=True)
    illustrative = models.BooleanField(default=False)
    file_sha256 = models.CharField(max_length=64, blank=True)
    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.name


class SocialValueMeasure(models.Model):
    """One measure: a unit (an FTE local job, an hour of volunteering) and its value."""

    table = models.ForeignKey(ValueTable, on_delete=models.CASCADE, related_name="measures")
    code = models.CharField(max_length=20)
    theme = models.CharField(max_length=60)
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=60)
    value_pence = models.PositiveBigIntegerField(help_text="Money value of one unit, in pence")

    class Meta:
        ordering = ["table", "code"]
        constraints = [
            models.UniqueConstraint(fields=["table", "code"], name="sv_measure_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name} (per {self.unit})"


class PanelMember(models.Model):
    """An evaluator on an opportunity's panel. They may score only after declaring that they
    have no conflict of interest; a declared conflict keeps them from scoring."""

    opportunity = models.ForeignKey(
        "commissioning.Opportunity", on_delete=models.CASCADE, related_name="panel"
    )
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="panels")
    is_moderator = models.BooleanField(default=False)
    declared_at = models.DateTimeField(null=True, blank=True)
    has_conflict = models.BooleanField(default=False)
    conflict_details = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True, help_text="Scores handed in")
    added_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["opportunity", "user__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "user"], name="panel_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.opportunity_id}"

    @property
    def may_score(self) -> bool:
        return self.declared_at is not None and not self.has_conflict


class Score(models.Model):
    """One evaluator's own score of one bid's answer to one question, with their reason."""

    member = models.ForeignKey(PanelMember, on_delete=models.CASCADE, related_name="scores")
    bid = models.ForeignKey("commissioning.Bid", on_delete=models.CASCADE, related_name="scores")
    question = models.ForeignKey(
        "commissioning.QualityQuestion", on_delete=models.CASCADE, related_name="scores"
    )
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    scored_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["bid", "question__number", "member"]
        constraints = [
            models.UniqueConstraint(fields=["member", "bid", "question"], name="score_unique")
        ]

    def __str__(self) -> str:
        return f"{self.score} for {self.bid_id}/{self.question_id}"


class ModeratedScore(models.Model):
    """The score the panel agreed at moderation, with the reason."""

    bid = models.ForeignKey(
        "commissioning.Bid", on_delete=models.CASCADE, related_name="moderated_scores"
    )
    question = models.ForeignKey(
        "commissioning.QualityQuestion", on_delete=models.CASCADE, related_name="moderated_scores"
    )
    score = models.PositiveSmallIntegerField()
    reason = models.TextField()
    agreed_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    agreed_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["bid", "question__number"]
        constraints = [
            models.UniqueConstraint(fields=["bid", "question"], name="moderated_score_unique")
        ]

    def __str__(self) -> str:
        return f"Agreed {self.score} for {self.bid_id}/{self.question_id}"
