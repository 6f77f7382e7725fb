"""Periodic work as data, enqueued through django-tasks like any other job.

Whatever the task backend (the database by default, Redis through RQ), the periodic jobs are
ordinary tasks: `manage.py run_schedule` wakes every minute, works out which entries are due and
enqueues each once per period. A period is a *slot* (an every-N-minutes entry's slot is the
start of its N-minute window; a daily entry's slot is the date, due from its time of day on), and
a slot is claimed by inserting a unique `PeriodicRun` row first, so two schedulers running side
by side (two machines, or a restart mid-minute) never enqueue the same slot twice. A daily entry
missed while no scheduler ran is caught up at the next tick the same day.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Periodic:
    name: str
    task: str  # dotted path of a django-tasks task
    every: timedelta | None = None
    daily_at: time | None = None  # local time (settings.TIME_ZONE)

    def slot(self, now: datetime) -> str | None:
        """The period `now` falls in, or None when a daily entry is not yet due today."""
        if self.every is not None:
            seconds = int(self.every.total_seconds())
            start = int(now.timestamp()) // seconds * seconds
            return datetime.fromtimestamp(start, tz=now.tzinfo).strftime("%Y-%m-%dT%H:%M")
        assert self.daily_at is not None
        local = timezone.localtime(now)
        return local.date().isoformat() if local.time() >= self.daily_at else None


SCHEDULE: tuple[Periodic, ...] = (
    Periodic(
        "send_pending_notifications",
        "opus.notifications.tasks.send_pending_notifications",
        every=timedelta(minutes=5),
    ),
    Periodic("send_reminders", "opus.notifications.tasks.send_reminders", daily_at=time(7, 0)),
    Periodic("publish_audit_heads", "opus.core.tasks.publish_audit_heads", daily_at=time(2, 0)),
    Periodic("apply_retention", "opus.core.tasks.apply_retention", daily_at=time(3, 0)),
)


def due(now: datetime, schedule: Iterable[Periodic] = SCHEDULE) -> list[tuple[Periodic, str]]:
    return [(entry, slot) for entry in schedule if (slot := entry.slot(now)) is not None]


def run_due(
    now: datetime | None = None, schedule: Sequence[Periodic] = SCHEDULE
) -> list[tuple[str, str]]:
    """Enqueue every due entry whose slot no scheduler has claimed yet; returns (name, slot)."""
    from opus.core.models import PeriodicRun

    now = now or timezone.now()
    enqueued = []
    for entry, slot in due(now, schedule):
        try:
            with transaction.atomic():
                run = PeriodicRun.objects.create(name=entry.name, slot=slot)
                result = import_string(entry.task).enqueue()
                run.task_result_id = str(result.id)[:64]
                run.save(update_fields=["task_result_id"])
        except IntegrityError:
            continue  # another scheduler has this slot
        enqueued.append((entry.name, slot))
    return enqueued
