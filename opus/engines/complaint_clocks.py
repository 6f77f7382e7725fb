"""Complaint regimes as data, and the deadlines their clocks give, on the working-day engine.

Every working-day deadline is `working_days.add_working_days` (the day of receipt is day 0 and
the deadline is the N-th following working day, on the bank holidays of the body's nation);
nothing here counts days itself. Month limits (the NHS's six months, the twelve-month time limit)
are calendar months: the same day of the month, or the month's last day when it has no such day.

Regimes
- `lgsco`: the Local Government and Social Care Ombudsman's Complaint Handling Code (council
  corporate complaints; also used for neighbourhood councils and providers' own complaints).
  Each stage is acknowledged within 5 working days of receipt; stage 1 is answered within 10
  working days of its acknowledgement, which may be extended once by up to 10 working days with
  a reason; stage 2 within 20 working days of its acknowledgement, by someone other than stage
  1's handler. Then the Local Government and Social Care Ombudsman.
- `adult_social_care` and `nhs`: the Local Authority Social Services and National Health Service
  Complaints (England) Regulations 2009. Acknowledged within 3 working days; one local stage with
  no fixed day for the answer, but the person is told why when there is none within 6 months;
  complaints are made within 12 months of the events (or of learning of them). Then the Local
  Government and Social Care Ombudsman (adult social care) or the Parliamentary and Health Service
  Ombudsman (NHS).

A pause stops the answer clock: the deadline moves on by the working days the pause lasted
(`working_days_between(paused, resumed)`). Forwarding to the right body is a new receipt there:
its clocks start again from the day it arrives.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from opus.engines.working_days import (
    CONVENTION,
    ENGLAND_AND_WALES,
    NATION_NAMES,
    add_working_days,
    check_nation,
    working_days_between,
)

__all__ = [
    "CONVENTION",
    "NATION_NAMES",
    "REGIMES",
    "Ombudsman",
    "Regime",
    "StageClock",
    "StageRule",
    "acknowledge_due",
    "add_months",
    "answer_due",
    "check_extension",
    "in_time",
    "regime_for",
    "stage_clock",
]


@dataclass(frozen=True)
class Ombudsman:
    name: str
    short: str
    url: str
    what_to_send: tuple[str, ...]


@dataclass(frozen=True)
class StageRule:
    """One stage's clocks: acknowledge within `acknowledge_days` working days of receipt;
    answer within `answer_days` working days of the acknowledgement (None: no fixed day), and
    `extension_days` more at most, once, with a reason (0: no extension)."""

    number: int
    acknowledge_days: int
    answer_days: int | None
    extension_days: int = 0
    different_handler: bool = False


@dataclass(frozen=True)
class Regime:
    code: str
    name: str
    source: str
    stages: tuple[StageRule, ...]
    ombudsman: Ombudsman
    tell_why_months: int | None = None  # no answer by then: the person is told why
    time_limit_months: int = 12  # complaints made within this long of the events

    def stage(self, number: int) -> StageRule:
        for rule in self.stages:
            if rule.number == number:
                return rule
        raise ValueError(f"the {self.name} has no stage {number}")

    @property
    def last_stage(self) -> int:
        return self.stages[-1].number


_SEND = (
    "your complaint as you made it, and what you want to happen",
    "the final answer you were sent",
    "any letters, e-mails or notes about it",
)
LGSCO = Ombudsman(
    name="Local Government and Social Care Ombudsman",
    short="LGSCO",
    url="https://www.lgo.org.uk/make-a-complaint",
    what_to_send=_SEND,
)
PHSO = Ombudsman(
    name="Parliamentary and Health Service Ombudsman",
    short="PHSO",
    url="https://www.ombudsman.org.uk/making-complaint",
    what_to_send=_SEND,
)
_REGULATIONS_2009 = (
    "The Local Authority Social Services and National Health Service Complaints (England) "
    "Regulations 2009"
)

REGIMES: dict[str, Regime] = {
    "lgsco": Regime(
        code="lgsco",
        name="Complaint Handling Code",
        source="Local Government and Social Care Ombudsman, Complaint Handling Code",
        stages=(
            StageRule(1, acknowledge_days=5, answer_days=10, extension_days=10),
            StageRule(2, acknowledge_days=5, answer_days=20, different_handler=True),
        ),
        ombudsman=LGSCO,
    ),
    "adult_social_care": Regime(
        code="adult_social_care",
        name="Adult social care complaints",
        source=_REGULATIONS_2009,
        stages=(StageRule(1, acknowledge_days=3, answer_days=None),),
        ombudsman=LGSCO,
        tell_why_months=6,
    ),
    "nhs": Regime(
        code="nhs",
        name="NHS complaints",
        source=_REGULATIONS_2009,
        stages=(StageRule(1, acknowledge_days=3, answer_days=None),),
        ombudsman=PHSO,
        tell_why_months=6,
    ),
}


def regime_for(code: str) -> Regime:
    """The regime of a code, or a ValueError naming it."""
    try:
        return REGIMES[code]
    except KeyError:
        known = ", ".join(REGIMES)
        raise ValueError(f"Unknown complaint regime {code!r}: use one of {known}") from None


def add_months(start: date, months: int) -> date:
    """The same day `months` calendar months later (the month's last day when it is shorter)."""
    if months < 0:
        raise ValueError(f"months must be 0 or more, not {months}")
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def in_time(regime: Regime, events: date, received: date) -> bool:
    """Whether a complaint received on `received` about events on `events` is within the
    regime's time limit (the limit's last day counts)."""
    return received <= add_months(events, regime.time_limit_months)


def acknowledge_due(
    regime: Regime, stage: int, received: date, nation: str = ENGLAND_AND_WALES
) -> date:
    """The last day to acknowledge a stage received on `received` (day 0)."""
    return add_working_days(received, regime.stage(stage).acknowledge_days, check_nation(nation))


def check_extension(regime: Regime, stage: int, days: int, already: int) -> None:
    """ValueError unless `days` may extend the stage: once only, 1 to the regime's most."""
    rule = regime.stage(stage)
    if rule.extension_days == 0 or rule.answer_days is None:
        raise ValueError(f"stage {stage} of the {regime.name} cannot be extended")
    if already:
        raise ValueError(f"stage {stage} has already been extended once")
    if not 1 <= days <= rule.extension_days:
        raise ValueError(f"an extension is 1 to {rule.extension_days} working days, not {days}")


def answer_due(
    regime: Regime,
    stage: int,
    received: date,
    acknowledged: date | None,
    nation: str = ENGLAND_AND_WALES,
    *,
    extension_days: int = 0,
    paused_days: int = 0,
) -> date | None:
    """The last day for the stage's answer: `answer_days` + extension + paused working days
    after the acknowledgement (the acknowledgement's last day while there is none yet). None
    when the regime sets no day for the answer."""
    rule = regime.stage(stage)
    if rule.answer_days is None:
        return None
    if extension_days < 0 or paused_days < 0:
        raise ValueError("extensions and pauses are 0 working days or more")
    start = acknowledged or acknowledge_due(regime, stage, received, nation)
    return add_working_days(start, rule.answer_days + extension_days + paused_days, nation)


@dataclass(frozen=True)
class StageClock:
    acknowledge_due: date
    answer_due: date | None
    tell_why_due: date | None  # regimes with no answer day: tell the person why by then
    paused_days: int


def stage_clock(
    regime: Regime,
    stage: int,
    received: date,
    nation: str = ENGLAND_AND_WALES,
    *,
    acknowledged: date | None = None,
    extension_days: int = 0,
    pauses: tuple[tuple[date, date], ...] = (),
) -> StageClock:
    """Every deadline of one stage. `pauses` are (paused on, resumed on) pairs: each moves the
    answer's day on by the working days between them."""
    check_nation(nation)
    paused = sum(working_days_between(a, b, nation) for a, b in pauses)
    if paused < 0:
        raise ValueError("a pause cannot end before it starts")
    tell_why = None
    if regime.tell_why_months is not None and stage == regime.last_stage:
        tell_why = add_months(received, regime.tell_why_months)
    return StageClock(
        acknowledge_due=acknowledge_due(regime, stage, received, nation),
        answer_due=answer_due(
            regime,
            stage,
            received,
            acknowledged,
            nation,
            extension_days=extension_days,
            paused_days=paused,
        ),  # fmt: skip
        tell_why_due=tell_why,
        paused_days=paused,
    )
