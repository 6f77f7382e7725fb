"""Social value ledgers: every write, each in one transaction with its audit event.

Commitments are valued by opus.engines.wellbeing (WELLBYs at £13,000 in 2019 prices, uprated
with the ledger's deflator table; money proxies per unit per year), and the value is kept
on the line so that bid evaluation reads the ledger, not a number typed in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from opus.allocation.models import (
    ComparisonKind,
    DeflatorTable,
    Ledger,
    LedgerEvidence,
    LedgerLine,
    StudyGroup,
    StudyWave,
    ValueMetric,
    ValueModel,
    WellbeingAnswer,
    WellbeingStudy,
)
from opus.allocation.value_tables import ValueTableError, parse_deflators, parse_value_model
from opus.commissioning.access import is_commissioner, provider_organisations
from opus.core.audit import audit_record
from opus.core.models import Organisation, User
from opus.engines import wellbeing

MAX_TEXT = 2000
PRICE_YEARS = (2000, 2100)


class SocialValueError(ValueError):
    """Bad input or a step out of turn; nothing was changed. `field` names the input."""

    def __init__(self, message: str, field: str = "__all__") -> None:
        super().__init__(message)
        self.field = field


# ---------------------------------------------------------------- who may write


def require_staff(by: User | None) -> None:
    """Value tables and ledgers' commitments: the council's commissioning staff."""
    if by is not None and not is_commissioner(by):
        raise PermissionDenied("Only commissioning staff can do this")


def delivering_organisations(ledger: Ledger) -> list[int]:
    """Who delivers what the ledger records: the contract's supplier, or the grant's group."""
    if ledger.contract_id:
        return [ledger.contract.supplier_id]
    if ledger.grant_id:
        return [ledger.grant.group_id]
    if ledger.bid_id:
        return [ledger.bid.bidder_id]
    return []


def may_report(user: Any, ledger: Ledger) -> bool:
    """Staff, or the staff of the organisation delivering it, record evidence and answers."""
    if is_commissioner(user):
        return True
    delivering = delivering_organisations(ledger)
    return bool(delivering) and provider_organisations(user).filter(pk__in=delivering).exists()


def require_reporter(by: User | None, ledger: Ledger) -> None:
    if by is not None and not may_report(by, ledger):
        raise PermissionDenied("Only the council or the organisation delivering it can do this")


# ---------------------------------------------------------------- value tables


def _licence_and_source(licence: str, source: str) -> tuple[str, str]:
    if not licence.strip():
        raise SocialValueError(_("Say which licence the council holds this table under"), "licence")
    if not source.strip():
        raise SocialValueError(_("Say where the values come from"), "source")
    return licence.strip()[:300], source.strip()[:300]


@transaction.atomic
def value_model_load(
    *, owner: Organisation, name: str, source: str, licence: str, content: bytes,
    synthetic: bool = False, by: User | None,
) -> ValueModel:  # fmt: skip
    """Load a value model whole, or refuse it naming the row and column."""
    require_staff(by)
    licence, source = _licence_and_source(licence, source)
    metrics = parse_value_model(content)
    model = ValueModel.objects.create(
        name=name.strip()[:200] or _("Value model"), owner=owner, source=source, licence=licence,
        synthetic=synthetic, file_sha256=hashlib.sha256(content).hexdigest(), uploaded_by=by,
    )  # fmt: skip
    ValueMetric.objects.bulk_create(ValueMetric(model=model, **m) for m in metrics)
    audit_record(
        actor=by, action="social_value.model_load", target=model,
        summary={"metrics": len(metrics), "licence": licence, "sha256": model.file_sha256},
    )  # fmt: skip
    return model


@transaction.atomic
def deflators_load(
    *, owner: Organisation, name: str, source: str, licence: str, content: bytes,
    synthetic: bool = False, by: User | None,
) -> DeflatorTable:  # fmt: skip
    """Load a deflator table (year, index) whole, or refuse it naming the row and column."""
    require_staff(by)
    licence, source = _licence_and_source(licence, source)
    indices = parse_deflators(content)
    table = DeflatorTable.objects.create(
        name=name.strip()[:200] or _("Deflators"), owner=owner, source=source, licence=licence,
        synthetic=synthetic, indices=indices, file_sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=by,
    )  # fmt: skip
    audit_record(
        actor=by, action="social_value.deflators_load", target=table,
        summary={"years": sorted(indices), "licence": licence, "sha256": table.file_sha256},
    )  # fmt: skip
    return table


def table_load(*, kind: str, **kwargs: Any) -> ValueModel | DeflatorTable:
    """The command's and the upload page's one entry: a value model or deflators."""
    try:
        if kind == "deflators":
            return deflators_load(**kwargs)
        return value_model_load(**kwargs)
    except ValueTableError as exc:
        raise SocialValueError(str(exc), exc.field) from exc


# ---------------------------------------------------------------- valuing a line


def _fraction(value: Decimal | int) -> Fraction:
    return Fraction(Decimal(value))


def pence_per_wellby(ledger: Ledger) -> Fraction:
    deflators = None
    if ledger.deflators_id:
        indices = ledger.deflators.indices
        deflators = {int(y): Fraction(Decimal(v)) for y, v in indices.items()}
    return wellbeing.value_per_wellby(ledger.price_year, deflators)


def assumptions_of(line: LedgerLine) -> wellbeing.Assumptions:
    return wellbeing.Assumptions(
        _fraction(line.deadweight), _fraction(line.attribution), _fraction(line.drop_off),
        _fraction(line.discount_rate),
    )  # fmt: skip


def valuation(line: LedgerLine, per_wellby: Fraction | None = None) -> wellbeing.Valuation:
    """The engine's valuation of one line: WELLBYs, or a money proxy per unit per year."""
    quantity, a = _fraction(line.quantity), assumptions_of(line)
    metric = line.metric
    if metric is not None and metric.wellby_per_unit is not None:
        per_wellby = per_wellby if per_wellby is not None else pence_per_wellby(line.ledger)
        change = _fraction(metric.wellby_per_unit)
        return wellbeing.value_wellbys(quantity, change, line.years, a, per_wellby)
    pence = metric.proxy_pence if metric is not None else line.measure.value_pence  # type: ignore[union-attr]
    return wellbeing.value_proxy(quantity, Fraction(pence or 0), line.years, a)


