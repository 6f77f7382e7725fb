"""The JSON API: open data reads, tokens, pagination, and problems that name the field."""

import pytest

from opus.core import services
from opus.core.models import ApiToken, AreaKind, AuditEvent
from opus.testing import create_area

pytestmark = pytest.mark.django_db


def _bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_areas_are_listed_with_page_pagination(client):
    for _ in range(7):
        create_area()
    body = client.get("/api/v1/areas", {"per_page": 3, "page": 2}).json()
    assert body["count"] == 7 and body["pages"] == 3 and body["page"] == 2
    assert len(body["items"]) == 3
    assert {"code", "population", "imd_decile", "parent_code"} <= set(body["items"][0])


def test_areas_filter_by_kind_parent_and_decile(client):
    ward = create_area(code="E05900009", kind=AreaKind.WARD)
    create_area(code="E01900009", parent=ward, imd_decile=1)
    create_area(code="E01900010", imd_decile=9)
    codes = [
        a["code"] for a in client.get("/api/v1/areas", {"parent": "E05900009"}).json()["items"]
    ]
    assert codes == ["E01900009"]
    codes = [a["code"] for a in client.get("/api/v1/areas", {"decile": 9}).json()["items"]]
    assert codes == ["E01900010"]


def test_area_detail_has_population_by_age_and_sex(client):
    create_area(code="E01900011")
    body = client.get("/api/v1/areas/E01900011").json()
    assert len(body["population_male"]) == 19 and body["population_female"][0] == 39


@pytest.mark.parametrize(
    "params, field",
    [({"decile": 11}, "decile"), ({"per_page": 0}, "per_page"), ({"kind": "county"}, "kind"),
     ({"page": "first"}, "page")],
)  # fmt: skip
def test_bad_query_values_get_a_problem_naming_the_field(client, params, field):
    response = client.get("/api/v1/areas", params)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 422 and [e["field"] for e in body["errors"]] == [field]
    assert field in body["detail"]


def test_unknown_area_is_a_404_problem(client):
    response = client.get("/api/v1/areas/E01999999")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_a_token_authenticates_until_it_is_revoked(client, cast):
    token, secret = services.api_token_create(user=cast.commissioner, name="Finance system")
    assert ApiToken.objects.get().key_hash != secret and secret not in token.hint
    body = client.get("/api/v1/me", **_bearer(secret)).json()
    assert body == {"email": "cora@example.test", "full_name": "Cora", "roles": ["commissioner"]}
    services.api_token_revoke(token=token, by=cast.commissioner)
    response = client.get("/api/v1/me", **_bearer(secret))
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_a_wrong_token_is_refused(client, cast):
    assert client.get("/api/v1/me", **_bearer("opus_not-a-real-token")).status_code == 401


def test_tokens_are_created_on_the_account_page_shown_once_and_audited(client, cast):
    client.force_login(cast.provider)
    page = client.post("/account/", {"name": "Booking system"}).content.decode()
    token = ApiToken.objects.get(user=cast.provider)
    secret = page.split('id="new-token">')[1].split("<")[0]
    assert ApiToken.hash_secret(secret) == token.key_hash
    assert secret not in client.get("/account/").content.decode()
    assert AuditEvent.objects.filter(action="api_token.create", object_id=str(token.pk)).exists()


def test_an_empty_token_name_is_an_error_and_creates_nothing(client, cast):
    client.force_login(cast.provider)
    response = client.post("/account/", {"name": ""})
    assert response.status_code == 400
    assert "Enter a name for the token" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_nobody_can_revoke_another_persons_token(client, cast):
    token, _ = services.api_token_create(user=cast.commissioner, name="Mine")
    client.force_login(cast.stranger)
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    assert ApiToken.objects.get(pk=token.pk).is_active


def test_auditors_read_the_audit_log_through_the_api(client, cast):
    token, secret = services.api_token_create(user=cast.auditor, name="Scrutiny")
    body = client.get("/api/v1/audit/events", {"action": "api_token"}, **_bearer(secret)).json()
    assert [e["action"] for e in body["items"]] == ["api_token.create"]


def test_openapi_and_docs_are_served(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/areas" in spec["paths"] and "/api/v1/organisations" in spec["paths"]
    assert client.get("/api/v1/docs").status_code == 200


def test_healthz_says_the_process_answers(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_area_list_endpoint_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    for _ in range(40):
        create_area()
    with django_assert_max_num_queries(3):  # count, the page's keys, the page's rows
        assert client.get("/api/v1/areas").status_code == 200
