"""The working-day engine: day 0 is the day of receipt, deadlines on each nation's bank holidays."""

from datetime import date, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opus.engines import working_days as wd
from opus.engines.working_days import (
    ENGLAND_AND_WALES,
    NATIONS,
    NORTHERN_IRELAND,
    SCOTLAND,
    add_working_days,
    add_working_days_array,
    is_working_day,
    working_days_between,
)


def _each(start, days):
    return {nation: add_working_days(start, days, nation) for nation in NATIONS}


# ------------------------------------------------------------------ worked examples: Christmas


def test_received_friday_18_december_2026_plus_5_is_tuesday_29th_everywhere():
    # Mon 21 (1), Tue 22 (2), Wed 23 (3), Thu 24 (4); Christmas Day (Fri 25) and the Boxing Day
    # substitute (Mon 28) are holidays in all three nations; Tue 29 (5).
    assert _each(date(2026, 12, 18), 5) == dict.fromkeys(NATIONS, date(2026, 12, 29))


def test_received_friday_18_december_2026_plus_10_is_a_day_later_in_scotland():
    # 29 (5), 30 (6), 31 (7), New Year's Day (Fri 1 January 2027) for everyone; then Scotland's
    # 2 January falls on a Saturday, so its substitute Monday 4th is a holiday there only.
    assert _each(date(2026, 12, 18), 10) == {
        ENGLAND_AND_WALES: date(2027, 1, 6),
        SCOTLAND: date(2027, 1, 7),
        NORTHERN_IRELAND: date(2027, 1, 6),
    }


def test_received_wednesday_30_december_2026_plus_5():
    # England and Wales, Northern Ireland: Thu 31 (1), Mon 4 (2), Tue 5, Wed 6, Thu 7 (5).
    # Scotland: Thu 31 (1), Monday 4th is the 2 January substitute, Tue 5 (2) ... Fri 8 (5).
    assert _each(date(2026, 12, 30), 5) == {
        ENGLAND_AND_WALES: date(2027, 1, 7),
        SCOTLAND: date(2027, 1, 8),
        NORTHERN_IRELAND: date(2027, 1, 7),
    }


def test_christmas_2027_substitute_days_in_each_nation():
    # Christmas Day and Boxing Day 2027 fall at the weekend: Monday 27th and Tuesday 28th are
    # the substitutes. New Year's Day 2028 is a Saturday: Monday 3 January; Scotland's
    # 2 January is a Sunday: Tuesday 4 January there.
    # Received Thu 23 December 2027: Fri 24 (1), Wed 29 (2), Thu 30 (3), Fri 31 (4), then
    # Tue 4 January (5), or Wed 5 January in Scotland.
    assert _each(date(2027, 12, 23), 5) == {
        ENGLAND_AND_WALES: date(2028, 1, 4),
        SCOTLAND: date(2028, 1, 5),
        NORTHERN_IRELAND: date(2028, 1, 4),
    }
    for nation in NATIONS:
        holidays = wd.bank_holidays(2027, nation)
        assert {date(2027, 12, 27), date(2027, 12, 28)} <= holidays
        assert date(2028, 1, 3) in wd.bank_holidays(2028, nation)
    assert date(2028, 1, 4) in wd.bank_holidays(2028, SCOTLAND)
    assert date(2028, 1, 4) not in wd.bank_holidays(2028, ENGLAND_AND_WALES)


# ------------------------------------------------------------------ worked examples: Easter


def test_received_wednesday_1_april_2026_plus_5_over_easter():
    # Good Friday 3 April everywhere; Easter Monday 6 April in England and Wales and Northern
    # Ireland but not in Scotland. E&W, NI: Thu 2 (1), Tue 7, Wed 8, Thu 9, Fri 10 (5).
    # Scotland: Thu 2 (1), Mon 6 (2), Tue 7, Wed 8, Thu 9 (5).
    assert _each(date(2026, 4, 1), 5) == {
        ENGLAND_AND_WALES: date(2026, 4, 10),
        SCOTLAND: date(2026, 4, 9),
        NORTHERN_IRELAND: date(2026, 4, 10),
    }


def test_easter_monday_is_not_a_scottish_bank_holiday():
    for year in range(2012, 2040):
        easter_monday = wd.easter_sunday(year) + timedelta(days=1)
        assert is_working_day(easter_monday, SCOTLAND)
        assert not is_working_day(easter_monday, ENGLAND_AND_WALES)
        assert not is_working_day(easter_monday, NORTHERN_IRELAND)


def test_easter_2027_in_march_over_st_patricks_day_in_northern_ireland():
    # Received Tue 16 March 2027: St Patrick's Day (Wed 17) is a holiday in Northern Ireland
    # only; Good Friday 26 March and Easter Monday 29 March follow.
    # E&W: Wed 17 (1) ... Thu 25 (7), Tue 30 (8). NI: Thu 18 (1) ... Thu 25 (6), Wed 31 (8).
    assert add_working_days(date(2027, 3, 16), 8, ENGLAND_AND_WALES) == date(2027, 3, 30)
    assert add_working_days(date(2027, 3, 16), 8, NORTHERN_IRELAND) == date(2027, 3, 31)
    # Scotland: Wed 17 (1) ... Thu 25 (7), Mon 29 (8): no Easter Monday.
    assert add_working_days(date(2027, 3, 16), 8, SCOTLAND) == date(2027, 3, 29)


