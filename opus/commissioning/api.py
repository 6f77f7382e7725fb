"""Commissioning API: public opportunities, plans and contracts; providers' bids (submit,
replace, withdraw, receipts), questions and KPI returns. Errors are problem+json naming the
field. Nothing here can return bid content: only receipts (the envelope)."""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError, ValidationError

from opus.commissioning import access, services
from opus.commissioning.errors import CommissioningError
from opus.commissioning.models import Award, AwardStatus, Bid, Consortium, Contract, KpiReturn
from opus.commissioning.search import search_opportunities
from opus.needs.api import caller

router = Router(tags=["commissioning"])


def _problem(exc: CommissioningError) -> ValidationError:
    return ValidationError([{"loc": ["body", *exc.field.split(".")], "msg": exc.message}])


class LotOut(Schema):
    number: int
    title: str
    description: str
    value_pence: int
    area: str | None = Field(None, alias="area.code")
    status: str


class QuestionOut(Schema):
    number: int
    text: str
    weight: int
    max_score: int
    word_limit: int


class ClarificationOut(Schema):
    question: str
    answer: str
    answered_at: datetime | None


class AwardOut(Schema):
    lot: int = Field(..., alias="lot.number")
    suppliers: list[str]
    value_pence: int
    status: str
    decided_at: datetime
    standstill_ends: datetime
    reasons: str

    @staticmethod
    def resolve_suppliers(obj: Award) -> list[str]:
        return [o.org_id or o.slug for o in obj.suppliers.all()]


class OpportunityOut(Schema):
    id: int
    ocid: str
    title: str
    buyer: str = Field(..., alias="buyer.name")
    value_pence: int
    procedure: str
    reservation: str
    status: str
    published_at: datetime | None
    clarification_deadline: datetime
    submission_deadline: datetime
    contract_start: date
    contract_end: date


class OpportunityDetailOut(OpportunityOut):
    description: str
    supplier_declaration: str
    standstill_days: int
    price_weight: int
    quality_weight: int
    social_value_weight: int
    price_formula: str
    abnormally_low_percent: int
    tie_break: str
    lots: list[LotOut]
    questions: list[QuestionOut]
    clarifications: list[ClarificationOut]
    awards: list[AwardOut]

    @staticmethod
    def resolve_lots(obj: Any) -> list[Any]:
        return list(obj.lots.select_related("area"))

    @staticmethod
    def resolve_questions(obj: Any) -> list[Any]:
        return list(obj.questions.all())

    @staticmethod
    def resolve_clarifications(obj: Any) -> list[Any]:
        return list(obj.clarifications.filter(answered_at__isnull=False))

    @staticmethod
    def resolve_awards(obj: Any) -> list[Any]:
        awards = Award.objects.filter(lot__opportunity=obj).exclude(status=AwardStatus.CANCELLED)
        return list(awards.select_related("lot").prefetch_related("suppliers"))


class Filters(Schema):
    q: str | None = None
    need: str | None = None
    area: str | None = None
    procedure: str | None = None
    min_value: int | None = Field(None, ge=0, description="Whole pounds")
    max_value: int | None = Field(None, ge=0, description="Whole pounds")
    closing_before: date | None = None
    include_closed: bool = False


@router.get("/opportunities", response=list[OpportunityOut], auth=None)
def list_opportunities(request: HttpRequest, filters: Query[Filters]) -> Any:
    """Published opportunities (open ones unless include_closed), soonest deadline first."""
    data = {k: str(v) for k, v in filters.dict().items() if v not in (None, "", False)}
    return search_opportunities(data, open_only=not filters.include_closed)[:500]


@router.get("/opportunities/{opportunity_id}", response=OpportunityDetailOut, auth=None)
def get_opportunity(request: HttpRequest, opportunity_id: int) -> Any:
    return access.get_opportunity_for_user(caller(request), opportunity_id)


class LotPrice(Schema):
    lot: int
    price_pence: int


class Commitment(Schema):
    measure: str
    quantity: Decimal


class Document(Schema):
    name: str
    content_type: str = ""
    data_base64: str


class BidIn(Schema):
    bidder: str | None = Field(None, description="Your organisation's slug, if you have several")
    consortium: int | None = Field(None, description="Bid for the consortium you lead")
    lots: list[LotPrice]
    answers: dict[str, str] = Field(..., description="Answer text by question number")
    social_value: list[Commitment] = []
    documents: list[Document] = []
    declaration: bool = False


class ReceiptOut(Schema):
    receipt: str = Field(..., alias="receipt_number")
    bid: str
    opportunity: int = Field(..., alias="opportunity_id")
    ocid: str = Field(..., alias="opportunity.ocid")
    bidder: str = Field(..., alias="bidder.slug")
    consortium: int | None = Field(None, alias="consortium_id")
    status: str
    submitted_at: datetime
    sha256: str = Field(..., alias="receipt_sha256")
    size_bytes: int
    opened_at: datetime | None
    opening_result: str
    sealed_until: datetime = Field(..., alias="opportunity.submission_deadline")

    @staticmethod
    def resolve_bid(obj: Bid) -> str:
        return str(obj.uuid)


def _bidder(request: HttpRequest, slug: str | None) -> Any:
    organisations = access.provider_organisations(request.user)
    if slug:
        organisations = organisations.filter(slug=slug)
    bidder = organisations.first()
    if bidder is None:
        raise ValidationError([{"loc": ["body", "bidder"], "msg": "You bid for no such provider"}])
    return bidder


