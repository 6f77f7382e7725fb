"""The dates of the community right to bid: periods as data per regime and effective date.

The rules (England: Localism Act 2011, Part 5, Chapter 3, and the Assets of Community Value
(England) Regulations 2012, SI 2012/2421):

- A local authority decides a **nomination** within 8 weeks of receiving it (reg. 7).
- A listed asset stays on the list for **5 years** from the date of listing (reg. 2(b)).
- The **owner may ask for a review** within 8 weeks of being told of the listing (reg. 11 and
  Sch. 2, para. 1); the authority completes the review within 8 weeks of the request.
- An owner who intends to dispose of a listed asset tells the authority: the **notice** starts
  an **interim moratorium of 6 weeks** (s.95(6)(a)).
- A community interest group's **written request to be treated as a potential bidder**, made
  within the interim moratorium, extends it to the **full moratorium of 6 months from the
  notice** (s.95(6)(b)). A request made after the interim moratorium has ended is refused.
- A **protected period of 18 months** runs from the same notice (s.95(6)(c)); within it the
  owner may dispose after the moratorium without a new one starting.
- Some disposals are **exempt** (s.95(5) and Sch. 3 of the Regulations): gifts, transfers within
  a family, to beneficiaries of a will or intestacy, and others (`ENGLAND_EXEMPTIONS`).

Every length is data (`Regime`), chosen by the regime's code and the date of the event
(`regime_for`), so a "Community Right to Buy" with a 12-month moratorium is a new `Regime`
row (or `regime_from_mapping` of a configuration), not a change to this code.

**Counting convention** (`COUNTING_CONVENTION`, shown on every page with a date): a period starts
the day after the event (the notice, the nomination, the listing), and a period of N weeks or
N months ends at the end of the *corresponding date*: the same weekday N weeks later, or the
same day of the month N months later; when that month has no such day, the last day of the
month (a notice of 31 August gives a 6-month end of 28 February, or 29 February in a leap
year). This is the corresponding date rule of the English courts (Dodds v Walker [1981]).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

Unit = Literal["days", "weeks", "months", "years"]
UNITS: tuple[str, ...] = ("days", "weeks", "months", "years")

COUNTING_CONVENTION = (
    "Each period starts the day after the event it runs from (the nomination, the listing or "
    "the notice) and ends at the end of the corresponding date: the same weekday so many weeks "
    "later, or the same day of the month so many months later, or that month's last day when "
    "it has no such day (a notice given on 31 August has a 6-month end of 28 February, or "
    "29 February in a leap year)."
)


class AssetRuleError(ValueError):
    """A date or request the rules refuse; the message says why in plain words."""


@dataclass(frozen=True)
class Period:
    """A length of time: an amount of days, weeks, months or years."""

    amount: int
    unit: Unit

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise AssetRuleError(f"unknown unit {self.unit!r}; use one of {', '.join(UNITS)}")
        if not 0 < self.amount <= 1200:
            raise AssetRuleError("a period must be from 1 to 1200 of its unit")

    def words(self) -> str:
        unit = self.unit if self.amount != 1 else self.unit[:-1]
        return f"{self.amount} {unit}"

    @classmethod
    def parse(cls, text: str) -> Period:
        """'6 weeks', '12 months', '1 year' → Period."""
        parts = text.split()
        if len(parts) != 2 or not parts[0].isdigit():
            raise AssetRuleError(f"{text!r} is not a period like '6 weeks' or '12 months'")
        unit = parts[1] if parts[1].endswith("s") else parts[1] + "s"
        if unit not in UNITS:
            raise AssetRuleError(f"{text!r} is not a period like '6 weeks' or '12 months'")
        return cls(int(parts[0]), unit)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Exemption:
    code: str
    label: str
    source: str


@dataclass(frozen=True)
class Regime:
    """One regime's periods, in force from `effective_from` (to `effective_to`, inclusive)."""

    code: str
    name: str
    legislation: str
    effective_from: date
    decision: Period
    listing: Period
    review_request: Period
    review_decision: Period
    interim: Period
    full: Period
    protected: Period
    exemptions: tuple[Exemption, ...] = field(default=())
    effective_to: date | None = None

    def exemption(self, code: str) -> Exemption:
        for exemption in self.exemptions:
            if exemption.code == code:
                return exemption
        raise AssetRuleError(f"{code!r} is not an exempt disposal under {self.name}")