# ------------------------------------------------------------------ the other nations' own days


def test_northern_irelands_own_days_and_their_substitutes():
    # St Patrick's Day, Tuesday 17 March 2026.
    assert add_working_days(date(2026, 3, 16), 1, ENGLAND_AND_WALES) == date(2026, 3, 17)
    assert add_working_days(date(2026, 3, 16), 1, NORTHERN_IRELAND) == date(2026, 3, 18)
    # 12 July 2026 is a Sunday: the Battle of the Boyne substitute is Monday 13 July.
    assert add_working_days(date(2026, 7, 10), 1, ENGLAND_AND_WALES) == date(2026, 7, 13)
    assert add_working_days(date(2026, 7, 10), 1, NORTHERN_IRELAND) == date(2026, 7, 14)


def test_scotlands_own_days():
    # St Andrew's Day, Monday 30 November 2026; the summer holiday on the first Monday of August
    # (3 August 2026) rather than the last (31 August).
    assert not is_working_day(date(2026, 11, 30), SCOTLAND)
    assert is_working_day(date(2026, 11, 30), ENGLAND_AND_WALES)
    assert not is_working_day(date(2026, 8, 3), SCOTLAND)
    assert is_working_day(date(2026, 8, 31), SCOTLAND)
    assert not is_working_day(date(2026, 8, 31), ENGLAND_AND_WALES)


def test_proclaimed_days_come_from_govuk():
    # The state funeral of Queen Elizabeth II (Monday 19 September 2022) and the coronation of
    # King Charles III (Monday 8 May 2023) were holidays in every nation.
    for nation in NATIONS:
        assert not is_working_day(date(2022, 9, 19), nation)
        assert not is_working_day(date(2023, 5, 8), nation)
    assert add_working_days(date(2022, 9, 16), 1) == date(2022, 9, 20)


# ------------------------------------------------------------------ the convention


def test_the_day_of_receipt_is_day_0():
    saturday = date(2026, 12, 19)
    assert add_working_days(saturday, 0) == saturday  # day 0 is the start itself, any day
    assert add_working_days(date(2026, 12, 18), 0) == date(2026, 12, 18)
    # Received at the weekend: day 1 is the Monday.
    assert add_working_days(saturday, 1) == date(2026, 12, 21)
    assert add_working_days(date(2026, 12, 20), 1) == date(2026, 12, 21)
    # Received on a bank holiday: day 1 is the next working day.
    assert add_working_days(date(2026, 12, 25), 1) == date(2026, 12, 29)
    assert "day 0" in wd.CONVENTION


def test_negative_days_are_refused():
    with pytest.raises(ValueError, match="0 or more"):
        add_working_days(date(2026, 12, 18), -1)
    with pytest.raises(ValueError, match="0 or more"):
        add_working_days_array(np.array(["2026-12-18"], dtype="datetime64[D]"), [-1])


@given(st.dates(date(2000, 1, 1), date(2060, 1, 1)), st.integers(1, 120), st.sampled_from(NATIONS))
def test_the_deadline_is_the_nth_working_day_after_receipt(start, days, nation):
    end = add_working_days(start, days, nation)
    span = [start + timedelta(days=i) for i in range(1, (end - start).days + 1)]
    assert sum(is_working_day(d, nation) for d in span) == days
    assert is_working_day(end, nation)
    assert working_days_between(start, end, nation) == days
    assert working_days_between(end, start, nation) == -days


@given(
    st.dates(date(2000, 1, 1), date(2060, 1, 1)),
    st.integers(0, 60),
    st.integers(0, 60),
    st.sampled_from(NATIONS),
)
def test_counting_in_two_steps_is_counting_once(start, first, second, nation):
    middle = add_working_days(start, first, nation)
    assert add_working_days(middle, second, nation) == add_working_days(
        start, first + second, nation
    )


def test_working_days_between():
    assert working_days_between(date(2026, 12, 18), date(2026, 12, 18)) == 0
    assert working_days_between(date(2026, 12, 18), date(2027, 1, 6)) == 10
    assert working_days_between(date(2026, 12, 18), date(2027, 1, 6), SCOTLAND) == 9
    assert working_days_between(date(2026, 12, 25), date(2026, 12, 28)) == 0


# ------------------------------------------------------------------ bad input


def test_an_unknown_nation_is_named_in_the_error():
    for call in (
        lambda: add_working_days(date(2026, 12, 18), 5, "wales"),
        lambda: is_working_day(date(2026, 12, 18), "wales"),
        lambda: working_days_between(date(2026, 12, 18), date(2027, 1, 6), "wales"),
        lambda: wd.bank_holidays(2026, "wales"),
        lambda: add_working_days_array(np.array(["2026-12-18"], dtype="datetime64[D]"), 5, "wales"),
    ):
        with pytest.raises(ValueError, match="Unknown nation 'wales'.*england-and-wales"):
            call()