def _documents(items: list[Document]) -> list[dict[str, Any]]:
    try:
        return [
            {"name": d.name, "content_type": d.content_type,
             "data": base64.b64decode(d.data_base64, validate=True)}
            for d in items
        ]  # fmt: skip
    except binascii.Error as exc:
        raise ValidationError(
            [{"loc": ["body", "documents"], "msg": "data_base64 is not base64"}]
        ) from exc


@router.post("/opportunities/{opportunity_id}/bids", response={201: ReceiptOut})
def submit_bid(request: HttpRequest, opportunity_id: int, payload: BidIn) -> Any:
    """Seal and send a bid (replacing your earlier one). The response is your receipt."""
    opportunity = access.get_opportunity_for_user(request.user, opportunity_id)
    bidder = _bidder(request, payload.bidder)
    consortium = None
    if payload.consortium is not None:
        consortium = Consortium.objects.filter(pk=payload.consortium, lead=bidder).first()
        if consortium is None:
            raise ValidationError(
                [{"loc": ["body", "consortium"], "msg": "You lead no such consortium"}]
            )
    try:
        bid = services.bid_submit(
            opportunity=opportunity, bidder=bidder, consortium=consortium, by=request.user,
            lots=[p.dict() for p in payload.lots], answers=payload.answers,
            social_value=[{"measure": c.measure, "quantity": str(c.quantity)}
                          for c in payload.social_value],
            documents=_documents(payload.documents), declaration=payload.declaration,
        )  # fmt: skip
    except CommissioningError as exc:
        raise _problem(exc) from exc
    return Status(201, Bid.objects.select_related("opportunity", "bidder").get(pk=bid.pk))


@router.get("/bids", response=list[ReceiptOut])
def my_bids(request: HttpRequest) -> Any:
    """Receipts of the bids your organisations made."""
    return access.bids_for_provider(request.user).order_by("-submitted_at")[:500]


@router.get("/bids/{bid_uuid}", response=ReceiptOut)
def get_bid(request: HttpRequest, bid_uuid: str) -> Any:
    return access.get_bid_for_bidder(request.user, bid_uuid)


@router.post("/bids/{bid_uuid}/withdraw", response=ReceiptOut)
def withdraw_bid(request: HttpRequest, bid_uuid: str) -> Any:
    bid = access.get_bid_for_bidder(request.user, bid_uuid)
    if not access.provider_organisations(request.user).filter(pk=bid.bidder_id).exists():
        raise HttpError(404, "Not found")
    try:
        services.bid_withdraw(bid=bid, by=request.user)
    except CommissioningError as exc:
        raise _problem(exc) from exc
    return access.get_bid_for_bidder(request.user, bid_uuid)


class QuestionIn(Schema):
    question: str


@router.post("/opportunities/{opportunity_id}/clarifications", response={201: dict[str, str]})
def ask_question(request: HttpRequest, opportunity_id: int, payload: QuestionIn) -> Any:
    """Ask a question; the answer is published to everyone without your name."""
    opportunity = access.get_opportunity_for_user(request.user, opportunity_id)
    organisations = access.provider_organisations(request.user)
    if not organisations.exists():
        raise HttpError(404, "Not found")
    try:
        services.clarification_ask(opportunity=opportunity, question=payload.question,
                                   organisation=organisations.first(), by=request.user)  # fmt: skip
    except CommissioningError as exc:
        raise _problem(exc) from exc
    return Status(201, {"status": "asked"})


class ReturnOut(Schema):
    id: int
    kpi: str = Field(..., alias="kpi.name")
    period_start: date
    period_end: date
    due_date: date
    value: Decimal | None
    submitted_at: datetime | None
    status: str

    @staticmethod
    def resolve_status(obj: KpiReturn) -> str:
        return obj.status()


class KpiOut(Schema):
    name: str
    measure: str
    unit: str
    target: Decimal
    higher_is_better: bool
    frequency: str
    returns: list[ReturnOut]

    @staticmethod
    def resolve_returns(obj: Any) -> list[Any]:
        return list(obj.returns.select_related("kpi").order_by("period_start"))


class ContractOut(Schema):
    id: int
    title: str
    supplier: str = Field(..., alias="supplier.name")
    value_pence: int
    start_date: date
    end_date: date
    status: str
    ocid: str = Field(..., alias="award.lot.opportunity.ocid")
    kpis: list[KpiOut]

    @staticmethod
    def resolve_kpis(obj: Contract) -> list[Any]:
        return list(obj.kpis.all())


@router.get("/contracts", response=list[ContractOut], auth=None)
def list_contracts(request: HttpRequest) -> Any:
    """Contracts and their published performance (KPI returns, late and missed flagged)."""
    return Contract.objects.select_related("supplier", "award__lot__opportunity").prefetch_related(
        "kpis__returns"
    )[:500]


class ReturnIn(Schema):
    value: Decimal
    note: str = ""


@router.post("/kpi-returns/{return_id}", response=ReturnOut)
def submit_return(request: HttpRequest, return_id: int, payload: ReturnIn) -> Any:
    row = access.get_return_for_provider(request.user, return_id)
    try:
        services.kpi_return_submit(kpi_return=row, value=payload.value, note=payload.note,
                                   by=request.user)  # fmt: skip
    except CommissioningError as exc:
        raise _problem(exc) from exc
    return get_object_or_404(KpiReturn.objects.select_related("kpi"), pk=return_id)
