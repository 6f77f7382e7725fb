"""Accounts and tokens (issue 11, item 9): reset e-mails throttled, lockouts keyed on the
account and told to its owner, tokens that expire and are revoked when the account is at
risk, sessions that end when idle, and a production configuration that refuses weak secrets."""

import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.test import RequestFactory
from django.utils import timezone

from opus.core import services
from opus.core.middleware import SEEN_KEY
from opus.core.models import ApiToken, AuditEvent, TokenRevocation, User
from opus.core.throttle import client_ip
from opus.testing import PASSWORD, create_user

pytestmark = pytest.mark.django_db


def _bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _sign_in(client, email, password, address="192.0.2.1", **extra):
    return client.post(
        "/sign-in/", {"username": email, "password": password}, REMOTE_ADDR=address, **extra
    )


# Password-reset e-mails ----------------------------------------------------------------


def test_reset_emails_to_one_account_are_limited_and_the_page_does_not_change(client, cast):
    pages = set()
    for n in range(10):
        response = client.post(
            "/password-reset/", {"email": "rosa@example.test"}, REMOTE_ADDR=f"198.51.100.{n}"
        )
        assert response.status_code == 302
        pages.add(response["Location"])
    assert len(mail.outbox) == 3
    assert pages == {"/password-reset/sent/"}
    sent = AuditEvent.objects.filter(action="user.password_reset_sent", actor=None)
    assert sent.count() == 3 and set(sent.values_list("object_id", flat=True)) == {
        str(cast.resident.pk)
    }


def test_reset_emails_from_one_client_are_limited(client, settings, db):
    settings.OPUS_PASSWORD_RESET_PER_CLIENT_PER_HOUR = 4
    for n in range(6):
        create_user(email=f"reset{n}@example.test")
        response = client.post("/password-reset/", {"email": f"reset{n}@example.test"})
        assert response["Location"] == "/password-reset/sent/"
    assert len(mail.outbox) == 4


