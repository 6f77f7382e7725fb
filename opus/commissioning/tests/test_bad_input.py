"""Each bad input of the issue gets a clear error naming the field and changes nothing:
through the services, the web forms (GOV.UK error summary) and the API (problem+json)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from opus.commissioning import services
from opus.commissioning.errors import CommissioningError
from opus.commissioning.models import Bid, Opportunity, Score, SealedContent
from opus.commissioning.tests.helpers import (
    bid,
    closed_opportunity_with_bids,
    open_opportunity,
    opportunity_fields,
    provider,
    value_table,
)
from opus.core.models import AuditEvent, OrganisationKind
from opus.core.services import api_token_create

pytestmark = pytest.mark.django_db


def _unchanged(fn):
    before = (Opportunity.objects.count(), Bid.objects.count(), AuditEvent.objects.count())
    with pytest.raises(CommissioningError) as caught:
        fn()
    after = (Opportunity.objects.count(), Bid.objects.count(), AuditEvent.objects.count())
    assert before == after
    return caught.value


def test_weights_that_do_not_sum_to_100(cast):
    fields = {**opportunity_fields(cast, value_table(cast), timezone.now()), "price_weight": 45}
    error = _unchanged(lambda: services.opportunity_create(by=cast.commissioner, **fields))
    assert error.field == "price_weight" and "add up to 105" in error.message


def test_a_deadline_in_the_past(cast):
    now = timezone.now()
    fields = opportunity_fields(cast, value_table(cast), now)
    fields["submission_deadline"] = now - timedelta(minutes=1)
    error = _unchanged(lambda: services.opportunity_create(by=cast.commissioner, **fields))
    assert error.field == "submission_deadline"


def test_light_touch_over_the_threshold(cast, settings):
    settings.COMMISSIONING_LIGHT_TOUCH_THRESHOLD_PENCE = 5_000_000  # read at call time
    fields = opportunity_fields(cast, value_table(cast), timezone.now())
    error = _unchanged(lambda: services.opportunity_create(by=cast.commissioner, **fields))
    assert error.field == "procedure"


@pytest.mark.parametrize("price", [0, -100])
def test_a_price_of_zero_or_less(cast, price):
    opportunity = open_opportunity(cast)
    organisation, user = provider("Free Trust")
    error = _unchanged(lambda: bid(opportunity, organisation, user, prices=(price,)))
    assert error.field == "lots.1.price_pence"
    assert not SealedContent.objects.exists()


def test_a_bid_after_the_deadline(cast):
    opportunity, _ = closed_opportunity_with_bids(cast, count=1)
    organisation, user = provider("Late Trust")
    error = _unchanged(lambda: bid(opportunity, organisation, user))
    assert error.field == "submission_deadline"


def test_a_consortium_member_who_has_not_confirmed(cast):
    opportunity = open_opportunity(cast)
    lead, lead_user = provider("Lead Trust")
    member, _ = provider("Slow CIC", OrganisationKind.SOCIAL_ENTERPRISE)
    consortium = services.consortium_create(
        opportunity=opportunity,
        name="Lead and Slow",
        lead=lead,
        work="",
        work_share=50,
        value_share=50,
        by=lead_user,
    )
    services.consortium_invite(
        consortium=consortium,
        organisation=member,
        work="",
        work_share=50,
        value_share=50,
        by=lead_user,
    )
    error = _unchanged(lambda: bid(opportunity, lead, lead_user, consortium=consortium))
    assert error.field == "consortium" and "Slow CIC has not confirmed" in error.message


def test_an_evaluator_scoring_with_an_undeclared_conflict(cast):
    opportunity, bids = closed_opportunity_with_bids(cast, count=1)
    services.bids_open(opportunity=opportunity, by=cast.commissioner)
    member = services.panel_add(
        opportunity=opportunity, user=cast.commissioner, by=cast.commissioner
    )
    question = opportunity.questions.first()
    error = _unchanged(
        lambda: services.score_record(
            member=member,
            bid=bids[0],
            question=question,
            score=3,
            comment="x",
            by=cast.commissioner,
        )
    )
    assert error.field == "has_conflict" and not Score.objects.exists()


def test_a_reserved_opportunity_refuses_a_large_firm(cast):
    opportunity = open_opportunity(cast, reservation="vcse_sme", reservation_reason="Reg. 77")
    organisation, user = provider("Big plc", OrganisationKind.LARGE_FIRM)
    assert _unchanged(lambda: bid(opportunity, organisation, user)).field == "bidder"


def test_the_web_form_shows_the_error_summary_and_stores_nothing(cast):
    opportunity = open_opportunity(cast)
    organisation, user = provider("Form Trust")
    client = Client()
    client.force_login(user)
    response = client.post(
        reverse("commissioning:bid_new", args=[opportunity.pk]),
        {
            "bidder": organisation.pk,
            "price_1": "0",
            "answer_1": "a",
            "answer_2": "b",
            "declaration": "on",
            "confirm": "yes",  # the service's own checks, met on confirming
        },
    )
    page = response.content.decode()
    assert response.status_code == 400 and "govuk-error-summary" in page
    assert "The price for lot 1 must be more than £0" in page and 'href="#id_price_1"' in page
    assert not Bid.objects.exists()


def test_the_opportunity_form_names_the_weights(cast):
    client = Client()
    client.force_login(cast.commissioner)
    deadline = timezone.localtime() + timedelta(days=20)
    response = client.post(
        reverse("commissioning:opportunity_new"),
        {
            "title": "T",
            "description": "D",
            "procedure": "light_touch",
            "standstill_days": 8,
            "clarification_deadline": (deadline - timedelta(days=3)).strftime("%Y-%m-%d %H:%M"),
            "submission_deadline": deadline.strftime("%Y-%m-%d %H:%M"),
            "contract_start": (deadline + timedelta(days=30)).date(),
            "contract_end": (deadline + timedelta(days=400)).date(),
            "price_weight": 50,
            "quality_weight": 60,
            "social_value_weight": 0,
            "price_formula": "lowest_ratio",
            "abnormally_low_percent": 70,
            "tie_break": "quality_then_price",
            "lot_1_title": "Only",
            "lot_1_value": "50000",
            "question_1_text": "Q",
            "question_1_weight": 60,
        },
    )
    assert response.status_code == 400
    assert "they add up to 110" in response.content.decode()
    assert not Opportunity.objects.exists()


def _api(user):
    client = Client()
    _, secret = api_token_create(user=user, name="test")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client


def _body(lots, answers=None):
    return {"lots": lots, "answers": answers or {"1": "Yes", "2": "Yes"}, "declaration": True}


def test_the_api_answers_a_zero_price_with_a_problem_naming_the_field(cast):
    opportunity = open_opportunity(cast)
    _, user = provider("API Trust")
    response = _api(user).post(
        f"/api/v1/opportunities/{opportunity.pk}/bids",
        _body([{"lot": 1, "price_pence": 0}]),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "lots.0.price_pence"  # the first item
    assert not Bid.objects.exists()


def test_the_api_refuses_a_late_bid_and_takes_a_good_one(cast):
    _, user = provider("API Trust")
    closed, _ = closed_opportunity_with_bids(cast, count=1)
    late = _api(user).post(
        f"/api/v1/opportunities/{closed.pk}/bids",
        _body([{"lot": 1, "price_pence": 100}]),
        content_type="application/json",
    )
    assert late.status_code == 422 and late.json()["errors"][0]["field"] == "submission_deadline"
    opportunity = open_opportunity(cast)
    client = _api(user)
    good = client.post(
        f"/api/v1/opportunities/{opportunity.pk}/bids",
        _body([{"lot": 2, "price_pence": 3_000_000}]),
        content_type="application/json",
    )
    assert good.status_code == 201
    receipt = good.json()
    assert len(receipt["sha256"]) == 64 and "price" not in str(receipt).lower().replace(
        "price_", ""
    )
    withdrawn = client.post(f"/api/v1/bids/{receipt['bid']}/withdraw")
    assert withdrawn.json()["status"] == "withdrawn"


def test_the_api_needs_sign_in_to_bid(cast):
    opportunity = open_opportunity(cast)
    response = Client().post(
        f"/api/v1/opportunities/{opportunity.pk}/bids",
        _body([{"lot": 1, "price_pence": 1}]),
        content_type="application/json",
    )
    assert response.status_code == 401 and not Bid.objects.exists()


# ---------------------------------------------------------------- amounts (issue 11, item 2)

HUGE = 2**63  # the price that once sealed and then made every opening fail


@pytest.mark.parametrize("price", [HUGE, 10**12 + 1, 10**30, 1.5, "4e6", True, None])
def test_the_service_refuses_a_price_out_of_range_whatever_the_caller(cast, price):
    opportunity = open_opportunity(cast)
    organisation, user = provider("Huge Trust")
    error = _unchanged(lambda: bid(opportunity, organisation, user, prices=(price,)))
    assert error.field == "lots.1.price_pence"
    assert not SealedContent.objects.exists()


def test_the_limit_is_the_setting_read_at_call_time(cast, settings):
    opportunity = open_opportunity(cast)
    organisation, user = provider("Exact Trust")
    assert bid(opportunity, organisation, user, prices=(10**12,)).pk  # £10bn: the default limit
    settings.OPUS_MAX_CONTRACT_PENCE = 5_000_000
    error = _unchanged(lambda: bid(opportunity, organisation, user, prices=(5_000_001,)))
    assert "at most £50,000" in error.message


@pytest.mark.parametrize("price", [HUGE, 10**12 + 1, -1, "lots", 1e300])
def test_the_api_refuses_a_price_out_of_range_naming_the_field(cast, price):
    opportunity = open_opportunity(cast)
    _, user = provider("API Trust")
    response = _api(user).post(
        f"/api/v1/opportunities/{opportunity.pk}/bids",
        _body([{"lot": 2, "price_pence": 3_000_000}, {"lot": 1, "price_pence": price}]),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "lots.1.price_pence"
    assert not Bid.objects.exists() and not SealedContent.objects.exists()


@pytest.mark.parametrize(
    "commitment",
    [{"measure": "ILL-S1", "quantity": "NaN"}, {"measure": "ILL-S1", "quantity": "1E+30"},
     {"measure": "ILL-S1", "quantity": "Infinity"}, {"measure": "ILL-S1", "quantity": "0.001"}],
)  # fmt: skip
def test_the_api_refuses_social_value_units_out_of_range(cast, commitment):
    opportunity = open_opportunity(cast)
    _, user = provider("API Trust")
    response = _api(user).post(
        f"/api/v1/opportunities/{opportunity.pk}/bids",
        {**_body([{"lot": 1, "price_pence": 100}]), "social_value": [commitment]},
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"].startswith("social_value.0")
    assert not Bid.objects.exists()


@pytest.mark.parametrize("quantity", ["NaN", "1E+30", "-1", "0.001"])
def test_the_service_refuses_social_value_units_out_of_range(cast, quantity):
    opportunity = open_opportunity(cast)
    organisation, user = provider("Units Trust")
    social = [{"measure": "ILL-S1", "quantity": quantity}]
    error = _unchanged(lambda: bid(opportunity, organisation, user, social=social))
    assert error.field == "social_value"


@pytest.mark.parametrize("value", ["99999999999999", str(HUGE)])
def test_the_api_search_refuses_a_value_filter_out_of_range(cast, value):
    response = Client().get("/api/v1/opportunities", {"min_value": value})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "min_value"


def test_the_web_form_refuses_a_price_over_the_limit(cast):
    opportunity = open_opportunity(cast)
    organisation, user = provider("Form Trust")
    client = Client()
    client.force_login(user)
    response = client.post(
        reverse("commissioning:bid_new", args=[opportunity.pk]),
        {"bidder": organisation.pk, "price_1": "10000000000.01", "answer_1": "a",
         "answer_2": "b", "declaration": "on"},
    )  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 400 and "govuk-error-summary" in page
    assert "Enter an amount of £10,000,000,000 or less" in page and 'href="#id_price_1"' in page
    assert not Bid.objects.exists()


def test_an_opportunity_worth_more_than_the_limit_is_refused(cast):
    fields = opportunity_fields(cast, value_table(cast), timezone.now())
    fields["procedure"] = "open"
    fields["value_pence"] = 2 * HUGE
    fields["lots"] = [
        {"title": "North", "value_pence": HUGE},
        {"title": "South", "value_pence": HUGE},
    ]
    error = _unchanged(lambda: services.opportunity_create(by=cast.commissioner, **fields))
    assert error.field == "value_pence" and "at most £10,000,000,000" in error.message


def test_a_value_table_worth_more_than_the_limit_per_unit_is_refused(cast):
    content = b"code,theme,name,unit,value_per_unit\nX1,Jobs,Huge,job,99999999999999999999\n"
    with pytest.raises(CommissioningError) as caught:
        services.value_table_load(owner=cast.council, name="Huge", source="Test",
                                  content=content, by=cast.commissioner)  # fmt: skip
    assert caught.value.field == "file" and "at most" in caught.value.message
