"""Working days on GOV.UK's bank holidays: the one engine every deadline is counted with.

The convention (`CONVENTION`, to be stated on every page that shows a deadline): the day of
receipt is day 0 and the deadline is the N-th following working day. A working day is Monday to
Friday and not a bank holiday of the nation: `england-and-wales`, `scotland` or
`northern-ireland` (GOV.UK's division names). Any other nation is a `ValueError` naming it.

- `days=0` gives the start itself, whatever day it is (the day of receipt is day 0).
- `days` below 0 is a `ValueError`: deadlines are counted forwards only.
- A start on a weekend or bank holiday still counts from the next working day: received on
  Saturday, day 1 is Monday (when Monday is a working day).

Where the holidays come from
- The years GOV.UK publishes (`published_years`; 2012–2028 in the data `govuk-bank-holidays`
  0.19 ships) are read from the package's own copy of GOV.UK's list, never fetched at run time:
  moved and extra days (jubilees, a coronation, a state funeral) are there.
- Other years are worked out by the statutory rules each nation follows today
  (`statutory_bank_holidays`): the Banking and Financial Dealings Act 1971, Schedule 1, with the
  Royal Proclamations that fix the early May, spring and summer days, and the St Andrew's Day
  Bank Holiday (Scotland) Act 2007. One-off days proclaimed for those years are not known, so
  a year after the published ones may later gain a day the engine does not count. Years before
  the published ones get today's rules too: an approximation kept so that old records still
  get a date. Outside `FIRST_YEAR`–`LAST_YEAR` the engine refuses (`ValueError`).

`add_working_days_array` does the same for numpy arrays of dates with `numpy.busday_offset`
and gives the same answers as `add_working_days` (tested).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

ENGLAND_AND_WALES = "england-and-wales"
SCOTLAND = "scotland"
NORTHERN_IRELAND = "northern-ireland"
NATIONS = (ENGLAND_AND_WALES, SCOTLAND, NORTHERN_IRELAND)
NATION_NAMES = {
    ENGLAND_AND_WALES: "England and Wales",
    SCOTLAND: "Scotland",
    NORTHERN_IRELAND: "Northern Ireland",
}

CONVENTION = (
    "The day we receive it is day 0 and the deadline is the Nth working day after it. "
    "Working days are Monday to Friday, except bank holidays."
)

FIRST_YEAR = 1978  # the first year all of today's England and Wales days were kept
LAST_YEAR = 2199
FIRST_DAY = date(FIRST_YEAR, 1, 1)
LAST_DAY = date(LAST_YEAR, 12, 31)

_ONE_DAY = timedelta(days=1)
_WEEKMASK = "1111100"  # Monday to Friday


# ---------------------------------------------------------------- checks


def check_nation(nation: str) -> str:
    """The nation itself, or a ValueError naming it when the engine does not know it."""
    if nation not in NATIONS:
        raise ValueError(
            f"Unknown nation {nation!r} for bank holidays: use one of {', '.join(NATIONS)}"
        )
    return nation


def _check_day(day: date, what: str = "date") -> None:
    if isinstance(day, datetime):
        raise TypeError(f"the {what} must be a calendar date, not a date and time")
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(
            f"the {what} {day.isoformat()} is outside the years the working-day engine "
            f"knows ({FIRST_YEAR} to {LAST_YEAR})"
        )


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(
            f"{year} is outside the years the working-day engine knows "
            f"({FIRST_YEAR} to {LAST_YEAR})"
        )


# ---------------------------------------------------------------- statutory rules


def easter_sunday(year: int) -> date:
    """Easter Day in the Gregorian calendar (anonymous computus, Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _first_monday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(7 - first.weekday()) % 7)


def _last_monday(year: int, month: int) -> date:
    last = date(year + (month == 12), month % 12 + 1, 1) - _ONE_DAY
    return last - timedelta(days=last.weekday())


def statutory_bank_holidays(year: int, nation: str = ENGLAND_AND_WALES) -> frozenset[date]:
    """A nation's bank holidays of a year by today's rules, without one-off proclaimed days.

    All nations: New Year's Day, Good Friday, the first Monday of May, the last Monday of May,
    Christmas Day and Boxing Day. England and Wales add Easter Monday and the last Monday of
    August; Northern Ireland those two and St Patrick's Day (17 March) and the Battle of the
    Boyne (12 July); Scotland 2 January, the first Monday of August and St Andrew's Day
    (30 November), and has no Easter Monday. A fixed-date day falling at a weekend is replaced
    by the next weekday not already a holiday (Christmas on a Saturday gives Monday 27th and
    Boxing Day Tuesday 28th).
    """
    check_nation(nation)
    easter = easter_sunday(year)
    days = {easter - timedelta(days=2), _first_monday(year, 5), _last_monday(year, 5)}
    fixed = [(1, 1)]
    if nation == SCOTLAND:
        days.add(_first_monday(year, 8))
        fixed += [(1, 2), (11, 30)]
    else:
        days |= {easter + _ONE_DAY, _last_monday(year, 8)}
        if nation == NORTHERN_IRELAND:
            fixed += [(3, 17), (7, 12)]
    fixed += [(12, 25), (12, 26)]
    for month, day_of_month in fixed:
        day = date(year, month, day_of_month)
        while day.weekday() >= 5 or day in days:
            day += _ONE_DAY
        days.add(day)
    return frozenset(days)


# ---------------------------------------------------------------- GOV.UK's list


