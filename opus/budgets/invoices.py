"""Invoices from providers: submitted for delivered sessions, decided, then paid in bulk.

A provider bills what was delivered on a commitment and not yet billed: the commitment's
delivered-unpaid money (the ledger's payable balance) less what its invoices still waiting
for a decision or payment already bill. Payment goes through the ledger only: one
`services.pay_invoice` per line, every line of every chosen invoice in one transaction, so a
bulk payment happens whole or not at all; the form's one-time key makes a second click pay
nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from opus.budgets import services
from opus.budgets.models import (
    MAX_INVOICE_LINES,
    MAX_LINE_SESSIONS,
    BudgetSource,
    Commitment,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Transaction,
)
from opus.core.audit import audit_record
from opus.core.models import Membership, Organisation, Role, User
from opus.core.roles import has_role
from opus.engines.ledger import LedgerError, Operation
from opus.engines.money import pounds
from opus.notifications.services import notify, site_link

PENDING = (InvoiceStatus.SUBMITTED, InvoiceStatus.APPROVED)
EARLIEST_DATE = dt.date(2000, 1, 1)


@dataclass(frozen=True)
class LineIn:
    """One line as a provider sends it: a commitment to them, sessions and the amount."""

    commitment: Commitment
    sessions: int
    amount: int


# --- Reads the services and pages share -----------------------------------------------------


def is_provider_staff(user: Any, organisation: Organisation) -> bool:
    return Membership.objects.filter(
        user=user, organisation=organisation, role=Role.PROVIDER
    ).exists()


def pending_by_commitment(commitment_ids: Sequence[Any]) -> dict[Any, int]:
    """What invoices waiting for a decision or payment bill, per commitment."""
    rows = (
        InvoiceLine.objects.filter(commitment_id__in=commitment_ids, invoice__status__in=PENDING)
        .values("commitment_id")
        .annotate(total=Sum("amount_pence"))
    )
    return {row["commitment_id"]: int(row["total"]) for row in rows}


def billable(commitment: Commitment, pending: dict[Any, int] | None = None) -> int:
    """Delivered on the commitment, not yet paid, and on no invoice still to be paid."""
    waiting = pending if pending is not None else pending_by_commitment([commitment.pk])
    return max(0, commitment.unpaid_pence - waiting.get(commitment.pk, 0))


def unbilled_deliveries(commitment: Commitment, amount: int) -> list[Transaction]:
    """The most recent deliveries (not corrected) that make up `amount`, oldest first."""
    deliveries = Transaction.objects.filter(
        commitment=commitment, operation=Operation.DELIVER.value, reversed_by__isnull=True
    ).order_by("-value_date", "-id")
    found, total = [], 0
    for delivery in deliveries.only("id", "value_date", "amount_pence")[:1000]:
        if total >= amount:
            break
        found.append(delivery)
        total += delivery.amount_pence
    return found[::-1]


# --- Submitting ----------------------------------------------------------------------------


def _check_number(number: str) -> str:
    number = (number or "").strip()
    if not number:
        raise LedgerError(gettext("Enter the invoice number"), "number")
    if len(number) > 100 or not number.isprintable():
        raise LedgerError(
            gettext("Enter an invoice number of at most 100 letters, digits or signs"), "number"
        )
    return number


def _check_date(invoice_date: dt.date) -> None:
    if invoice_date > timezone.localdate():
        raise LedgerError(gettext("The invoice date must be today or in the past"), "invoice_date")
    if invoice_date < EARLIEST_DATE:
        raise LedgerError(gettext("Enter the invoice's real date"), "invoice_date")


def _check_line(line: LineIn, provider: Organisation) -> None:
    if line.commitment.provider_id != provider.pk:
        raise PermissionDenied("That booking is not with this provider")
    if isinstance(line.sessions, bool) or not 1 <= int(line.sessions) <= MAX_LINE_SESSIONS:
        raise LedgerError(
            gettext("Enter between 1 and %(most)s sessions") % {"most": f"{MAX_LINE_SESSIONS:,}"},
            "sessions",
        )
    limit = int(settings.OPUS_MAX_AMOUNT_PENCE)
    if isinstance(line.amount, bool) or not 1 <= int(line.amount) <= limit:
        raise LedgerError(
            gettext("Enter an amount of more than £0 and at most %(limit)s")
            % {"limit": pounds(limit)},
            "amount",
        )


def _number_taken(provider: Organisation, number: str) -> None:
    taken = (
        Invoice.objects.filter(provider=provider)
        .annotate(lowered=Lower("number"))
        .filter(lowered=number.lower())
        .first()
    )
    if taken is not None:
        raise LedgerError(
            gettext(
                "You have already sent invoice %(number)s (on %(date)s): give this invoice "
                "its own number"
            )
            % {"number": taken.number, "date": date_format(taken.invoice_date, "j F Y")},
            "number",
        )


def invoice_submit(
    *,
    provider: Organisation,
    number: str,
    invoice_date: dt.date,
    lines: Sequence[LineIn],
    by: User,
) -> Invoice:
    """A provider's staff bill delivered sessions; commissioners are told."""
    if not is_provider_staff(by, provider):
        raise PermissionDenied("Only the provider's staff can send its invoices")
    number = _check_number(number)
    _check_date(invoice_date)
    if not lines:
        raise LedgerError(gettext("Choose at least one booking to bill"), "lines")
    if len(lines) > MAX_INVOICE_LINES:
        raise LedgerError(
            gettext("An invoice can have at most %(most)s lines") % {"most": MAX_INVOICE_LINES},
            "lines",
        )
    if len({line.commitment.pk for line in lines}) != len(lines):
        raise LedgerError(gettext("Bill each booking once on an invoice"), "lines")
    for line in lines:
        _check_line(line, provider)
    total = sum(int(line.amount) for line in lines)
    if total > int(settings.OPUS_MAX_AMOUNT_PENCE):
        raise LedgerError(
            gettext("An invoice can be for at most %(limit)s")
            % {"limit": pounds(int(settings.OPUS_MAX_AMOUNT_PENCE))},
            "amount",
        )
    try:
        with transaction.atomic():
            return _submit_locked(provider, number, invoice_date, lines, total, by)
    except IntegrityError:
        _number_taken(provider, number)  # sent twice at once: the index refused the second
        raise


