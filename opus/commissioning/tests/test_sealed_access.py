"""Before the deadline nobody reads a bid: every role, a stranger and the bidder, through
every page and endpoint, and the opening is refused to all. Nor does the audit log say who
bid (or formed a consortium) until the opening, which then names them all."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from opus.commissioning import services
from opus.commissioning.models import Bid, BidAnswer, BidLot
from opus.commissioning.tests.helpers import bid, open_opportunity, provider
from opus.core.models import AuditEvent, OrganisationKind
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


# ------------------------------------------------- who bid stays sealed too (issue 11, item 10)


def _bidding_world(cast):
    """Three providers: one bids and replaces its bid, one bids and withdraws, and two bid as
    a consortium. Returns the opportunity (deadline passed, not opened), the providers and
    the audit sequence before the first step of any bid."""
    past = timezone.now() - timedelta(days=30)
    opportunity = open_opportunity(cast, now=past)
    solo, solo_user = provider("Solo Trust")
    leaver, leaver_user = provider("Leaving Trust")
    lead, lead_user = provider("Leading Trust")
    partner, partner_user = provider("Partner CIC", OrganisationKind.SOCIAL_ENTERPRISE)
    before = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True)[0]
    day = past + timedelta(days=1)
    bid(opportunity, solo, solo_user, now=day)
    bid(opportunity, solo, solo_user, prices=(3_900_000,), now=day + timedelta(hours=1))
    gone = bid(opportunity, leaver, leaver_user, now=day)
    services.bid_withdraw(bid=gone, by=leaver_user, now=day + timedelta(hours=2))
    consortium = services.consortium_create(
        opportunity=opportunity, name="Leading and Partner", lead=lead, work="Visits",
        work_share=60, value_share=60, by=lead_user, now=day,
    )  # fmt: skip
    member = services.consortium_invite(
        consortium=consortium, organisation=partner, work="Calls", work_share=40,
        value_share=40, by=lead_user, now=day,
    )  # fmt: skip
    services.consortium_respond(member=member, confirm=True, by=partner_user, now=day)
    bid(opportunity, lead, lead_user, consortium=consortium, now=day + timedelta(hours=3))
    people = [(solo, solo_user), (leaver, leaver_user), (lead, lead_user), (partner, partner_user)]
    return opportunity, people, before


def _marks(people):
    marks = []
    for organisation, user in people:
        marks += [organisation.name, organisation.slug, organisation.email, user.email,
                  user.full_name]  # fmt: skip
    return [m for m in marks if m]


def test_the_audit_log_does_not_name_a_bidder_before_the_opening(cast):
    opportunity, people, before = _bidding_world(cast)
    events = list(AuditEvent.objects.filter(sequence__gt=before))
    actions = {e.action for e in events}
    assert {"bid.submit", "bid.replace", "bid.withdraw", "consortium.create",
            "consortium.invite", "consortium.confirm"} <= actions  # fmt: skip
    marks = _marks(people) + ["Leading and Partner"]
    user_ids = {user.pk for _, user in people}
    for event in events:
        held = json.dumps([event.actor_label, event.object_label, event.summary])
        for mark in marks:
            assert mark not in held, f"{event.action} names {mark!r}"
        assert event.actor_id not in user_ids, event.action
    # What auditors and administrators are shown is only what the events hold.
    for role in ("auditor", "admin"):
        client = Client()
        client.force_login(getattr(cast, role))
        pages = [reverse("core:audit_list") + f"?action={prefix}" for prefix in ("bid", "cons")]
        pages += [reverse("core:audit_detail", args=[e.sequence]) for e in events]
        pages += ["/api/v1/audit/events?action=bid", "/api/v1/audit/events?action=consortium"]
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            body = response.content.decode()
            for mark in marks:
                assert mark not in body, f"{role} saw {mark!r} at {url}"


def test_the_opening_names_every_bidder_and_who_sent_each_envelope(cast):
    opportunity, people, before = _bidding_world(cast)
    (solo, solo_user), (leaver, leaver_user), (lead, lead_user), (partner, partner_user) = people
    services.bids_open(opportunity=opportunity, by=cast.commissioner)
    opened = AuditEvent.objects.filter(sequence__gt=before, action="bid.open.verified")
    assert {(e.summary["bidder"], e.summary["submitted_by"]) for e in opened} == {
        (solo.slug, solo_user.email),
        (lead.slug, lead_user.email),
    }
    unsealed = AuditEvent.objects.filter(action__startswith="bid.unsealed.")
    assert {(e.action, e.summary["bidder"]) for e in unsealed} == {
        ("bid.unsealed.replaced", solo.slug),
        ("bid.unsealed.withdrawn", leaver.slug),
    }
    withdrawn = AuditEvent.objects.get(action="bid.unsealed.withdrawn")
    assert withdrawn.summary["withdrawn_by"] == leaver_user.email
    consortium = AuditEvent.objects.get(action="consortium.unsealed")
    assert consortium.summary["lead"] == lead.slug
    assert {m["organisation"] for m in consortium.summary["members"]} == {lead.slug, partner.slug}
    assert partner_user.email in {m["responded_by"] for m in consortium.summary["members"]}
