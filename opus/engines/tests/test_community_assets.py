"""The community right to bid's dates, worked by hand from the counting convention."""

from datetime import date

import pytest

from opus.engines.community_assets import (
    ENGLAND_RIGHT_TO_BID,
    REGIMES,
    AssetRuleError,
    Period,
    add_months,
    clocks,
    decision_due,
    listing_end,
    new_notice_allowed,
    period_end,
    regime_for,
    regime_from_mapping,
    review_due,
    review_request_end,
)

E = ENGLAND_RIGHT_TO_BID


def test_a_nomination_is_decided_within_eight_weeks_of_the_day_it_came():
    assert decision_due(E, date(2026, 1, 5)) == date(2026, 3, 2)  # a Monday, 8 weeks on


def test_a_listing_lasts_five_years_and_a_leap_day_listing_ends_on_28_february():
    assert listing_end(E, date(2026, 3, 10)) == date(2031, 3, 10)
    assert listing_end(E, date(2024, 2, 29)) == date(2029, 2, 28)


def test_an_owner_asks_for_a_review_within_eight_weeks_and_it_is_decided_in_eight_more():
    assert review_request_end(E, date(2026, 6, 1)) == date(2026, 7, 27)
    assert review_due(E, date(2026, 7, 27)) == date(2026, 9, 21)


def test_a_notice_starts_a_six_week_interim_moratorium_and_an_eighteen_month_protected_period():
    c = clocks(E, date(2026, 3, 2))
    assert c.interim_end == date(2026, 4, 13)
    assert c.full_end is None
    assert c.moratorium_end == date(2026, 4, 13)
    assert c.protected_end == date(2027, 9, 2)


def test_a_bidder_request_within_the_interim_period_extends_it_to_six_months_from_the_notice():
    c = clocks(E, date(2026, 3, 2), request_date=date(2026, 4, 13))  # the last day still counts
    assert c.full_end == date(2026, 9, 2)
    assert c.moratorium_end == date(2026, 9, 2)
    assert c.protected_end == date(2027, 9, 2)


def test_a_request_after_the_interim_period_is_refused():
    with pytest.raises(AssetRuleError, match="after the interim moratorium ended on 2026-04-13"):
        clocks(E, date(2026, 3, 2), request_date=date(2026, 4, 14))


def test_a_request_before_the_notice_is_refused():
    with pytest.raises(AssetRuleError, match="before the owner's notice"):
        clocks(E, date(2026, 3, 2), request_date=date(2026, 3, 1))


def test_month_ends_take_the_last_day_of_a_shorter_month():
    # 31 August + 6 months: February has no 31st.
    assert clocks(E, date(2026, 8, 31), date(2026, 9, 1)).full_end == date(2027, 2, 28)
    assert clocks(E, date(2027, 8, 31), date(2027, 9, 1)).full_end == date(2028, 2, 29)  # leap
    # 31 August + 18 months = 28 February two years on; 30 November + 18 months = 30 May.
    assert clocks(E, date(2026, 8, 31)).protected_end == date(2028, 2, 29)
    assert clocks(E, date(2025, 11, 30)).protected_end == date(2027, 5, 30)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)


def test_weeks_cross_the_year_end():
    assert period_end(date(2026, 12, 7), Period(6, "weeks")) == date(2027, 1, 18)


def test_a_twelve_month_community_right_to_buy_is_configuration_not_code():
    right_to_buy = regime_from_mapping(
        {
            "code": "community-right-to-buy",
            "name": "Community Right to Buy",
            "effective_from": "2027-04-01",
            "full": "12 months",
        }
    )
    regimes = (*REGIMES, right_to_buy)
    chosen = regime_for("community-right-to-buy", date(2027, 5, 1), regimes)
    c = clocks(chosen, date(2027, 5, 1), request_date=date(2027, 5, 20))
    assert c.interim_end == date(2027, 6, 12)
    assert c.full_end == date(2028, 5, 1)
    assert c.protected_end == date(2028, 11, 1)
    # Before its effective date it does not exist; England's right to bid still does.
    with pytest.raises(AssetRuleError, match="no regime"):
        regime_for("community-right-to-buy", date(2027, 3, 31), regimes)
    assert regime_for("england-right-to-bid", date(2027, 5, 1), regimes) is E


def test_a_later_row_of_the_same_regime_takes_over_on_its_effective_date():
    longer = regime_from_mapping(
        {"code": E.code, "effective_from": "2028-01-01", "interim": "8 weeks"}
    )
    regimes = (E, longer)
    assert clocks(
        regime_for(E.code, date(2027, 12, 31), regimes), date(2027, 12, 31)
    ).interim_end == date(2028, 2, 11)
    assert clocks(
        regime_for(E.code, date(2028, 1, 1), regimes), date(2028, 1, 1)
    ).interim_end == date(2028, 2, 26)


def test_bad_configuration_is_refused_in_words():
    with pytest.raises(AssetRuleError, match="not a period"):
        regime_from_mapping({"code": "x", "effective_from": "2027-01-01", "full": "twelve"})
    with pytest.raises(AssetRuleError, match="effective_from"):
        regime_from_mapping({"code": "x"})
    with pytest.raises(AssetRuleError, match="from 1 to 1200"):
        Period(0, "weeks")


def test_the_phase_on_each_day():
    c = clocks(E, date(2026, 3, 2), request_date=date(2026, 3, 20))
    assert c.phase(date(2026, 3, 1)) == "before"
    assert c.phase(date(2026, 3, 10)) == "interim"
    assert c.phase(date(2026, 3, 20)) == "full"
    assert c.phase(date(2026, 9, 2)) == "full"
    assert c.phase(date(2026, 9, 3)) == "protected"
    assert c.phase(date(2027, 9, 3)) == "ended"
    assert clocks(E, date(2026, 3, 2)).phase(date(2026, 4, 14)) == "protected"


def test_a_notice_inside_an_earlier_protected_period_starts_nothing():
    assert new_notice_allowed(E, None, date(2026, 3, 2))
    assert not new_notice_allowed(E, date(2026, 3, 2), date(2027, 9, 2))
    assert new_notice_allowed(E, date(2026, 3, 2), date(2027, 9, 3))


def test_exempt_disposals_have_reasons_and_unknown_ones_are_refused():
    assert "gift" in E.exemption("gift").label.lower()
    assert all(e.label and e.source for e in E.exemptions)
    with pytest.raises(AssetRuleError):
        E.exemption("because")
