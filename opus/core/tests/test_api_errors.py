"""An unhandled error in an API operation answers a 500 problem, never the site's HTML page."""

import logging

import pytest

from opus.core.models import ApiToken

pytestmark = pytest.mark.django_db


def _explode(*args, **kwargs):
    raise RuntimeError("secret internals: /srv/opus/opus/core/api.py line 42")


@pytest.fixture
def broken_me(monkeypatch, settings):
    settings.DEBUG = False
    monkeypatch.setattr("opus.core.api.user_roles", _explode)


def test_an_unhandled_error_is_a_problem_without_the_traceback(client, cast, broken_me, caplog):
    client.force_login(cast.commissioner)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/api/v1/me")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 500 and body["title"]
    assert body["incident"] in body["detail"]
    text = response.content.decode()
    assert "secret internals" not in text and "Traceback" not in text and "<html" not in text
    # The traceback is in the log, under the same incident.
    logged = [r for r in caplog.records if body["incident"] in r.getMessage()]
    assert logged and logged[0].exc_info[0] is RuntimeError


def test_a_machine_client_gets_a_problem_too(client, cast, broken_me):
    secret = ApiToken.new_secret()
    ApiToken.objects.create(
        user=cast.commissioner, name="t", key_hash=ApiToken.hash_secret(secret), hint=secret[-4:]
    )
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"


def test_with_debug_on_the_developer_still_sees_the_error(client, cast, broken_me, settings):
    settings.DEBUG = True
    client.force_login(cast.commissioner)
    with pytest.raises(RuntimeError):
        client.get("/api/v1/me")


def test_the_open_referral_api_answers_a_problem_too(client, monkeypatch, settings):
    settings.DEBUG = False
    monkeypatch.setattr("opus.directory.oruk.routes.reverse", _explode)
    response = client.get("/api/oruk/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "secret internals" not in response.content.decode()


def test_what_django_answers_400_stays_a_400_problem(client, settings):
    settings.DEBUG = False
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    query = "&".join(f"f{n}=1" for n in range(20))
    response = client.get(f"/api/v1/areas?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


def test_a_refused_permission_stays_a_403_problem(client, cast, monkeypatch, settings):
    from django.core.exceptions import PermissionDenied

    def refuse(*args, **kwargs):
        raise PermissionDenied("Not yours")

    settings.DEBUG = False
    monkeypatch.setattr("opus.core.api.user_roles", refuse)
    client.force_login(cast.commissioner)
    response = client.get("/api/v1/me")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"


def test_the_open_referral_api_answers_400_as_django_would(client, settings):
    settings.DEBUG = False
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    response = client.get("/api/oruk/services?" + "&".join(f"f{n}=1" for n in range(20)))
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
