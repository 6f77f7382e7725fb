"""Councillors' casework: residents' issues, their status, referrals and answers.

Casework is informal help from a neighbourhood councillor, not a formal complaint (those are
`opus.voice`'s, on statutory clocks). A case is private: the resident (and their champion with
consent), the council's councillors and clerk, and auditors see it.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opus.core.models import Organisation, User

__all__ = ["Case", "CaseStatus"]


class CaseStatus(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    REFERRED = "referred", _("Referred")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


class Case(models.Model):
    council = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="cases")
    resident = models.ForeignKey(User, on_delete=models.PROTECT, related_name="cases")
    raised_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(_("subject"), max_length=200)
    details = models.TextField(_("details"))
    status = models.CharField(max_length=12, choices=CaseStatus.choices, default=CaseStatus.NEW)
    referred_to = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    referral_note = models.TextField(blank=True)
    answer = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["council", "status"], name="case_council_status")]

    def __str__(self) -> str:
        return self.subject
