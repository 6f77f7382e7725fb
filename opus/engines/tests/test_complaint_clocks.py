"""Complaint clocks: each regime's deadlines over Christmas and Easter in every nation."""

from datetime import date

import pytest

from opus.engines import complaint_clocks as cc
from opus.engines.working_days import ENGLAND_AND_WALES, NATIONS, NORTHERN_IRELAND, SCOTLAND

CODE = cc.REGIMES["lgsco"]
NHS = cc.REGIMES["nhs"]
CARE = cc.REGIMES["adult_social_care"]


def _stage1(received, nation, **kw):
    ack = cc.acknowledge_due(CODE, 1, received, nation)
    return ack, cc.answer_due(CODE, 1, received, ack, nation, **kw)


# ------------------------------------------------------------------ Christmas 2026


def test_code_stage_1_received_friday_18_december_2026_in_each_nation():
    # Acknowledge: Mon 21 (1) … Thu 24 (4); Christmas Day and the Boxing Day substitute (Mon 28)
    # are holidays everywhere; Tue 29 (5). Answer, 10 after: Wed 30, Thu 31, (New Year's Day),
    # Mon 4 January (a holiday in Scotland only: 2 January's substitute) … Wed 13 (Thu 14 there).
    assert {n: _stage1(date(2026, 12, 18), n) for n in NATIONS} == {
        ENGLAND_AND_WALES: (date(2026, 12, 29), date(2027, 1, 13)),
        SCOTLAND: (date(2026, 12, 29), date(2027, 1, 14)),
        NORTHERN_IRELAND: (date(2026, 12, 29), date(2027, 1, 13)),
    }


def test_code_stage_1_extended_by_ten_over_christmas_moves_two_weeks_on():
    assert _stage1(date(2026, 12, 18), ENGLAND_AND_WALES, extension_days=10)[1] == date(2027, 1, 27)
    assert _stage1(date(2026, 12, 18), SCOTLAND, extension_days=10)[1] == date(2027, 1, 28)


def test_code_stage_2_is_20_working_days_from_its_acknowledgement():
    clock = cc.stage_clock(CODE, 2, date(2026, 12, 18), SCOTLAND, acknowledged=date(2026, 12, 22))
    # Wed 23 (1), Thu 24 (2), Tue 29 (3), Wed 30 (4), Thu 31 (5), Tue 5 January (6) in Scotland
    # (1, 2 and 4 January are holidays there) … Mon 25 January (20).
    assert clock.answer_due == date(2027, 1, 25)
    england = cc.stage_clock(CODE, 2, date(2026, 12, 18), acknowledged=date(2026, 12, 22))
    assert england.answer_due == date(2027, 1, 22)


def test_nhs_acknowledgement_over_christmas_and_the_six_month_letter():
    clock = cc.stage_clock(NHS, 1, date(2026, 12, 23), SCOTLAND)
    # Thu 24 (1), Tue 29 (2), Wed 30 (3).
    assert clock.acknowledge_due == date(2026, 12, 30)
    assert clock.answer_due is None
    assert clock.tell_why_due == date(2027, 6, 23)


# ------------------------------------------------------------------ Easter 2027 (28 March)


def test_code_stage_1_received_friday_19_march_2027_over_easter():
    # Mon 22 … Thu 25 (1–4); Good Friday (26th) everywhere; Easter Monday (29th) in England and
    # Wales and Northern Ireland but not in Scotland. St Patrick's Day (17th) is before the start.
    assert {n: _stage1(date(2027, 3, 19), n) for n in NATIONS} == {
        ENGLAND_AND_WALES: (date(2027, 3, 30), date(2027, 4, 13)),
        SCOTLAND: (date(2027, 3, 29), date(2027, 4, 12)),
        NORTHERN_IRELAND: (date(2027, 3, 30), date(2027, 4, 13)),
    }


def test_adult_social_care_acknowledged_in_three_working_days_over_easter():
    received = date(2027, 3, 25)  # Maundy Thursday
    assert {n: cc.stage_clock(CARE, 1, received, n).acknowledge_due for n in NATIONS} == {
        ENGLAND_AND_WALES: date(2027, 4, 1),
        SCOTLAND: date(2027, 3, 31),
        NORTHERN_IRELAND: date(2027, 4, 1),
    }
    assert cc.stage_clock(CARE, 1, received).tell_why_due == date(2027, 9, 25)


def test_st_patricks_day_counts_only_in_northern_ireland():
    received = date(2027, 3, 15)  # Monday; Wednesday 17th is St Patrick's Day
    assert cc.acknowledge_due(CARE, 1, received, ENGLAND_AND_WALES) == date(2027, 3, 18)
    assert cc.acknowledge_due(CARE, 1, received, NORTHERN_IRELAND) == date(2027, 3, 19)


# ------------------------------------------------------------------ rules


def test_a_pause_moves_the_answer_on_by_the_working_days_it_lasted():
    received = date(2027, 2, 1)
    plain = cc.stage_clock(CODE, 1, received, acknowledged=received)
    paused = cc.stage_clock(
        CODE, 1, received, acknowledged=received, pauses=((date(2027, 2, 3), date(2027, 2, 10)),)
    )
    assert paused.paused_days == 5
    assert plain.answer_due == date(2027, 2, 15)
    assert paused.answer_due == date(2027, 2, 22)


def test_an_extension_is_once_only_and_at_most_ten_working_days():
    cc.check_extension(CODE, 1, 10, already=0)
    with pytest.raises(ValueError, match="already been extended once"):
        cc.check_extension(CODE, 1, 5, already=5)
    with pytest.raises(ValueError, match="1 to 10"):
        cc.check_extension(CODE, 1, 11, already=0)
    with pytest.raises(ValueError, match="cannot be extended"):
        cc.check_extension(CODE, 2, 5, already=0)
    with pytest.raises(ValueError, match="cannot be extended"):
        cc.check_extension(NHS, 1, 5, already=0)


def test_stage_2_must_have_another_handler_only_under_the_code():
    assert CODE.stage(2).different_handler
    assert not CODE.stage(1).different_handler
    assert CODE.last_stage == 2 and NHS.last_stage == 1


def test_complaints_are_accepted_within_twelve_months_of_the_events():
    assert cc.in_time(NHS, date(2026, 2, 28), date(2027, 2, 28))
    assert not cc.in_time(NHS, date(2026, 2, 28), date(2027, 3, 1))
    assert cc.add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)


def test_an_unknown_nation_is_an_error_naming_it():
    with pytest.raises(ValueError, match="'wales'"):
        cc.stage_clock(CODE, 1, date(2027, 1, 4), "wales")
    with pytest.raises(ValueError, match="'atlantis'"):
        cc.acknowledge_due(CODE, 1, date(2027, 1, 4), "atlantis")


def test_an_unknown_regime_or_stage_is_an_error_naming_it():
    with pytest.raises(ValueError, match="'parish'"):
        cc.regime_for("parish")
    with pytest.raises(ValueError, match="no stage 2"):
        NHS.stage(2)


def test_the_ombudsman_follows_the_regime():
    assert CODE.ombudsman.short == "LGSCO"
    assert CARE.ombudsman.short == "LGSCO"
    assert NHS.ombudsman.short == "PHSO"
