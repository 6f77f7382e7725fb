"""Periodic jobs are enqueued once per period, whoever runs the scheduler and how often."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from opus.core.models import PeriodicRun
from opus.core.schedule import SCHEDULE, Periodic, due, run_due

pytestmark = pytest.mark.django_db
EVERY = Periodic(
    "tick", "opus.notifications.tasks.send_pending_notifications", every=timedelta(minutes=5)
)
DAILY = Periodic("daily", "opus.core.tasks.publish_audit_heads", daily_at=time(7, 0))


def at(hour: int, minute: int, day: int = 7) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=UTC)


def test_an_every_five_minutes_entry_has_one_slot_per_window():
    assert EVERY.slot(at(9, 0)) == EVERY.slot(at(9, 4)) != EVERY.slot(at(9, 5))


def test_a_daily_entry_is_due_from_its_time_and_caught_up_later_the_same_day():
    assert DAILY.slot(at(6, 59)) is None
    assert DAILY.slot(at(7, 0)) == DAILY.slot(at(23, 0)) == "2026-12-07"
    assert DAILY.slot(at(7, 0, day=8)) == "2026-12-08"


def test_the_schedule_names_the_reminders_the_outbox_and_the_audit_heads():
    names = {entry.name for entry in SCHEDULE}
    assert {"send_reminders", "send_pending_notifications", "publish_audit_heads"} <= names
    assert [entry.name for entry, _ in due(at(7, 30))] == [entry.name for entry in SCHEDULE]


def test_two_schedulers_enqueue_each_slot_once(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    first = run_due(at(9, 1), [EVERY, DAILY])
    again = run_due(at(9, 3), [EVERY, DAILY])  # the same five minutes, the same day
    later = run_due(at(9, 6), [EVERY, DAILY])
    assert [name for name, _ in first] == ["tick", "daily"]
    assert again == []
    assert [name for name, _ in later] == ["tick"]
    assert PeriodicRun.objects.count() == 3
    assert (
        DBTaskResult.objects.filter(task_path__endswith="send_pending_notifications").count() == 2
    )


def test_the_command_checks_once_and_reports_what_it_enqueued(settings, capsys):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    call_command("run_schedule", "--once")
    out = capsys.readouterr().out
    assert "enqueued send_pending_notifications" in out
    assert PeriodicRun.objects.filter(name="send_pending_notifications").exists()


def test_the_command_refuses_an_interval_out_of_bounds(capsys):
    with pytest.raises(SystemExit) as exit_:
        call_command("run_schedule", "--once", "--interval", "1")
    assert exit_.value.code == 2
    assert "between 10 and 3600" in capsys.readouterr().err
