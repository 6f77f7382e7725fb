"""Neighbourhood councils: members, meetings, decisions, declarations and their budgets.

A council is a `core.Organisation` of kind `neighbourhood_council` with an `Area` of kind
`neighbourhood`; its councillors hold `Membership` role `councillor`. Its money is a
`budgets.Budget` held by the organisation (see `opus.neighbourhoods.money`).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opus.core.models import Organisation, User

__all__ = ["Clerk", "Declaration", "Meeting", "MeetingDecision"]


class Clerk(models.Model):
    """The council's clerk: keys paper ballots and writes minutes, without a councillor's vote."""

    council = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="clerks")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="clerk_of")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["council", "user"], name="clerk_once")]

    def __str__(self) -> str:
        return f"{self.user} — clerk of {self.council}"


class Meeting(models.Model):
    council = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField()
    title = models.CharField(max_length=200)
    agenda = models.TextField(blank=True)
    minutes = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on:%d %B %Y})"


class MeetingDecision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("decision"))
    votes_for = models.PositiveSmallIntegerField(default=0)
    votes_against = models.PositiveSmallIntegerField(default=0)
    abstentions = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text[:60]


class Declaration(models.Model):
    """A councillor's declared interest in an item of a meeting (or a PB project, a grant)."""

    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="declarations"
    )
    council = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    councillor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="declarations")
    item = models.CharField(max_length=300)
    interest = models.TextField()
    declared_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-declared_at"]

    def __str__(self) -> str:
        return f"{self.councillor}: {self.item}"