@cache
def _published() -> dict[str, dict[int, frozenset[date]]]:
    """GOV.UK's bank holidays as the package ships them: nation → year → days."""
    from govuk_bank_holidays.bank_holidays import BankHolidays

    calendar: Any = BankHolidays(use_cached_holidays=True)  # the shipped copy: no download
    published: dict[str, dict[int, frozenset[date]]] = {}
    for nation in NATIONS:
        by_year: dict[int, set[date]] = {}
        for holiday in calendar.get_holidays(division=nation):
            day: date = holiday["date"]
            by_year.setdefault(day.year, set()).add(day)
        years = range(min(by_year), max(by_year) + 1)
        published[nation] = {year: frozenset(by_year.get(year, ())) for year in years}
    return published


def published_years(nation: str = ENGLAND_AND_WALES) -> range:
    """The years whose bank holidays come from GOV.UK's list (the others by the rules)."""
    years = _published()[check_nation(nation)]
    return range(min(years), max(years) + 1)


def bank_holidays(year: int, nation: str = ENGLAND_AND_WALES) -> frozenset[date]:
    """A nation's bank holidays of a year: GOV.UK's list where published, else the rules."""
    check_nation(nation)
    _check_year(year)
    published = _published()[nation]
    if year in published:
        return published[year]
    return statutory_bank_holidays(year, nation)


@cache
def _all_holidays(nation: str) -> frozenset[date]:
    return frozenset().union(
        *(bank_holidays(year, nation) for year in range(FIRST_YEAR, LAST_YEAR + 1))
    )


# ---------------------------------------------------------------- one date at a time


def is_working_day(day: date, nation: str = ENGLAND_AND_WALES) -> bool:
    """Monday to Friday and not a bank holiday of the nation."""
    check_nation(nation)
    _check_day(day)
    return day.weekday() < 5 and day not in _all_holidays(nation)


def add_working_days(start: date, days: int, nation: str = ENGLAND_AND_WALES) -> date:
    """The deadline `days` working days after `start`, the day of receipt (day 0).

    The result is the `days`-th working day after `start` (Monday to Friday, not a bank
    holiday of `nation`); `days=0` gives `start` itself. Negative `days`, an unknown nation or a
    date outside `FIRST_YEAR`–`LAST_YEAR` is a `ValueError`.
    """
    check_nation(nation)
    _check_day(start, "start")
    if days < 0:
        raise ValueError(f"days must be 0 or more, not {days}")
    if (LAST_DAY - start).days < days:  # every working day is a calendar day
        raise ValueError(f"{days} working days after {start.isoformat()} is after {LAST_YEAR}")
    holidays = _all_holidays(nation)
    day = start
    counted = 0
    while counted < days:
        day += _ONE_DAY
        if day.weekday() < 5 and day not in holidays:
            counted += 1
        if day == LAST_DAY and counted < days:
            raise ValueError(f"{days} working days after {start.isoformat()} is after {LAST_YEAR}")
    return day


def working_days_between(start: date, end: date, nation: str = ENGLAND_AND_WALES) -> int:
    """How many working days fall after `start` up to and including `end`.

    So `working_days_between(s, add_working_days(s, n)) == n`. When `end` is before `start`
    the count of working days after `end` up to and including `start`, negated.
    """
    check_nation(nation)
    _check_day(start, "start")
    _check_day(end, "end")
    if end < start:
        return -working_days_between(end, start, nation)
    holidays = _all_holidays(nation)
    count = 0
    day = start
    while day < end:
        day += _ONE_DAY
        if day.weekday() < 5 and day not in holidays:
            count += 1
    return count


# ---------------------------------------------------------------- arrays of dates


@cache
def _busday_calendar(nation: str) -> np.busdaycalendar:
    holidays = np.array(sorted(_all_holidays(nation)), dtype="datetime64[D]")
    return np.busdaycalendar(weekmask=_WEEKMASK, holidays=holidays)


_FIRST_D = np.datetime64(FIRST_DAY, "D")
_LAST_D = np.datetime64(LAST_DAY, "D")


def add_working_days_array(
    starts: npt.ArrayLike,
    days: int | npt.ArrayLike,
    nation: str = ENGLAND_AND_WALES,
) -> npt.NDArray[np.datetime64]:
    """`add_working_days` over numpy arrays: `starts` as datetime64[D], `days` an int or array.

    Same convention and the same answers as the scalar function (day 0 is the start itself;
    the N-th following working day), worked by `numpy.busday_offset` on a calendar of the
    nation's bank holidays. Negative days, an unknown nation or dates outside
    `FIRST_YEAR`–`LAST_YEAR` are a `ValueError`.
    """
    calendar = _busday_calendar(check_nation(nation))
    start_days = np.asarray(starts, dtype="datetime64[D]")
    offsets = np.asarray(days, dtype=np.int64)
    if start_days.size == 0:
        return np.broadcast_arrays(start_days, offsets)[0].copy()
    if np.isnat(start_days).any():
        raise ValueError("every start must be a date")
    if start_days.min() < _FIRST_D or start_days.max() > _LAST_D:
        raise ValueError(
            f"a start is outside the years the working-day engine knows "
            f"({FIRST_YEAR} to {LAST_YEAR})"
        )
    if offsets.size and offsets.min() < 0:
        raise ValueError("days must be 0 or more")
    # roll="backward": a start that is not a working day counts from the working day before it,
    # so its first working day after is day 1, as in the scalar function.
    result = np.busday_offset(start_days, offsets, roll="backward", busdaycal=calendar)
    if result.size and result.max() > _LAST_D:
        raise ValueError(f"a deadline would fall after {LAST_YEAR}")
    if offsets.ndim == 0:
        return start_days.copy() if int(offsets) == 0 else result
    zero = offsets == 0
    if zero.any():
        result = np.where(zero, start_days, result)
    return result