def add_months(start: date, months: int) -> date:
    """The corresponding date `months` later; the month's last day when it has no such day."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last))


def period_end(start: date, period: Period) -> date:
    """The last day of `period` running from the event on `start` (see the convention)."""
    if period.unit == "days":
        return start + timedelta(days=period.amount)
    if period.unit == "weeks":
        return start + timedelta(weeks=period.amount)
    if period.unit == "months":
        return add_months(start, period.amount)
    return add_months(start, 12 * period.amount)


ENGLAND_EXEMPTIONS: tuple[Exemption, ...] = (
    Exemption("gift", "A gift, including a gift to the trustees of a charitable trust", "s.95(5)"),
    Exemption(
        "will-or-intestacy",
        "By personal representatives to a beneficiary under a will or an intestacy",
        "s.95(5)",
    ),
    Exemption(
        "estate-debts",
        "By personal representatives to pay the deceased's debts, taxes or the estate's costs",
        "s.95(5)",
    ),
    Exemption("family", "Between members of the same family", "s.95(5)"),
    Exemption(
        "going-concern",
        "Of a business carried on at the asset, sold as a going concern with the asset",
        "s.95(5)",
    ),
    Exemption(
        "court-order",
        "Under a court order, or on a separation or divorce between spouses or civil partners",
        "s.95(5)",
    ),
    Exemption(
        "partly-listed",
        "Of land only part of which is listed, where the rest is not an asset of community value",
        "s.95(5)",
    ),
    Exemption(
        "insolvency", "By an insolvency practitioner or under insolvency proceedings", "Sch. 3"
    ),
    Exemption("compulsory-purchase", "To a body with compulsory purchase powers", "Sch. 3"),
    Exemption(
        "trust-change",
        "On the appointment or retirement of trustees (a change of trustees, not of owner)",
        "Sch. 3",
    ),
    Exemption(
        "lease-short",
        "The grant of a lease of less than 25 years (not a relevant disposal)",
        "s.96(3)",
    ),
    Exemption(
        "health-school",
        "Of a school, or of land for health services, under the statutory schemes",
        "Sch. 3",
    ),
)

ENGLAND_RIGHT_TO_BID = Regime(
    code="england-right-to-bid",
    name="Community Right to Bid (England)",
    legislation=(
        "Localism Act 2011, Part 5, Chapter 3; the Assets of Community Value (England) "
        "Regulations 2012"
    ),
    effective_from=date(2012, 9, 21),
    decision=Period(8, "weeks"),
    listing=Period(5, "years"),
    review_request=Period(8, "weeks"),
    review_decision=Period(8, "weeks"),
    interim=Period(6, "weeks"),
    full=Period(6, "months"),
    protected=Period(18, "months"),
    exemptions=ENGLAND_EXEMPTIONS,
)

# Regimes as data: add a row (with its own code, or the same code and a later effective date)
# to change a period; nothing else in Opus needs to change.
REGIMES: tuple[Regime, ...] = (ENGLAND_RIGHT_TO_BID,)
DEFAULT_REGIME = ENGLAND_RIGHT_TO_BID.code


def regime_for(code: str, on: date, regimes: tuple[Regime, ...] = REGIMES) -> Regime:
    """The row of regime `code` in force on `on` (the latest that started by then)."""
    rows = [
        r
        for r in regimes
        if r.code == code
        and r.effective_from <= on
        and (r.effective_to is None or on <= r.effective_to)
    ]
    if not rows:
        raise AssetRuleError(f"no regime {code!r} was in force on {on.isoformat()}")
    return max(rows, key=lambda r: r.effective_from)


PERIOD_FIELDS = (
    "decision",
    "listing",
    "review_request",
    "review_decision",
    "interim",
    "full",
    "protected",
)


def regime_from_mapping(config: Mapping[str, Any], base: Regime = ENGLAND_RIGHT_TO_BID) -> Regime:
    """A regime from configuration: {"code", "name", "effective_from", "full": "12 months", …}.

    Periods not given are the base regime's; so are its exemptions unless listed as
    [{"code", "label", "source"}, …].
    """
    try:
        code = str(config["code"])
        effective_from = date.fromisoformat(str(config["effective_from"]))
    except (KeyError, ValueError) as exc:
        raise AssetRuleError(f"a regime needs a code and an effective_from date ({exc})") from None
    periods = {
        name: Period.parse(str(config[name])) if name in config else getattr(base, name)
        for name in PERIOD_FIELDS
    }
    exemptions = base.exemptions
    if "exemptions" in config:
        exemptions = tuple(
            Exemption(str(e["code"]), str(e["label"]), str(e.get("source", "")))
            for e in config["exemptions"]
        )
    until = config.get("effective_to")
    return Regime(
        code=code,
        name=str(config.get("name", code)),
        legislation=str(config.get("legislation", "")),
        effective_from=effective_from,
        effective_to=date.fromisoformat(str(until)) if until else None,
        exemptions=exemptions,
        **periods,
    )


def decision_due(regime: Regime, nominated_on: date) -> date:
    """The last day for the authority's decision on a nomination received on `nominated_on`."""
    return period_end(nominated_on, regime.decision)


