"""Invoices from providers: sent for what was delivered, decided, paid in bulk by the ledger."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from opus.budgets import invoices
from opus.budgets import services as budgets
from opus.budgets.invoices import LineIn
from opus.budgets.models import (
    MAX_INVOICE_LINES,
    MAX_LINE_SESSIONS,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Transaction,
)
from opus.budgets.statements import statement
from opus.budgets.verify import ledger_verify
from opus.core.models import AuditEvent, Role
from opus.engines.ledger import LedgerError
from opus.notifications.models import Notification
from opus.testing import create_member, create_organisation

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def delivered(cast, commitment):
    """Four weeks of Rosa's tea and talk delivered (£120), nothing paid yet."""
    for week in range(4):
        budgets.deliver(
            commitment=commitment,
            amount=30_00,
            by=cast.provider,
            on=min(TODAY, dt.date(2026, 4, 7) + dt.timedelta(weeks=week)),
        )
    commitment.refresh_from_db()
    return commitment


def submit(cast, commitment, number="INV-1", sessions=8, amount=120_00, by=None):
    return invoices.invoice_submit(
        provider=cast.charity,
        number=number,
        invoice_date=TODAY,
        lines=[LineIn(commitment, sessions, amount)],
        by=by or cast.provider,
    )


def approved(cast, commitment, number="INV-1", amount=120_00):
    invoice = submit(cast, commitment, number=number, amount=amount)
    return invoices.invoice_approve(invoice=invoice, by=cast.commissioner)


# --- Submitting -----------------------------------------------------------------------------


def test_a_provider_invoices_delivered_sessions_and_commissioners_are_told(cast, delivered):
    invoice = submit(cast, delivered)
    assert invoice.status == InvoiceStatus.SUBMITTED and invoice.total_pence == 120_00
    line = invoice.lines.get()
    assert (line.sessions, line.amount_pence) == (8, 120_00)
    assert line.deliveries.count() == 4
    assert invoice.period_start == min(d.value_date for d in line.deliveries.all())
    assert AuditEvent.objects.filter(action="invoice.submit").count() == 1
    told = Notification.objects.get(template="invoice_submitted")
    assert told.recipient == cast.commissioner
    assert "INV-1" in told.subject and "£120" in told.body


@pytest.mark.parametrize(
    "who", ["resident", "champion", "councillor", "auditor", "commissioner", "admin", "stranger"]
)
def test_only_the_providers_staff_send_its_invoices(cast, delivered, who):
    with pytest.raises(PermissionDenied):
        submit(cast, delivered, by=getattr(cast, who))
    assert not Invoice.objects.exists()


def test_a_provider_cannot_bill_another_providers_booking(cast, delivered):
    other = create_organisation(name="Elsewhere Care")
    stranger_staff = create_member(Role.PROVIDER, other)
    with pytest.raises(PermissionDenied):
        submit(cast, delivered, by=stranger_staff)
    with pytest.raises(PermissionDenied):  # nor under their own organisation's name
        invoices.invoice_submit(
            provider=other,
            number="X-1",
            invoice_date=TODAY,
            lines=[LineIn(delivered, 1, 30_00)],
            by=stranger_staff,
        )
    assert not Invoice.objects.exists()


def test_the_same_number_twice_is_refused_in_any_case(cast, delivered):
    submit(cast, delivered, number="INV-1", amount=30_00)
    with pytest.raises(LedgerError) as refused:
        submit(cast, delivered, number=" inv-1 ", amount=30_00)
    assert refused.value.field == "number" and "already sent invoice INV-1" in str(refused.value)
    assert Invoice.objects.count() == 1


def test_another_provider_may_use_the_same_number(cast, delivered):
    submit(cast, delivered, number="INV-1", amount=30_00)
    other = create_organisation(name="Elsewhere Care")
    Invoice.objects.create(
        provider=other,
        number="inv-1",
        invoice_date=TODAY,
        period_start=TODAY,
        period_end=TODAY,
        total_pence=1,
        submitted_by=cast.provider,
    )
    assert Invoice.objects.filter(number__iexact="inv-1").count() == 2


