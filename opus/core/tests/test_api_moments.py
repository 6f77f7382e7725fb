"""Date-times from outside with any offset Python accepts: a page or a 422, never a 500.

PostgreSQL refuses a time zone offset past ±15:59 (Python allows up to ±23:59), and a moment
near year 1 or 9999 can leave the calendar when put in UTC.
"""

import pytest

pytestmark = pytest.mark.django_db

FILTERS = [("/api/v1/ocds/releases", "updated_since"), ("/api/oruk/services", "modified_after")]


@pytest.mark.parametrize("url, field", FILTERS)
@pytest.mark.parametrize(
    "moment", ["0212-09-05T22:59:00.02-16:51", "2026-03-01T00:00:00+23:59", "2026-03-01T12:00Z"]
)
def test_any_offset_is_a_moment(client, url, field, moment):
    response = client.get(url, {field: moment})
    assert response.status_code == 200, response.content[:300]


@pytest.mark.parametrize("url, field", FILTERS)
@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:00:00-05:00"])
def test_a_moment_off_the_calendar_is_a_problem_naming_the_field(client, url, field, moment):
    response = client.get(url, {field: moment})
    assert response.status_code == 422, response.content[:300]
    assert response["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == [field]
