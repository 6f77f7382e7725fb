"""Awards with standstill and notices, reversal, contracts with KPIs, and KPI returns."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opus.commissioning import access
from opus.commissioning.errors import CommissioningError
from opus.commissioning.models import (
    KPI,
    Award,
    AwardNotice,
    AwardStatus,
    BidLot,
    Contract,
    ContractStatus,
    KpiFrequency,
    KpiReturn,
    Lot,
    LotStatus,
    MemberStatus,
    OpportunityStatus,
)
from opus.commissioning.services.common import clock, end_of_day
from opus.core.audit import audit_record
from opus.core.models import Organisation, User
from opus.engines import procurement
from opus.engines.money import pounds
from opus.notifications.services import notify


def _suppliers(bid_lot: BidLot) -> list[Organisation]:
    bid = bid_lot.bid
    if bid.consortium_id is None:
        return [bid.bidder]
    return [m.organisation for m in bid.consortium.members.select_related("organisation")
            if m.status == MemberStatus.CONFIRMED]  # fmt: skip


def _score_line(row: BidLot) -> str:
    return (
        f"price {row.price_score}, quality {row.quality_score}, social value "
        f"{row.social_value_score}: total {row.total_score} (rank {row.rank})"
    )


def _notice_body(lot: Lot, row: BidLot, winner: BidLot, reasons: str, ends: datetime) -> str:
    won = row.pk == winner.pk
    return "\n".join([
        f"{lot.opportunity.title} — lot {lot.number}: {lot.title}",
        "Your bid has been successful." if won else "Your bid has not been successful.",
        f"Your scores: {_score_line(row)}.",
        f"The winning bid's scores: {_score_line(winner)}; price {pounds(winner.price_pence)}.",
        f"Reasons for the decision: {reasons}",
        f"The standstill period ends at {timezone.localtime(ends):%H:%M on %d %B %Y} (UK time); "
        "no contract is signed before then.",
    ])  # fmt: skip


def _send_award_letter(row: BidLot, body: str, award: Award) -> None:
    """The letter goes to the bid's author and the bidder's address, after the award commits."""
    lot = award.lot
    context = {"title": lot.opportunity.title, "lot": lot.number, "body": body}
    author = row.bid.submitted_by
    recipients: list[User | str] = [author] if author is not None else []
    if row.bid.bidder.email and row.bid.bidder.email.lower() != getattr(author, "email", ""):
        recipients.append(row.bid.bidder.email)
    for recipient in recipients:
        notify(recipient=recipient, template="award_decision", context=context,
               event="award.decide", target=award)  # fmt: skip


@transaction.atomic
def award_decide(
    *, lot: Lot, bid_lot: BidLot, reasons: str, by: User, now: datetime | None = None
) -> Award:
    """Award a lot, tell every bidder for it their scores and the winner's, start standstill."""
    access.require_staff(by)
    now = clock(now)
    lot = Lot.objects.select_for_update().select_related("opportunity").get(pk=lot.pk)
    opportunity = lot.opportunity
    bid_lot = BidLot.objects.select_related("bid__bidder", "bid__consortium").get(pk=bid_lot.pk)
    if opportunity.status != OpportunityStatus.OPENED or lot.status != LotStatus.ACTIVE:
        raise CommissioningError("This lot is not awaiting an award", "lot")
    if bid_lot.lot_id != lot.pk or bid_lot.rank is None:
        raise CommissioningError("Choose an evaluated bid for this lot", "bid")
    if not reasons.strip():
        raise CommissioningError("Give the reasons for the award", "reasons")
    if bid_lot.rank != 1 and "rank" not in reasons.lower():
        raise CommissioningError(
            "This bid is not ranked first: explain in the reasons why it wins despite its rank",
            "reasons",
        )
    last_day = procurement.standstill_last_day(timezone.localdate(now), opportunity.standstill_days)
    award = Award.objects.create(
        lot=lot, bid=bid_lot.bid, value_pence=bid_lot.price_pence, reasons=reasons.strip(),
        decided_at=now, decided_by=by, standstill_ends=end_of_day(last_day),
    )  # fmt: skip
    award.suppliers.set(_suppliers(bid_lot))
    rows = BidLot.objects.filter(lot=lot, rank__isnull=False)
    for row in rows.select_related("bid__bidder", "bid__submitted_by"):
        body = _notice_body(lot, row, bid_lot, award.reasons, award.standstill_ends)
        AwardNotice.objects.create(
            award=award, bid=row.bid, organisation=row.bid.bidder, successful=row.pk == bid_lot.pk,
            body=body, sent_at=now,
            scores={"own": _score_line(row), "winner": _score_line(bid_lot)},
        )  # fmt: skip
        _send_award_letter(row, body, award)
    lot.status = LotStatus.AWARDED
    lot.save(update_fields=["status", "updated_at"])
    if not opportunity.lots.filter(status=LotStatus.ACTIVE).exists():
        opportunity.status = OpportunityStatus.AWARDED
        opportunity.save(update_fields=["status", "updated_at"])
    audit_record(actor=by, action="award.decide", target=award,
                 summary={"lot": lot.pk, "bid": str(bid_lot.bid.uuid), "rank": bid_lot.rank,
                          "value_pence": award.value_pence, "reasons": award.reasons,
                          "standstill_ends": award.standstill_ends})  # fmt: skip
    return award


