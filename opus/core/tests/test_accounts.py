"""Signing in by e-mail, signing out, resetting a password, and throttled failures."""

import pytest
from django.core import mail

from opus.core.models import AuditEvent
from opus.testing import PASSWORD

pytestmark = pytest.mark.django_db


def test_sign_in_with_email_and_password_lands_on_the_dashboard(client, cast):
    response = client.post("/sign-in/", {"username": "Cora@Example.test", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert AuditEvent.objects.filter(action="user.sign_in", actor=cast.commissioner).exists()


def test_a_wrong_password_shows_the_error_summary(client, cast):
    response = client.post("/sign-in/", {"username": "cora@example.test", "password": "nope"})
    page = response.content.decode()
    assert "There is a problem" in page and "Enter a correct e-mail address and password" in page
    assert 'value="cora@example.test"' in page


def test_empty_sign_in_names_both_fields(client, cast):
    page = client.post("/sign-in/", {"username": "", "password": ""}).content.decode()
    assert "Enter your e-mail address" in page and "Enter your password" in page


def test_sign_out_ends_the_session(client, cast):
    client.force_login(cast.resident)
    assert client.post("/sign-out/").status_code == 302
    assert client.get("/account/").status_code == 302


def test_password_reset_sends_a_link_that_sets_a_new_password(client, cast):
    client.post("/password-reset/", {"email": "rosa@example.test"})
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password-reset/" in line)
    path = link.split("testserver", 1)[1]
    form = client.get(path, follow=True)
    new = "a much longer new passphrase"
    response = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    cast.resident.refresh_from_db()
    assert cast.resident.check_password(new)


def test_repeated_failed_sign_ins_are_throttled(client, cast, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post("/sign-in/", {"username": "cora@example.test", "password": "wrong"})
    response = client.post("/sign-in/", {"username": "cora@example.test", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