def _submit_locked(
    provider: Organisation,
    number: str,
    invoice_date: dt.date,
    lines: Sequence[LineIn],
    total: int,
    by: User,
) -> Invoice:
    ids = sorted(line.commitment.pk for line in lines)
    # Lock the commitments (in one order everywhere) so two invoices cannot bill the same
    # delivery between our check and our insert.
    locked = {c.pk: c for c in Commitment.objects.select_for_update().filter(pk__in=ids)}
    _number_taken(provider, number)
    pending = pending_by_commitment(ids)
    billed: list[tuple[LineIn, list[Transaction]]] = []
    for line in lines:
        commitment = locked[line.commitment.pk]
        left = billable(commitment, pending)
        if line.amount > left:
            raise LedgerError(
                gettext(
                    "The line for %(service)s bills %(amount)s, more than the %(left)s "
                    "delivered and not yet billed"
                )
                % {
                    "service": line.commitment.booking.service.name,
                    "amount": pounds(line.amount),
                    "left": pounds(left),
                },
                "amount",
            )
        billed.append((line, unbilled_deliveries(commitment, left)))
    dates = [d.value_date for _, found in billed for d in found] or [invoice_date]
    invoice = Invoice.objects.create(
        provider=provider,
        number=number,
        invoice_date=invoice_date,
        period_start=min(dates),
        period_end=max(dates),
        total_pence=total,
        submitted_by=by,
    )
    for line, found in billed:
        row = InvoiceLine.objects.create(
            invoice=invoice,
            commitment_id=line.commitment.pk,
            sessions=int(line.sessions),
            amount_pence=int(line.amount),
        )
        row.deliveries.set(found)
    audit_record(
        actor=by,
        action="invoice.submit",
        target=invoice,
        summary={"number": number, "total_pence": total, "lines": len(lines)},
    )
    _tell_commissioners(invoice, ids)
    return invoice


# --- Deciding -------------------------------------------------------------------------------


def _require_finance(by: User) -> None:
    if not has_role(by, Role.COMMISSIONER, Role.ADMIN):
        raise PermissionDenied("Only commissioners can decide and pay invoices")


def _locked(invoice: Invoice) -> Invoice:
    return Invoice.objects.select_for_update().select_related("provider").get(pk=invoice.pk)


@transaction.atomic
def invoice_approve(*, invoice: Invoice, by: User) -> Invoice:
    _require_finance(by)
    invoice = _locked(invoice)
    if invoice.status != InvoiceStatus.SUBMITTED:
        raise LedgerError(gettext("This invoice has already been decided"), "invoice")
    invoice.status, invoice.decided_by, invoice.decided_at = (
        InvoiceStatus.APPROVED,
        by,
        timezone.now(),
    )
    invoice.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(actor=by, action="invoice.approve", target=invoice, summary={})
    _tell_provider(invoice)
    return invoice


@transaction.atomic
def invoice_reject(*, invoice: Invoice, reason: str, by: User) -> Invoice:
    _require_finance(by)
    reason = (reason or "").strip()
    if not reason:
        raise LedgerError(gettext("Say why the invoice is rejected"), "reason")
    if len(reason) > 2000:
        raise LedgerError(gettext("Say why in at most 2,000 characters"), "reason")
    invoice = _locked(invoice)
    if invoice.status != InvoiceStatus.SUBMITTED:
        raise LedgerError(gettext("This invoice has already been decided"), "invoice")
    invoice.status, invoice.reason = InvoiceStatus.REJECTED, reason
    invoice.decided_by, invoice.decided_at = by, timezone.now()
    invoice.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    audit_record(actor=by, action="invoice.reject", target=invoice, summary={"reason": reason})
    _tell_provider(invoice)
    return invoice


