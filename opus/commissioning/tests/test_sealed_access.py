"""Before the deadline nobody reads a bid: every role, a stranger and the bidder, through
every page and endpoint, and the opening is refused to all."""

import pytest
from django.test import Client
from django.urls import reverse

from opus.commissioning.models import Bid, BidAnswer, BidLot
from opus.commissioning.tests.helpers import bid, open_opportunity, provider
from opus.core.services import api_token_create

pytestmark = pytest.mark.django_db

PRICE = 4_123_457  # £41,234.57
SECRET = "ZEBRA-CROSSING-SECRET-ANSWER"
SECRET_MARKS = (SECRET, "41,234.57", "41234.57", str(PRICE), "8642.19")


def _sealed_world(cast):
    opportunity = open_opportunity(cast)
    organisation, user = provider("Sealed Trust")
    sent = bid(
        opportunity,
        organisation,
        user,
        prices=(PRICE,),
        answers={1: SECRET, 2: SECRET},
        social=[{"measure": "ILL-J3", "quantity": "8642.19"}],
    )
    return opportunity, sent, user


def _pages(opportunity, sent):
    pk = opportunity.pk
    names = [
        ("commissioning:opportunity_list", []),
        ("commissioning:opportunity_detail", [pk]),
        ("commissioning:evaluation", [pk]),
        ("commissioning:provider_home", []),
        ("commissioning:bid_receipt", [sent.uuid]),
        ("commissioning:commissioner_home", []),
        ("commissioning:oversight", []),
        ("commissioning:diversity", []),
        ("commissioning:diversity_csv", []),
        ("commissioning:contract_list", []),
        ("commissioning:bid_new", [pk]),
        ("core:audit_list", []),
    ]
    urls = [reverse(name, args=args) for name, args in names]
    return urls + [
        f"/api/v1/opportunities/{pk}",
        "/api/v1/opportunities",
        "/api/v1/bids",
        f"/api/v1/bids/{sent.uuid}",
        "/api/v1/contracts",
        "/api/v1/ocds/releases",
        f"/api/v1/ocds/records/{opportunity.ocid}",
    ]


def _clients(cast, bidder):
    clients = {"anonymous": Client()}
    for role, user in {**cast.by_role(), "stranger": cast.stranger, "bidder": bidder}.items():
        client = Client()
        client.force_login(user)
        clients[role] = client
    token_client = Client()
    _, secret = api_token_create(user=bidder, name="bidder's machine")
    token_client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    clients["bidder-token"] = token_client
    return clients


def test_no_role_reads_a_sealed_bid_through_any_page_or_endpoint(cast):
    opportunity, sent, bidder = _sealed_world(cast)
    for role, client in _clients(cast, bidder).items():
        for url in _pages(opportunity, sent):
            body = client.get(url).content.decode()
            for mark in SECRET_MARKS:
                assert mark not in body, f"{role} saw {mark!r} at {url}"


def test_no_role_can_open_the_bids_before_the_deadline(cast):
    opportunity, sent, bidder = _sealed_world(cast)
    for role, client in _clients(cast, bidder).items():
        client.post(reverse("commissioning:bids_open", args=[opportunity.pk]))
        assert Bid.objects.get(pk=sent.pk).opened_at is None, role
    assert not BidLot.objects.exists() and not BidAnswer.objects.exists()


def test_the_receipt_is_only_for_the_bidder(cast):
    opportunity, sent, bidder = _sealed_world(cast)
    url = reverse("commissioning:bid_receipt", args=[sent.uuid])
    for role, client in _clients(cast, bidder).items():
        response = client.get(url)
        if role == "bidder":
            assert sent.receipt_sha256 in response.content.decode()
        else:
            assert sent.receipt_sha256 not in response.content.decode(), role
            assert response.status_code in (302, 404), role