@transaction.atomic
def award_reverse(*, award: Award, reason: str, by: User, now: datetime | None = None) -> Award:
    access.require_staff(by)
    award = Award.objects.select_for_update().select_related("lot__opportunity").get(pk=award.pk)
    if award.status == AwardStatus.CANCELLED:
        raise CommissioningError("This award has already been reversed", "award")
    if not reason.strip():
        raise CommissioningError("Give the reason for reversing the award", "reason")
    award.status, award.reversed_at, award.reversed_by = AwardStatus.CANCELLED, clock(now), by
    award.reversal_reason = reason.strip()
    award.save(
        update_fields=["status", "reversed_at", "reversed_by", "reversal_reason", "updated_at"]
    )
    Contract.objects.filter(award=award).update(
        status=ContractStatus.CANCELLED, updated_at=timezone.now()
    )
    lot = award.lot
    lot.status = LotStatus.ACTIVE
    lot.save(update_fields=["status", "updated_at"])
    opportunity = lot.opportunity
    opportunity.status = OpportunityStatus.OPENED
    opportunity.save(update_fields=["status", "updated_at"])
    audit_record(actor=by, action="award.reverse", target=award,
                 summary={"lot": lot.pk, "reason": award.reversal_reason})  # fmt: skip
    return award


def _kpi_indicator(indicator: Any, buyer: Organisation) -> Any:
    """A KPI may feed a needs indicator the commissioning organisation may upload to."""
    from opus.needs.access import agency_may_upload
    from opus.needs.uploads import FIGURE_METHODS

    if indicator is None:
        return None
    if indicator.method not in FIGURE_METHODS:
        raise CommissioningError(
            _("A KPI can feed only a proportion or a crude-rate indicator"), "kpis"
        )
    if not agency_may_upload(indicator, buyer):
        raise CommissioningError(
            _("%(buyer)s may not upload data for %(indicator)s: it must own the indicator or "
              "hold its delegation") % {"buyer": buyer.name, "indicator": indicator.name},
            "kpis",
        )  # fmt: skip
    return indicator


def _kpi(item: dict[str, Any]) -> dict[str, Any]:
    if not str(item.get("name", "")).strip() or not str(item.get("measure", "")).strip():
        raise CommissioningError("Each KPI needs a name and how it is measured", "kpis")
    if item.get("frequency") not in KpiFrequency.values:
        raise CommissioningError("Each KPI needs a frequency", "kpis")
    try:
        target = Decimal(str(item.get("target")))
    except InvalidOperation as exc:
        raise CommissioningError("Each KPI needs a numeric target", "kpis") from exc
    return {
        "name": item["name"].strip(), "measure": item["measure"].strip(), "target": target,
        "unit": item.get("unit", "%"), "frequency": item["frequency"],
        "higher_is_better": bool(item.get("higher_is_better", True)),
        "grace_days": int(item.get("grace_days", 15)),
        "indicator": item.get("indicator"),
    }  # fmt: skip