def test_a_line_cannot_bill_more_than_was_delivered_and_not_yet_billed(cast, delivered):
    with pytest.raises(LedgerError) as refused:
        submit(cast, delivered, amount=120_01)
    assert refused.value.field == "amount" and "£120 delivered" in str(refused.value)
    submit(cast, delivered, number="INV-1", amount=90_00)
    with pytest.raises(LedgerError):
        submit(cast, delivered, number="INV-2", amount=30_01)
    submit(cast, delivered, number="INV-2", amount=30_00)
    assert invoices.billable(delivered) == 0


def test_a_rejected_invoices_sessions_can_be_billed_again(cast, delivered):
    invoice = submit(cast, delivered)
    with pytest.raises(LedgerError):
        invoices.invoice_reject(invoice=invoice, reason="  ", by=cast.commissioner)
    invoices.invoice_reject(invoice=invoice, reason="Wrong rate", by=cast.commissioner)
    assert Invoice.objects.get().reason == "Wrong rate"
    assert invoices.billable(delivered) == 120_00
    submit(cast, delivered, number="INV-2")
    told = Notification.objects.filter(template="invoice_decided", recipient=cast.provider)
    assert "Wrong rate" in told.get().body


@pytest.mark.parametrize(
    "change, field",
    [
        ({"sessions": 0}, "sessions"),
        ({"sessions": MAX_LINE_SESSIONS + 1}, "sessions"),
        ({"amount": 0}, "amount"),
        ({"amount": -5}, "amount"),
        ({"amount": 10**13}, "amount"),
        ({"number": ""}, "number"),
        ({"number": "x" * 101}, "number"),
        ({"invoice_date": TODAY + dt.timedelta(days=1)}, "invoice_date"),
        ({"invoice_date": dt.date(1999, 12, 31)}, "invoice_date"),
    ],
)
def test_numbers_from_outside_are_bounded(cast, delivered, change, field):
    line = {
        "sessions": 8,
        "amount": 120_00,
        **{k: v for k, v in change.items() if k in "sessions amount"},
    }
    with pytest.raises(LedgerError) as refused:
        invoices.invoice_submit(
            provider=cast.charity,
            number=change.get("number", "INV-1"),
            invoice_date=change.get("invoice_date", TODAY),
            lines=[LineIn(delivered, line["sessions"], line["amount"])],
            by=cast.provider,
        )
    assert refused.value.field == field
    assert not Invoice.objects.exists()


def test_an_invoice_has_lines_and_not_too_many(cast, delivered):
    for lines in ([], [LineIn(delivered, 1, 1)] * (MAX_INVOICE_LINES + 1)):
        with pytest.raises(LedgerError) as refused:
            invoices.invoice_submit(
                provider=cast.charity,
                number="INV-1",
                invoice_date=TODAY,
                lines=lines,
                by=cast.provider,
            )
        assert refused.value.field == "lines"


# --- Deciding -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["provider", "resident", "champion", "councillor", "auditor", "stranger"]
)
def test_only_commissioners_approve_reject_and_pay(cast, delivered, who):
    invoice = submit(cast, delivered)
    person = getattr(cast, who)
    with pytest.raises(PermissionDenied):
        invoices.invoice_approve(invoice=invoice, by=person)
    with pytest.raises(PermissionDenied):
        invoices.invoice_reject(invoice=invoice, reason="No", by=person)
    invoices.invoice_approve(invoice=invoice, by=cast.commissioner)
    with pytest.raises(PermissionDenied):
        invoices.invoices_pay(invoices=[invoice], by=person, key="form-1")
    assert Invoice.objects.get().status == InvoiceStatus.APPROVED
    assert not Transaction.objects.filter(operation="pay_invoice").exists()


def test_an_invoice_is_decided_once(cast, delivered):
    invoice = approved(cast, delivered)
    with pytest.raises(LedgerError):
        invoices.invoice_reject(invoice=invoice, reason="Changed my mind", by=cast.commissioner)
    with pytest.raises(LedgerError):
        invoices.invoice_approve(invoice=invoice, by=cast.commissioner)
    assert AuditEvent.objects.filter(action__startswith="invoice.").count() == 2


# --- Paying ---------------------------------------------------------------------------------


