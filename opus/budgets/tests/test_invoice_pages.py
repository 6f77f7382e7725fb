"""The invoice pages: a provider sends one, a commissioner decides and pays in bulk, once."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from opus.budgets import invoices
from opus.budgets import services as budgets
from opus.budgets.invoices import LineIn
from opus.budgets.models import Invoice, InvoiceStatus, Transaction
from opus.choice import services as choice
from opus.core.models import Role
from opus.core.services import membership_grant
from opus.testing import create_member, create_organisation

from .conftest import request_booking

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def delivered(cast, commitment):
    budgets.deliver(commitment=commitment, amount=60_00, by=cast.provider)
    commitment.refresh_from_db()
    return commitment


def _form(commitment, **changes):
    return {
        "number": "GN-100",
        "invoice_date": TODAY.isoformat(),
        f"bill-{commitment.pk}": "on",
        f"sessions-{commitment.pk}": "4",
        f"amount-{commitment.pk}": "60.00",
        **changes,
    }


def test_the_provider_sees_what_is_delivered_and_not_yet_billed_and_sends_it(
    client, cast, delivered
):
    client.force_login(cast.provider)
    page = client.get("/budgets/provider/invoices/new/").content.decode()
    assert "Rosa: Tea and talk" in page and "£60 delivered and not yet billed" in page
    response = client.post("/budgets/provider/invoices/new/", _form(delivered))
    assert response.status_code == 302
    invoice = Invoice.objects.get()
    assert (invoice.number, invoice.total_pence, invoice.status) == ("GN-100", 60_00, "submitted")
    payments = client.get("/budgets/provider/invoices/").content.decode()
    assert "GN-100" in payments and "Submitted" in payments
    # Billed in full: nothing left to bill.
    again = client.get("/budgets/provider/invoices/new/").content.decode()
    assert "Rosa" not in again


def test_another_provider_sees_neither_the_resident_nor_the_booking(client, cast, delivered):
    other = create_member(Role.PROVIDER, create_organisation(name="Elsewhere Care"))
    client.force_login(other)
    assert "Rosa" not in client.get("/budgets/provider/invoices/new/").content.decode()
    response = client.post("/budgets/provider/invoices/new/", _form(delivered))
    assert response.status_code == 400  # the booking is not on their form: nothing chosen
    assert not Invoice.objects.exists()


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"number": ""}, "Enter the invoice number"),
        ({"invoice_date": "31 February"}, "real date"),
        ({"sessions-X": "0"}, "Bill at least 1 session"),
        ({"amount-X": "60.01"}, "more than the £60 delivered and not yet billed"),
        ({"amount-X": "lots"}, "Enter an amount in pounds"),
        ({"bill-X": ""}, "Choose at least one booking to bill"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_sent(client, cast, delivered, changes, message):
    client.force_login(cast.provider)
    changes = {k.replace("X", str(delivered.pk)): v for k, v in changes.items()}
    response = client.post("/budgets/provider/invoices/new/", _form(delivered, **changes))
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and message in page
    assert not Invoice.objects.exists()


def test_the_same_number_twice_is_refused_on_the_page(client, cast, delivered):
    client.force_login(cast.provider)
    client.post("/budgets/provider/invoices/new/", _form(delivered, **{
        f"amount-{delivered.pk}": "30", f"sessions-{delivered.pk}": "2"}))  # fmt: skip
    response = client.post("/budgets/provider/invoices/new/", _form(delivered, **{
        "number": "gn-100", f"amount-{delivered.pk}": "30"}))  # fmt: skip
    assert response.status_code == 400
    assert "You have already sent invoice GN-100" in response.content.decode()
    assert Invoice.objects.count() == 1


def _submitted(cast, commitment, number, amount):
    return invoices.invoice_submit(
        provider=cast.charity,
        number=number,
        invoice_date=TODAY,
        lines=[LineIn(commitment, 2, amount)],
        by=cast.provider,
    )


def test_a_commissioner_approves_and_rejects_with_a_reason(client, cast, delivered):
    first = _submitted(cast, delivered, "GN-1", 30_00)
    second = _submitted(cast, delivered, "GN-2", 30_00)
    client.force_login(cast.commissioner)
    listing = client.get("/budgets/manage/invoices/").content.decode()
    assert "GN-1" in listing and "GN-2" in listing
    url = f"/budgets/manage/invoices/{second.pk}/"
    refused = client.post(url, {"decision": "reject", "reason": ""})
    assert (
        refused.status_code == 400 and "Say why the invoice is rejected" in refused.content.decode()
    )
    assert client.post(url, {"decision": "reject", "reason": "Dates wrong"}).status_code == 302
    client.post(f"/budgets/manage/invoices/{first.pk}/", {"decision": "approve"})
    statuses = dict(Invoice.objects.values_list("number", "status"))
    assert statuses == {"GN-1": "approved", "GN-2": "rejected"}


def test_bulk_payment_checks_answers_then_pays_once_however_often_it_is_sent(
    client, cast, delivered
):
    one = invoices.invoice_approve(
        invoice=_submitted(cast, delivered, "GN-1", 20_00), by=cast.commissioner
    )
    two = invoices.invoice_approve(
        invoice=_submitted(cast, delivered, "GN-2", 25_00), by=cast.commissioner
    )
    client.force_login(cast.commissioner)
    check = client.post("/budgets/manage/invoices/pay/", {"invoice": [one.pk, two.pk]})
    page = check.content.decode()
    assert "Check your answers before paying" in page
    assert 'data-figure="count">2<' in page and 'data-figure="total">£45<' in page
    assert "Good Neighbours" in page and "2 invoices, £45" in page
    assert not Transaction.objects.filter(operation="pay_invoice").exists()  # not yet
    once = re.search(r'name="once" value="([^"]+)"', page).group(1)
    body = {"invoice": [one.pk, two.pk], "confirm": "yes", "once": once}
    for _ in range(3):  # a double (triple) click
        assert client.post("/budgets/manage/invoices/pay/", body).status_code == 302
    assert Transaction.objects.filter(operation="pay_invoice").count() == 2
    assert set(Invoice.objects.values_list("status", flat=True)) == {InvoiceStatus.PAID}


def test_nothing_chosen_pays_nothing(client, cast, delivered):
    client.force_login(cast.commissioner)
    response = client.post("/budgets/manage/invoices/pay/", {"confirm": "yes"}, follow=True)
    assert "Choose at least one approved invoice to pay" in response.content.decode()
    assert not Transaction.objects.filter(operation="pay_invoice").exists()


@pytest.mark.parametrize("who", ["resident", "champion", "councillor", "auditor", "stranger"])
def test_the_invoice_pages_are_not_for_everyone(client, cast, delivered, who):
    invoice = _submitted(cast, delivered, "GN-1", 30_00)
    client.force_login(getattr(cast, who))
    for url in (
        "/budgets/provider/invoices/",
        "/budgets/provider/invoices/new/",
        "/budgets/manage/invoices/",
        f"/budgets/manage/invoices/{invoice.pk}/",
    ):
        assert client.get(url).status_code == 404, url


def test_the_provider_page_dates_payments_as_the_ledger_does(client, cast, delivered):
    paid_on = TODAY - dt.timedelta(days=3)
    budgets.pay_invoice(
        commitment=delivered, amount=10_00, reference="BY-HAND", by=cast.commissioner, on=paid_on
    )
    client.force_login(cast.provider)
    page = client.get("/budgets/provider/").content.decode()
    assert f"{paid_on.day} {paid_on:%b %Y}" in page


def test_staff_of_two_providers_send_one_invoice_for_each(client, cast, delivered):
    other = create_organisation(name="Second Charity")
    membership_grant(user=cast.provider, organisation=other, role=Role.PROVIDER, by=None)
    service = delivered.booking.service
    service.organisation = other
    service.save(update_fields=["organisation"])
    booking = request_booking(cast, service)
    choice.booking_decide(booking=booking, accept=True, reason="", by=cast.provider)
    second = booking.commitment
    cast.provider.__dict__.pop("_opus_provider_of", None)  # the services' cache of her employers
    budgets.deliver(commitment=second, amount=30_00, by=cast.provider)
    client.force_login(cast.provider)
    body = {
        **_form(delivered),
        f"bill-{second.pk}": "on",
        f"sessions-{second.pk}": "2",
        f"amount-{second.pk}": "30",
    }
    response = client.post("/budgets/provider/invoices/new/", body)
    assert response.status_code == 400
    assert "send one for each" in response.content.decode()
    assert not Invoice.objects.exists()
