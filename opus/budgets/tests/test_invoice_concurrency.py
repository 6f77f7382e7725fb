"""Clicks and clients at once: an invoice is paid once, and a delivery billed once."""

import threading

import pytest
from django.db import connections
from django.utils import timezone

from opus.budgets import invoices
from opus.budgets import services as budgets
from opus.budgets.invoices import LineIn
from opus.budgets.models import Invoice, InvoiceStatus, Transaction
from opus.budgets.verify import ledger_verify
from opus.engines.ledger import LedgerError

THREADS = 6
TODAY = timezone.localdate()


@pytest.fixture
def delivered(transactional_db, cast, commitment):
    budgets.deliver(commitment=commitment, amount=60_00, by=cast.provider)
    return commitment


def _at_once(work):
    """Run work(n) in THREADS threads together; (answers, refusals, other failures)."""
    answers, refused, failures = [], [], []
    start = threading.Barrier(THREADS)

    def run(n):
        try:
            start.wait()
            answers.append(work(n))
        except LedgerError as error:
            refused.append(str(error))
        except Exception as error:  # noqa: BLE001 - reported by the test
            failures.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers, refused, failures


def _submit(cast, commitment, number, amount):
    return invoices.invoice_submit(
        provider=cast.charity,
        number=number,
        invoice_date=TODAY,
        lines=[LineIn(commitment, 1, amount)],
        by=cast.provider,
    )


def test_a_double_click_and_a_second_commissioner_pay_an_invoice_once(cast, delivered):
    invoice = invoices.invoice_approve(
        invoice=_submit(cast, delivered, "GN-1", 60_00), by=cast.commissioner
    )

    def pay(n):  # half the clicks carry one form's key, the rest another form's
        key = "form-a" if n % 2 else "form-b"
        return invoices.invoices_pay(invoices=[invoice], by=cast.commissioner, key=key)

    answers, refused, failures = _at_once(pay)
    assert failures == []
    assert Transaction.objects.filter(operation="pay_invoice").count() == 1
    assert Invoice.objects.get().status == InvoiceStatus.PAID
    assert len(answers) == THREADS // 2 and len(refused) == THREADS // 2
    assert ledger_verify(history=True).ok


def test_clients_at_once_never_bill_a_delivery_twice_nor_reuse_a_number(cast, delivered):
    def submit(n):  # each bills £25 of the £60 delivered; two share each number
        return _submit(cast, delivered, f"GN-{n // 2}", 25_00)

    answers, refused, failures = _at_once(submit)
    assert failures == []
    assert len(answers) == 2  # £50 of £60: a third would over-bill
    assert len({i.number.lower() for i in answers}) == 2
    assert sum(i.total_pence for i in Invoice.objects.all()) == 50_00
    assert len(refused) == THREADS - 2