def test_bulk_payment_pays_every_line_through_the_ledger_and_tells_the_provider(cast, delivered):
    first = approved(cast, delivered, "INV-1", 90_00)
    second = approved(cast, delivered, "INV-2", 30_00)
    paid = invoices.invoices_pay(invoices=[first, second], by=cast.commissioner, key="form-a")
    assert {i.status for i in paid} == {InvoiceStatus.PAID}
    payments = Transaction.objects.filter(operation="pay_invoice").order_by("id")
    assert [(p.reference, p.amount_pence) for p in payments] == [
        ("INV-1", 90_00),
        ("INV-2", 30_00),
    ]
    delivered.refresh_from_db()
    assert delivered.unpaid_pence == 0
    for invoice in Invoice.objects.all():
        line = invoice.lines.get()
        assert invoice.paid_on == line.payment.value_date == TODAY
    assert AuditEvent.objects.filter(action="invoice.pay").count() == 2
    bodies = Notification.objects.filter(template="invoice_decided", recipient=cast.provider)
    assert sum("is paid" in n.subject for n in bodies) == 2
    assert ledger_verify(history=True).ok


def test_the_same_click_again_pays_once(cast, delivered):
    invoice = approved(cast, delivered)
    invoices.invoices_pay(invoices=[invoice], by=cast.commissioner, key="form-a")
    again = invoices.invoices_pay(invoices=[invoice], by=cast.commissioner, key="form-a")
    assert again[0].status == InvoiceStatus.PAID
    assert Transaction.objects.filter(operation="pay_invoice").count() == 1
    with pytest.raises(LedgerError):  # another payment run cannot pay it again
        invoices.invoices_pay(invoices=[invoice], by=cast.commissioner, key="form-b")
    assert Transaction.objects.filter(operation="pay_invoice").count() == 1


def test_a_bulk_payment_is_all_or_nothing(cast, delivered):
    good = approved(cast, delivered, "INV-1", 60_00)
    bad = approved(cast, delivered, "INV-2", 60_00)
    # Paid by hand meanwhile, under the same number: the ledger refuses INV-2 a second time.
    budgets.pay_invoice(commitment=delivered, amount=10_00, reference="inv-2", by=cast.commissioner)
    before = Transaction.objects.count()
    with pytest.raises(LedgerError):
        invoices.invoices_pay(invoices=[good, bad], by=cast.commissioner, key="form-a")
    assert Transaction.objects.count() == before
    assert set(Invoice.objects.values_list("status", flat=True)) == {InvoiceStatus.APPROVED}
    assert not InvoiceLine.objects.filter(payment__isnull=False).exists()
    assert not AuditEvent.objects.filter(action="invoice.pay").exists()


def test_an_invoice_not_approved_stops_the_whole_payment(cast, delivered):
    good = approved(cast, delivered, "INV-1", 60_00)
    waiting = submit(cast, delivered, "INV-2", amount=60_00)
    with pytest.raises(LedgerError) as refused:
        invoices.invoices_pay(invoices=[good, waiting], by=cast.commissioner, key="form-a")
    assert "INV-2" in str(refused.value)
    assert not Transaction.objects.filter(operation="pay_invoice").exists()


# --- The same dates -------------------------------------------------------------------------


def test_the_statement_and_the_providers_payments_page_show_the_same_payment_date(
    client, cast, delivered, budget
):
    invoice = approved(cast, delivered)
    paid_on = min(TODAY, dt.date(2026, 5, 11))
    invoices.invoices_pay(invoices=[invoice], by=cast.commissioner, key="form-a", on=paid_on)
    on_statement = [line.at for line in statement(budget) if line.reference == "INV-1"]
    assert on_statement == [paid_on]
    client.force_login(cast.provider)
    page = client.get("/budgets/provider/invoices/").content.decode()
    assert f"data-paid-on>{paid_on.day} {paid_on:%b %Y}<" in page
    csv = client.get("/budgets/provider/invoices/?format=csv").content.decode()
    assert f"INV-1,{TODAY.isoformat()},Paid,Tea and talk,Rosa,8,120.00,{paid_on.isoformat()}" in csv
    client.force_login(cast.resident)
    statement_page = client.get(f"/budgets/{budget.pk}/statement/?format=csv").content.decode()
    assert f"{paid_on.isoformat()},Provider paid" in statement_page
