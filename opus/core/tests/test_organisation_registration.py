"""Organisations register themselves and wait for an administrator; until verified they cannot
bid, lead a consortium, or create or publish a directory service."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from opus.commissioning import services as commissioning
from opus.commissioning.errors import CommissioningError
from opus.commissioning.tests.helpers import bid, open_opportunity
from opus.core import organisations
from opus.core.models import AuditEvent, Membership, Organisation, Role, User, VerificationStatus
from opus.core.organisations import require_verified
from opus.core.services import api_token_create
from opus.core.tests.people_helpers import last_notice
from opus.directory import services as directory
from opus.notifications.models import Notification
from opus.testing import PASSWORD, create_member, create_organisation, create_service

pytestmark = pytest.mark.django_db

DETAILS = {"name": "Friends of the Vale", "kind": "charity", "charity_number": "1234567",
           "address": "1 High Street", "postcode": "NE1 4ST", "email": "hi@friends.test",
           "website": "https://friends.test"}  # fmt: skip


def test_a_signed_in_person_registers_and_becomes_its_provider_staff(client, cast):
    client.force_login(cast.stranger)
    response = client.post("/register-organisation/", DETAILS)
    assert response.status_code == 302
    friends = Organisation.objects.get(name="Friends of the Vale")
    assert friends.verification_status == VerificationStatus.PENDING
    assert Membership.objects.filter(user=cast.stranger, organisation=friends,
                                     role=Role.PROVIDER).exists()  # fmt: skip
    assert AuditEvent.objects.filter(action="organisation.register").exists()
    notice = last_notice(cast.admin.email, "organisation_registered")
    assert "Friends of the Vale" in notice.subject and "/organisation-verification/" in notice.body
    page = client.get("/dashboard/provider/").content.decode()
    assert "is waiting for an administrator to verify it" in page


def test_registering_without_an_account_makes_one_waiting_for_its_link(client, cast):
    response = client.post("/register-organisation/", {
        **DETAILS, "full_name": "Tom", "your_email": "tom@friends.test", "password": PASSWORD,
        "password_again": PASSWORD,
    })  # fmt: skip
    assert response["Location"] == "/sign-up/sent/"
    tom = User.objects.get(email="tom@friends.test")
    assert not tom.is_active
    assert Organisation.objects.get(name="Friends of the Vale").memberships.get().user == tom


def test_an_existing_address_registers_nothing_and_is_not_revealed(client, cast):
    response = client.post("/register-organisation/", {
        **DETAILS, "full_name": "Priya", "your_email": cast.provider.email, "password": PASSWORD,
        "password_again": PASSWORD,
    })  # fmt: skip
    assert response["Location"] == "/sign-up/sent/"
    assert not Organisation.objects.filter(name="Friends of the Vale").exists()
    assert "already have an account" in last_notice(cast.provider.email,
                                                    "email_verification").body  # fmt: skip


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "local_authority"}, "Choose what kind of organisation it is"),
        ({"charity_number": "12"}, "charity number"),
        ({"charity_number": ""}, "Enter the charity number"),
        ({"company_number": "ABC"}, "company number"),
        ({"org_id": "nonsense"}, "org-id"),
        ({"postcode": "not a postcode"}, "postcode"),
        ({"email": "nope"}, "correct format"),
        ({"name": ""}, "Enter the organisation&#x27;s name"),
    ],
)
def test_bad_details_name_the_field_and_make_nothing(client, cast, change, message):
    client.force_login(cast.stranger)
    page = client.post("/register-organisation/", {**DETAILS, **change})
    text = page.content.decode()
    assert page.status_code == 400 and "There is a problem" in text
    assert message.lower() in text.lower()
    assert not Organisation.objects.filter(verification_status="pending").exists()


def test_public_bodies_cannot_register_themselves(cast):
    with pytest.raises(ValidationError):
        organisations.organisation_register(
            registrant=cast.stranger, **{**DETAILS, "kind": "local_authority"}
        )


def test_an_administrator_rejects_with_a_reason_and_the_registrant_is_told(cast):
    pending = organisations.organisation_register(registrant=cast.stranger, **DETAILS)
    admin = Client()
    admin.force_login(cast.admin)
    page = admin.post(f"/organisation-verification/{pending.slug}/", {"decision": "reject"})
    assert page.status_code == 400 and "Say why" in page.content.decode()
    admin.post(f"/organisation-verification/{pending.slug}/",
               {"decision": "reject", "reason": "Not a registered charity"})  # fmt: skip
    pending.refresh_from_db()
    assert pending.verification_status == VerificationStatus.REJECTED
    assert pending.verified_by == cast.admin and pending.verified_at is not None
    notice = last_notice(cast.stranger.email, "organisation_verified")
    assert "Not a registered charity" in notice.body
    assert AuditEvent.objects.filter(action="organisation.reject").exists()
    with pytest.raises(ValidationError):
        organisations.organisation_verify(organisation=pending, by=cast.admin)


def test_unverified_organisations_cannot_bid_lead_a_consortium_or_list_services(cast):
    pending = create_organisation(name="Waiting Trust", verification_status="pending")
    staff = create_member(Role.PROVIDER, pending)
    assert cast.charity.verification_status == VerificationStatus.VERIFIED
    with pytest.raises(ValidationError, match="waiting for an administrator") as caught:
        require_verified(pending, field="bidder")
    assert "bidder" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        directory.service_create(organisation=pending, by=staff, name="Tea", description="Tea")
    assert "organisation" in caught.value.message_dict
    opportunity = open_opportunity(cast)
    with pytest.raises(CommissioningError) as refused:
        bid(opportunity, pending, staff)
    assert refused.value.field == "bidder"
    with pytest.raises(CommissioningError) as refused:
        commissioning.consortium_create(opportunity=opportunity, name="Us", lead=pending,
                                        work="All", work_share=100, value_share=100,
                                        by=staff)  # fmt: skip
    assert refused.value.field == "lead"
    # A service made before (by an administrator, say) cannot be published while pending.
    service = create_service(organisation=cast.charity, status="inactive")
    type(service).objects.filter(pk=service.pk).update(organisation=pending)
    service.refresh_from_db()
    with pytest.raises(ValidationError):
        directory.service_update(service=service, by=None, status="active")


@pytest.mark.parametrize("role", ["resident", "champion", "provider", "commissioner",
                                  "councillor", "auditor", "stranger"])  # fmt: skip
def test_only_administrators_verify_or_reject(cast, role):
    pending = organisations.organisation_register(registrant=cast.stranger, **DETAILS)
    person = getattr(cast, role)
    with pytest.raises(PermissionDenied):
        organisations.organisation_verify(organisation=pending, by=person)
    with pytest.raises(PermissionDenied):
        organisations.organisation_reject(organisation=pending, reason="No", by=person)
    client = Client()
    client.force_login(person)
    assert client.get("/organisation-verification/").status_code == 404
    assert client.post(f"/organisation-verification/{pending.slug}/",
                       {"decision": "verify"}).status_code == 404  # fmt: skip
    assert Notification.objects.filter(template="organisation_verified").count() == 0


def test_an_unverified_organisations_bid_through_the_api_is_a_problem_naming_the_bidder(cast):
    pending = create_organisation(name="Waiting Trust", verification_status="pending")
    staff = create_member(Role.PROVIDER, pending)
    opportunity = open_opportunity(cast)
    _, secret = api_token_create(user=staff, name="bids")
    body = {"lots": [{"lot": 1, "price_pence": 4_000_000}],
            "answers": {"1": "Weekly", "2": "Trained"}, "social_value": [],
            "declaration": True}  # fmt: skip
    response = Client(HTTP_AUTHORIZATION=f"Bearer {secret}").post(
        f"/api/v1/opportunities/{opportunity.pk}/bids", json.dumps(body),
        content_type="application/json", HTTP_IDEMPOTENCY_KEY="pending-bid",
    )  # fmt: skip
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.status_code == 422
    assert "bidder" in response.content.decode() and "waiting" in response.content.decode()
