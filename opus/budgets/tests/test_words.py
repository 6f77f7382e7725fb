"""Residents see money in pounds and schedules in words, never pence or the ledger's codes."""

import html
import re

import pytest
from django.utils import timezone

from opus.budgets import invoices
from opus.budgets import services as budgets
from opus.budgets.invoices import LineIn
from opus.budgets.models import Transaction
from opus.budgets.words import schedule_words

pytestmark = pytest.mark.django_db

PENCE = re.compile(r"\b\d[\d,]*\s?p\b")
CODE = re.compile(r"\b[a-z]+_[a-z_]+\b|\b(?:pay_invoice|social_care|org:\d+|budget:[0-9a-f-]+)\b")


def visible(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.fixture
def year_of_activity(cast, budget, commitment):
    """Delivery invoiced and paid, a direct payment, a correction and a cancellation."""
    budgets.deliver(commitment=commitment, amount=60_00, by=cast.provider)
    invoice = invoices.invoice_submit(
        provider=cast.charity,
        number="GN-1",
        invoice_date=timezone.localdate(),
        lines=[LineIn(commitment, 4, 60_00)],
        by=cast.provider,
    )
    invoices.invoice_approve(invoice=invoice, by=cast.commissioner)
    invoices.invoices_pay(invoices=[invoice], by=cast.commissioner, key="form-a")
    paid = budgets.direct_payment(budget=budget, amount=25_50, by=cast.commissioner)
    budgets.correct(original=paid, reason="Paid twice", by=cast.commissioner)
    budgets.release(commitment=commitment, by=cast.resident, memo="Moving away")
    return budget


def test_schedules_are_said_in_pounds_and_words():
    assert schedule_words(price_pence=6_00, unit="session", units_per_week=1, weeks=16) == (
        "£6 a session, 16 weeks"
    )
    assert schedule_words(price_pence=15_50, unit="hour", units_per_week=2, weeks=1) == (
        "£15.50 an hour, 2 hours a week, 1 week"
    )


def test_the_budget_page_says_each_commitment_in_words(client, cast, budget, commitment):
    client.force_login(cast.resident)
    page = visible(client.get(f"/budgets/{budget.pk}/").content.decode())
    assert f"£15 an hour, 2 hours a week, {commitment.weeks} weeks" in page


def test_no_resident_budgets_page_shows_pence_or_a_code(client, cast, year_of_activity):
    budget = year_of_activity
    client.force_login(cast.resident)
    urls = ["/budgets/", f"/budgets/{budget.pk}/", f"/budgets/{budget.pk}/statement/"]
    urls += [f"/budgets/ledger/{pk}/" for pk in Transaction.objects.values_list("pk", flat=True)]
    for url in urls:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        text = visible(response.content.decode())
        assert not PENCE.findall(text), (url, PENCE.findall(text))
        assert not CODE.findall(text), (url, CODE.findall(text))
        assert "£" in text, url
