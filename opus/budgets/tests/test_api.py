import pytest

from opus.budgets.models import Budget, Transaction
from opus.core.services import api_token_create

pytestmark = pytest.mark.django_db


def bearer(user, key=None):
    _, secret = api_token_create(user=user, name="test")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    if key:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return headers


def post(client, url, body, headers):
    return client.post(url, body, content_type="application/json", **headers)


def test_a_retried_direct_payment_pays_once(client, cast, budget):
    headers = bearer(cast.commissioner, key="dp-2026-04-01-rosa")
    url = f"/api/v1/budgets/{budget.pk}/direct-payments"
    first = post(client, url, {"amount_pence": 250_00}, headers)
    again = post(client, url, {"amount_pence": 250_00}, headers)
    assert first.status_code == 201 and again.status_code == 200
    assert again["Idempotent-Replayed"] == "true" and first.json()["id"] == again.json()["id"]
    assert Budget.objects.get(pk=budget.pk).direct_pence == 250_00


def test_a_reused_key_with_another_body_is_a_conflict(client, cast, budget):
    headers = bearer(cast.commissioner, key="k")
    url = f"/api/v1/budgets/{budget.pk}/direct-payments"
    post(client, url, {"amount_pence": 100}, headers)
    response = post(client, url, {"amount_pence": 200}, headers)
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount_pence": 0}, "amount_pence"),
        ({"amount_pence": -5}, "amount_pence"),
        ({"amount_pence": 12.5}, "amount_pence"),
        ({"amount_pence": 600_000}, "amount"),
    ],
)
def test_bad_amounts_are_problems_naming_the_field_and_write_nothing(
    client, cast, budget, body, field
):
    response = post(
        client,
        f"/api/v1/budgets/{budget.pk}/direct-payments",
        body,
        bearer(cast.commissioner, key="x"),
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == field
    assert Transaction.objects.count() == 1


def test_an_operation_without_an_idempotency_key_is_refused(client, cast, budget):
    response = post(
        client,
        f"/api/v1/budgets/{budget.pk}/direct-payments",
        {"amount_pence": 1},
        bearer(cast.commissioner),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"


def test_commit_deliver_and_pay_through_the_api(client, cast, budget, service):
    from opus.choice import services as choice

    from .conftest import request_booking

    booking = request_booking(cast, service)
    choice.booking_decide(booking=booking, accept=True, reason="", by=cast.provider)
    commitment = booking.commitment
    response = post(
        client,
        f"/api/v1/budgets/{budget.pk}/commitments",
        {"booking_id": str(booking.pk)},
        bearer(cast.resident, key="c1"),
    )
    assert response.status_code == 422  # already committed on acceptance
    assert response.json()["errors"][0]["field"] == "booking"
    delivered = post(
        client,
        f"/api/v1/budgets/commitments/{commitment.pk}/deliveries",
        {"amount_pence": 30_00, "memo": "week 1"},
        bearer(cast.provider, key="d1"),
    )
    assert delivered.status_code == 201, delivered.json()
    paid = post(
        client,
        f"/api/v1/budgets/commitments/{commitment.pk}/invoices",
        {"amount_pence": 30_00, "reference": "INV-1"},
        bearer(cast.commissioner, key="p1"),
    )
    assert paid.status_code == 201
    lines = client.get(f"/api/v1/budgets/{budget.pk}/statement", **bearer(cast.resident)).json()
    assert [line["description"] for line in lines][-1] == "Provider paid"


def test_strangers_see_nothing(client, cast, budget):
    headers = bearer(cast.stranger, key="s")
    assert client.get(f"/api/v1/budgets/{budget.pk}", **headers).status_code == 404
    assert client.get("/api/v1/budgets/", **headers).json() == []
    response = post(
        client, f"/api/v1/budgets/{budget.pk}/direct-payments", {"amount_pence": 1}, headers
    )
    assert response.status_code == 404
