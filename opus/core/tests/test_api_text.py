"""A NUL character anywhere in a request is a 422 naming the field, on both databases.

PostgreSQL cannot store or compare text with NUL (0x00) in it: `?q=%00` answered 500 there.
"""

import json

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url, field",
    [
        ("/api/v1/organisations?q=a%00b", "q"),
        ("/api/v1/areas?parent=%00", "parent"),
        ("/api/v1/audit/events?action=%00", "action"),
        ("/api/v1/opportunities?q=%00", "q"),
        ("/api/v1/needs/assessments/1/results?indicator=%00", "indicator"),
        ("/api/oruk/services?search=%00", "search"),
        ("/api/oruk/organizations?search=x%00", "search"),
    ],
)
def test_nul_in_the_query_is_a_problem_naming_the_field(client, cast, url, field):
    client.force_login(cast.auditor)
    response = client.get(url)
    assert response.status_code == 422, response.content[:300]
    assert response["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == [field]


@pytest.mark.parametrize(
    "url", ["/api/v1/areas/%00", "/api/v1/organisations/a%00", "/api/v1/ocds/records/%00"]
)
def test_nul_in_the_path_is_a_problem(client, url):
    response = client.get(url)
    assert response.status_code == 422, response.content[:300]
    assert response["Content-Type"] == "application/problem+json"


def test_nul_in_a_body_is_a_problem_naming_the_field(client, cast):
    client.force_login(cast.commissioner)
    body = json.dumps({"postcode": "AB1 2CD", "needs": ["a\u0000b"]})
    response = client.post("/api/v1/matches", body, content_type="application/json")
    assert response.status_code == 422, response.content[:300]
    assert response["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == ["needs.0"]
