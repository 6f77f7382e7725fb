"""Too many API requests get 429 with Retry-After; pages and other callers are not held up."""

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def limits(settings):
    settings.OPUS_API_RATE_LIMITS = True
    settings.OPUS_API_RATE_PER_ADDRESS = 3
    settings.OPUS_API_RATE_PER_TOKEN = 5
    cache.clear()
    yield
    cache.clear()


def test_an_address_over_its_limit_is_told_when_to_come_back(client):
    for _ in range(3):
        assert client.get("/api/v1/areas").status_code == 200
    refused = client.get("/api/v1/areas")
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "3 requests from one address" in refused.json()["detail"]


def test_another_address_is_not_held_up(client):
    for _ in range(4):
        client.get("/api/v1/areas")
    assert client.get("/api/v1/areas", REMOTE_ADDR="10.0.0.9").status_code == 200


def test_a_token_has_its_own_limit_and_made_up_tokens_do_not_escape_the_address(client):
    headers = {"Authorization": "Bearer one-token"}
    statuses = [client.get("/api/v1/areas", headers=headers).status_code for _ in range(6)]
    assert statuses[5] == 429  # the token's 5, though the address's plain limit is 3
    fresh = [
        client.get("/api/v1/areas", headers={"Authorization": f"Bearer made-up-{n}"}).status_code
        for n in range(30)
    ]
    assert 429 in fresh  # the address's ceiling for token requests (30) still holds


def test_pages_are_not_rate_limited_here(client):
    for _ in range(5):
        assert client.get("/healthz").status_code == 200


def test_every_api_operation_declares_the_429(client):
    spec = client.get("/api/v1/openapi.json").json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert "429" in operation["responses"], f"{method.upper()} {path}"
