"""Administrators manage people: search, a person's page, roles given and taken away,
accounts switched off (sessions and API tokens end) and on; the person told every time."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from opus.core import people
from opus.core.models import ApiToken, AuditEvent, Membership, Role
from opus.core.services import api_token_create
from opus.core.tests.people_helpers import last_notice
from opus.testing import create_member, create_user

pytestmark = pytest.mark.django_db

NON_ADMINS = ["resident", "champion", "provider", "commissioner", "councillor", "auditor",
              "stranger"]  # fmt: skip


def _admin(cast) -> Client:
    client = Client()
    client.force_login(cast.admin)
    return client


def test_people_are_searched_and_paginated(cast):
    for n in range(30):
        create_user(full_name=f"Zed Searchable {n:02d}", email=f"zed{n}@example.test")
    admin = _admin(cast)
    page = admin.get("/people/", {"q": "searchable"}).content.decode()
    assert "Zed Searchable 00" in page and "Zed Searchable 29" not in page
    assert "Rosa" not in page and "page=2" in page
    assert (
        "Zed Searchable 29"
        in admin.get("/people/", {"q": "searchable", "page": 2}).content.decode()
    )
    assert "Rosa" in admin.get("/people/", {"q": "ROSA@example"}).content.decode()


def test_a_persons_page_shows_their_memberships(cast):
    page = _admin(cast).get(f"/people/{cast.provider.pk}/").content.decode()
    assert "Good Neighbours" in page and "Provider staff" in page


def test_a_persons_page_offers_the_two_factor_reset_only_when_they_use_it(cast):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    reset = f"/people/{cast.commissioner.pk}/two-factor/reset/"
    assert reset not in _admin(cast).get(f"/people/{cast.commissioner.pk}/").content.decode()
    TOTPDevice.objects.create(user=cast.commissioner, name="phone", confirmed=True)
    assert reset in _admin(cast).get(f"/people/{cast.commissioner.pk}/").content.decode()


def test_granting_and_revoking_a_role_is_audited_and_the_person_told(cast):
    admin = _admin(cast)
    response = admin.post(f"/people/{cast.stranger.pk}/roles/",
                          {"organisation": cast.charity.slug, "role": "champion"})  # fmt: skip
    assert response.status_code == 302
    membership = Membership.objects.get(user=cast.stranger, role=Role.CHAMPION)
    assert AuditEvent.objects.filter(action="membership.grant", actor=cast.admin,
                                     object_id=str(membership.pk)).exists()  # fmt: skip
    assert "You are now Choice Champion at Good Neighbours" in last_notice(
        cast.stranger.email, "role_changed").body  # fmt: skip
    response = admin.post(f"/people/{cast.stranger.pk}/roles/{membership.pk}/revoke/")
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditEvent.objects.filter(action="membership.revoke", actor=cast.admin).exists()
    assert "no longer Choice Champion" in last_notice(cast.stranger.email, "role_changed").body


def test_a_bad_grant_names_the_fields(cast):
    page = _admin(cast).post(f"/people/{cast.stranger.pk}/roles/",
                             {"organisation": "nowhere", "role": "emperor"})  # fmt: skip
    text = page.content.decode()
    assert page.status_code == 400 and "There is a problem" in text
    assert "Choose an organisation from the list" in text and "Choose a role from the list" in text
    assert not cast.stranger.memberships.exists()


def test_the_last_active_administrator_keeps_the_role(cast):
    admin_membership = cast.admin.memberships.get(role=Role.ADMIN)
    page = _admin(cast).post(f"/people/{cast.admin.pk}/roles/{admin_membership.pk}/revoke/")
    assert page.status_code == 400 and "last active administrator" in page.content.decode()
    assert Membership.objects.filter(pk=admin_membership.pk).exists()
    # With a second (active) administrator the role may go.
    create_member(Role.ADMIN, cast.council, full_name="Abe Admin")
    people.role_revoke(membership=admin_membership, by=cast.admin)
    assert not Membership.objects.filter(pk=admin_membership.pk).exists()


def test_an_administrator_cannot_switch_themselves_off(cast):
    page = _admin(cast).post(f"/people/{cast.admin.pk}/switch-off/")
    assert page.status_code == 400 and "your own account" in page.content.decode()
    cast.admin.refresh_from_db()
    assert cast.admin.is_active


def test_switching_off_ends_sessions_and_tokens_and_switching_on_restores_sign_in(cast):
    rosa = Client()
    rosa.force_login(cast.resident)
    assert rosa.get("/account/").status_code == 200
    token, secret = api_token_create(user=cast.resident, name="laptop")
    admin = _admin(cast)
    assert admin.post(f"/people/{cast.resident.pk}/switch-off/").status_code == 302
    cast.resident.refresh_from_db()
    assert not cast.resident.is_active
    assert rosa.get("/account/").status_code == 302  # signed out
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get("/api/v1/me").status_code in (401, 404)
    assert AuditEvent.objects.filter(action="user.switch_off", actor=cast.admin).exists()
    assert "switched off" in last_notice(cast.resident.email, "role_changed").body
    assert admin.post(f"/people/{cast.resident.pk}/switch-on/").status_code == 302
    cast.resident.refresh_from_db()
    assert cast.resident.is_active
    assert AuditEvent.objects.filter(action="user.reactivate", actor=cast.admin).exists()


@pytest.mark.parametrize("role", NON_ADMINS)
def test_only_administrators_manage_people(cast, role):
    person = getattr(cast, role)
    membership = cast.provider.memberships.first()
    with pytest.raises(PermissionDenied):
        people.role_grant(user=cast.stranger, organisation=cast.council, role=Role.ADMIN,
                          by=person)  # fmt: skip
    with pytest.raises(PermissionDenied):
        people.role_revoke(membership=membership, by=person)
    with pytest.raises(PermissionDenied):
        people.account_deactivate(user=cast.provider, by=person)
    with pytest.raises(PermissionDenied):
        people.account_reactivate(user=cast.provider, by=person)
    with pytest.raises(PermissionDenied):
        people.role_grant(user=cast.stranger, organisation=cast.council, role=Role.ADMIN, by=None)
    client = Client()
    client.force_login(person)
    assert client.get("/people/").status_code == 404
    assert client.get(f"/people/{cast.provider.pk}/").status_code == 404
    assert client.post(f"/people/{cast.provider.pk}/switch-off/").status_code == 404
    cast.provider.refresh_from_db()
    assert cast.provider.is_active and Membership.objects.filter(pk=membership.pk).exists()


def test_a_switched_off_administrator_manages_no_one(cast):
    other = create_member(Role.ADMIN, cast.council, full_name="Abe Admin")
    people.account_deactivate(user=other, by=cast.admin)
    other.refresh_from_db()
    with pytest.raises(PermissionDenied):
        people.account_reactivate(user=other, by=other)


def test_a_bad_grant_through_the_service_is_refused(cast):
    with pytest.raises(ValidationError):
        people.role_grant(user=cast.stranger, organisation=cast.council, role="emperor",
                          by=cast.admin)  # fmt: skip
