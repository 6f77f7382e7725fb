"""Residents sign up: no sign-in until the e-mailed link is followed; an existing address is
not revealed; sign-ups are throttled; the link is signed and lasts three days."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core import signing

from opus.core import signup
from opus.core.models import AuditEvent, Role, User
from opus.core.tests.people_helpers import last_notice, link_in
from opus.notifications.models import Notification
from opus.testing import PASSWORD

pytestmark = pytest.mark.django_db

FORM = {"full_name": "Sol Signup", "email": "Sol@Example.test", "password": PASSWORD,
        "password_again": PASSWORD}  # fmt: skip


def test_the_account_waits_for_the_link_then_holds_the_resident_role(client, cast):
    response = client.post("/sign-up/", FORM)
    assert response["Location"] == "/sign-up/sent/"
    user = User.objects.get(email="sol@example.test")
    assert not user.is_active and user.email_verified_at is None
    assert user.memberships.get().role == Role.RESIDENT
    assert user.memberships.get().organisation == cast.council
    assert client.post("/sign-in/", {"username": "sol@example.test",
                                     "password": PASSWORD}).status_code == 200  # fmt: skip
    path = link_in(last_notice("sol@example.test", "email_verification"), "/sign-up/confirm/")
    assert client.get(path).status_code == 200  # a button: opening the link changes nothing
    assert not User.objects.get(pk=user.pk).is_active
    assert client.post(path)["Location"] == "/sign-in/"
    user.refresh_from_db()
    assert user.is_active and user.email_verified_at is not None
    assert AuditEvent.objects.filter(action="user.email_verify", object_id=str(user.pk)).exists()
    # The link works once.
    again = client.post(path)
    assert again.status_code == 410 and "already confirmed" in again.content.decode()


def test_an_existing_address_gets_the_same_page_and_a_reset_link(client, cast):
    response = client.post("/sign-up/", {**FORM, "email": cast.resident.email})
    assert response["Location"] == "/sign-up/sent/"
    notice = last_notice(cast.resident.email, "email_verification")
    assert "already have an account" in notice.body
    assert "/password-reset/" in notice.body and "/sign-up/confirm/" not in notice.body
    assert User.objects.filter(email=cast.resident.email).count() == 1


def test_bad_input_names_each_field_and_makes_nothing(client, cast):
    page = client.post("/sign-up/", {"full_name": "", "email": "nope", "password": "password",
                                     "password_again": "password"})  # fmt: skip
    text = page.content.decode()
    assert page.status_code == 400 and "There is a problem" in text
    assert "Enter your full name" in text and "correct format" in text
    page = client.post("/sign-up/", {**FORM, "password": "password", "password_again": "password"})
    assert "too common" in page.content.decode()
    assert not User.objects.filter(email="sol@example.test").exists()


def test_sign_ups_are_throttled_per_address(client, cast, settings):
    settings.OPUS_PASSWORD_RESET_PER_ACCOUNT_PER_HOUR = 1
    client.post("/sign-up/", {**FORM, "email": cast.resident.email})
    client.post("/sign-up/", {**FORM, "email": cast.resident.email})
    sent = Notification.objects.filter(address=cast.resident.email, template="email_verification")
    assert sent.count() == 1


def test_an_expired_or_forged_link_gets_a_clear_page(client, cast, monkeypatch):
    signup.resident_sign_up(email="late@example.test", full_name="Late", password=PASSWORD)
    path = link_in(last_notice("late@example.test", "email_verification"), "/sign-up/confirm/")
    now = time.time()
    later = now + timedelta(days=3, minutes=1).total_seconds()
    monkeypatch.setattr(signing.time, "time", lambda: later)
    expired = client.post(path)
    assert expired.status_code == 410 and "expired" in expired.content.decode()
    monkeypatch.undo()
    forged = client.post(path[:-3] + "xx/")
    assert forged.status_code == 410 and "does not work" in forged.content.decode()
    assert not User.objects.get(email="late@example.test").is_active


def test_the_sign_in_page_links_to_sign_up(client):
    assert 'href="/sign-up/"' in client.get("/sign-in/").content.decode()