def listing_end(regime: Regime, listed_on: date) -> date:
    """The last day an asset listed on `listed_on` stays on the list."""
    return period_end(listed_on, regime.listing)


def review_request_end(regime: Regime, told_on: date) -> date:
    """The last day an owner told of a listing on `told_on` may ask for a review."""
    return period_end(told_on, regime.review_request)


def review_due(regime: Regime, requested_on: date) -> date:
    """The last day for the review of a listing asked for on `requested_on`."""
    return period_end(requested_on, regime.review_decision)


@dataclass(frozen=True)
class Clocks:
    """The clocks started by an owner's notice of an intended disposal.

    `moratorium_end` is the last day no disposal may be made: the interim end, or the full
    end once a community interest group has asked in time to be treated as a bidder.
    """

    notice_date: date
    interim_end: date
    full_end: date | None
    protected_end: date
    request_date: date | None

    @property
    def moratorium_end(self) -> date:
        return self.full_end or self.interim_end

    def phase(self, on: date) -> str:
        """'before', 'interim', 'full', 'protected' (may dispose, no new moratorium) or 'ended'."""
        if on < self.notice_date:
            return "before"
        requested = self.request_date is not None and on >= self.request_date
        if (
            self.full_end is not None
            and on <= self.full_end
            and (requested or on > self.interim_end)
        ):
            return "full"
        if on <= self.interim_end:
            return "interim"
        if on <= self.protected_end:
            return "protected"
        return "ended"


def clocks(regime: Regime, notice_date: date, request_date: date | None = None) -> Clocks:
    """The moratorium and protected period from a notice given on `notice_date`.

    A request to be treated as a potential bidder must be made after the notice and no later
    than the interim moratorium's last day; otherwise it is refused (AssetRuleError).
    """
    interim_end = period_end(notice_date, regime.interim)
    full_end = None
    if request_date is not None:
        if request_date < notice_date:
            raise AssetRuleError(
                "a request to be treated as a bidder cannot come before the owner's notice "
                f"of {notice_date.isoformat()}"
            )
        if request_date > interim_end:
            raise AssetRuleError(
                "the request came after the interim moratorium ended on "
                f"{interim_end.isoformat()}, so it does not start the full moratorium"
            )
        full_end = period_end(notice_date, regime.full)
    return Clocks(
        notice_date=notice_date,
        interim_end=interim_end,
        full_end=full_end,
        protected_end=period_end(notice_date, regime.protected),
        request_date=request_date,
    )


def new_notice_allowed(regime: Regime, previous_notice: date | None, notice_date: date) -> bool:
    """Whether a notice on `notice_date` starts new clocks: not inside an earlier protected period.

    Within the protected period of an earlier notice the owner may dispose once the moratorium
    has ended, so a second notice then starts nothing.
    """
    if previous_notice is None:
        return True
    return notice_date > period_end(previous_notice, regime.protected)
