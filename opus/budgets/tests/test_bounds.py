"""Every amount from outside is bounded (settings.OPUS_MAX_AMOUNT_PENCE, £10 billion)."""

import datetime as dt

import pytest

from opus.budgets import services as budgets
from opus.budgets.forms import new_once_key
from opus.budgets.models import Budget, BudgetSource, RasVersion, Transaction
from opus.engines.ledger import LedgerError

from .test_api import bearer, post
from .test_pages import RAS_TEXT

pytestmark = pytest.mark.django_db

QUADRILLIONS = 46 * 10**15 * 100  # £46 quadrillion, in pence (below 2^63)


def state(budget):
    budget.refresh_from_db()
    return (Transaction.objects.count(), budget.allocated_pence, budget.available_pence)


def test_an_allocation_of_46_quadrillion_through_the_api_names_the_field(client, cast, budget):
    before = state(budget)
    response = post(
        client,
        f"/api/v1/budgets/{budget.pk}/allocations",
        {"funder_id": cast.council.pk, "source": "social_care", "amount_pence": QUADRILLIONS},
        bearer(cast.commissioner, key="big"),
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "amount_pence"
    assert state(budget) == before


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("{b}/direct-payments", {"amount_pence": 10**12 + 1}),
        ("{b}/direct-payment-returns", {"amount_pence": 2**63}),
        ("{b}/claw-back", {"amount_pence": 2**70}),
        ("commitments/{c}/invoices", {"amount_pence": 10**13, "reference": "INV-1"}),
        ("commitments/{c}/deliveries", {"amount_pence": 10**13}),
        ("commitments/{c}/release", {"amount_pence": 10**13}),
    ],
)
def test_every_api_amount_is_bounded(client, cast, budget, commitment, url, body):
    before = state(budget)
    response = post(
        client,
        "/api/v1/budgets/" + url.format(b=budget.pk, c=commitment.pk),
        body,
        bearer(cast.admin if "deliveries" in url else cast.commissioner, key="big"),
    )
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == "amount_pence"
    assert state(budget) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"funder_id": 2**70, "source": "social_care", "amount_pence": 1}, "funder_id"),
        ({"funder_id": 1, "source": "x" * 50, "amount_pence": 1}, "source"),
        ({"funder_id": 1, "source": "pocket", "amount_pence": 1}, "source"),
    ],
)
def test_an_allocation_names_a_bad_funder_or_source(client, cast, budget, body, field):
    body = {**body, "funder_id": cast.council.pk} if body["funder_id"] == 1 else body
    before = state(budget)
    response = post(
        client,
        f"/api/v1/budgets/{budget.pk}/allocations",
        body,
        bearer(cast.commissioner, key="bad"),
    )
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == field
    assert state(budget) == before


@pytest.mark.parametrize("amount", ["46,000,000,000,000,000", "10000000000.01", "1e999999999"])
def test_a_top_up_form_beyond_the_limit_is_summarised_and_changes_nothing(
    client, cast, budget, amount
):
    client.force_login(cast.commissioner)
    before = state(budget)
    response = client.post(
        f"/budgets/{budget.pk}/top-up/", {"amount": amount, "once": new_once_key()}
    )
    page = response.content.decode()
    assert response.status_code == 400 and "govuk-error-summary" in page
    assert "Enter an amount of at most £10,000,000,000" in page
    assert state(budget) == before


def test_opening_a_budget_beyond_the_limit_is_summarised_and_opens_nothing(client, cast):
    client.force_login(cast.commissioner)
    response = client.post(
        "/budgets/manage/new/",
        {
            "person": cast.resident.email,
            "title": "Too much",
            "period_start": "2026-04-01",
            "period_end": "2027-03-31",
            "social_care": "46000000000000000",
            "council": cast.council.pk,
            "once": new_once_key(),
        },
    )
    assert response.status_code == 400 and "at most £10,000,000,000" in response.content.decode()
    assert not Budget.objects.exists()


def test_the_service_refuses_a_budget_beyond_the_limit(cast):
    with pytest.raises(LedgerError) as refused:
        budgets.budget_create(
            person=cast.resident,
            title="Too much",
            period_start=dt.date(2026, 4, 1),
            period_end=dt.date(2027, 3, 31),
            sources=[("social_care", cast.council, QUADRILLIONS)],
            by=cast.commissioner,
        )
    assert refused.value.field == "sources" and not Budget.objects.exists()


