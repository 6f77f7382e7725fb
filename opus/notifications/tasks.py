"""Notification tasks: thin, they take ids and call services."""

from __future__ import annotations

from django_tasks import task

from opus.notifications import services


@task()
def send_notification(notification_id: int) -> str | None:
    return services.notification_send(notification_id=notification_id)


@task()
def send_pending_notifications() -> int:
    return services.send_pending()


@task()
def send_reminders(today: str | None = None) -> dict[str, int]:
    """The daily reminders (see manage.py send_reminders); `today` as YYYY-MM-DD."""
    from datetime import date

    from opus.notifications import reminders

    return reminders.send_reminders(date.fromisoformat(today) if today else None)
