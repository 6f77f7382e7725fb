"""No duplicate payments: a money form carries a one-time key, an invoice is paid once."""

import re

import pytest
from django.db import IntegrityError, transaction

from opus.budgets import services as budgets
from opus.budgets.models import Budget, Transaction
from opus.core.models import AuditEvent
from opus.engines.ledger import LedgerError

from .test_api import bearer, post

pytestmark = pytest.mark.django_db


def once_key(client, url):
    """The one-time key in the form as the page shows it."""
    page = client.get(url).content.decode()
    return re.search(r'name="once" value="(form-[0-9a-f]{32})"', page).group(1)


def money_moved():
    return (
        Transaction.objects.count(),
        AuditEvent.objects.filter(action__startswith="ledger.").count(),
    )


def test_a_payment_form_sent_three_times_pays_once(client, cast, budget):
    client.force_login(cast.commissioner)
    url = f"/budgets/{budget.pk}/direct-payment/"
    body = {"amount": "10.00", "memo": "Weekly", "once": once_key(client, url)}
    answers = [client.post(url, body) for _ in range(3)]
    assert [a.status_code for a in answers] == [302, 302, 302]
    assert Transaction.objects.filter(operation="direct_payment").count() == 1
    assert Budget.objects.get(pk=budget.pk).direct_pence == 10_00


def test_a_form_sent_again_with_another_amount_is_refused_and_gets_a_new_key(client, cast, budget):
    client.force_login(cast.commissioner)
    url = f"/budgets/{budget.pk}/direct-payment/"
    key = once_key(client, url)
    client.post(url, {"amount": "10.00", "once": key})
    before = money_moved()
    again = client.post(url, {"amount": "20.00", "once": key})
    page = again.content.decode()
    assert again.status_code == 400 and "already sent with other details" in page
    assert key not in page and re.search(r'name="once" value="form-[0-9a-f]{32}"', page)
    assert money_moved() == before
    assert Budget.objects.get(pk=budget.pk).direct_pence == 10_00


def test_a_form_without_its_key_is_refused_and_changes_nothing(client, cast, budget):
    client.force_login(cast.commissioner)
    before = money_moved()
    for once in (None, "", "my-own-key"):
        body = {"amount": "10.00"} | ({"once": once} if once is not None else {})
        response = client.post(f"/budgets/{budget.pk}/direct-payment/", body)
        page = response.content.decode()
        assert response.status_code == 400 and "govuk-error-summary" in page
        assert "This form is out of date" in page
    assert money_moved() == before


@pytest.mark.parametrize("action", ["top-up", "direct-payment-return"])
def test_every_amount_form_is_sent_once(client, cast, budget, action):
    budgets.direct_payment(budget=budget, amount=50_00, by=cast.commissioner)
    client.force_login(cast.commissioner)
    url = f"/budgets/{budget.pk}/{action}/"
    body = {"amount": "10.00", "once": once_key(client, url)}
    before = Transaction.objects.count()
    for _ in range(3):
        assert client.post(url, body).status_code == 302
    assert Transaction.objects.count() == before + 1


def test_delivery_invoice_cancel_and_correction_forms_are_sent_once(
    client, cast, budget, commitment
):
    client.force_login(cast.provider)
    url = f"/budgets/commitments/{commitment.pk}/deliver/"
    body = {"amount": "30.00", "memo": "Week 1", "once": once_key(client, url)}
    assert [client.post(url, body).status_code for _ in range(2)] == [302, 302]
    client.force_login(cast.commissioner)
    url = f"/budgets/commitments/{commitment.pk}/pay/"
    body = {"amount": "30.00", "reference": "INV-7", "once": once_key(client, url)}
    assert [client.post(url, body).status_code for _ in range(2)] == [302, 302]
    paid = Transaction.objects.get(operation="pay_invoice")
    url = f"/budgets/ledger/{paid.pk}/correct/"
    body = {"reason": "Paid in error", "once": once_key(client, url)}
    assert [client.post(url, body).status_code for _ in range(2)] == [302, 302]
    url = f"/budgets/commitments/{commitment.pk}/cancel/"
    body = {"reason": "Moving away", "once": once_key(client, url)}
    assert [client.post(url, body).status_code for _ in range(2)] == [302, 302]
    counts = dict.fromkeys(["deliver", "pay_invoice", "correct", "release"], 1)
    for operation, count in counts.items():
        assert Transaction.objects.filter(operation=operation).count() == count, operation
    assert Budget.objects.get(pk=budget.pk).paid_pence == 0


def test_opening_a_budget_sent_twice_opens_one(client, cast):
    client.force_login(cast.commissioner)
    form = {
        "person": cast.resident.email,
        "title": "New budget",
        "period_start": "2026-04-01",
        "period_end": "2027-03-31",
        "social_care": "2,400.00",
        "council": cast.council.pk,
        "once": once_key(client, "/budgets/manage/new/"),
    }
    first, second = (client.post("/budgets/manage/new/", form) for _ in range(2))
    budget = Budget.objects.get()
    assert first.url == second.url == f"/budgets/{budget.pk}/"
    assert budget.allocated_pence == 2_400_00


