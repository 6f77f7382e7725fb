"""Procurement arithmetic: levels, lots, the bank-holiday calendar, standstill and scoring."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opus.engines import procurement as p

# ------------------------------------------------------------------ service levels


def test_personal_divisible_needs_go_to_personal_budgets():
    proposal = p.propose_level(p.NeedCharacter(personal=True, divisible=True, specialist=True))
    assert proposal.level == "individual"


def test_local_ordinary_needs_go_to_the_neighbourhood():
    proposal = p.propose_level(p.NeedCharacter(local=True))
    assert proposal.level == "neighbourhood"
    assert "It is delivered locally" in proposal.reasons


def test_specialist_or_scale_needs_are_commissioned_with_reasons():
    proposal = p.propose_level(p.NeedCharacter(local=True, specialist=True))
    assert proposal.level == "commissioned"
    assert any("specialist" in r for r in proposal.reasons)
    assert p.propose_level(p.NeedCharacter(economies_of_scale=True)).level == "commissioned"


def test_a_larger_level_than_proposed_is_recognised():
    assert p.is_larger_level("commissioned", "individual")
    assert not p.is_larger_level("individual", "neighbourhood")
    assert not p.is_larger_level("neighbourhood", "neighbourhood")


@given(st.builds(p.NeedCharacter, *[st.booleans()] * 5))
def test_the_proposal_is_always_a_level_with_reasons(need):
    proposal = p.propose_level(need)
    assert proposal.level in p.LEVELS and proposal.reasons


# ------------------------------------------------------------------ procedure and lots


def test_light_touch_only_under_the_threshold():
    assert p.procedure_error("light_touch", 9_999_999, 10_000_000) is None
    assert "open procedure" in (p.procedure_error("light_touch", 10_000_000, 10_000_000) or "")
    assert p.procedure_error("open", 50, 10_000_000) is None
    assert p.procedure_error("restricted", 50, 10_000_000)


def test_a_big_lot_is_flagged_with_a_split_by_area():
    advice = p.lot_advice(300_000_000, 2, areas=6)  # £3m over 2 years = £1.5m a year
    assert advice.too_large and advice.annual_value_pence == 150_000_000
    assert advice.parts == 3 and "by area" in advice.message


def test_a_small_lot_is_within_reach():
    advice = p.lot_advice(8_000_000, 1)
    assert not advice.too_large and advice.parts == 1


@given(st.integers(0, 10**11), st.floats(0.25, 10))
def test_the_suggested_parts_each_fit_under_the_limit(value, years):
    advice = p.lot_advice(value, years)
    assert advice.annual_value_pence / advice.parts <= advice.limit_pence + 1


# ------------------------------------------------------------------ calendar


@pytest.mark.parametrize(
    "year, easter",
    [(2000, date(2000, 4, 23)), (2019, date(2019, 4, 21)), (2024, date(2024, 3, 31)),
     (2025, date(2025, 4, 20)), (2026, date(2026, 4, 5)), (2038, date(2038, 4, 25)),
     (1818, date(1818, 3, 22))],
)  # fmt: skip
def test_easter_day_by_the_computus(year, easter):
    assert p.easter_sunday(year) == easter


@given(st.integers(1583, 4099))
def test_easter_is_a_sunday_between_22_march_and_25_april(year):
    easter = p.easter_sunday(year)
    assert easter.weekday() == 6
    assert date(year, 3, 22) <= easter <= date(year, 4, 25)


def _days(*items):
    return frozenset(date(*item) for item in items)


def test_bank_holidays_match_the_published_lists():
    assert p.bank_holidays(2024) == _days(
        (2024, 1, 1), (2024, 3, 29), (2024, 4, 1), (2024, 5, 6), (2024, 5, 27),
        (2024, 8, 26), (2024, 12, 25), (2024, 12, 26),
    )  # fmt: skip
    # Christmas on a Saturday and Boxing Day on a Sunday: Monday 27th and Tuesday 28th.
    assert p.bank_holidays(2021) == _days(
        (2021, 1, 1), (2021, 4, 2), (2021, 4, 5), (2021, 5, 3), (2021, 5, 31),
        (2021, 8, 30), (2021, 12, 27), (2021, 12, 28),
    )  # fmt: skip
    # New Year on a Saturday; the Platinum Jubilee and the State Funeral; Christmas on a Sunday.
    assert p.bank_holidays(2022) == _days(
        (2022, 1, 3), (2022, 4, 15), (2022, 4, 18), (2022, 5, 2), (2022, 6, 2), (2022, 6, 3),
        (2022, 8, 29), (2022, 9, 19), (2022, 12, 26), (2022, 12, 27),
    )  # fmt: skip
    assert date(2026, 12, 28) in p.bank_holidays(2026)  # Boxing Day on a Saturday
    assert date(2023, 5, 8) in p.bank_holidays(2023)  # the Coronation


@given(st.integers(1995, 2100))
def test_eight_bank_holidays_a_year_on_weekdays(year):
    days = p.bank_holidays(year)
    assert len(days) >= 8 and all(d.weekday() < 5 and d.year == year for d in days)


def test_standstill_skips_weekends_and_easter():
    # Notices sent Wednesday 1 April 2026; Good Friday 3rd and Easter Monday 6th are skipped:
    # Thu 2, Tue 7, Wed 8, Thu 9, Fri 10, Mon 13, Tue 14, Wed 15.
    assert p.standstill_last_day(date(2026, 4, 1)) == date(2026, 4, 15)
    # Notices sent Friday 18 December 2026: 21, 22, 23, 24, (Christmas Day, the substitute
    # Monday 28th) 29, 30, 31, (New Year's Day) Monday 4 January.
    assert p.standstill_last_day(date(2026, 12, 18)) == date(2027, 1, 4)


@given(st.dates(date(1996, 1, 1), date(2090, 1, 1)), st.integers(1, 30))
def test_standstill_counts_exactly_that_many_working_days(start, days):
    end = p.standstill_last_day(start, days)
    span = [start + timedelta(days=i) for i in range(1, (end - start).days + 1)]
    assert sum(p.is_working_day(d) for d in span) == days
    assert p.is_working_day(end)


# ------------------------------------------------------------------ scoring


def test_weights_must_sum_to_100():
    assert p.weights_error(40, 50, 10) is None
    assert "add up to 100; they add up to 90" in p.weights_error(40, 40, 10)
    assert p.weights_error(-10, 100, 10)


def test_price_by_lowest_over_bid():
    scores = p.price_scores([80_000, 100_000, 160_000], 40, p.LOWEST_RATIO)
    assert [p.shown(s) for s in scores] == [Decimal("40.000"), Decimal("32.000"), Decimal("20.000")]


def test_price_by_difference_never_below_zero():
    scores = p.price_scores([100_000, 150_000, 250_000], 40, p.DIFFERENCE)
    assert scores == [Decimal(40), Decimal(20), Decimal(0)]


def test_zero_or_negative_prices_are_refused():
    with pytest.raises(ValueError, match="more than £0"):
        p.price_scores([0, 100], 40, p.LOWEST_RATIO)
    with pytest.raises(ValueError):
        p.price_scores([-5, 100], 40, p.LOWEST_RATIO)


@given(st.lists(st.integers(1, 10**10), min_size=1, max_size=12), st.integers(0, 100),
       st.sampled_from(p.PRICE_FORMULAS))  # fmt: skip
def test_lowest_price_takes_full_weight_and_scores_fall_with_price(prices, weight, formula):
    scores = p.price_scores(prices, weight, formula)
    assert scores[prices.index(min(prices))] == weight
    assert all(0 <= s <= weight for s in scores)
    pairs = sorted(zip(prices, scores, strict=True))
    assert all(a[1] >= b[1] for a, b in zip(pairs, pairs[1:], strict=False))


def test_abnormally_low_by_the_published_rule():
    # 60,000 is below 70% of the mean of the others (100,000): flagged; the others are not.
    assert p.abnormally_low([60_000, 100_000, 100_000], 70) == [True, False, False]
    assert p.abnormally_low([70_000, 100_000, 100_000], 70) == [False, False, False]
    assert p.abnormally_low([1], 70) == [False]
    assert "{percent}" in p.ABNORMALLY_LOW_RULE


def test_quality_is_score_over_maximum_times_weight():
    questions = [p.Question(1, 30), p.Question(2, 20)]
    assert p.quality_score({1: 4, 2: 5}, questions) == Decimal(44)
    with pytest.raises(ValueError):
        p.quality_score({1: 6}, questions)


def test_social_value_pro_rata_to_the_highest():
    assert p.social_value_scores([500_00, 1000_00, 0], 10) == [Decimal(5), Decimal(10), 0]
    assert p.social_value_scores([0, 0], 10) == [0, 0]


def _criteria(**overrides):
    fields = {"price_weight": 40, "quality_weight": 50, "social_value_weight": 10}
    return p.Criteria(**{**fields, **overrides})


def test_evaluation_ranks_by_total():
    bids = [
        p.LotBid(1, 100_000, Decimal(40), 0, order=1),
        p.LotBid(2, 80_000, Decimal(30), 1000_00, order=2),
    ]
    results = {r.key: r for r in p.evaluate_lot(bids, _criteria())}
    assert results[1].total == Decimal("72.000")  # 32 + 40 + 0
    assert results[2].total == Decimal("80.000")  # 40 + 30 + 10
    assert results[2].rank == 1 and results[1].rank == 2
    assert not results[1].tie_broken


def test_ties_go_by_the_published_rule():
    # Same totals: 40 + 20 = 60 and 20 + 40 = 60.
    cheap = p.LotBid(1, 50_000, Decimal(20), 0, order=2)
    good = p.LotBid(2, 100_000, Decimal(40), 0, order=1)
    by_quality = {
        r.key: r for r in p.evaluate_lot([cheap, good], _criteria(social_value_weight=10))
    }
    assert by_quality[2].rank == 1 and by_quality[2].tie_broken
    by_price = {
        r.key: r for r in p.evaluate_lot([cheap, good], _criteria(tie_break=p.PRICE_THEN_QUALITY))
    }
    assert by_price[1].rank == 1


def test_bad_weights_refuse_the_evaluation():
    with pytest.raises(ValueError, match="add up to 100"):
        p.evaluate_lot([], _criteria(price_weight=50))


@given(st.lists(st.tuples(st.integers(1, 10**9), st.integers(0, 50), st.integers(0, 10**8)),
                min_size=1, max_size=10))  # fmt: skip
def test_ranks_are_a_permutation_and_follow_totals(rows):
    bids = [p.LotBid(i, price, Decimal(q), sv, order=i) for i, (price, q, sv) in enumerate(rows)]
    results = p.evaluate_lot(bids, _criteria())
    assert sorted(r.rank for r in results) == list(range(1, len(rows) + 1))
    by_rank = sorted(results, key=lambda r: r.rank)
    assert all(a.total >= b.total for a, b in zip(by_rank, by_rank[1:], strict=False))
    assert all(Decimal(0) <= r.total <= Decimal(100) for r in results)


# ------------------------------------------------------------------ KPIs


def test_quarterly_returns_are_due_after_each_quarter():
    periods = p.return_periods(date(2026, 4, 1), date(2027, 3, 31), "quarterly", 15)
    assert [(x.start, x.end) for x in periods][:2] == [
        (date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 7, 1), date(2026, 9, 30)),
    ]
    assert len(periods) == 4 and periods[0].due == date(2026, 7, 15)


def test_monthly_periods_from_the_31st_stay_in_their_months():
    periods = p.return_periods(date(2026, 1, 31), date(2026, 4, 29), "monthly", 10)
    assert periods[0].end == date(2026, 2, 27) and periods[1].start == date(2026, 2, 28)
    assert periods[-1].end == date(2026, 4, 29)


@given(st.dates(date(2000, 1, 1), date(2090, 1, 1)), st.integers(0, 1500),
       st.sampled_from(list(p.MONTHS)))  # fmt: skip
def test_periods_tile_the_contract_without_gaps(start, length, frequency):
    end = start + timedelta(days=length)
    periods = p.return_periods(start, end, frequency, 15)
    assert periods[0].start == start and periods[-1].end == end
    assert all(
        a.end + timedelta(days=1) == b.start for a, b in zip(periods, periods[1:], strict=False)
    )
