"""In a real browser, without JavaScript: a person sets up an authenticator app from the key the
page writes out (as they would type it into the app), keeps their backup codes, signs out and
signs in again with a code from the app."""

from base64 import b32decode

import pytest
from django_otp.oath import totp

from opus.testing import PASSWORD, create_user, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def app_code(secret: str, ahead: int = 0) -> str:
    """What an authenticator app given `secret` (base32, spaces allowed) shows."""
    return f"{totp(b32decode(secret.replace(' ', '')), drift=ahead):06d}"


def test_a_person_sets_up_two_factor_and_signs_in_with_a_code(browser, live_server, settings):
    settings.AXES_ENABLED = False
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    create_user(email="tess@example.test", full_name="Tess")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server.url, "tess@example.test", PASSWORD)
    page.goto(f"{live_server.url}/account/")
    page.get_by_role("link", name="Two-factor sign-in").click()
    page.get_by_role("button", name="Set up an authenticator app").click()
    assert page.get_by_role("img", name="QR code for your authenticator app").is_visible()
    secret = page.locator("#two-factor-secret").inner_text()
    page.get_by_label("Code from your authenticator app").fill(app_code(secret))
    page.get_by_role("button", name="Confirm").click()
    assert page.get_by_role("heading", name="Your backup codes").is_visible()
    assert page.locator("#backup-codes li").count() == 10
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server.url, "tess@example.test", PASSWORD)
    page.wait_for_url("**/sign-in/code/")
    assert page.get_by_role("heading", name="Enter your code").is_visible()
    page.get_by_label("Code").fill(app_code(secret, ahead=1))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/dashboard/**")
    assert page.get_by_role("button", name="Sign out").is_visible()
    context.close()
