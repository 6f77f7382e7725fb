"""Reading ledgers and studies: who may see one, its totals by year, the measured change.

Ledgers of contracts, grants and PB projects are public (what public money bought); a bid's
ledger before award is seen only by the council's staff and the bidder. Studies show only
counts and the measured change, never anyone's answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Sum
from django.http import Http404

from opus.allocation.models import Ledger, LedgerLine, StudyGroup, StudyWave, WellbeingStudy
from opus.allocation.social_value import may_report, pence_per_wellby, valuation, whole_pence
from opus.commissioning.access import is_commissioner
from opus.engines import wellbeing


def get_ledger_for_user(user: Any, ledger_id: int) -> Ledger:
    ledger = (
        Ledger.objects.select_related(
            "value_model", "deflators", "contract", "grant", "pb_project", "bid__opportunity"
        )
        .filter(pk=ledger_id)
        .first()
    )
    if ledger is None:
        raise Http404("No such ledger")
    if ledger.bid_id and not ledger.contract_id:
        if not (is_commissioner(user) or may_report(user, ledger)):
            raise Http404("No such ledger")
    return ledger


def get_study_for_user(user: Any, study_id: int) -> WellbeingStudy:
    study = WellbeingStudy.objects.filter(pk=study_id).first()
    if study is None:
        raise Http404("No such study")
    get_ledger_for_user(user, study.ledger_id)
    return study


@dataclass(frozen=True)
class LineRow:
    line: LedgerLine
    delivered: Decimal
    delivered_pence: int

    def percent(self, name: str) -> str:
        return f"{(getattr(self.line, name) * 100).normalize():f}%"

    @property
    def deadweight(self) -> str:
        return self.percent("deadweight")

    @property
    def attribution(self) -> str:
        return self.percent("attribution")

    @property
    def drop_off(self) -> str:
        return self.percent("drop_off")

    @property
    def discount_rate(self) -> str:
        return self.percent("discount_rate")


@dataclass(frozen=True)
class LedgerSummary:
    rows: list[LineRow]
    committed_pence: int
    delivered_pence: int
    wellbys: Decimal
    pence_per_wellby: int
    by_year: list[tuple[int, int]]  # (year, undiscounted pence that year)


def _delivered(line: LedgerLine, quantity: Decimal) -> int:
    if not line.quantity:
        return 0
    return whole_pence(Fraction(line.value_pence) * Fraction(quantity) / Fraction(line.quantity))


def ledger_summary(ledger: Ledger) -> LedgerSummary:
    """Each line with what was delivered against it, the totals, and the value year by year."""
    lines = list(
        ledger.lines.select_related("metric", "measure").annotate(done=Sum("evidence__quantity"))
    )
    per_wellby = pence_per_wellby(ledger)
    rows, years = [], {}
    for line in lines:
        done = line.done or Decimal(0)  # type: ignore[attr-defined]
        rows.append(LineRow(line, done, _delivered(line, done)))
        result = valuation(line, per_wellby)
        is_wellby = line.wellbys is not None
        for t, flow in enumerate(result.flows, start=1):
            pence = flow * per_wellby if is_wellby else flow
            years[t] = years.get(t, Fraction(0)) + pence
    return LedgerSummary(
        rows=rows,
        committed_pence=sum(r.line.value_pence for r in rows),
        delivered_pence=sum(r.delivered_pence for r in rows),
        wellbys=sum((r.line.wellbys or Decimal(0) for r in rows), Decimal(0)),
        pence_per_wellby=whole_pence(per_wellby),
        by_year=[(t, whole_pence(v)) for t, v in sorted(years.items())],
    )


@dataclass(frozen=True)
class StudyResult:
    answers: int
    pairs: dict[str, int]
    change: wellbeing.MeasuredChange | None
    implied: wellbeing.ImpliedWellbys | None
    implied_pence: tuple[int, int, int] | None
    reason: str


def _pairs(study: WellbeingStudy, group: str) -> list[tuple[int, int]]:
    answers: dict[str, dict[str, int]] = {}
    for a in study.answers.filter(group=group):
        answers.setdefault(a.respondent, {})[a.wave] = a.score
    return [
        (w[StudyWave.BEFORE], w[StudyWave.AFTER])
        for w in answers.values()
        if StudyWave.BEFORE in w and StudyWave.AFTER in w
    ]


def study_result(study: WellbeingStudy) -> StudyResult:
    """The measured change (difference in differences, Welch 95% CI) and WELLBYs it implies."""
    treated = _pairs(study, StudyGroup.PARTICIPANT)
    control = _pairs(study, StudyGroup.COMPARISON)
    pairs = {"participant": len(treated), "comparison": len(control)}
    count = study.answers.count()
    try:
        change = wellbeing.measured_change(treated, control)
    except ValueError as exc:
        return StudyResult(count, pairs, None, None, None, str(exc))
    implied = wellbeing.implied_wellbys(change, study.people, study.years)
    per = float(pence_per_wellby(study.ledger))
    money = (round(implied.value * per), round(implied.lower * per), round(implied.upper * per))
    return StudyResult(count, pairs, change, implied, money, "")
