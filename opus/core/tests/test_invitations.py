"""Invitations: a single-use, hashed, seven-day link; accepting with or without an account;
dead links get a clear page; administrators list, revoke and resend; everything audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from opus.core import invitations
from opus.core.models import AuditEvent, Invitation, Membership, Role, User
from opus.core.tests.people_helpers import last_notice, link_in
from opus.testing import PASSWORD

pytestmark = pytest.mark.django_db

NEW = {"full_name": "Nia New", "password": PASSWORD, "password_again": PASSWORD}


def _invite(cast, email="nia@example.test", role=Role.COMMISSIONER):
    invitation = invitations.invitation_create(
        email=email, organisation=cast.council, role=role, by=cast.admin
    )
    return invitation, link_in(last_notice(email, "invitation"), "/invitation/")


def test_the_link_is_emailed_and_only_its_hash_is_kept(cast):
    invitation, path = _invite(cast)
    secret = path.rstrip("/").rsplit("/", 1)[1]
    assert invitation.token_hash == Invitation.hash_secret(secret)
    assert secret not in invitation.token_hash
    assert not AuditEvent.objects.filter(summary__icontains=secret).exists()
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    assert AuditEvent.objects.filter(action="invitation.create").exists()


def test_a_new_person_chooses_a_name_and_password_and_gets_the_role(client, cast):
    _, path = _invite(cast)
    response = client.post(path, NEW)
    assert response.status_code == 302
    user = User.objects.get(email="nia@example.test")
    assert user.full_name == "Nia New" and user.check_password(PASSWORD)
    assert Membership.objects.filter(user=user, role=Role.COMMISSIONER).exists()
    assert AuditEvent.objects.filter(action="invitation.accept").exists()
    # Used once: the same link now says so.
    again = client.get(path)
    assert again.status_code == 410 and "already been accepted" in again.content.decode()


def test_a_weak_or_mismatched_password_shows_the_error_summary(client, cast):
    _, path = _invite(cast)
    page = client.post(path, {**NEW, "password": "12345678", "password_again": "12345678"})
    assert page.status_code == 400 and "There is a problem" in page.content.decode()
    page = client.post(path, {**NEW, "password_again": "something else entirely"})
    assert "The two passwords are not the same" in page.content.decode()
    assert not User.objects.filter(email="nia@example.test").exists()


def test_someone_with_an_account_is_told_to_sign_in_then_accepts(client, cast):
    _, path = _invite(cast, email=cast.provider.email, role=Role.AUDITOR)
    page = client.get(path).content.decode()
    assert "You already have an account" in page and "/sign-in/?next=" in page
    assert client.post(path, NEW).status_code == 400  # not signed in: nothing made
    client.force_login(cast.provider)
    assert client.post(path).status_code == 302
    assert Membership.objects.filter(user=cast.provider, role=Role.AUDITOR).exists()


def test_signed_in_as_someone_else_cannot_accept(client, cast):
    _, path = _invite(cast, email=cast.provider.email, role=Role.AUDITOR)
    client.force_login(cast.resident)
    page = client.post(path)
    assert page.status_code == 400 and "You are signed in as" in page.content.decode()
    assert not Membership.objects.filter(role=Role.AUDITOR, user=cast.provider).exists()


def test_expired_revoked_and_unknown_links_get_a_clear_page(client, cast):
    invitation, path = _invite(cast)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    page = client.get(path)
    assert page.status_code == 410 and "has expired" in page.content.decode()
    assert client.post(path, NEW).status_code == 410
    assert not User.objects.filter(email="nia@example.test").exists()

    other, other_path = _invite(cast, email="olu@example.test")
    invitations.invitation_revoke(invitation=other, by=cast.admin)
    page = client.get(other_path)
    assert page.status_code == 410 and "withdrawn" in page.content.decode()

    page = client.get("/invitation/nothing-like-a-real-link/")
    assert page.status_code == 410 and "does not work" in page.content.decode()


def test_resending_makes_a_new_link_and_the_old_one_stops_working(client, cast):
    invitation, old = _invite(cast)
    admin = Client()
    admin.force_login(cast.admin)
    assert admin.post(f"/invitations/{invitation.pk}/resend/").status_code == 302
    new = link_in(last_notice("nia@example.test", "invitation"), "/invitation/")
    assert new != old
    assert client.get(old).status_code == 410
    assert client.get(new).status_code == 200
    assert AuditEvent.objects.filter(action="invitation.resend").exists()


def test_administrators_list_pending_invitations_and_revoke_one(cast):
    invitation, _ = _invite(cast)
    admin = Client()
    admin.force_login(cast.admin)
    assert "nia@example.test" in admin.get("/invitations/").content.decode()
    assert admin.post(f"/invitations/{invitation.pk}/revoke/").status_code == 302
    assert "nia@example.test" not in admin.get("/invitations/").content.decode()
    assert AuditEvent.objects.filter(action="invitation.revoke").exists()
    with pytest.raises(ValidationError):
        invitations.invitation_revoke(invitation=invitation, by=cast.admin)


def test_the_invitation_form_names_each_bad_field(cast):
    admin = Client()
    admin.force_login(cast.admin)
    page = admin.post("/invitations/new/", {"email": "not an address", "organisation": "nowhere",
                                            "role": "king"})  # fmt: skip
    text = page.content.decode()
    assert page.status_code == 400 and "There is a problem" in text
    assert "correct format" in text and "from the list" in text
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("role", ["resident", "champion", "provider", "commissioner",
                                  "councillor", "auditor", "stranger"])  # fmt: skip
def test_only_administrators_invite_revoke_and_resend(cast, role):
    person = getattr(cast, role)
    with pytest.raises(PermissionDenied):
        invitations.invitation_create(
            email="x@example.test", organisation=cast.council, role=Role.ADMIN, by=person
        )
    invitation, _ = _invite(cast)
    with pytest.raises(PermissionDenied):
        invitations.invitation_revoke(invitation=invitation, by=person)
    with pytest.raises(PermissionDenied):
        invitations.invitation_resend(invitation=invitation, by=person)
    client = Client()
    client.force_login(person)
    assert client.get("/invitations/").status_code == 404