@transaction.atomic
def contract_sign(
    *,
    award: Award,
    kpis: list[dict[str, Any]],
    by: User,
    start_date: date | None = None,
    end_date: date | None = None,
    now: datetime | None = None,
) -> Contract:
    """After standstill: the award becomes active and the contract starts, with its KPIs and
    the schedule of returns the provider owes."""
    access.require_staff(by)
    now = clock(now)
    award = Award.objects.select_for_update().select_related("lot__opportunity").get(pk=award.pk)
    if award.status != AwardStatus.PENDING:
        raise CommissioningError("Only an award in standstill can become a contract", "award")
    if now < award.standstill_ends:
        ends = timezone.localtime(award.standstill_ends)
        raise CommissioningError(f"Standstill runs until {ends:%H:%M on %d %B %Y}", "award")
    if not kpis:
        raise CommissioningError("Set at least one KPI", "kpis")
    cleaned = [_kpi(k) for k in kpis]
    opportunity = award.lot.opportunity
    for item in cleaned:
        item["indicator"] = _kpi_indicator(item["indicator"], opportunity.buyer)
    start, end = start_date or opportunity.contract_start, end_date or opportunity.contract_end
    if end <= start:
        raise CommissioningError("The contract must end after it starts", "end_date")
    award.status, award.confirmed_at = AwardStatus.ACTIVE, now
    award.save(update_fields=["status", "confirmed_at", "updated_at"])
    contract = Contract.objects.create(
        award=award, title=f"{opportunity.title} — lot {award.lot.number}: {award.lot.title}"[:200],
        supplier=award.bid.bidder, value_pence=award.value_pence, start_date=start, end_date=end,
        signed_at=now, signed_by=by,
    )  # fmt: skip
    for item in cleaned:
        kpi = KPI.objects.create(contract=contract, **item)
        periods = procurement.return_periods(start, end, kpi.frequency, kpi.grace_days)
        KpiReturn.objects.bulk_create(
            KpiReturn(kpi=kpi, period_start=p.start, period_end=p.end, due_date=p.due)
            for p in periods
        )
    audit_record(actor=by, action="contract.sign", target=contract,
                 summary={"award": award.pk, "value_pence": contract.value_pence,
                          "kpis": [k["name"] for k in cleaned]})  # fmt: skip
    return contract


def _count(value: Any, field: str) -> int:
    from opus.needs.uploads import MAX_COUNT

    try:
        number = Decimal(str(value))
    except InvalidOperation:
        number = Decimal("NaN")
    if (
        not number.is_finite()
        or number != number.to_integral_value()
        or not (0 <= number <= MAX_COUNT)
    ):
        raise CommissioningError(_("Give a whole number of people from 0 to 1,000,000,000"), field)
    return int(number)


def _return_counts(row: KpiReturn, numerator: Any, denominator: Any) -> tuple[int, int]:
    """A return for a KPI feeding an indicator gives its count and what it is out of."""
    if numerator in (None, ""):
        raise CommissioningError(_("Enter how many people the figure counts"), "numerator")
    if denominator in (None, ""):
        raise CommissioningError(_("Enter how many people it is out of"), "denominator")
    counted, out_of = _count(numerator, "numerator"), _count(denominator, "denominator")
    if out_of == 0:
        raise CommissioningError(_("The number it is out of must be more than 0"), "denominator")
    if row.kpi.indicator.method == "proportion" and counted > out_of:
        raise CommissioningError(
            _("The count cannot be more than the number it is out of"), "numerator"
        )
    return counted, out_of


