"""Money as residents read it: pounds and words ("£6 a session, 16 weeks"), never pence."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from opus.engines.money import pounds

_PER = {
    "hour": ("%(price)s an hour", "%(n)s hour a week", "%(n)s hours a week"),
    "session": ("%(price)s a session", "%(n)s session a week", "%(n)s sessions a week"),
}


def schedule_words(
    *, price_pence: int, unit: str, units_per_week: Decimal, weeks: int | None = None
) -> str:
    """ "£6 a session, 16 weeks"; "£15 an hour, 2 hours a week, 53 weeks"."""
    parts = []
    if unit in _PER:
        price, one, many = _PER[unit]
        parts.append(_(price) % {"price": pounds(price_pence)})
        if units_per_week != 1:
            units = f"{Decimal(units_per_week).normalize():f}"
            count = 1 if units_per_week == 1 else 2
            parts.append(ngettext(one, many, count) % {"n": units})
    else:
        weekly = _("%(price)s a week") if unit == "week" else _("%(price)s a month")
        parts.append(weekly % {"price": pounds(price_pence)})
    if weeks is not None:
        parts.append(ngettext("%(n)s week", "%(n)s weeks", weeks) % {"n": weeks})
    return ", ".join(parts)


def booking_words(booking: Any, weeks: int | None = None) -> str:
    return schedule_words(
        price_pence=booking.price_pence,
        unit=booking.unit,
        units_per_week=booking.units_per_week,
        weeks=weeks,
    )


def commitment_words(commitment: Any) -> str:
    return booking_words(commitment.booking, commitment.weeks)
