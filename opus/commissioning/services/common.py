"""Shared pieces of the commissioning services: the clock and settings read at call time."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from opus.commissioning.errors import CommissioningError


def clock(now: datetime | None) -> datetime:
    """The server clock, unless a caller (the demo, a test) sets the time of the action."""
    if now is None:
        return timezone.now()
    if timezone.is_naive(now):
        raise CommissioningError("Times must carry a time zone", "now")
    return now


def light_touch_threshold_pence() -> int:
    """Values under this may use the light-touch procedure (no PQQ). Default £100,000."""
    return int(getattr(settings, "COMMISSIONING_LIGHT_TOUCH_THRESHOLD_PENCE", 10_000_000))


def end_of_day(day: object) -> datetime:
    """The instant a London calendar day ends (midnight at its close)."""
    start = datetime.combine(day, time(0, 0))  # type: ignore[arg-type]
    return timezone.make_aware(start, timezone.get_default_timezone()) + timedelta(days=1)
