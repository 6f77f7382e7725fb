"""Feedback and ratings: stories, moderation, replies and change badges.

A resident's story is kept as they wrote it (`story`); what the public reads is the
moderator's copy (`published_story`), with the edit recorded (`moderation_note`) and
audited. A provider may ask for a restriction; a granted one withholds the story's words
but the feedback stays on the page, marked "restricted" with the reason.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opus.core.models import User

__all__ = [
    "RATING_DIMENSIONS",
    "RATING_MAX",
    "RATING_MIN",
    "STORY_MAX",
    "ChangeBadge",
    "Feedback",
    "FeedbackStatus",
    "Restriction",
    "ServiceRating",
]

RATING_MIN, RATING_MAX = 1, 5
STORY_MAX = 2000
# The dimensions rated, with their questions; "overall" feeds matching's quality score.
RATING_DIMENSIONS: tuple[tuple[str, str], ...] = (
    ("overall", _("Overall")),
    ("kindness", _("Kindness and respect")),
    ("reliability", _("Reliability")),
    ("recommend", _("Would recommend")),
)


class FeedbackStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for moderation")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Not published")


class Restriction(models.TextChoices):
    NONE = "", _("None")
    REQUESTED = "requested", _("Restriction asked for")
    RESTRICTED = "restricted", _("Restricted")
    REFUSED = "refused", _("Restriction refused")


class ChangeBadge(models.TextChoices):
    NONE = "", _("None")
    PLANNED = "planned", _("Change planned")
    MADE = "made", _("Change made")


def _rating(name: str) -> models.PositiveSmallIntegerField:  # type: ignore[type-arg]
    return models.PositiveSmallIntegerField(verbose_name=name)


def _bounded(*names: str) -> list[models.CheckConstraint]:
    return [
        models.CheckConstraint(
            condition=models.Q(**{f"{n}__gte": RATING_MIN, f"{n}__lte": RATING_MAX}),
            name=f"feedback_{n}_1_to_5",
        )
        for n in names
    ]


class Feedback(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(
        "directory.Service", on_delete=models.PROTECT, related_name="feedback"
    )
    booking = models.ForeignKey(
        "choice.Booking",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback",
    )
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="feedback_given")
    story = models.TextField(help_text="As the person wrote it; never changed")
    published_story = models.TextField(blank=True, help_text="The moderator's copy")
    overall = _rating("overall")
    kindness = _rating("kindness")
    reliability = _rating("reliability")
    recommend = _rating("recommend")
    status = models.CharField(
        max_length=10, choices=FeedbackStatus.choices, default=FeedbackStatus.PENDING
    )
    moderated_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderation_note = models.TextField(blank=True, help_text="What was removed, and why")
    restriction = models.CharField(
        max_length=10, choices=Restriction.choices, blank=True, default=Restriction.NONE
    )
    restriction_reason = models.TextField(blank=True)
    reply = models.TextField(blank=True)
    replied_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    replied_at = models.DateTimeField(null=True, blank=True)
    badge = models.CharField(
        max_length=8, choices=ChangeBadge.choices, blank=True, default=ChangeBadge.NONE
    )
    badge_explanation = models.TextField(blank=True)
    badge_confirmed = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["service", "status"], name="feedback_service_status")]
        constraints = [
            *_bounded("overall", "kindness", "reliability", "recommend"),
            models.CheckConstraint(condition=~models.Q(story=""), name="feedback_has_a_story"),
            models.UniqueConstraint(
                fields=["booking"],
                condition=models.Q(booking__isnull=False),
                name="feedback_once_per_booking",
            ),
            # A badge stays only with its explanation.
            models.CheckConstraint(
                condition=models.Q(badge="") | ~models.Q(badge_explanation=""),
                name="feedback_badge_explained",
            ),
        ]

    def __str__(self) -> str:
        return f"Feedback on {self.service_id} ({self.status})"

    @property
    def ratings(self) -> list[tuple[str, int]]:
        return [(str(label), getattr(self, key)) for key, label in RATING_DIMENSIONS]

    @property
    def badge_shown(self) -> bool:
        """A badge is shown only explained and confirmed by the person who gave the feedback."""
        return bool(self.badge and self.badge_explanation and self.badge_confirmed)


class ServiceRating(models.Model):
    """A service's published overall ratings summed, read by matching with its card."""

    service = models.OneToOneField(
        "directory.Service", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    rating_sum = models.PositiveIntegerField(default=0)
    rating_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating_sum__gte=models.F("rating_count"))
                & models.Q(rating_sum__lte=models.F("rating_count") * RATING_MAX),
                name="service_rating_within_bounds",
            )
        ]

    def __str__(self) -> str:
        return f"{self.rating_sum}/{self.rating_count}"