def test_closing_a_period_sent_twice_closes_it_once(client, cast, budget, commitment):
    client.force_login(cast.commissioner)
    url = f"/budgets/{budget.pk}/close/"
    body = {"once": once_key(client, url)}
    assert [client.post(url, body).status_code for _ in range(2)] == [302, 302]
    assert AuditEvent.objects.filter(action="budget.close").count() == 1
    assert Transaction.objects.filter(operation="claw_back").count() == 1
    assert Transaction.objects.filter(operation="release").count() == 1


def test_the_same_invoice_is_not_paid_through_the_api_and_then_the_form(
    client, cast, budget, commitment
):
    budgets.deliver(commitment=commitment, amount=60_00, by=cast.provider)
    url = f"/api/v1/budgets/commitments/{commitment.pk}/invoices"
    paid = post(client, url, {"amount_pence": 30_00, "reference": "INV-42"},
                bearer(cast.commissioner, key="pay-inv-42"))  # fmt: skip
    assert paid.status_code == 201
    before = money_moved()
    client.force_login(cast.commissioner)
    form_url = f"/budgets/commitments/{commitment.pk}/pay/"
    body = {"amount": "30.00", "reference": " inv-42 ", "once": once_key(client, form_url)}
    response = client.post(form_url, body)
    page = response.content.decode()
    assert response.status_code == 400 and "govuk-error-summary" in page
    assert 'href="#id_reference"' in page and "is already paid" in page
    assert money_moved() == before
    again = post(client, url, {"amount_pence": 30_00, "reference": "INV-42"},
                 bearer(cast.commissioner, key="another-key"))  # fmt: skip
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "reference"
    assert money_moved() == before
    assert Budget.objects.get(pk=budget.pk).paid_pence == 30_00


def test_a_retried_invoice_payment_gets_its_first_answer_not_a_refusal(
    client, cast, budget, commitment
):
    budgets.deliver(commitment=commitment, amount=30_00, by=cast.provider)
    url = f"/api/v1/budgets/commitments/{commitment.pk}/invoices"
    headers = bearer(cast.commissioner, key="pay-1")
    first = post(client, url, {"amount_pence": 30_00, "reference": "INV-1"}, headers)
    again = post(client, url, {"amount_pence": 30_00, "reference": "INV-1"}, headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]


def test_another_commitment_may_use_the_same_invoice_number(cast, budget, commitment, service):
    from opus.choice import services as choice

    from .conftest import request_booking

    booking = request_booking(cast, service, hours="1")
    choice.booking_decide(booking=booking, accept=True, reason="", by=cast.provider)
    other = booking.commitment
    for c in (commitment, other):
        budgets.deliver(commitment=c, amount=15_00, by=cast.provider)
        budgets.pay_invoice(commitment=c, amount=15_00, reference="INV-5", by=cast.commissioner)
    with pytest.raises(LedgerError) as refused:
        budgets.pay_invoice(commitment=other, amount=1, reference="inv-5", by=cast.commissioner)
    assert refused.value.field == "reference"


def test_the_database_refuses_a_second_payment_of_an_invoice(cast, budget, commitment):
    budgets.deliver(commitment=commitment, amount=30_00, by=cast.provider)
    paid = budgets.pay_invoice(
        commitment=commitment, amount=10_00, reference="INV-8", by=cast.commissioner
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Transaction.objects.create(
            operation="pay_invoice",
            amount_pence=10_00,
            budget=budget,
            commitment=commitment,
            reference="Inv-8",
            created_by=cast.commissioner,
        )
    assert Transaction.objects.filter(operation="pay_invoice").get() == paid


def test_a_replay_with_another_memo_is_another_request(client, cast, budget):
    headers = bearer(cast.commissioner, key="dp-memo")
    url = f"/api/v1/budgets/{budget.pk}/direct-payments"
    assert post(client, url, {"amount_pence": 100, "memo": "Rent"}, headers).status_code == 201
    response = post(client, url, {"amount_pence": 100, "memo": "=HYPERLINK(1)"}, headers)
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert list(Transaction.objects.filter(operation="direct_payment").values_list("memo")) == [
        ("Rent",)
    ]


def test_committing_a_booking_from_its_button_twice_commits_once(client, cast, budget, service):
    from opus.choice.models import Booking, BookingStatus

    from .conftest import request_booking

    booking = request_booking(cast, service)
    Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.ACCEPTED)  # no signal
    client.force_login(cast.resident)
    key = once_key(client, f"/budgets/{budget.pk}/")
    url = f"/budgets/{budget.pk}/commit/{booking.pk}/"
    assert [client.post(url, {"once": key}).status_code for _ in range(2)] == [302, 302]
    assert Transaction.objects.filter(operation="commit").count() == 1
    followed = client.get(f"/budgets/{budget.pk}/").content.decode()
    assert "already committed" not in followed


def test_releasing_all_sent_again_answers_as_the_first_time_and_another_use_is_refused(
    client, cast, budget, commitment
):
    url = f"/api/v1/budgets/commitments/{commitment.pk}/release"
    headers = bearer(cast.commissioner, key="release-all")
    first = post(client, url, {"memo": "Moving away"}, headers)
    again = post(client, url, {"memo": "Moving away"}, headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and first.json()["amount_pence"] > 0
    reused = post(client, f"/api/v1/budgets/{budget.pk}/claw-back", {}, headers)
    assert reused.status_code == 409
    assert Transaction.objects.filter(operation__in=["release", "claw_back"]).count() == 1
