"""Shared pieces of the commissioning services: the clock and settings read at call time."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from opus.commissioning.errors import CommissioningError
from opus.engines.money import pounds

DEFAULT_MAX_CONTRACT_PENCE = 1_000_000_000_000  # £10 billion


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


def max_contract_pence() -> int:
    """The largest amount a bid, lot, opportunity or contract may carry (setting
    `OPUS_MAX_CONTRACT_PENCE`, read at call time; default £10 billion)."""
    return int(getattr(settings, "OPUS_MAX_CONTRACT_PENCE", DEFAULT_MAX_CONTRACT_PENCE))


def whole_pence(value: Any, field: str, what: str = "") -> int:
    """An amount from outside as whole pence from 1p up to the maximum, or an error naming
    `field`. Booleans, fractions, infinities and text that is not a whole number are refused."""
    what = what or _("The amount")
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise CommissioningError(_("%(what)s must be a whole number of pence") % {"what": what},
                                 field)  # fmt: skip
    try:
        amount = int(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise CommissioningError(_("%(what)s must be a whole number of pence") % {"what": what},
                                 field) from exc  # fmt: skip
    if amount <= 0:
        raise CommissioningError(_("%(what)s must be more than £0") % {"what": what}, field)
    if amount > max_contract_pence():
        raise CommissioningError(
            _("%(what)s can be at most %(maximum)s")
            % {"what": what, "maximum": pounds(max_contract_pence())},
            field,
        )
    return amount


def end_of_day(day: object) -> datetime:
    """The instant a London calendar day ends (midnight at its close)."""
    start = datetime.combine(day, time(0, 0))  # type: ignore[arg-type]
    return timezone.make_aware(start, timezone.get_default_timezone()) + timedelta(days=1)
