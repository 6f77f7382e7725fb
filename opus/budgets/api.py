"""Budgets API: statements and the ledger operations, each needing an Idempotency-Key header.

A retried request with the same key and body answers 200 with the original transaction and
`Idempotent-Replayed: true`; the same key with a different body is refused with 409.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError, ValidationError

from opus.budgets import invoices, services
from opus.budgets.access import (
    get_budget_for_user,
    get_commitment_for_provider,
    get_commitment_for_user,
    may_see_budget,
    provider_commitments,
)
from opus.budgets.access import get_transaction_for_user as transaction_for
from opus.budgets.ledger import IdempotencyConflict
from opus.budgets.models import (
    MAX_INVOICE_LINES,
    MAX_LINE_SESSIONS,
    Budget,
    Commitment,
    Invoice,
    Transaction,
)
from opus.budgets.statements import statement
from opus.choice.models import Booking
from opus.core.models import Organisation, Role
from opus.core.openapi import idempotent, problems
from opus.core.roles import has_role
from opus.engines.ledger import LedgerError

router = Router(tags=["budgets"])
KEY_HEADER = "Idempotency-Key"
# Every amount is bounded (settings.OPUS_MAX_AMOUNT_PENCE, £10 billion by default): a larger
# one is refused with problem+json naming the field, before anything is written.
MAX_PENCE = int(settings.OPUS_MAX_AMOUNT_PENCE)
MAX_ID = 2**63 - 1
AMOUNT = f"Whole pence, more than zero and at most {MAX_PENCE}"


class BudgetOut(Schema):
    id: UUID
    person: str
    title: str
    period_start: dt.date
    period_end: dt.date
    status: str
    allocated_pence: int
    committed_pence: int
    spent_pence: int
    available_pence: int
    returned_pence: int
    ras_version: int | None

    @staticmethod
    def resolve_person(obj: Budget) -> str:
        return obj.person.full_name

    @staticmethod
    def resolve_ras_version(obj: Budget) -> int | None:
        return obj.ras.number if obj.ras else None


class LineOut(Schema):
    transaction: int
    at: dt.date
    description: str
    detail: str
    reference: str
    amount: int
    left: int
    committed: int
    spent: int
    returned: int
    left_after: int


class TransactionOut(Schema):
    id: int
    operation: str
    amount_pence: int
    budget: UUID = Field(..., alias="budget_id")
    commitment: UUID | None = Field(None, alias="commitment_id")
    reverses: int | None = Field(None, alias="reverses_id")
    reference: str
    memo: str
    value_date: dt.date
    created_at: dt.datetime
    idempotency_key: str | None


class CommitmentOut(Schema):
    id: UUID
    budget: UUID = Field(..., alias="budget_id")
    booking: UUID = Field(..., alias="booking_id")
    weekly_pence: int
    weeks: int
    total_pence: int
    outstanding_pence: int
    unpaid_pence: int
    status: str


class AmountIn(Schema):
    amount_pence: int = Field(..., gt=0, le=MAX_PENCE, description=AMOUNT)
    memo: str = Field("", max_length=300)


class OptionalAmountIn(Schema):
    amount_pence: int | None = Field(
        None, gt=0, le=MAX_PENCE, description=f"{AMOUNT}; all when left out"
    )
    memo: str = Field("", max_length=300)


class InvoiceIn(Schema):
    amount_pence: int = Field(..., gt=0, le=MAX_PENCE, description=AMOUNT)
    reference: str = Field(
        ...,
        min_length=1,
        max_length=100,
        description="The invoice number: paid once per commitment, whatever its case",
    )


class AllocationIn(Schema):
    funder_id: int = Field(..., ge=1, le=MAX_ID)
    source: str = Field(..., max_length=12, description="social_care, health or education")
    amount_pence: int = Field(..., gt=0, le=MAX_PENCE, description=AMOUNT)
    memo: str = Field("Top-up", max_length=300)


class BookingIn(Schema):
    booking_id: UUID


class CorrectionIn(Schema):
    reason: str = Field(..., min_length=1, max_length=300)


class InvoiceLineIn(Schema):
    commitment_id: UUID = Field(..., description="A commitment (accepted booking) to you")
    sessions: int = Field(..., ge=1, le=MAX_LINE_SESSIONS, description="Sessions or hours billed")
    amount_pence: int = Field(
        ..., gt=0, le=MAX_PENCE, description=f"{AMOUNT}; at most what was delivered, unbilled"
    )


class InvoiceSubmitIn(Schema):
    number: str = Field(
        ..., min_length=1, max_length=100, description="Your invoice number: once, any case"
    )
    invoice_date: dt.date
    lines: list[InvoiceLineIn] = Field(..., min_length=1, max_length=MAX_INVOICE_LINES)


class InvoiceLineOut(Schema):
    commitment: UUID = Field(..., alias="commitment_id")
    sessions: int
    amount_pence: int
    payment: int | None = Field(None, alias="payment_id")


class InvoiceOut(Schema):
    id: int
    provider: str
    number: str
    invoice_date: dt.date
    period_start: dt.date
    period_end: dt.date
    status: str
    total_pence: int
    reason: str
    paid_on: dt.date | None
    lines: list[InvoiceLineOut]

    @staticmethod
    def resolve_provider(obj: Invoice) -> str:
        return obj.provider.name

    @staticmethod
    def resolve_lines(obj: Invoice) -> list[Any]:
        return list(obj.lines.all())


def _key(request: HttpRequest) -> str:
    key = request.headers.get(KEY_HEADER, "").strip()
    if not key or len(key) > 100:
        raise ValidationError(
            [
                {
                    "loc": ["header", KEY_HEADER],
                    "msg": "Send an Idempotency-Key of 1 to 100 characters",
                }
            ]
        )
    return key


def _run(request: HttpRequest, response: HttpResponse, operation: Any, **kwargs: Any) -> Any:
    """Call a ledger service; translate its refusals to problem+json naming the field."""
    key = _key(request)
    replay = Transaction.objects.filter(created_by=request.user, idempotency_key=key).exists()
    try:
        result = operation(by=request.user, key=key, **kwargs)
    except IdempotencyConflict as error:
        raise HttpError(409, str(error)) from None
    except LedgerError as error:
        raise ValidationError([{"loc": ["body", error.field], "msg": str(error)}]) from None
    if replay:
        response["Idempotent-Replayed"] = "true"
    return Status(200 if replay else 201, result)


def _budget(request: HttpRequest, budget_id: UUID) -> Budget:
    return get_budget_for_user(request.user, budget_id, "api")  # type: ignore[arg-type]


def _commitment(request: HttpRequest, commitment_id: UUID) -> Commitment:
    return get_commitment_for_user(request.user, commitment_id)  # type: ignore[arg-type]


@router.get("/", response=list[BudgetOut], summary="Budgets you may see")
def budget_list(request: HttpRequest) -> Any:
    budgets = Budget.objects.select_related("person", "ras").order_by("-created_at")
    if not has_role(request.user, Role.COMMISSIONER, Role.AUDITOR, Role.ADMIN):
        budgets = budgets.filter(person=request.user)
    return [b for b in budgets[:500] if may_see_budget(request.user, b)]


@router.get("/invoices", response=list[InvoiceOut], summary="Your organisation's invoices")
def invoice_list(request: HttpRequest) -> Any:
    mine = Invoice.objects.filter(
        provider__memberships__user=request.user, provider__memberships__role=Role.PROVIDER
    ).distinct()
    return mine.select_related("provider").prefetch_related("lines").order_by("-id")[:500]


@router.post(
    "/invoices",
    response={201: InvoiceOut, **problems(403)},
    summary="Send an invoice for delivered sessions (provider staff)",
)
def submit_invoice(request: HttpRequest, payload: InvoiceSubmitIn) -> Any:
    if not has_role(request.user, Role.PROVIDER):
        raise PermissionDenied("Only a provider's staff send invoices")
    ids = [line.commitment_id for line in payload.lines]
    found = {
        c.pk: c
        for c in provider_commitments(request.user)  # type: ignore[arg-type]
        .select_related("booking__service", "provider")
        .filter(pk__in=ids)
    }
    for n, line in enumerate(payload.lines):
        if line.commitment_id not in found:
            raise ValidationError(
                [{"loc": ["body", "lines", n, "commitment_id"], "msg": "No such booking of yours"}]
            )
    providers = {c.provider_id for c in found.values()}
    if len(providers) != 1:
        raise ValidationError(
            [{"loc": ["body", "lines"], "msg": "An invoice bills one provider's bookings"}]
        )
    lines = [
        invoices.LineIn(found[line.commitment_id], line.sessions, line.amount_pence)
        for line in payload.lines
    ]
    try:
        invoice = invoices.invoice_submit(
            provider=lines[0].commitment.provider,
            number=payload.number,
            invoice_date=payload.invoice_date,
            lines=lines,
            by=request.user,  # type: ignore[arg-type]
        )
    except LedgerError as error:
        field = {"amount": "lines", "sessions": "lines"}.get(error.field, error.field)
        raise ValidationError([{"loc": ["body", field], "msg": str(error)}]) from None
    return Status(201, invoice)


@router.get("/{budget_id}", response=BudgetOut)
def budget_detail(request: HttpRequest, budget_id: UUID) -> Any:
    return _budget(request, budget_id)


@router.get("/{budget_id}/statement", response=list[LineOut])
def budget_statement(request: HttpRequest, budget_id: UUID) -> Any:
    return statement(_budget(request, budget_id))


@router.post(
    "/{budget_id}/allocations",
    response={200: TransactionOut, 201: TransactionOut, **problems(409)},
    openapi_extra=idempotent(),
)
def allocate(
    request: HttpRequest, response: HttpResponse, budget_id: UUID, payload: AllocationIn
) -> Any:
    funder = Organisation.objects.filter(pk=payload.funder_id).first()
    if funder is None:
        raise ValidationError([{"loc": ["body", "funder_id"], "msg": "No such organisation"}])
    return _run(
        request,
        response,
        services.allocate,
        budget=_budget(request, budget_id),
        funder=funder,
        source=payload.source,
        amount=payload.amount_pence,
        memo=payload.memo,
    )


@router.post(
    "/{budget_id}/commitments",
    response={200: CommitmentOut, 201: CommitmentOut, **problems(409)},
    openapi_extra=idempotent(),
)
def commit(
    request: HttpRequest, response: HttpResponse, budget_id: UUID, payload: BookingIn
) -> Any:
    budget = _budget(request, budget_id)
    booking = Booking.objects.filter(pk=payload.booking_id, person=budget.person).first()
    if booking is None:
        raise ValidationError(
            [{"loc": ["body", "booking_id"], "msg": "No such booking for this person"}]
        )
    return _run(request, response, services.commit_booking, booking=booking)


@router.post(
    "/{budget_id}/direct-payments",
    response={200: TransactionOut, 201: TransactionOut, **problems(409)},
    openapi_extra=idempotent(),
)
def direct_payment(
    request: HttpRequest, response: HttpResponse, budget_id: UUID, payload: AmountIn
) -> Any:
    return _run(
        request,
        response,
        services.direct_payment,
        budget=_budget(request, budget_id),
        amount=payload.amount_pence,
        memo=payload.memo,
    )


@router.post(
    "/{budget_id}/direct-payment-returns",
    response={200: TransactionOut, 201: TransactionOut, **problems(409)},
    openapi_extra=idempotent(),
)
def direct_payment_return(
    request: HttpRequest, response: HttpResponse, budget_id: UUID, payload: AmountIn
) -> Any:
    return _run(
        request,
        response,
        services.direct_payment_return,
        budget=_budget(request, budget_id),
        amount=payload.amount_pence,
        memo=payload.memo,
    )


@router.post(
    "/{budget_id}/claw-back",
    response={200: TransactionOut, 201: TransactionOut, **problems(409)},
    openapi_extra=idempotent(),
)
def claw_back(
    request: HttpRequest, response: HttpResponse, budget_id: UUID, payload: OptionalAmountIn
) -> Any:
    return _run(
        request,
        response,
        services.claw_back,
        budget=_budget(request, budget_id),
        amount=payload.amount_pence,
    )


@router.post(
    "/commitments/{commitment_id}/release",
    response={200: TransactionOut, 201: TransactionOut, **problems(409)},
    openapi_extra=idempotent(),
)
def release(
    request: HttpRequest, response: HttpResponse, commitment_id: UUID, payload: OptionalAmountIn
) -> Any:
    return _run(
        request,
        response,
        services.release,
        commitment=_commitment(request, commitment_id),
        amount=payload.amount_pence,
        memo=payload.memo,
    )


@router.post(
    "/commitments/{commitment_id}/deliveries",
    response={200: TransactionOut, 201: TransactionOut, **problems(409)},
    openapi_extra=idempotent(),
)
def deliver(
    request: HttpRequest, response: HttpResponse, commitment_id: UUID, payload: AmountIn
) -> Any:
    try:
        commitment = get_commitment_for_provider(request.user, commitment_id)  # type: ignore[arg-type]
    except Http404:
        commitment = _commitment(request, commitment_id)
    return _run(
        request,
        response,
        services.deliver,
        commitment=commitment,
        amount=payload.amount_pence,
        memo=payload.memo,
    )


@router.post(
    "/commitments/{commitment_id}/invoices",
    response={200: TransactionOut, 201: TransactionOut, **problems(409)},
    openapi_extra=idempotent(),
)
def pay_invoice(
    request: HttpRequest, response: HttpResponse, commitment_id: UUID, payload: InvoiceIn
) -> Any:
    return _run(
        request,
        response,
        services.pay_invoice,
        commitment=_commitment(request, commitment_id),
        amount=payload.amount_pence,
        reference=payload.reference,
    )


@router.get("/transactions/{transaction_id}", response=TransactionOut)
def transaction_detail(request: HttpRequest, transaction_id: int) -> Any:
    return transaction_for(request.user, transaction_id)  # type: ignore[arg-type]


@router.post(
    "/transactions/{transaction_id}/corrections",
    response={200: TransactionOut, 201: TransactionOut, **problems(409)},
    openapi_extra=idempotent(),
)
def correct(
    request: HttpRequest, response: HttpResponse, transaction_id: int, payload: CorrectionIn
) -> Any:
    original = transaction_for(request.user, transaction_id)  # type: ignore[arg-type]
    return _run(request, response, services.correct, original=original, reason=payload.reason)
