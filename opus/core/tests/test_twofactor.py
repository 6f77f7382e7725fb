"""Two-factor sign-in: an authenticator app confirmed only by a right code, the code asked
after the password, backup codes that work once, staff sent to set it up where the site
requires it (and residents never asked), an administrator's reset, and throttled guesses."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.checks import run_checks
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from opus.core import twofactor
from opus.core.models import AuditEvent
from opus.core.services import api_token_create
from opus.notifications.models import Notification
from opus.testing import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_waiting(settings):
    """Throttling has its own test; elsewhere a wrong code may be followed by a right one."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def code(device: TOTPDevice, ahead: int = 0) -> str:
    """What the person's app shows now (or `ahead` steps on: a code not yet used)."""
    return f"{totp(device.bin_key, drift=ahead):06d}"


def enable(user) -> tuple[TOTPDevice, list[str]]:
    device = twofactor.twofactor_setup_start(user=user, by=user)
    codes = twofactor.twofactor_confirm(device=device, code=code(device), by=user)
    device.refresh_from_db()
    return device, codes


def password_step(client: Client, user, next_url: str = "") -> object:
    data = {"username": user.email, "password": PASSWORD}
    return client.post(f"/sign-in/?next={next_url}" if next_url else "/sign-in/", data)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# Setting up ---------------------------------------------------------------------------


