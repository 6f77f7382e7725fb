"""Bid documents up to the stated 10 MB go through the form and the API, larger ones get a
clear error; a bid id that is not a UUID is a 4xx, never a 500 (issue 11, item 10)."""

import base64

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import Client
from django.urls import reverse

from opus.commissioning import access
from opus.commissioning.models import Bid, SealedContent
from opus.commissioning.tests.helpers import bid, open_opportunity, provider
from opus.core.services import api_token_create

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def _api(user):
    client = Client(raise_request_exception=False)
    _, secret = api_token_create(user=user, name="test")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client


def _api_bid(client, opportunity, size):
    document = {"name": "plan.pdf", "content_type": "application/pdf",
                "data_base64": base64.b64encode(b"%" * size).decode()}  # fmt: skip
    return client.post(
        f"/api/v1/opportunities/{opportunity.pk}/bids",
        {"lots": [{"lot": 1, "price_pence": 100}], "answers": {"1": "a", "2": "b"},
         "declaration": True, "documents": [document]},
        content_type="application/json",
    )  # fmt: skip


def _form_bid(client, opportunity, organisation, size):
    return client.post(
        reverse("commissioning:bid_new", args=[opportunity.pk]),
        {"bidder": organisation.pk, "price_1": "100", "answer_1": "a", "answer_2": "b",
         "declaration": "on", "document": SimpleUploadedFile("plan.pdf", b"%" * size),
         "confirm": "yes"},
    )  # fmt: skip


@pytest.mark.parametrize("size", [3 * MB, 10 * MB])
def test_the_api_takes_documents_up_to_10_mb(cast, size):
    opportunity = open_opportunity(cast)
    _, user = provider("Thorough Trust")
    response = _api_bid(_api(user), opportunity, size)
    assert response.status_code == 201, response.content[:300]
    assert Bid.objects.get().size_bytes > size


def test_the_api_refuses_documents_over_10_mb_naming_the_field(cast):
    opportunity = open_opportunity(cast)
    _, user = provider("Wordy Trust")
    response = _api_bid(_api(user), opportunity, 10 * MB + 1)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "documents"
    assert not Bid.objects.exists()


def test_the_api_refuses_a_body_far_over_the_limit_with_a_problem(cast):
    opportunity = open_opportunity(cast)
    _, user = provider("Flooding Trust")
    response = _api_bid(_api(user), opportunity, 13 * MB)
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "documents"
    assert not Bid.objects.exists()


def test_other_api_routes_keep_the_usual_body_limit(cast):
    opportunity = open_opportunity(cast)
    _, user = provider("Curious Trust")
    response = _api(user).post(
        f"/api/v1/opportunities/{opportunity.pk}/clarifications",
        {"question": "x" * (3 * MB)},
        content_type="application/json",
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("size", [3 * MB, 10 * MB])
def test_the_form_takes_a_document_up_to_10_mb(cast, size):
    opportunity = open_opportunity(cast)
    organisation, user = provider("Thorough Trust")
    client = Client()
    client.force_login(user)
    response = _form_bid(client, opportunity, organisation, size)
    assert response.status_code == 302
    assert SealedContent.objects.count() == 1


def test_the_form_refuses_a_document_over_10_mb_on_its_field(cast):
    opportunity = open_opportunity(cast)
    organisation, user = provider("Wordy Trust")
    client = Client()
    client.force_login(user)
    response = _form_bid(client, opportunity, organisation, 10 * MB + 1)
    page = response.content.decode()
    assert response.status_code == 400 and "govuk-error-summary" in page
    assert 'href="#id_document"' in page and "it may be 10 MB at most" in page
    assert not Bid.objects.exists()


@pytest.mark.parametrize("bad", ["not-a-uuid", "123", "0" * 40, "%20"])
def test_a_bid_id_that_is_not_a_uuid_is_a_4xx_problem_in_the_api(cast, bad):
    opportunity = open_opportunity(cast)
    organisation, user = provider("Real Trust")
    bid(opportunity, organisation, user)
    client = _api(user)
    for response in (client.get(f"/api/v1/bids/{bad}"),
                     client.post(f"/api/v1/bids/{bad}/withdraw")):  # fmt: skip
        assert 400 <= response.status_code < 500, response.status_code
        assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("bad", ["not-a-uuid", "123"])
def test_a_bid_id_that_is_not_a_uuid_is_a_404_on_the_web(cast, bad):
    _, user = provider("Real Trust")
    client = Client(raise_request_exception=False)
    client.force_login(user)
    for url in (f"/commissioning/bids/{bad}/", f"/commissioning/bids/{bad}/withdraw/"):
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404


def test_looking_up_a_bid_by_a_bad_id_is_not_found_whatever_the_caller(cast):
    _, user = provider("Real Trust")
    for bad in ("not-a-uuid", 123, None, "' OR 1=1 --"):
        with pytest.raises(Http404):
            access.get_bid_for_bidder(user, bad)
