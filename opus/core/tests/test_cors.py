"""Any web page may read the open data; nothing that needs a person's token is opened up."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path", ["/api/v1/ocds/releases", "/api/v1/areas", "/api/v1/grants", "/api/v1/allocation/runs"]
)
def test_open_data_reads_allow_any_origin(client, path):
    response = client.get(path, headers={"Origin": "https://elsewhere.example"})
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"


def test_a_preflight_is_answered_for_open_data(client):
    response = client.options("/api/v1/ocds/releases", headers={"Origin": "https://x.example"})
    assert response.status_code == 204 and response["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response["Access-Control-Allow-Methods"]


def test_apis_that_take_a_token_are_not_opened_to_other_sites(client):
    for path in ["/api/v1/me", "/api/v1/budgets/", "/api/v1/bids"]:
        assert "Access-Control-Allow-Origin" not in client.get(path), path