# --- Paying in bulk -------------------------------------------------------------------------


def invoices_pay(
    *, invoices: Sequence[Invoice], by: User, key: str, on: dt.date | None = None
) -> list[Invoice]:
    """Pay approved invoices: every line through the ledger, all in one transaction.

    Sent again with the same key (a double click), the invoices it paid are the answer and
    nothing moves twice.
    """
    _require_finance(by)
    if not key or len(key) > 80:
        raise LedgerError(gettext("This form is out of date: send it again"), "once")
    ids = sorted({invoice.pk for invoice in invoices})
    if not ids:
        raise LedgerError(gettext("Choose at least one approved invoice to pay"), "invoices")
    with transaction.atomic():
        locked = list(
            Invoice.objects.select_for_update()
            .select_related("provider")
            .filter(pk__in=ids)
            .order_by("pk")
        )
        if len(locked) != len(ids):
            raise LedgerError(gettext("One of those invoices no longer exists"), "invoices")
        if all(i.status == InvoiceStatus.PAID and i.payment_key == key for i in locked):
            return locked  # the same click again: already paid, once
        for invoice in locked:
            if invoice.status != InvoiceStatus.APPROVED:
                raise LedgerError(
                    gettext("Invoice %(number)s from %(provider)s is not approved for payment")
                    % {"number": invoice.number, "provider": invoice.provider.name},
                    "invoices",
                )
        for invoice in locked:
            _pay_one(invoice, by, key, on)
        return locked


def _pay_one(invoice: Invoice, by: User, key: str, on: dt.date | None) -> None:
    lines = invoice.lines.select_related("commitment__budget").order_by("pk")
    paid_on = None
    for line in lines:
        txn = services.pay_invoice(
            commitment=line.commitment,
            amount=line.amount_pence,
            reference=invoice.number,
            by=by,
            key=f"{key}:{line.pk}",
            on=on,
        )
        line.payment = txn
        line.save(update_fields=["payment"])
        paid_on = txn.value_date
    invoice.status, invoice.paid_by, invoice.paid_at = InvoiceStatus.PAID, by, timezone.now()
    invoice.paid_on, invoice.payment_key = paid_on, key
    invoice.save(update_fields=["status", "paid_by", "paid_at", "paid_on", "payment_key"])
    audit_record(
        actor=by,
        action="invoice.pay",
        target=invoice,
        summary={"total_pence": invoice.total_pence, "paid_on": str(paid_on)},
    )
    _tell_provider(invoice)


# --- Telling people -------------------------------------------------------------------------


def _context(invoice: Invoice) -> dict[str, str]:
    return {
        "number": invoice.number,
        "provider": invoice.provider.name,
        "total": pounds(invoice.total_pence),
        "date": date_format(invoice.invoice_date, "j F Y"),
        "period": gettext("%(start)s to %(end)s")
        % {
            "start": date_format(invoice.period_start, "j F Y"),
            "end": date_format(invoice.period_end, "j F Y"),
        },
    }


def _tell_commissioners(invoice: Invoice, commitment_ids: Sequence[Any]) -> None:
    funders = BudgetSource.objects.filter(budget__commitments__pk__in=commitment_ids).values_list(
        "funder_id", flat=True
    )
    people = User.objects.filter(
        memberships__organisation__in=funders, memberships__role=Role.COMMISSIONER, is_active=True
    ).distinct()
    if not people.exists():
        people = User.objects.filter(memberships__role=Role.COMMISSIONER, is_active=True).distinct()
    context = {
        **_context(invoice),
        "link": site_link(reverse("budgets:invoice_decide", args=[invoice.pk])),
    }
    for person in people:
        notify(
            recipient=person,
            template="invoice_submitted",
            context=context,
            event="invoice.submit",
            target=invoice,
        )


def _tell_provider(invoice: Invoice) -> None:
    staff = User.objects.filter(
        memberships__organisation=invoice.provider,
        memberships__role=Role.PROVIDER,
        is_active=True,
    ).distinct()
    recipients: list[User | str] = list(staff) or (
        [invoice.provider.email] if invoice.provider.email else []
    )
    context = {
        **_context(invoice),
        "status": invoice.status,
        "reason": invoice.reason,
        "paid_on": date_format(invoice.paid_on, "j F Y") if invoice.paid_on else "",
        "link": site_link(reverse("budgets:provider_payments")),
    }
    for recipient in recipients:
        notify(
            recipient=recipient,
            template="invoice_decided",
            context=context,
            event=f"invoice.{invoice.status}",
            target=invoice,
        )
