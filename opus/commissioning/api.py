"""Commissioning API: public opportunities, plans and contracts; providers' bids (submit,
replace, withdraw, receipts), questions and KPI returns. Errors are problem+json naming the
field. Nothing here can return bid content: only receipts (the envelope)."""

from __future__ import annotations

import base64
import binascii
import io
import uuid
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.errors import HttpError, ValidationError

from opus.commissioning import access, services
from opus.commissioning.errors import CommissioningError
from opus.commissioning.models import Award, AwardStatus, Bid, Consortium, Contract, KpiReturn
from opus.commissioning.search import search_opportunities
from opus.commissioning.services.bids import MAX_DOCUMENTS_BYTES, MAX_UNITS
from opus.commissioning.services.common import DEFAULT_MAX_CONTRACT_PENCE
from opus.core.openapi import problems
from opus.needs.api import caller

router = Router(tags=["commissioning"])

# The schemas' bounds are read from the settings when the API is loaded; the services check
# the setting again at call time, so one place (OPUS_MAX_CONTRACT_PENCE) defines the limit.
MAX_PENCE = int(getattr(settings, "OPUS_MAX_CONTRACT_PENCE", DEFAULT_MAX_CONTRACT_PENCE))
MAX_POUNDS = MAX_PENCE // 100


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
    min_value: int | None = Field(None, ge=0, le=MAX_POUNDS, description="Whole pounds")
    max_value: int | None = Field(None, ge=0, le=MAX_POUNDS, description="Whole pounds")
    closing_before: date | None = None
    include_closed: bool = False


@router.get("/opportunities", response=list[OpportunityOut], auth=None)
def list_opportunities(request: HttpRequest, filters: Query[Filters]) -> Any:
    """Published opportunities (open ones unless include_closed), soonest deadline first."""
    data = {k: str(v) for k, v in filters.dict().items() if v not in (None, "", False)}
    return search_opportunities(data, open_only=not filters.include_closed)[:500]


@router.get(
    "/opportunities/{opportunity_id}",
    response={200: OpportunityDetailOut, **problems(401)},
    auth=None,
)
def get_opportunity(request: HttpRequest, opportunity_id: int) -> Any:
    return access.get_opportunity_for_user(caller(request), opportunity_id)


class LotPrice(Schema):
    lot: int = Field(..., ge=1, le=10_000)
    price_pence: int = Field(
        ..., ge=1, le=MAX_PENCE, description=f"Whole pence, from 1 to {MAX_PENCE} (the limit)"
    )


class Commitment(Schema):
    measure: str = Field(..., max_length=20)
    quantity: Decimal = Field(..., ge=0, le=MAX_UNITS, decimal_places=2, allow_inf_nan=False)


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
    if not organisations.exists():
        raise PermissionDenied("Only a provider's staff bid")
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


# A bid's documents may add up to 10 MB; sent as base64 in JSON that is about 13.4 MB, over
# Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB by default), which still guards every other
# route. This one route reads a body of up to BID_BODY_MAX_BYTES itself.
BID_BODY_MAX_BYTES = MAX_DOCUMENTS_BYTES * 4 // 3 + 2 * 1024 * 1024


def _too_big(request: HttpRequest) -> HttpResponse:
    from opus.api import problem

    message = _("A bid's documents may add up to 10 MB at most")
    return problem(request, 413, _("The bid is too large"), message,
                   errors=[{"field": "documents", "message": message}])  # fmt: skip


def _bid_body(run: Callable[..., Any]) -> Callable[..., Any]:
    """Read the request body of a bid (up to BID_BODY_MAX_BYTES) before ninja parses it."""

    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not hasattr(request, "_body") and not getattr(request, "_read_started", False):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > BID_BODY_MAX_BYTES:
                return _too_big(request)
            body = request.read(BID_BODY_MAX_BYTES + 1)
            if len(body) > BID_BODY_MAX_BYTES:
                return _too_big(request)
            request._body = body  # what HttpRequest.body would have read, had it the limit
            request._stream = io.BytesIO(body)
        return run(request, *args, **kwargs)

    return wrapper


@router.post(
    "/opportunities/{opportunity_id}/bids",
    response={201: ReceiptOut},
    openapi_extra={"responses": {413: {"description": "The documents add up to over 10 MB"}}},
)
@decorate_view(_bid_body)
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
def get_bid(request: HttpRequest, bid_uuid: uuid.UUID) -> Any:
    """Your receipt for one bid (a bid id that is not a UUID is answered 422)."""
    return access.get_bid_for_bidder(request.user, bid_uuid)


@router.post("/bids/{bid_uuid}/withdraw", response=ReceiptOut)
def withdraw_bid(request: HttpRequest, bid_uuid: uuid.UUID) -> Any:
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
    value: Decimal = Field(..., gt=-(10**10), lt=10**10, decimal_places=2, allow_inf_nan=False)
    note: str = ""
    numerator: int | None = Field(
        None, ge=0, le=10**9, description="For a KPI feeding a needs indicator: the count"
    )
    denominator: int | None = Field(
        None, ge=0, le=10**9, description="For a KPI feeding a needs indicator: out of how many"
    )


@router.post("/kpi-returns/{return_id}", response=ReturnOut)
def submit_return(request: HttpRequest, return_id: int, payload: ReturnIn) -> Any:
    row = access.get_return_for_provider(request.user, return_id)
    try:
        services.kpi_return_submit(kpi_return=row, value=payload.value, note=payload.note,
                                   numerator=payload.numerator, denominator=payload.denominator,
                                   by=request.user)  # fmt: skip
    except CommissioningError as exc:
        raise _problem(exc) from exc
    return get_object_or_404(KpiReturn.objects.select_related("kpi"), pk=return_id)
