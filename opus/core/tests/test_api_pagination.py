"""Every paginated API list bounds its page number and size: a 422 problem naming the field.

A page number at or above 2^63 once reached the database as an OFFSET and answered 500.
"""

import pytest

from opus.core.pagination import MAX_PAGE

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/v1/areas",
    "/api/v1/organisations",
    "/api/v1/audit/events",
    "/api/v1/ocds/releases",
    "/api/oruk/services",
    "/api/oruk/organizations",
    "/api/oruk/taxonomies",
    "/api/oruk/taxonomy_terms",
    "/api/oruk/service_at_locations",
]
BAD = [
    ({"page": 2**63}, "page"),
    ({"page": 2**64 + 1}, "page"),
    ({"page": 10**100}, "page"),
    ({"page": MAX_PAGE + 1}, "page"),
    ({"page": 0}, "page"),
    ({"page": -1}, "page"),
    ({"page": "second"}, "page"),
    ({"page": "1e400"}, "page"),
    ({"per_page": 2**63}, "per_page"),
    ({"per_page": 0}, "per_page"),
    ({"per_page": -5}, "per_page"),
    ({"per_page": "many"}, "per_page"),
]


@pytest.fixture
def signed_in(client, cast):
    client.force_login(cast.auditor)
    return client


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("params, field", BAD)
def test_out_of_bounds_pages_are_a_problem_naming_the_field(signed_in, url, params, field):
    response = signed_in.get(url, params)
    assert response.status_code == 422, response.content[:300]
    assert response["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == [field]


@pytest.mark.parametrize("url", LISTS)
def test_the_last_allowed_page_is_an_empty_page(signed_in, url):
    response = signed_in.get(url, {"page": MAX_PAGE})
    assert response.status_code == 200, response.content[:300]


HTML_LISTS = ["/organisations/", "/areas/", "/audit/", "/directory/", "/commissioning/",
              "/commissioning/contracts/", "/budgets/ledger/", "/good-practice/"]  # fmt: skip


@pytest.mark.parametrize("path", HTML_LISTS)
@pytest.mark.parametrize("page", [str(2**63), str(10**100), "-1", "0", "x", "1e400"])
def test_html_pages_answer_a_page_for_any_page_number(signed_in, path, page):
    """As GOV.UK pagination would: a page number that is not one gives the first or last page."""
    assert signed_in.get(path).status_code == 200
    assert signed_in.get(path, {"page": page}).status_code == 200