def test_dates_outside_the_engines_years_are_refused():
    with pytest.raises(ValueError, match="1978 to 2199"):
        add_working_days(date(1977, 12, 30), 1)
    with pytest.raises(ValueError, match="after 2199"):
        add_working_days(date(2199, 12, 30), 5)
    with pytest.raises(ValueError, match="after 2199"):
        add_working_days(date(2026, 12, 18), 10**9)
    with pytest.raises(ValueError, match="1978 to 2199"):
        wd.bank_holidays(2200)
    with pytest.raises(ValueError, match="1978 to 2199"):
        add_working_days_array(np.array(["1900-01-01"], dtype="datetime64[D]"), 1)
    with pytest.raises(ValueError, match="after 2199"):
        add_working_days_array(np.array(["2199-12-30"], dtype="datetime64[D]"), 5)


def test_a_date_and_time_is_refused():
    with pytest.raises(TypeError, match="calendar date"):
        add_working_days(datetime(2026, 12, 18, 9, 0), 5)  # noqa: DTZ001


# ------------------------------------------------------------------ where the holidays come from


def test_govuk_data_is_read_for_its_years_in_every_nation():
    for nation in NATIONS:
        years = wd.published_years(nation)
        assert years.start <= 2020 and years.stop - 1 >= 2027
        regular = len(wd.statutory_bank_holidays(2026, nation))
        assert regular == {ENGLAND_AND_WALES: 8, SCOTLAND: 9, NORTHERN_IRELAND: 10}[nation]
        for year in years:  # a published year is complete: all its regular days are there
            assert len(wd.bank_holidays(year, nation)) >= regular


def test_the_statutory_rules_reproduce_govuk_except_for_proclaimed_days():
    # The rules used beyond GOV.UK's years give GOV.UK's list exactly, but in the years of
    # one-off proclamations (2012 Diamond Jubilee, 2020 VE Day, 2022 Platinum Jubilee and
    # state funeral, 2023 coronation).
    for nation in NATIONS:
        differ = {
            year
            for year in wd.published_years(nation)
            if wd.bank_holidays(year, nation) != wd.statutory_bank_holidays(year, nation)
        }
        assert differ <= {2012, 2020, 2022, 2023}
        assert {2022, 2023} <= differ


def test_after_govuks_years_the_statutory_rules_apply():
    year = 2032
    assert year not in wd.published_years()
    # Christmas Day 2032 is a Saturday: Monday 27th and Tuesday 28th are the substitutes;
    # Easter Day is 28 March.
    assert wd.bank_holidays(year) == {
        date(2032, 1, 1), date(2032, 3, 26), date(2032, 3, 29), date(2032, 5, 3),
        date(2032, 5, 31), date(2032, 8, 30), date(2032, 12, 27), date(2032, 12, 28),
    }  # fmt: skip
    assert add_working_days(date(2032, 12, 24), 1, SCOTLAND) == date(2032, 12, 29)
    # Scotland 2033: New Year's Day is a Saturday, 2 January a Sunday: Monday 3rd, Tuesday 4th.
    assert {date(2033, 1, 3), date(2033, 1, 4)} <= wd.bank_holidays(2033, SCOTLAND)
    assert date(2033, 1, 4) not in wd.bank_holidays(2033, ENGLAND_AND_WALES)


# ------------------------------------------------------------------ arrays of dates


def test_the_array_form_gives_the_worked_examples():
    starts = np.array(["2026-12-18", "2026-12-30", "2026-04-01", "2026-12-19"], "datetime64[D]")
    days = np.array([10, 5, 5, 0])
    assert add_working_days_array(starts, days, SCOTLAND).tolist() == [
        date(2027, 1, 7),
        date(2027, 1, 8),
        date(2026, 4, 9),
        date(2026, 12, 19),
    ]
    assert add_working_days_array(starts, 0).tolist() == starts.tolist()
    assert add_working_days_array(starts, 1).tolist() == [
        date(2026, 12, 21),
        date(2026, 12, 31),
        date(2026, 4, 2),
        date(2026, 12, 21),
    ]
    assert add_working_days_array(np.array([], "datetime64[D]"), 5).size == 0


@settings(max_examples=60)
@given(
    st.lists(
        st.tuples(st.dates(date(2020, 1, 1), date(2030, 12, 31)), st.integers(0, 60)),
        min_size=1,
        max_size=50,
    ),
    st.sampled_from(NATIONS),
)
def test_the_array_form_agrees_with_the_scalar_one(cases, nation):
    starts = np.array([start for start, _ in cases], dtype="datetime64[D]")
    days = np.array([n for _, n in cases])
    expected = [add_working_days(start, n, nation) for start, n in cases]
    assert add_working_days_array(starts, days, nation).tolist() == expected
    one = cases[0][1]
    assert add_working_days_array(starts, one, nation).tolist() == [
        add_working_days(start, one, nation) for start, _ in cases
    ]
