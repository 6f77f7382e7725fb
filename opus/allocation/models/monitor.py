"""The postcode-lottery monitor's snapshots: the variation index, taken monthly and kept."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

__all__ = ["MonitorSnapshot"]


class MonitorSnapshot(models.Model):
    """The monitor's figures for one month (``period``, YYYY-MM) as they stood on ``as_of``.

    ``figures`` holds, per service kind, the measures of variation (CV, Gini, Theil with their
    bootstrap intervals) of need-adjusted spend and access, and each area's figures with its
    funnel limits and band: a snapshot never changes once the month has moved on, so the index
    over time is read from these rows, not recomputed from records that have changed since.
    """

    period = models.CharField(max_length=7)
    as_of = models.DateField()
    level = models.CharField(max_length=16, default="neighbourhood")
    assessment = models.ForeignKey(
        "needs.Assessment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    draws = models.PositiveIntegerField()
    seed = models.PositiveIntegerField()
    figures = models.JSONField(default=dict)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    taken_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-period"]
        constraints = [
            models.UniqueConstraint(fields=["period", "level"], name="monitor_snapshot_month")
        ]

    def __str__(self) -> str:
        return f"Monitor {self.period} ({self.level})"