def financial_year(day: date) -> str:
    """The UK financial year a day falls in, as needs assessments name periods: 2026/27."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def _feed_indicator(row: KpiReturn, by: User) -> dict[str, Any]:
    """The KPI's returns so far this financial year become the indicator's next version, as the
    commissioning organisation's upload for the contract's area (the lot's, else the
    opportunity's); said in the audit event either way."""
    from django.core.exceptions import PermissionDenied

    from opus.needs.services import dataset_store_figures

    kpi = row.kpi
    contract = Contract.objects.select_related(
        "award__lot__area", "award__lot__opportunity__buyer", "award__lot__opportunity__area"
    ).get(pk=kpi.contract_id)
    opportunity = contract.award.lot.opportunity
    area = contract.award.lot.area or opportunity.area
    if area is None:
        return {"stored": False, "why": "the contract has no area"}
    year = financial_year(row.period_end)
    start = date(int(year[:4]), 4, 1)
    returns = KpiReturn.objects.filter(
        kpi=kpi, numerator__isnull=False, denominator__isnull=False,
        period_end__gte=start, period_end__lt=start.replace(year=start.year + 1),
    ).order_by("period_start")  # fmt: skip
    counted = sum(r.numerator or 0 for r in returns)
    out_of = sum(r.denominator or 0 for r in returns)
    try:
        dataset = dataset_store_figures(
            indicator=kpi.indicator, agency=opportunity.buyer, period=year,
            rows=[(area, counted, out_of)], file_name=f"kpi-{kpi.pk}-{year.replace('/', '-')}.csv",
            by=by, source={"contract": contract.pk, "kpi": kpi.pk,
                           "returns": [r.pk for r in returns]},
        )  # fmt: skip
    except PermissionDenied:
        return {"stored": False, "why": f"{opportunity.buyer.name} may no longer upload it"}
    row.dataset = dataset
    row.save(update_fields=["dataset", "updated_at"])
    return {"stored": True, "dataset": dataset.pk, "version": dataset.version, "period": year}


@transaction.atomic
def kpi_return_submit(
    *,
    kpi_return: KpiReturn,
    value: Any,
    note: str,
    by: User,
    numerator: Any = None,
    denominator: Any = None,
    now: datetime | None = None,
) -> KpiReturn:
    """The provider's figure for a period. For a KPI feeding a needs indicator the return also
    gives its count and what it is out of, and becomes indicator data (_feed_indicator)."""
    access.require_return_maker(by, kpi_return)
    now = clock(now)
    row = (
        KpiReturn.objects.select_for_update(of=("self",))
        .select_related("kpi__indicator")
        .get(pk=kpi_return.pk)
    )
    if row.submitted_at is not None:
        raise CommissioningError("This return has already been made", "value")
    if timezone.localdate(now) <= row.period_end:
        raise CommissioningError("A return is made after its period ends", "value")
    try:
        row.value = Decimal(str(value))
    except InvalidOperation as exc:
        raise CommissioningError("Give the figure as a number", "value") from exc
    if not row.value.is_finite() or abs(row.value) >= Decimal(10) ** 10:
        raise CommissioningError("Give the figure as a number", "value")
    if row.kpi.indicator_id is not None:
        row.numerator, row.denominator = _return_counts(row, numerator, denominator)
    row.note, row.submitted_at, row.submitted_by = note.strip(), now, by
    row.save(update_fields=["value", "note", "numerator", "denominator", "submitted_at",
                            "submitted_by", "updated_at"])  # fmt: skip
    summary = {"kpi": row.kpi_id, "value": str(row.value), "status": row.status()}
    if row.kpi.indicator_id is not None:
        summary["indicator_data"] = _feed_indicator(row, by)
    audit_record(actor=by, action="kpi_return.submit", target=row, summary=summary)
    return row


def _contract_suppliers(contract: Contract) -> list[Organisation]:
    return [contract.supplier, *contract.award.suppliers.exclude(pk=contract.supplier_id)]


@transaction.atomic
def contract_link_service(
    *, contract: Contract, service: Any = None, create: bool = False, by: User
) -> Contract:
    """Link a signed contract to the winning provider's directory service: one it already lists,
    or (create) a draft Opus makes from the lot (name, description, the lot's area as where
    people must live) for the provider to complete and publish on the directory's own pages."""
    from django.core.exceptions import ValidationError

    from opus.directory import services as directory
    from opus.directory.models import Service, ServiceStatus

    access.require_staff(by)
    contract = (
        Contract.objects.select_for_update(of=("self",))
        .select_related("award__lot__opportunity__area", "award__lot__area", "supplier")
        .get(pk=contract.pk)
    )
    if contract.status != ContractStatus.ACTIVE:
        raise CommissioningError(_("Only an active contract is linked to a service"), "service")
    suppliers = _contract_suppliers(contract)
    if create:
        lot = contract.award.lot
        description = lot.description or lot.opportunity.description or lot.opportunity.title
        try:
            service = directory.service_create(
                organisation=contract.supplier, by=None, name=lot.title[:200],
                description=description, status=ServiceStatus.INACTIVE,
                residency_area=lot.area or lot.opportunity.area,
            )  # fmt: skip
        except ValidationError as exc:
            raise CommissioningError(" ".join(exc.messages), "service") from exc
    elif (
        service is None
        or not Service.objects.filter(pk=service.pk, organisation__in=suppliers).exists()
    ):
        raise CommissioningError(_("Choose one of the provider's services"), "service")
    contract.service = service
    contract.save(update_fields=["service", "updated_at"])
    audit_record(actor=by, action="contract.link_service", target=contract,
                 summary={"service": str(service.pk), "created": create,
                          "organisation": service.organisation.slug})  # fmt: skip
    return contract