def whole_pence(value: Fraction) -> int:
    """Rounded half up, as the money engine rounds."""
    return (
        int((value + Fraction(1, 2)) // 1) if value >= 0 else -int((-value + Fraction(1, 2)) // 1)
    )


def _value_line(line: LedgerLine) -> None:
    try:
        result = valuation(line)
    except ValueError as exc:
        field = next(
            (f for f in ("deadweight", "attribution", "drop_off", "discount_rate", "quantity",
                         "years") if str(exc).startswith(f)), "__all__",
        )  # fmt: skip
        raise SocialValueError(str(exc), field) from exc
    is_wellby = line.metric is not None and line.metric.wellby_per_unit is not None
    line.wellbys = Decimal(float(result.total)).quantize(Decimal("0.001")) if is_wellby else None
    line.value_pence = max(whole_pence(result.present_value_pence), 0)


# ---------------------------------------------------------------- ledgers


def _subject_title(subject: Any) -> str:
    return str(subject.title)[:200]


@transaction.atomic
def ledger_open(
    *, subject: Any, owner: Organisation, value_model: ValueModel | None = None,
    deflators: DeflatorTable | None = None, price_year: int = wellbeing.DEFAULT_PRICE_YEAR,
    by: User | None,
) -> Ledger:  # fmt: skip
    """A ledger for a contract, a grant or a PB project (a contract's takes its bid's lines)."""
    from opus.commissioning.models import Contract
    from opus.neighbourhoods.models import GrantApplication, Project

    require_staff(by)
    if not PRICE_YEARS[0] <= price_year <= PRICE_YEARS[1]:
        raise SocialValueError(_("Give a price year from 2000 to 2100"), "price_year")
    if price_year != wellbeing.DEFAULT_PRICE_YEAR and deflators is None:
        raise SocialValueError(_("Choose a deflator table to price in another year"), "deflators")
    if deflators is not None and str(price_year) not in deflators.indices:
        raise SocialValueError(_("The deflator table has no index for that year"), "price_year")
    field = {Contract: "contract", GrantApplication: "grant", Project: "pb_project"}.get(
        type(subject)
    )
    if field is None:
        raise SocialValueError(_("A ledger is for a contract, a grant or a PB project"))
    if Ledger.objects.filter(**{field: subject}).exists():
        raise SocialValueError(_("It already has a social value ledger"))
    ledger = None
    if field == "contract":
        ledger = Ledger.objects.filter(bid=subject.award.bid, contract=None).first()
    if ledger is None:
        ledger = Ledger(title=_subject_title(subject), owner=owner, created_by=by)
    setattr(ledger, field, subject)
    ledger.value_model = value_model or ledger.value_model
    ledger.deflators, ledger.price_year = deflators, price_year
    ledger.save()
    for line in ledger.lines.select_related("metric", "measure"):
        _value_line(line)
        line.save(update_fields=["wellbys", "value_pence"])
    audit_record(actor=by, action="social_value.ledger_open", target=ledger,
                 summary={field: subject.pk, "price_year": price_year})  # fmt: skip
    return ledger


def _ledger_for_bid(bid: Any, by: User | None) -> Ledger:
    """The bid's ledger, made at evaluation from what it committed in its sealed envelope."""
    ledger = Ledger.objects.filter(bid=bid).first()
    if ledger is not None:
        return ledger
    opportunity = bid.opportunity
    ledger = Ledger.objects.create(
        title=f"{bid.bidder.name}: {opportunity.title}"[:200], owner=opportunity.buyer, bid=bid,
        created_by=by,
    )  # fmt: skip
    for commitment in bid.commitments.select_related("measure"):
        line = LedgerLine(ledger=ledger, measure=commitment.measure,
                          quantity=commitment.quantity, created_by=by)  # fmt: skip
        _value_line(line)
        line.save()
    audit_record(actor=by, action="social_value.ledger_from_bid", target=ledger,
                 summary={"bid": str(bid.uuid), "lines": ledger.lines.count()})  # fmt: skip
    return ledger


@transaction.atomic
def committed_values(*, bids: Iterable[Any], by: User | None) -> dict[int, int]:
    """Each bid's committed social value in pence, read from its ledger (made if missing)."""
    require_staff(by)
    values = {}
    for bid in bids:
        ledger = _ledger_for_bid(bid, by)
        values[bid.pk] = sum(ledger.lines.values_list("value_pence", flat=True))
    return values


# ---------------------------------------------------------------- commitments


def _share(value: Any, field: str, top: Decimal = Decimal(1)) -> Decimal:
    try:
        number = Decimal(str(value))
    except ArithmeticError as exc:
        raise SocialValueError(_("Give a number"), field) from exc
    if not number.is_finite() or not 0 <= number <= top:
        raise SocialValueError(
            _("Give a share from 0 to %(top)s%%") % {"top": int(top * 100)}, field
        )
    return number.quantize(Decimal("0.0001"))


@transaction.atomic
def line_add(
    *, ledger: Ledger, metric: ValueMetric, quantity: Decimal, years: int,
    deadweight: Decimal = Decimal(0), attribution: Decimal = Decimal(1),
    drop_off: Decimal = Decimal(0), discount_rate: Decimal = Decimal("0.035"),
    assumptions: str = "", by: User | None,
) -> LedgerLine:  # fmt: skip
    """A commitment from the ledger's value model, valued now with its assumptions stated."""
    require_staff(by)
    if ledger.value_model_id is None or metric.model_id != ledger.value_model_id:
        raise SocialValueError(_("Choose a metric from the ledger's value model"), "metric")
    if not 0 <= Decimal(quantity) <= wellbeing.MAX_QUANTITY:
        raise SocialValueError(_("Give a quantity from 0 to 10,000,000"), "quantity")
    if not 1 <= int(years) <= wellbeing.MAX_YEARS:
        raise SocialValueError(_("Give a number of years from 1 to 50"), "years")
    line = LedgerLine(
        ledger=ledger, metric=metric, quantity=Decimal(quantity).quantize(Decimal("0.01")),
        years=int(years), deadweight=_share(deadweight, "deadweight"),
        attribution=_share(attribution, "attribution"), drop_off=_share(drop_off, "drop_off"),
        discount_rate=_share(discount_rate, "discount_rate", Decimal("0.2")),
        assumptions=assumptions.strip()[:MAX_TEXT], created_by=by,
    )  # fmt: skip
    _value_line(line)
    line.save()
    audit_record(actor=by, action="social_value.line_add", target=line,
                 summary={"ledger": ledger.pk, "metric": metric.code, "quantity": str(quantity),
                          "years": line.years, "value_pence": line.value_pence})  # fmt: skip
    return line


@transaction.atomic
def evidence_record(
    *, line: LedgerLine, quantity: Decimal, period_start: date, period_end: date, note: str,
    kpi_return: Any = None, by: User | None,
) -> LedgerEvidence:  # fmt: skip
    """Delivery against a commitment, linked to one of the contract's KPI returns if given."""
    ledger = line.ledger
    require_reporter(by, ledger)
    if not 0 <= Decimal(quantity) <= wellbeing.MAX_QUANTITY:
        raise SocialValueError(_("Give a quantity from 0 to 10,000,000"), "quantity")
    if period_end < period_start:
        raise SocialValueError(_("The period must end after it starts"), "period_end")
    if not note.strip():
        raise SocialValueError(_("Say what the evidence is"), "note")
    if kpi_return is not None and kpi_return.kpi.contract_id != ledger.contract_id:
        raise SocialValueError(_("Choose a KPI return of this contract"), "kpi_return")
    evidence = LedgerEvidence.objects.create(
        line=line, quantity=Decimal(quantity).quantize(Decimal("0.01")),
        period_start=period_start, period_end=period_end, note=note.strip()[:MAX_TEXT],
        kpi_return=kpi_return, recorded_by=by,
    )  # fmt: skip
    audit_record(actor=by, action="social_value.evidence", target=evidence,
                 summary={"ledger": ledger.pk, "line": line.pk, "quantity": str(quantity),
                          "kpi_return": getattr(kpi_return, "pk", None)})  # fmt: skip
    return evidence


# ---------------------------------------------------------------- measured change


@transaction.atomic
def study_create(
    *, ledger: Ledger, title: str, comparison: str, comparison_note: str = "", people: int,
    years: int = 1, by: User | None,
) -> WellbeingStudy:  # fmt: skip
    require_reporter(by, ledger)
    if not title.strip():
        raise SocialValueError(_("Name the study"), "title")
    if comparison not in ComparisonKind.values:
        raise SocialValueError(_("Choose the comparison group"), "comparison")
    if not 1 <= int(people) <= wellbeing.MAX_QUANTITY:
        raise SocialValueError(_("Give a number of people from 1 to 10,000,000"), "people")
    if not 1 <= int(years) <= wellbeing.MAX_YEARS:
        raise SocialValueError(_("Give a number of years from 1 to 50"), "years")
    study = WellbeingStudy.objects.create(
        ledger=ledger, title=title.strip()[:200], comparison=comparison,
        comparison_note=comparison_note.strip()[:300], people=int(people), years=int(years),
        created_by=by,
    )  # fmt: skip
    audit_record(actor=by, action="social_value.study_create", target=study,
                 summary={"ledger": ledger.pk, "comparison": comparison})  # fmt: skip
    return study


@transaction.atomic
def answer_record(
    *, study: WellbeingStudy, group: str, wave: str, respondent: str, score: int,
    consent: bool, by: User | None, via_link: bool = False,
) -> WellbeingAnswer:  # fmt: skip
    """One consented answer (0–10). Officers and providers enter them; a participant may
    answer through the study's link (`via_link`), with no account."""
    if not via_link:
        if by is None:
            raise PermissionDenied("Sign in to enter answers")
        require_reporter(by, study.ledger)
    if not consent:
        raise SocialValueError(_("An answer is kept only with the person's consent"), "consent")
    if group not in StudyGroup.values:
        raise SocialValueError(_("Choose the group"), "group")
    if wave not in StudyWave.values:
        raise SocialValueError(_("Say whether this is before or after"), "wave")
    respondent = respondent.strip()
    if not respondent or len(respondent) > 40:
        raise SocialValueError(_("Give a reference of up to 40 characters"), "respondent")
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 10:
        raise SocialValueError(_("Give a whole number from 0 to 10"), "score")
    if WellbeingAnswer.objects.filter(
        study=study, group=group, wave=wave, respondent=respondent
    ).exists():
        raise SocialValueError(_("That person has already answered at this point"), "respondent")
    answer = WellbeingAnswer.objects.create(
        study=study, group=group, wave=wave, respondent=respondent, score=score, consent=True,
        entered_by=by,
    )  # fmt: skip
    audit_record(actor=by, action="social_value.answer", target=answer,
                 summary={"study": study.pk, "group": group, "wave": wave})  # fmt: skip
    return answer