def test_a_budget_above_21_million_pounds_is_stored(cast):
    """A 32-bit column stopped at £21,474,836.47 (PostgreSQL answered with an error)."""
    budget = budgets.budget_create(
        person=cast.resident,
        title="A large care package",
        period_start=dt.date(2026, 4, 1),
        period_end=dt.date(2027, 3, 31),
        sources=[("social_care", cast.council, 30_000_000_00)],
        by=cast.commissioner,
    )
    assert BudgetSource.objects.get(budget=budget).planned_pence == 30_000_000_00


RAS = {
    "title": "2026 RAS",
    "price_per_point": "150",
    "minimum": "500",
    "maximum": "",
    "questions": RAS_TEXT,
    "caps": "",
    "change_note": "First version",
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"price_per_point": "46000000000000000"}, "at most £10,000,000,000"),
        ({"maximum": "10000000000.01"}, "at most £10,000,000,000"),
        ({"questions": "Care | wash | Washing | None=0; Lots=99999999999"}, "points"),
        ({"questions": "Care | wash | Washing | None=0; Lots=²"}, "label=points"),
        ({"caps": "Personal care=99999999"}, "A cap can be at most"),
        ({"price_per_point": "9000000000"}, "set a maximum budget"),
    ],
)
def test_a_ras_beyond_the_limits_is_summarised_and_not_published(client, cast, change, message):
    client.force_login(cast.commissioner)
    response = client.post("/budgets/ras/new/", {**RAS, **change})
    page = response.content.decode()
    assert response.status_code == 400 and "govuk-error-summary" in page
    assert message in page
    assert not RasVersion.objects.exists()


def test_a_ras_whose_maximum_holds_it_within_the_limit_is_published(client, cast):
    client.force_login(cast.commissioner)
    body = {**RAS, "price_per_point": "9000000000", "maximum": "50000"}
    assert client.post("/budgets/ras/new/", body).status_code == 302
    assert RasVersion.objects.get().price_per_point_pence == 9_000_000_000_00


def test_the_service_refuses_a_ras_beyond_the_limits(cast):
    questions = [
        {"key": "a", "domain": "Care", "text": "A", "answers": [
            {"label": "No", "points": 0}, {"label": "Yes", "points": 10}]},
    ]  # fmt: skip
    common = {"title": "T", "questions": questions, "minimum_pence": 0, "maximum_pence": None,
              "domain_caps": {}, "change_note": "", "by": cast.commissioner}  # fmt: skip
    for field, values in [
        ("price_per_point", {"price_per_point_pence": 10**13}),
        ("maximum", {"price_per_point_pence": 10**12}),  # 10 points: £100 billion
        ("caps", {"price_per_point_pence": 100, "domain_caps": {"Care": -1}}),
    ]:
        with pytest.raises(LedgerError) as refused:
            budgets.ras_publish(**{**common, **values})
        assert refused.value.field == field
    assert not RasVersion.objects.exists()


def test_a_commitment_above_21_million_pounds_a_week_is_stored(cast, service):
    """A week of 30 hours at £1 million an hour: beyond a 32-bit column, within the limit."""
    from opus.choice import services as choice
    from opus.directory import services as directory

    from .conftest import TODAY, request_booking

    directory.service_set_cost(
        service=service, amount_pence=1_000_000_00, unit="hour", option="", by=None
    )
    service.cost_options.exclude(amount_pence=1_000_000_00).delete()
    budgets.budget_create(
        person=cast.resident,
        title="One week",
        period_start=TODAY,
        period_end=TODAY + dt.timedelta(days=6),
        sources=[("social_care", cast.council, 40_000_000_00)],
        by=cast.commissioner,
    )
    booking = request_booking(cast, service, hours="30")
    choice.booking_decide(booking=booking, accept=True, reason="", by=cast.provider)
    assert booking.commitment.weekly_pence == 30_000_000_00


def test_a_booking_beyond_the_hours_in_a_week_is_refused(cast, service):
    from opus.choice.services import ChoiceError

    from .conftest import request_booking

    with pytest.raises(ChoiceError, match="168 or fewer"):
        request_booking(cast, service, hours="10000")
