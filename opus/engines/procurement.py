"""Procurement arithmetic: service levels, lots, the working-day calendar, and bid scoring.

Everything here is pure: plain numbers, dates and frozen dataclasses in and out.

Units and conventions
- Money is integer pence. Weights are points out of 100. Scores are `Decimal` points,
  rounded half up to 3 decimal places only when presented (sums use full precision).
- Dates are calendar dates in England; the caller turns "end of the last standstill day"
  into an instant in Europe/London.

Sources
- Bank holidays in England and Wales: GOV.UK's list, through the working-day engine
  (`opus.engines.working_days`, which also says what it does for years GOV.UK has not listed).
- Standstill of 8 working days: Procurement Act 2023, s. 51(2)-(3).
- Price scoring "lowest price ÷ bid price × weight": the usual relative-price formula of UK
  public-sector tender evaluation; the alternative "difference" formula loses 1% of the weight
  for each 1% a price is above the lowest (and never goes below zero).
- Abnormally low tenders: Public Contracts Regulations 2015 reg. 69 and Procurement Act 2023
  s. 34 leave the test to the authority; Opus publishes its rule (`ABNORMALLY_LOW_RULE`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from opus.engines import working_days as wd
from opus.engines.working_days import easter_sunday as easter_sunday

# ---------------------------------------------------------------- service levels

LEVELS = ("individual", "neighbourhood", "commissioned")  # smallest first


@dataclass(frozen=True)
class NeedCharacter:
    """What a need is like, as a commissioner judges it.

    personal: shaped around one person (care at home). divisible: can be bought in small
    units. local: delivered within one neighbourhood. specialist: needs rare skills.
    economies_of_scale: markedly cheaper when bought for the whole area.
    """

    personal: bool = False
    divisible: bool = False
    local: bool = False
    specialist: bool = False
    economies_of_scale: bool = False


@dataclass(frozen=True)
class LevelProposal:
    level: str
    reasons: tuple[str, ...]


def propose_level(need: NeedCharacter) -> LevelProposal:
    """The smallest level that fits the need's character.

    Individual when the service is personal and divisible (a person can buy it with a
    personal budget). Otherwise neighbourhood when it is local and neither specialist nor
    much cheaper at scale. Otherwise commissioned.
    """
    if need.personal and need.divisible:
        return LevelProposal(
            "individual",
            ("It is shaped around one person", "It can be bought in small units"),
        )
    reasons: list[str] = []
    if not need.personal:
        reasons.append("It is not shaped around one person")
    elif not need.divisible:
        reasons.append("It cannot be bought in small units")
    if need.local and not need.specialist and not need.economies_of_scale:
        return LevelProposal("neighbourhood", (*reasons, "It is delivered locally"))
    if not need.local:
        reasons.append("It is not delivered within one neighbourhood")
    if need.specialist:
        reasons.append("It needs specialist skills that are rare locally")
    if need.economies_of_scale:
        reasons.append("It is markedly cheaper bought for the whole area")
    return LevelProposal("commissioned", tuple(reasons))


def is_larger_level(chosen: str, proposed: str) -> bool:
    """True when `chosen` is a larger level than `proposed` (so a reason is required)."""
    return LEVELS.index(chosen) > LEVELS.index(proposed)


# ---------------------------------------------------------------- procedure and lots

LIGHT_TOUCH = "light_touch"
OPEN = "open"


def procedure_error(procedure: str, value_pence: int, threshold_pence: int) -> str | None:
    """Why a procedure may not be used for a value, or None when it may.

    Light-touch (no pre-qualification questionnaire) is for values under the threshold.
    """
    if procedure not in (LIGHT_TOUCH, OPEN):
        return f"Unknown procedure {procedure!r}"
    if procedure == LIGHT_TOUCH and value_pence >= threshold_pence:
        return (
            f"Light-touch is only for values under £{threshold_pence // 100:,}: "
            "use the open procedure"
        )
    return None


@dataclass(frozen=True)
class LotAdvice:
    """Whether a lot is within reach of small providers, and how to split it if not."""

    too_large: bool
    annual_value_pence: int
    limit_pence: int
    parts: int
    message: str


SMALL_PROVIDER_TURNOVER_PENCE = 100_000_000  # £1m a year: the top of "small" (NCVO bands)


def lot_advice(
    value_pence: int,
    years: float,
    *,
    areas: int = 1,
    small_turnover_pence: int = SMALL_PROVIDER_TURNOVER_PENCE,
) -> LotAdvice:
    """Flag a lot whose yearly value is over half a small provider's turnover.

    Buyers commonly ask that a supplier's turnover be at least twice a contract's yearly
    value, so a lot worth more than half of £1m a year shuts out small providers. The
    advice suggests the number of parts that would bring each under the limit: by area
    when the lot covers several areas, otherwise by service.
    """
    if value_pence < 0 or years <= 0:
        raise ValueError("a lot needs a value of 0 or more and a duration over 0 years")
    annual = round(value_pence / years)
    limit = small_turnover_pence // 2
    if annual <= limit:
        return LotAdvice(False, annual, limit, 1, "Within reach of small providers")
    parts = math.ceil(annual / limit)
    how = f"by area (it covers {areas} areas)" if areas > 1 else "by service or client group"
    return LotAdvice(
        True,
        annual,
        limit,
        parts,
        f"£{annual // 100:,} a year is more than small providers can usually take on "
        f"(£{limit // 100:,}); consider splitting it into {parts} lots {how}",
    )


# ---------------------------------------------------------------- calendar
# England and Wales working days, counted by the one working-day engine (GOV.UK's bank holidays).


def bank_holidays(year: int) -> frozenset[date]:
    """England and Wales bank holidays of a year, with substitute and proclaimed days."""
    return wd.bank_holidays(year, wd.ENGLAND_AND_WALES)


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a bank holiday in England and Wales."""
    return wd.is_working_day(day, wd.ENGLAND_AND_WALES)


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (start itself does not count)."""
    return wd.add_working_days(start, days, wd.ENGLAND_AND_WALES)


def standstill_last_day(notice_day: date, working_days: int = 8) -> date:
    """The last day of the standstill: it runs from the day after the notices are sent to
    the end of the `working_days`-th working day (Procurement Act 2023 s. 51: 8)."""
    if working_days < 1:
        raise ValueError("a standstill lasts at least one working day")
    return add_working_days(notice_day, working_days)


# ---------------------------------------------------------------- scoring

LOWEST_RATIO = "lowest_ratio"
DIFFERENCE = "difference"
PRICE_FORMULAS = (LOWEST_RATIO, DIFFERENCE)

QUALITY_THEN_PRICE = "quality_then_price"
PRICE_THEN_QUALITY = "price_then_quality"
SOCIAL_VALUE_THEN_QUALITY = "social_value_then_quality"
TIE_BREAKS = (QUALITY_THEN_PRICE, PRICE_THEN_QUALITY, SOCIAL_VALUE_THEN_QUALITY)

ABNORMALLY_LOW_RULE = (
    "A price is flagged as abnormally low when it is below {percent}% of the mean of the "
    "other prices for the same lot. A flagged bidder is asked to explain the price before "
    "the evaluation goes on; the flag alone does not exclude the bid."
)
TIE_BREAK_RULES = {
    QUALITY_THEN_PRICE: "Equal totals are ranked by the higher quality score, then the lower "
    "price, then the earlier submission.",
    PRICE_THEN_QUALITY: "Equal totals are ranked by the lower price, then the higher quality "
    "score, then the earlier submission.",
    SOCIAL_VALUE_THEN_QUALITY: "Equal totals are ranked by the higher social value score, "
    "then the higher quality score, then the earlier submission.",
}
PRICE_FORMULA_RULES = {
    LOWEST_RATIO: "Price score = lowest price ÷ this price × price weight.",
    DIFFERENCE: "Price score = price weight × (1 − (this price − lowest) ÷ lowest), "
    "and never below 0.",
}

THREE_PLACES = Decimal("0.001")


def shown(score: Decimal) -> Decimal:
    """A score as published: 3 decimal places, half up."""
    return score.quantize(THREE_PLACES, rounding=ROUND_HALF_UP)


def weights_error(price: int, quality: int, social_value: int) -> str | None:
    """Why a set of weights is not acceptable, or None: each 0–100, summing to 100."""
    parts = {"price": price, "quality": quality, "social value": social_value}
    for name, weight in parts.items():
        if weight < 0 or weight > 100:
            return f"The {name} weight must be between 0 and 100"
    total = price + quality + social_value
    if total != 100:
        return f"The weights must add up to 100; they add up to {total}"
    return None


def price_scores(prices_pence: Sequence[int], weight: int, formula: str) -> list[Decimal]:
    """Each price's score out of `weight` by the published formula (see PRICE_FORMULA_RULES).

    Prices are pence and must be over 0. The lowest price always scores the full weight.
    """
    if formula not in PRICE_FORMULAS:
        raise ValueError(f"Unknown price formula {formula!r}")
    if any(p <= 0 for p in prices_pence):
        raise ValueError("Every price must be more than £0")
    if not prices_pence:
        return []
    lowest = Decimal(min(prices_pence))
    full = Decimal(weight)
    if formula == LOWEST_RATIO:
        return [lowest / Decimal(p) * full for p in prices_pence]
    return [max(Decimal(0), full * (1 - (Decimal(p) - lowest) / lowest)) for p in prices_pence]


def abnormally_low(prices_pence: Sequence[int], percent: int) -> list[bool]:
    """Flags by the published rule (ABNORMALLY_LOW_RULE): below `percent`% of the mean of
    the other prices. A lone price is never flagged (there is nothing to compare it with)."""
    if not 0 < percent <= 100:
        raise ValueError("percent must be between 1 and 100")
    total = sum(prices_pence)
    n = len(prices_pence)
    flags = []
    for price in prices_pence:
        if n < 2:
            flags.append(False)
            continue
        others_mean = Decimal(total - price) / (n - 1)
        flags.append(Decimal(price) * 100 < others_mean * percent)
    return flags


@dataclass(frozen=True)
class Question:
    key: int
    weight: int
    max_score: int = 5


def quality_score(scores: Mapping[int, int], questions: Sequence[Question]) -> Decimal:
    """Σ score ÷ maximum × weight over the questions; a missing score counts 0."""
    total = Decimal(0)
    for q in questions:
        score = scores.get(q.key, 0)
        if not 0 <= score <= q.max_score:
            raise ValueError(f"A score for question {q.key} must be between 0 and {q.max_score}")
        total += Decimal(score) / Decimal(q.max_score) * Decimal(q.weight)
    return total


def social_value_scores(values_pence: Sequence[int], weight: int) -> list[Decimal]:
    """The highest committed social value scores the full weight; others pro rata to it.

    Values are the money worth of each bid's commitments (units × value per unit from the
    commissioner's table), in pence. When nobody commits anything every score is 0.
    """
    if any(v < 0 for v in values_pence):
        raise ValueError("A social value cannot be negative")
    top = max(values_pence, default=0)
    if top == 0:
        return [Decimal(0) for _ in values_pence]
    return [Decimal(v) / Decimal(top) * Decimal(weight) for v in values_pence]


@dataclass(frozen=True)
class LotBid:
    """One bid for one lot, as the evaluation sees it after opening and moderation.

    `order` is the submission order (earlier is smaller), the last tie-break.
    """

    key: int
    price_pence: int
    quality: Decimal
    social_value_pence: int
    order: int


@dataclass(frozen=True)
class Criteria:
    price_weight: int
    quality_weight: int
    social_value_weight: int
    price_formula: str = LOWEST_RATIO
    abnormally_low_percent: int = 70
    tie_break: str = QUALITY_THEN_PRICE


@dataclass(frozen=True)
class LotResult:
    key: int
    price_score: Decimal
    quality_score: Decimal
    social_value_score: Decimal
    total: Decimal
    rank: int
    abnormally_low: bool
    tie_broken: bool


def _tie_key(bid: LotBid, sv: Decimal, tie_break: str) -> tuple[Decimal | int, ...]:
    if tie_break == PRICE_THEN_QUALITY:
        return (bid.price_pence, -bid.quality, bid.order)
    if tie_break == SOCIAL_VALUE_THEN_QUALITY:
        return (-sv, -bid.quality, bid.order)
    return (-bid.quality, bid.price_pence, bid.order)


def evaluate_lot(bids: Sequence[LotBid], criteria: Criteria) -> list[LotResult]:
    """Score and rank the bids for one lot (rank 1 wins), in the order given.

    Totals are compared as published (3 places), so two totals that print the same are a
    tie and go to the published tie-break rule.
    """
    error = weights_error(
        criteria.price_weight, criteria.quality_weight, criteria.social_value_weight
    )
    if error:
        raise ValueError(error)
    if criteria.tie_break not in TIE_BREAKS:
        raise ValueError(f"Unknown tie-break rule {criteria.tie_break!r}")
    if any(b.quality < 0 or b.quality > criteria.quality_weight for b in bids):
        raise ValueError("A quality score must be between 0 and the quality weight")
    prices = [b.price_pence for b in bids]
    price = price_scores(prices, criteria.price_weight, criteria.price_formula)
    social = social_value_scores([b.social_value_pence for b in bids], criteria.social_value_weight)
    low = abnormally_low(prices, criteria.abnormally_low_percent)
    totals = [shown(p + b.quality + s) for p, b, s in zip(price, bids, social, strict=True)]
    order = sorted(
        range(len(bids)),
        key=lambda i: (-totals[i], *_tie_key(bids[i], social[i], criteria.tie_break)),
    )
    ranks = {i: r for r, i in enumerate(order, start=1)}
    tied = _tied(totals)
    return [
        LotResult(
            key=b.key,
            price_score=shown(price[i]),
            quality_score=shown(b.quality),
            social_value_score=shown(social[i]),
            total=totals[i],
            rank=ranks[i],
            abnormally_low=low[i],
            tie_broken=totals[i] in tied,
        )
        for i, b in enumerate(bids)
    ]


def _tied(totals: Iterable[Decimal]) -> set[Decimal]:
    seen: set[Decimal] = set()
    tied: set[Decimal] = set()
    for total in totals:
        (tied if total in seen else seen).add(total)
    return tied


def moderation_spread(scores: Sequence[int]) -> int:
    """How far apart the evaluators' scores are (max − min): a spread over 1 is discussed."""
    return max(scores) - min(scores) if scores else 0


# ---------------------------------------------------------------- KPIs

MONTHS = {"monthly": 1, "quarterly": 3, "annually": 12}


@dataclass(frozen=True)
class ReturnPeriod:
    start: date
    end: date
    due: date


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    last = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


def return_periods(start: date, end: date, frequency: str, grace_days: int) -> list[ReturnPeriod]:
    """The reporting periods of a contract from `start` to `end` (inclusive), each due
    `grace_days` after it ends. The last period is cut short at the contract's end."""
    if frequency not in MONTHS:
        raise ValueError(f"Unknown frequency {frequency!r}")
    if end < start:
        raise ValueError("A contract cannot end before it starts")
    periods = []
    period_start = start
    step = 1
    while period_start <= end:
        next_start = _add_months(start, MONTHS[frequency] * step)
        period_end = min(next_start - timedelta(days=1), end)
        periods.append(
            ReturnPeriod(period_start, period_end, period_end + timedelta(days=grace_days))
        )
        period_start = next_start
        step += 1
    return periods
