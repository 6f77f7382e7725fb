"""Providers' systems send invoices through the API; refusals are problem+json naming the field."""

import pytest
from django.utils import timezone

from opus.budgets import services as budgets
from opus.budgets.models import MAX_LINE_SESSIONS, Invoice
from opus.core.models import Role
from opus.core.services import api_token_create
from opus.testing import create_member, create_organisation

pytestmark = pytest.mark.django_db

URL = "/api/v1/budgets/invoices"
TODAY = timezone.localdate()


@pytest.fixture
def delivered(cast, commitment):
    budgets.deliver(commitment=commitment, amount=60_00, by=cast.provider)
    return commitment


def send(client, user, body):
    _, secret = api_token_create(user=user, name="test")
    return client.post(
        URL, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )


def body(commitment, **changes):
    line = {"commitment_id": str(commitment.pk), "sessions": 4, "amount_pence": 60_00}
    line.update(changes.pop("line", {}))
    return {"number": "API-1", "invoice_date": TODAY.isoformat(), "lines": [line], **changes}


def _fields(response):
    assert response["Content-Type"].startswith("application/problem+json")
    return [e["field"] for e in response.json()["errors"]]


def test_a_providers_system_sends_an_invoice_and_reads_it_back(client, cast, delivered):
    response = send(client, cast.provider, body(delivered))
    assert response.status_code == 201, response.content
    sent = response.json()
    assert (sent["number"], sent["status"], sent["total_pence"]) == ("API-1", "submitted", 60_00)
    assert sent["lines"][0]["commitment"] == str(delivered.pk)
    listed = client.get(
        URL, HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=cast.provider, name='r')[1]}"
    )
    assert [i["number"] for i in listed.json()] == ["API-1"]


def test_the_same_number_again_is_refused_naming_the_number(client, cast, delivered):
    send(client, cast.provider, body(delivered, line={"amount_pence": 10_00}))
    response = send(client, cast.provider, body(delivered, number="api-1"))
    assert response.status_code == 422
    assert _fields(response) == ["number"]
    assert Invoice.objects.count() == 1


def test_billing_more_than_delivered_is_refused_naming_the_lines(client, cast, delivered):
    response = send(client, cast.provider, body(delivered, line={"amount_pence": 60_01}))
    assert response.status_code == 422 and _fields(response) == ["lines"]
    assert not Invoice.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"line": {"sessions": 0}},
        {"line": {"sessions": MAX_LINE_SESSIONS + 1}},
        {"line": {"amount_pence": 0}},
        {"line": {"amount_pence": 10**16}},
        {"number": ""},
        {"number": "x" * 101},
        {"lines": []},
        {"invoice_date": "2026-02-31"},
    ],
)
def test_numbers_and_words_from_outside_are_bounded(client, cast, delivered, changes):
    response = send(client, cast.provider, body(delivered, **changes))
    assert response.status_code == 422
    named = _fields(response)
    assert named and all(f.split(".")[0] in {"number", "lines", "invoice_date"} for f in named)
    assert not Invoice.objects.exists()


def test_another_providers_booking_is_not_theirs_to_bill(client, cast, delivered):
    other = create_member(Role.PROVIDER, create_organisation(name="Elsewhere Care"))
    response = send(client, other, body(delivered))
    assert response.status_code == 422
    assert _fields(response) == ["lines.0.commitment_id"]


@pytest.mark.parametrize("who", ["resident", "commissioner", "auditor", "stranger"])
def test_only_provider_staff_send_invoices(client, cast, delivered, who):
    response = send(client, getattr(cast, who), body(delivered))
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/problem+json")
    assert not Invoice.objects.exists()