def test_an_app_is_confirmed_only_by_a_right_code_and_backup_codes_are_shown_once(cast):
    client = Client()
    client.force_login(cast.resident)
    response = client.post("/account/two-factor/start/")
    assert response.status_code == 302 and "/account/two-factor/set-up/" in response["Location"]
    device = TOTPDevice.objects.get(user=cast.resident)
    assert not device.confirmed

    page = client.get("/account/two-factor/set-up/").content.decode()
    assert "<svg" in page and 'aria-label="QR code for your authenticator app"' in page
    assert twofactor.app_device(cast.resident, confirmed=False) == device
    from opus.core.views_twofactor import secret_in_groups

    assert secret_in_groups(device) in page

    wrong = f"{(int(code(device)) + 1) % 1_000_000:06d}"
    response = client.post("/account/two-factor/set-up/", {"code": wrong})
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed and not StaticDevice.objects.filter(user=cast.resident).exists()

    response = client.post("/account/two-factor/set-up/", {"code": code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    codes_page = client.get(response["Location"]).content.decode()
    tokens = list(StaticToken.objects.filter(device__user=cast.resident))
    assert len(tokens) == twofactor.BACKUP_CODE_COUNT == 10
    assert all(f"{t.token[:4]} {t.token[4:]}" in codes_page for t in tokens)
    assert client.get("/account/two-factor/backup-codes/").status_code == 302  # shown once
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert AuditEvent.objects.filter(action="two_factor.enable", actor=cast.resident).exists()


def test_a_code_that_is_not_six_digits_is_refused_before_it_is_tried(cast):
    client = Client()
    client.force_login(cast.resident)
    client.post("/account/two-factor/start/")
    response = client.post("/account/two-factor/set-up/", {"code": "12ab"})
    assert response.status_code == 400
    assert "Enter the 6 digits your authenticator app shows" in response.content.decode()
    assert TOTPDevice.objects.get(user=cast.resident).throttling_failure_count == 0


def test_new_backup_codes_replace_the_old_ones(cast):
    _, old = enable(cast.resident)
    new = twofactor.twofactor_backup_codes_renew(user=cast.resident, by=cast.resident)
    assert len(new) == 10 and not set(old) & set(new)
    with pytest.raises(Exception, match="not right"):
        twofactor.twofactor_verify(user=cast.resident, code=old[0])
    assert twofactor.twofactor_verify(user=cast.resident, code=new[0]).backup_codes_left == 9
    assert AuditEvent.objects.filter(action="two_factor.backup_codes_renew").count() == 1


def test_a_person_sets_up_only_their_own_app(cast):
    with pytest.raises(PermissionDenied):
        twofactor.twofactor_setup_start(user=cast.resident, by=cast.admin)


def test_turning_it_off_needs_a_current_code(cast):
    device, _ = enable(cast.resident)
    client = Client()
    client.force_login(cast.resident)
    response = client.post("/account/two-factor/turn-off/", {"code": "000000"})
    if code(device, ahead=1) != "000000":
        assert response.status_code == 400
        assert twofactor.is_on(cast.resident)
    response = client.post("/account/two-factor/turn-off/", {"code": code(device, ahead=1)})
    assert response.status_code == 302
    assert not twofactor.is_on(cast.resident)
    assert not StaticDevice.objects.filter(user=cast.resident).exists()
    assert AuditEvent.objects.filter(action="two_factor.disable", actor=cast.resident).exists()


def test_staff_cannot_turn_it_off_where_their_role_requires_it(cast, settings):
    settings.OPUS_REQUIRE_2FA = True
    device, _ = enable(cast.commissioner)
    client = Client()
    client.force_login(cast.commissioner)
    client.post("/sign-in/code/", {"code": code(device, ahead=1)})
    assert (
        "You cannot turn two-factor sign-in off"
        in client.get("/account/two-factor/").content.decode()
    )
    response = client.post("/account/two-factor/turn-off/", {"code": code(device, ahead=1)})
    assert response.status_code == 403
    assert twofactor.is_on(cast.commissioner)


# Signing in ---------------------------------------------------------------------------


def test_sign_in_asks_for_the_code_after_the_password(cast):
    device, _ = enable(cast.commissioner)
    client = Client()
    response = password_step(client, cast.commissioner, next_url="/account/")
    assert response.status_code == 302 and response["Location"] == "/sign-in/code/"
    assert not signed_in(client)
    assert client.get("/account/")["Location"].startswith("/sign-in/")  # not in yet

    wrong = f"{(int(code(device, ahead=1)) + 1) % 1_000_000:06d}"
    response = client.post("/sign-in/code/", {"code": wrong})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and "The code is not right" in page
    assert not signed_in(client)

    response = client.post("/sign-in/code/", {"code": code(device, ahead=1)})
    assert response.status_code == 302 and response["Location"] == "/account/"
    assert signed_in(client)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get("/account/").status_code == 200


def test_a_person_without_an_app_is_signed_in_by_the_password(cast):
    client = Client()
    response = password_step(client, cast.resident)
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert signed_in(client)


def test_an_unfinished_sign_in_expires(cast):
    device, _ = enable(cast.resident)
    client = Client()
    password_step(client, cast.resident)
    session = client.session
    session["opus_2fa_pending"]["at"] -= 3600
    session.save()
    response = client.post("/sign-in/code/", {"code": code(device, ahead=1)})
    assert response.status_code == 302 and response["Location"] == "/sign-in/"
    assert not signed_in(client)


def test_an_unfinished_sign_in_ends_when_the_password_changes(cast):
    device, _ = enable(cast.resident)
    client = Client()
    password_step(client, cast.resident)
    cast.resident.set_password("a different horse battery staple")
    cast.resident.save()
    response = client.post("/sign-in/code/", {"code": code(device, ahead=1)})
    assert response["Location"] == "/sign-in/" and not signed_in(client)


def test_a_backup_code_works_once_is_audited_and_says_how_many_are_left(cast):
    _, codes = enable(cast.resident)
    client = Client()
    password_step(client, cast.resident)
    response = client.post("/sign-in/code/", {"code": codes[0].upper()}, follow=True)
    assert signed_in(client)
    assert "You have 9 backup codes left" in response.content.decode()
    event = AuditEvent.objects.get(action="two_factor.backup_code_used")
    assert event.actor == cast.resident and event.summary["backup_codes_left"] == 9

    client = Client()
    password_step(client, cast.resident)
    response = client.post("/sign-in/code/", {"code": codes[0]})
    assert response.status_code == 400 and not signed_in(client)


def test_wrong_codes_are_throttled(cast, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 1
    device, _ = enable(cast.resident)
    right = code(device, ahead=1)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    client = Client()
    password_step(client, cast.resident)
    client.post("/sign-in/code/", {"code": wrong})
    client.post("/sign-in/code/", {"code": wrong})
    response = client.post("/sign-in/code/", {"code": right})
    assert response.status_code == 400 and not signed_in(client)
    assert "You have entered a wrong code too many times" in response.content.decode()

    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(minutes=5)
    )
    response = client.post("/sign-in/code/", {"code": right})
    assert response.status_code == 302 and signed_in(client)


# Required for staff roles -------------------------------------------------------------

PRIVATE_PAGES = ["/dashboard/", "/account/", "/audit/", "/notifications/", "/budgets/"]


@pytest.mark.parametrize("role", ["commissioner", "auditor", "admin"])
def test_staff_without_an_app_are_sent_to_set_one_up_from_every_page(cast, settings, role):
    settings.OPUS_REQUIRE_2FA = True
    client = Client()
    client.force_login(getattr(cast, role))
    for path in PRIVATE_PAGES:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/account/two-factor/?next="), path
    for path in ["/", "/healthz", "/account/two-factor/", "/privacy/"]:
        assert client.get(path).status_code == 200, path
    assert client.post("/sign-out/").status_code == 302
    assert not signed_in(client)


def test_staff_with_an_app_give_their_code_before_any_page(cast, settings):
    settings.OPUS_REQUIRE_2FA = True
    device, _ = enable(cast.auditor)
    client = Client()
    client.force_login(cast.auditor)  # a session from before the rule, say
    response = client.get("/audit/")
    assert response["Location"] == "/sign-in/code/?next=%2Faudit%2F"
    response = client.post(response["Location"], {"code": code(device, ahead=1)})
    assert response["Location"] == "/audit/"
    assert client.get("/audit/").status_code == 200


def test_staff_signing_in_set_up_their_app_before_anything_else(cast, settings):
    settings.OPUS_REQUIRE_2FA = True
    client = Client()
    password_step(client, cast.admin)
    response = client.get("/dashboard/")
    assert response["Location"].startswith("/account/two-factor/")
    response = client.post("/account/two-factor/start/", {"next": "/dashboard/"})
    device = TOTPDevice.objects.get(user=cast.admin)
    response = client.post(response["Location"], {"code": code(device)})
    assert response["Location"].startswith("/account/two-factor/backup-codes/")
    assert client.get("/dashboard/").status_code == 302  # to the admin's own dashboard
    assert client.get("/dashboard/admin/").status_code == 200


def test_nobody_is_sent_anywhere_when_the_site_does_not_require_it(cast, settings):
    settings.OPUS_REQUIRE_2FA = False
    for user in (cast.commissioner, cast.auditor, cast.admin):
        client = Client()
        client.force_login(user)
        assert client.get("/account/").status_code == 200


def test_residents_and_other_roles_are_never_asked(cast, settings):
    settings.OPUS_REQUIRE_2FA = True
    for user in (cast.resident, cast.champion, cast.provider, cast.councillor, cast.stranger):
        client = Client()
        response = password_step(client, user)
        assert response["Location"] == "/dashboard/"
        assert client.get("/account/").status_code == 200


def test_api_tokens_are_not_affected_but_an_unverified_session_is(cast, settings):
    settings.OPUS_REQUIRE_2FA = True
    _, secret = api_token_create(user=cast.commissioner, name="Finance system")
    with_token = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert with_token.get("/api/v1/me").status_code == 200
    session = Client()
    session.force_login(cast.commissioner)
    response = session.get("/api/v1/me")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"


def test_the_sign_in_page_says_whether_staff_need_two_factor(client, settings):
    settings.OPUS_REQUIRE_2FA = True
    page = client.get("/sign-in/").content.decode()
    assert "commissioners, auditors and administrators must sign in with a code" in page
    settings.OPUS_REQUIRE_2FA = False
    page = client.get("/sign-in/").content.decode()
    assert "two-factor sign-in is not required for any role" in page


def test_production_without_the_requirement_is_warned_by_the_deploy_check(settings):
    settings.PRODUCTION = True
    settings.OPUS_REQUIRE_2FA = False
    ids = [m.id for m in run_checks(include_deployment_checks=True)]
    assert "opus.W002" in ids
    settings.OPUS_REQUIRE_2FA = True
    assert "opus.W002" not in [m.id for m in run_checks(include_deployment_checks=True)]


# An administrator's reset -------------------------------------------------------------


def test_an_administrator_resets_a_lost_phone_and_the_person_is_told(cast):
    enable(cast.commissioner)
    client = Client()
    client.force_login(cast.admin)
    url = f"/people/{cast.commissioner.pk}/two-factor/reset/"
    assert "Reset two-factor sign-in" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=cast.commissioner).exists()
    assert not StaticDevice.objects.filter(user=cast.commissioner).exists()
    event = AuditEvent.objects.get(action="two_factor.reset")
    assert event.actor == cast.admin and event.object_id == str(cast.commissioner.pk)
    notice = Notification.objects.get(template="two_factor_reset")
    assert notice.recipient == cast.commissioner
    assert "reset your two-factor sign-in" in notice.body


@pytest.mark.parametrize("role", ["resident", "provider", "commissioner", "auditor", "stranger"])
def test_only_administrators_reset_two_factor(cast, role):
    enable(cast.councillor)
    with pytest.raises(PermissionDenied):
        twofactor.twofactor_reset(user=cast.councillor, by=getattr(cast, role))
    client = Client()
    client.force_login(getattr(cast, role))
    assert client.post(f"/people/{cast.councillor.pk}/two-factor/reset/").status_code == 404
    assert twofactor.is_on(cast.councillor)