def test_an_unknown_address_gets_the_same_answer_and_no_email(client, cast):
    known = client.post("/password-reset/", {"email": "rosa@example.test"})
    unknown = client.post("/password-reset/", {"email": "nobody@example.test"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert [m.to for m in mail.outbox] == [["rosa@example.test"]]


def test_reset_limit_opens_again_after_an_hour(client, cast):
    from opus.core.models import ThrottleHit

    for _ in range(3):
        client.post("/password-reset/", {"email": "rosa@example.test"})
    ThrottleHit.objects.update(created_at=timezone.now() - timedelta(minutes=61))
    client.post("/password-reset/", {"email": "rosa@example.test"})
    assert len(mail.outbox) == 4


# The client's address behind proxies ----------------------------------------------------


def test_forwarding_headers_are_ignored_unless_proxies_are_trusted(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7"
    )
    settings.OPUS_TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.5"
    settings.OPUS_TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "198.51.100.7"  # what our proxy saw; the rest the client wrote
    settings.OPUS_TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "203.0.113.9"
    settings.OPUS_TRUSTED_PROXY_COUNT = 3
    assert client_ip(request) == "10.0.0.5"  # fewer hops than proxies: only the connection


def test_the_trusted_header_can_be_named(settings):
    settings.OPUS_TRUSTED_PROXY_COUNT = 1
    settings.OPUS_TRUSTED_PROXY_HEADER = "X-Real-IP"
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.5", HTTP_X_REAL_IP="198.51.100.8", HTTP_X_FORWARDED_FOR="1.2.3.4"
    )
    assert client_ip(request) == "198.51.100.8"


# Lockouts --------------------------------------------------------------------------------


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    return settings


def test_failures_from_many_addresses_lock_the_account(client, cast, axes_on):
    for n in range(3):
        _sign_in(client, "cora@example.test", "wrong", address=f"203.0.113.{n}")
    response = _sign_in(client, "cora@example.test", PASSWORD, address="203.0.113.99")
    assert response.status_code == 429
    # Another account behind the same address signs in as usual.
    assert _sign_in(client, "rosa@example.test", PASSWORD, address="203.0.113.1").status_code == 302


def test_behind_a_trusted_proxy_the_client_address_is_recorded(client, cast, axes_on):
    axes_on.OPUS_TRUSTED_PROXY_COUNT = 1
    _sign_in(
        client,
        "cora@example.test",
        "wrong",
        address="10.0.0.5",
        HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.7",
    )
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["198.51.100.7"]


def test_a_lockout_tells_the_owner_once_and_revokes_their_tokens(client, cast, axes_on):
    token, secret = services.api_token_create(user=cast.commissioner, name="Finance system")
    assert client.get("/api/v1/me", **_bearer(secret)).status_code == 200
    for n in range(5):
        _sign_in(client, "cora@example.test", "wrong", address=f"203.0.113.{n}")
    assert [m.to for m in mail.outbox] == [["cora@example.test"]]
    assert "failed attempts to sign in" in mail.outbox[0].body
    assert "/password-reset/" in mail.outbox[0].body
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_reason == TokenRevocation.LOCKOUT
    assert client.get("/api/v1/me", **_bearer(secret)).status_code == 401
    revoke = AuditEvent.objects.get(action="api_token.revoke", object_id=str(token.pk))
    assert revoke.summary == {"reason": "lockout"}
    lock = AuditEvent.objects.get(action="user.lock_out")
    assert lock.object_id == str(cast.commissioner.pk)
    assert lock.summary == {"tokens_revoked": 1, "notice_sent_to": "cora@example.test"}


def test_a_lockout_of_an_address_with_no_account_sends_nothing(client, cast, axes_on):
    for _ in range(4):
        _sign_in(client, "nobody@example.test", "wrong")
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(action="user.lock_out").exists()


def test_a_new_password_lifts_the_lockout(client, cast, axes_on):
    for _ in range(3):
        _sign_in(client, "cora@example.test", "wrong")
    assert _sign_in(client, "cora@example.test", PASSWORD).status_code == 429
    user = User.objects.get(email="cora@example.test")
    user.set_password("a brand new passphrase")
    user.save()
    assert _sign_in(client, "cora@example.test", "a brand new passphrase").status_code == 302


# API tokens ------------------------------------------------------------------------------


def test_tokens_expire_after_their_lifetime(client, cast, settings):
    settings.OPUS_API_TOKEN_LIFETIME_DAYS = 7
    token, secret = services.api_token_create(user=cast.commissioner, name="Short")
    assert token.expires_at - token.created_at == pytest.approx(
        timedelta(days=7), abs=timedelta(seconds=5)
    )
    assert client.get("/api/v1/me", **_bearer(secret)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/me", **_bearer(secret)).status_code == 401
    assert not ApiToken.objects.get(pk=token.pk).is_active


def test_the_last_use_of_a_token_is_recorded(client, cast):
    token, secret = services.api_token_create(user=cast.commissioner, name="Finance system")
    assert token.last_used_at is None
    client.get("/api/v1/me", **_bearer(secret))
    token.refresh_from_db()
    assert token.last_used_at is not None
    client.force_login(cast.commissioner)
    page = client.get("/account/").content.decode()
    assert "Last used" in page and "Expires" in page


def test_a_password_change_revokes_tokens_in_its_transaction(client, cast):
    token, secret = services.api_token_create(user=cast.commissioner, name="Finance system")
    user = User.objects.get(pk=cast.commissioner.pk)
    user.set_password("another long passphrase")
    user.save()
    token.refresh_from_db()
    assert token.revoked_reason == TokenRevocation.PASSWORD
    assert client.get("/api/v1/me", **_bearer(secret)).status_code == 401
    change = AuditEvent.objects.get(action="user.password_change")
    assert change.summary == {"tokens_revoked": 1}
    assert AuditEvent.objects.filter(action="api_token.revoke", object_id=str(token.pk)).exists()


def test_a_password_reset_through_the_link_revokes_tokens(client, cast):
    token, secret = services.api_token_create(user=cast.resident, name="My app")
    client.post("/password-reset/", {"email": "rosa@example.test"})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password-reset/" in line)
    form = client.get(link.split("testserver", 1)[1], follow=True)
    new = "a much longer new passphrase"
    client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert client.get("/api/v1/me", **_bearer(secret)).status_code == 401


def test_switching_an_account_off_revokes_its_tokens(cast):
    token, _ = services.api_token_create(user=cast.commissioner, name="Finance system")
    user = User.objects.get(pk=cast.commissioner.pk)
    user.is_active = False
    user.save()
    token.refresh_from_db()
    assert token.revoked_reason == TokenRevocation.DEACTIVATED
    assert AuditEvent.objects.filter(action="user.deactivate").exists()


def test_signing_in_leaves_tokens_alone(client, cast):
    token, secret = services.api_token_create(user=cast.commissioner, name="Finance system")
    assert _sign_in(client, "cora@example.test", PASSWORD).status_code == 302
    assert ApiToken.objects.get(pk=token.pk).is_active
    assert client.get("/api/v1/me", **_bearer(secret)).status_code == 200


# Sessions ----------------------------------------------------------------------------------


def _set_seen(client, seconds_ago):
    session = client.session
    session[SEEN_KEY] = int(time.time()) - seconds_ago
    session.save()


def test_an_idle_session_ends(client, cast, settings):
    settings.OPUS_SESSION_IDLE_MINUTES = 30
    client.force_login(cast.resident)
    assert client.get("/account/").status_code == 200
    _set_seen(client, 31 * 60)
    response = client.get("/account/", follow=True)
    assert response.redirect_chain[0][0].startswith("/sign-in/")
    assert "signed out after 30 minutes without activity" in response.content.decode()
    assert client.get("/account/").status_code == 302


def test_activity_keeps_a_session_going(client, cast, settings):
    settings.OPUS_SESSION_IDLE_MINUTES = 30
    client.force_login(cast.resident)
    client.get("/account/")
    _set_seen(client, 29 * 60)
    assert client.get("/account/").status_code == 200
    assert int(time.time()) - client.session[SEEN_KEY] < 5


def test_signing_in_counts_as_activity_so_the_next_page_need_not_write_the_session(client, cast):
    client.force_login(cast.resident)
    assert int(time.time()) - client.session[SEEN_KEY] < 5


def test_the_sign_in_page_says_when_idle_sessions_end(client, settings, db):
    settings.OPUS_SESSION_IDLE_MINUTES = 30
    assert (
        "sign you out after 30 minutes without activity" in client.get("/sign-in/").content.decode()
    )


def test_the_stored_session_outlives_the_idle_limit_only_by_the_refresh_interval():
    from django.conf import settings

    assert settings.SESSION_COOKIE_AGE == settings.OPUS_SESSION_IDLE_MINUTES * 60 + 60
