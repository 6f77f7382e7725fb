"""The good-practice library: case studies, working models and guidance, moderated.

Providers and commissioners write entries for their organisation; an entry goes
draft → submitted → published, or back to its author with a moderator's reason.
Published entries are public; the rest stay with the author's organisation and
the moderators (commissioners and administrators).
"""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils import timezone

from opus.core.models import Organisation, User


class EntryKind(models.TextChoices):
    CASE_STUDY = "case_study", "Case study"
    WORKING_MODEL = "working_model", "Working model"
    GUIDANCE = "guidance", "Guidance"


class Audience(models.TextChoices):
    PROVIDERS = "providers", "Providers and would-be providers"
    BUDGET_HOLDERS = "budget_holders", "People with a personal budget"
    COUNCILLORS = "councillors", "Councillors learning to commission"


class EntryStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Waiting for moderation"
    PUBLISHED = "published", "Published"
    RETURNED = "returned", "Returned to the author"


EDITABLE_STATUSES = (EntryStatus.DRAFT, EntryStatus.RETURNED)


class Tag(models.Model):
    """A normalised label: lower case, single spaces; the slug is its web address part."""

    name = models.CharField(max_length=40, unique=True)
    slug = models.SlugField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Entry(models.Model):
    kind = models.CharField(max_length=16, choices=EntryKind.choices)
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    summary = models.CharField(max_length=500)
    body = models.TextField()
    tags = models.ManyToManyField(Tag, blank=True, related_name="entries")
    needs = models.ManyToManyField(
        "directory.TaxonomyTerm", blank=True, related_name="knowledge_entries"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="knowledge_entries"
    )
    author = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="knowledge_entries"
    )
    status = models.CharField(
        max_length=16, choices=EntryStatus.choices, default=EntryStatus.DRAFT, db_index=True
    )
    return_reason = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-published_at", "-updated_at", "pk"]
        verbose_name_plural = "entries"
        indexes = [models.Index(fields=["status", "-published_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("knowledge:entry_detail", args=[self.slug])

    @property
    def is_published(self) -> bool:
        return self.status == EntryStatus.PUBLISHED

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def audience_codes(self) -> list[str]:
        return sorted(a.audience for a in self.audiences.all())

    @property
    def audience_labels(self) -> list[str]:
        return [Audience(code).label for code in self.audience_codes]


class EntryAudience(models.Model):
    """Who an entry is written for: one row per audience, so lists filter on both databases."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="audiences")
    audience = models.CharField(max_length=16, choices=Audience.choices)

    class Meta:
        ordering = ["entry", "audience"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "audience"], name="knowledge_audience_unique")
        ]

    def __str__(self) -> str:
        return f"{self.entry} — {self.get_audience_display()}"
