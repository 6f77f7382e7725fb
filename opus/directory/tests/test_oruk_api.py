"""The Open Referral UK 3.0 API: every response checked against the standard's own schemas.

The schemas are read from ../shared/standards/oruk/3.0 beside the project (never copied in);
their $refs are absolute openreferraluk.org URLs, which a local registry answers.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from opus.core.models import Postcode
from opus.directory import services as directory
from opus.directory.models import Contact, Service, ServiceArea, Taxonomy, TaxonomyTerm
from opus.directory.oruk.schemas import HSDS_EXTRAS
from opus.testing import create_area, create_organisation, create_service

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]
STANDARD = ROOT.parent / "shared" / "standards" / "oruk" / "3.0"
BASE = "https://openreferraluk.org/specifications/3.0/schema/"
API = "/api/oruk"
# Beyond HSDS_EXTRAS: properties the ORUK openapi.json and examples nest where the per-object
# schema doesn't declare them (an organisation's services; a service_at_location's service).
NESTED_BY_THE_SPEC = {("organization", "services"), ("service_at_location", "service")}


# --- the standard's schemas ----------------------------------------------------------------


def _format_checker() -> FormatChecker:
    """uuid and email are built in; date-time and uri need packages we don't install."""
    checker = FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def _date_time(value: object) -> bool:
        if not isinstance(value, str):
            return True
        return "T" in value and datetime.fromisoformat(value).tzinfo is not None

    @checker.checks("uri")
    def _uri(value: object) -> bool:
        return not isinstance(value, str) or bool(urlsplit(value).scheme and urlsplit(value).netloc)

    return checker


class Standard:
    def __init__(self, folder: Path) -> None:
        self.schemas = {
            path.name: json.loads(path.read_text()) for path in (folder / "schema").glob("*.json")
        }
        resources = [
            (BASE + name, Resource.from_contents(schema, default_specification=DRAFT202012))
            for name, schema in self.schemas.items()
        ]
        self.registry = Registry().with_resources(resources)
        openapi = json.loads((folder / "openapi.json").read_text())
        self.page_fields = set(openapi["components"]["schemas"]["Page"]["properties"])
        self.checker = _format_checker()

    def validate(self, instance: Any, schema: str | dict[str, Any]) -> None:
        root = {"$ref": BASE + schema} if isinstance(schema, str) else schema
        validator = Draft202012Validator(root, registry=self.registry, format_checker=self.checker)
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
        assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])

    def list_item(self, schema: str) -> dict[str, Any]:
        return self.schemas[schema]["properties"]["contents"]["items"]

    def _resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            schema = self.schemas[schema["$ref"].removeprefix(BASE)]
        return schema

    def undeclared(self, instance: Any, schema: dict[str, Any] | str) -> set[tuple[str, str]]:
        """(object, field) pairs we send that the schema doesn't declare, at any depth."""
        schema = self._resolve({"$ref": BASE + schema} if isinstance(schema, str) else schema)
        if isinstance(instance, list):
            return set().union(*(self.undeclared(x, schema.get("items", {})) for x in instance))
        if not isinstance(instance, dict):
            return set()
        declared = dict(schema.get("properties", {}))
        for part in schema.get("allOf", []):
            declared.update(part.get("properties", {}))
        found = {(schema.get("name", "?"), k) for k in instance if k not in declared}
        for key, value in instance.items():
            if key in declared:
                found |= self.undeclared(value, declared[key])
        return found


@pytest.fixture(scope="session")
def standard() -> Standard:
    if not (STANDARD / "schema" / "service.json").exists():
        pytest.skip(
            f"ORUK schemas not found at {STANDARD}: the standards folder is not beside the project"
        )
    return Standard(STANDARD)


def _allowed_extras() -> set[tuple[str, str]]:
    return {(name, field) for name, fields in HSDS_EXTRAS.items() for field in fields}


def _assert_conforms(standard: Standard, body: Any, schema: str) -> None:
    """Valid, and nothing undeclared but our HSDS extras (organization_list.json alone
    leaves out the Page envelope, which the openapi.json's Page defines)."""
    standard.validate(body, schema)
    page = {("?", field) for field in standard.page_fields}
    assert standard.undeclared(body, schema) <= _allowed_extras() | NESTED_BY_THE_SPEC | page


def _empties(value: Any, path: str = "") -> list[str]:
    """Paths of None or [] anywhere: optional fields we don't know should be absent."""
    if value is None or value == []:
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _empties(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _empties(v, f"{path}[{i}]")]
    return []


# --- data ----------------------------------------------------------------------------------


def _term(code: str) -> TaxonomyTerm:
    return TaxonomyTerm.objects.get(code=code)


def _place(org, name="Church hall", lat=53.9, lon=-1.6, **fields):
    fields = {"address_1": "1 High Street", "city": "Testtown", "postal_code": "ZY1 2AB"} | fields
    return directory.location_create(
        organisation=org, by=None, name=name, latitude=lat, longitude=lon, **fields
    )


def _rich_service() -> Service:
    """A service with every part filled in, so every nested schema gets exercised."""
    org = create_organisation(
        name="Good Neighbours",
        description="Neighbours helping neighbours",
        website="https://good.example.org",
        email="hello@good.example.org",
        charity_number="1234567",
        company_number="01234567",
        org_id="GB-CHC-1234567",
    )
    service = create_service(
        organisation=org,
        name="Tea and talk",
        description="A weekly chat over tea",
        url="https://good.example.org/tea",
        email="tea@good.example.org",
        fees_description="Free for members",
        eligibility_description="People over 60",
        application_process="Just turn up",
        maximum_age=120,
        assured_date=date(2025, 1, 31),
        assurer_email="checks@council.example.org",
        alert="Closed at Christmas",
        terms=[_term("befriending"), _term("lunch-clubs")],
    )
    hall = _place(org, accessibility=["step-free", "hearing-loop"])
    directory.service_set_locations(service=service, locations=[hall], by=None)
    directory.service_set_cost(
        service=service, amount_pence=350, unit="session", option="Members", by=None
    )
    directory.service_set_languages(service=service, codes=["en", "pa"], by=None)
    directory.service_set_schedule(
        service=service, byday=["TU", "TH"], opens_at=time(10), closes_at=time(12), by=None
    )
    Contact.objects.create(
        service=service, name="Ann", title="Organiser", email="ann@good.example.org",
        phone="01234 567890",
    )  # fmt: skip
    ServiceArea.objects.create(service=service, name="Vale ward", area=create_area())
    return service


@pytest.fixture
def rich() -> Service:
    return _rich_service()


def _get(client, path: str, **params: Any):
    return client.get(f"{API}{path}", params)


def _ok(client, path: str, **params: Any) -> Any:
    response = _get(client, path, **params)
    assert response.status_code == 200, response.content[:2000]
    assert response["Access-Control-Allow-Origin"] == "*"
    return response.json()


# --- every endpoint conforms ---------------------------------------------------------------


def test_root_names_the_version_profile_and_openapi(client, standard):
    body = _ok(client, "/")
    standard.validate(body, "api_details.json")
    assert body["version"] == "HSDS-UK-3.0"
    assert body["profile"] == "https://openreferraluk.org/specifications/3.0/openapi.json"
    assert body["openapi_url"] == "http://testserver/api/oruk/openapi.json"
    spec = client.get(urlsplit(body["openapi_url"]).path)
    assert spec.status_code == 200 and spec["Access-Control-Allow-Origin"] == "*"
    assert "/api/oruk/services/{id}" in spec.json()["paths"]


def test_services_page_conforms(client, standard, rich):
    create_service()
    body = _ok(client, "/services")
    _assert_conforms(standard, body, "service_list.json")
    assert body["total_items"] == 2
    first = next(s for s in body["contents"] if s["id"] == str(rich.id))
    assert first["organization"]["name"] == "Good Neighbours"
    assert first["organization_id"] == str(rich.organisation.uuid)
    assert "languages" not in first, "list entries carry one-to-one fields only"


def test_service_detail_is_fully_nested_and_conforms(client, standard, rich):
    body = _ok(client, f"/services/{rich.id}")
    _assert_conforms(standard, body, "service.json")
    assert not _empties(body)
    assert body["fees"] == "Free for members" and body["maximum_age"] == 120
    assert body["last_modified"].endswith("Z") and body["assured_date"] == "2025-01-31"
    assert body["cost_options"][0] | {"id": None} == {
        "id": None, "service_id": str(rich.id), "amount": 3.5, "amount_description":
        "per session", "option": "Members", "currency": "GBP",
    }  # fmt: skip
    assert sorted(x["code"] for x in body["languages"]) == ["en", "pa"]
    (schedule,) = body["schedules"]
    assert schedule["byday"] == "TU,TH" and schedule["opens_at"] == "10:00:00"
    assert body["contacts"][0]["phones"][0]["number"] == "01234 567890"
    assert body["service_areas"][0]["uri"].startswith("http://statistics.data.gov.uk/id/")


def test_service_attributes_are_its_taxonomy_terms(client, rich):
    attributes = _ok(client, f"/services/{rich.id}")["attributes"]
    assert {a["taxonomy_term"]["term"] for a in attributes} == {"befriending", "lunch-clubs"}
    befriending = next(a for a in attributes if a["taxonomy_term"]["term"] == "befriending")
    assert befriending["link_type"] == "service" and befriending["link_id"] == str(rich.id)
    assert befriending["taxonomy_term"]["taxonomy"] == "Opus local needs"
    assert befriending["taxonomy_term_id"] == str(_term("befriending").id)


def test_service_places_have_a_gb_address_and_accessibility(client, rich):
    (at,) = _ok(client, f"/services/{rich.id}")["service_at_locations"]
    location = at["location"]
    assert location["location_type"] == "physical" and location["latitude"] == 53.9
    assert location["addresses"][0] | {"id": None, "location_id": None} == {
        "id": None, "location_id": None, "address_1": "1 High Street", "city": "Testtown",
        "state_province": "", "postal_code": "ZY1 2AB", "country": "GB",
        "address_type": "physical",
    }  # fmt: skip
    assert [a["description"] for a in location["accessibility"]] == [
        "Step-free access", "Hearing loop",
    ]  # fmt: skip


def test_ids_of_derived_entries_are_stable(client, rich):
    first, second = (_ok(client, f"/services/{rich.id}") for _ in range(2))
    assert first == second


def test_organisations_conform(client, standard, rich):
    create_organisation(name="A council with no services")
    body = _ok(client, "/organizations")
    _assert_conforms(standard, body, "organization_list.json")
    assert [o["name"] for o in body["contents"]] == ["Good Neighbours"]
    org = _ok(client, f"/organizations/{rich.organisation.uuid}")
    _assert_conforms(standard, org, "organization.json")
    assert [s["id"] for s in org["services"]] == [str(rich.id)]
    assert {(i["identifier_scheme"], i["identifier"]) for i in org["organization_identifiers"]} == {
        ("GB-CHC", "1234567"), ("GB-COH", "01234567"),
    }  # fmt: skip


def test_organisation_with_full_services_conforms(client, standard, rich):
    org = _ok(client, f"/organizations/{rich.organisation.uuid}", full_service="true")
    standard.validate(org, "organization.json")
    (service,) = org["services"]
    standard.validate(service, "service.json")
    assert service["cost_options"] and "organization" not in service
    full = _ok(client, "/organizations", full="true")
    standard.validate(full, "organization_list.json")
    assert full["contents"][0]["services"][0]["id"] == str(rich.id)


def test_taxonomies_conform(client, standard):
    body = _ok(client, "/taxonomies")
    _assert_conforms(standard, body, "taxonomy_list.json")
    taxonomy = Taxonomy.objects.get(name="Opus local needs")
    assert str(taxonomy.id) in [t["id"] for t in body["contents"]]
    detail = _ok(client, f"/taxonomies/{taxonomy.id}")
    _assert_conforms(standard, detail, "taxonomy.json")
    assert len(detail["taxonomy_terms"]) == taxonomy.terms.count() == 68


def test_taxonomy_terms_conform_and_filter(client, standard):
    body = _ok(client, "/taxonomy_terms", per_page=200)
    _assert_conforms(standard, body, "taxonomy_term_list.json")
    assert body["total_items"] == TaxonomyTerm.objects.count()
    befriending = _term("befriending")
    term = _ok(client, f"/taxonomy_terms/{befriending.id}")
    _assert_conforms(standard, term, "taxonomy_term.json")
    assert term["parent_id"] == str(befriending.parent_id) and term["term"] == "befriending"
    children = _ok(client, "/taxonomy_terms", parent_id=str(befriending.parent_id))["contents"]
    assert str(befriending.id) in [t["id"] for t in children]
    tops = _ok(client, "/taxonomy_terms", top_only="true", per_page=200)["contents"]
    assert tops and all("parent_id" not in t for t in tops)
    found = _ok(client, "/taxonomy_terms", search="BEFRIEND")["contents"]
    assert [t["id"] for t in found] == [str(befriending.id)]


def test_service_at_locations_conform(client, standard, rich):
    body = _ok(client, "/service_at_locations")
    _assert_conforms(standard, body, "service_at_location_list.json")
    (entry,) = body["contents"]
    assert entry["service"]["name"] == "Tea and talk" and "addresses" not in entry["location"]
    detail = _ok(client, f"/service_at_locations/{entry['id']}")
    _assert_conforms(standard, detail, "service_at_location.json")
    standard.validate(detail["service"], "service.json")
    assert detail["location"]["addresses"][0]["postal_code"] == "ZY1 2AB"
    assert detail["service"]["schedules"] and "service_at_locations" not in detail["service"]
    full = _ok(client, "/service_at_locations", full="true")
    standard.validate(full, "service_at_location_list.json")
    standard.validate(full["contents"][0], "service_at_location.json")


# --- services: variants, filters, pages ----------------------------------------------------


def test_full_services_list_conforms_entry_by_entry(client, standard, rich):
    body = _ok(client, "/services", full="true")
    standard.validate(body, "service_list.json")
    for entry in body["contents"]:
        _assert_conforms(standard, entry, "service.json")
    assert body["contents"][0]["cost_options"][0]["amount"] == 3.5


def test_minimal_services_have_only_id_name_status_and_last_modified(client, standard, rich):
    body = _ok(client, "/services", minimal="true")
    standard.validate(body, "service_list.json")
    assert body["contents"] == [
        {"id": str(rich.id), "name": "Tea and talk", "status": "active",
         "last_modified": body["contents"][0]["last_modified"]},
    ]  # fmt: skip


def test_empty_optional_fields_are_left_out(client, standard):
    plain = create_service(name="Plain", description="Nothing else known", minimum_age=None)
    body = _ok(client, f"/services/{plain.id}")
    standard.validate(body, "service.json")
    for absent in ("url", "email", "fees", "minimum_age", "alert", "cost_options", "languages"):
        assert absent not in body
    assert not _empties(body) and not _empties(_ok(client, "/services"))


def _ids(client, **params: Any) -> list[str]:
    return [s["id"] for s in _ok(client, "/services", **params)["contents"]]


def test_search_matches_name_or_description_in_any_case(client):
    tea = create_service(name="Tea and talk", description="Weekly")
    walk = create_service(name="Walks", description="Gentle TEA-time strolls")
    create_service(name="Chess", description="Board games")
    assert set(_ids(client, search="tea")) == {str(tea.id), str(walk.id)}


def test_filters_by_term_taxonomy_and_organisation(client):
    lunch = create_service(terms=[_term("lunch-clubs")])
    befriend = create_service(terms=[_term("befriending")])
    assert _ids(client, taxonomy_term_id=str(_term("lunch-clubs").id)) == [str(lunch.id)]
    taxonomy = _term("lunch-clubs").taxonomy_id
    assert set(_ids(client, taxonomy_id=str(taxonomy))) == {str(lunch.id), str(befriend.id)}
    assert _ids(client, taxonomy_id=str(uuid.uuid4())) == []
    org = befriend.organisation.uuid
    assert _ids(client, organization_id=str(org)) == [str(befriend.id)]


def test_modified_after_filters_on_last_modified(client):
    old = create_service(name="Old")
    new = create_service(name="New")
    Service.objects.filter(pk=old.pk).update(last_modified=timezone.now() - timedelta(days=30))
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert _ids(client, modified_after=since) == [str(new.id)]
    assert set(_ids(client, modified_after="2000-01-01T00:00:00")) == {str(old.id), str(new.id)}
    # An offset sent without encoding its plus sign still means what it says.
    unencoded = f"{API}/services?modified_after=2000-01-01T00:00:00+01:00"
    assert len(client.get(unencoded).json()["contents"]) == 2


def test_service_at_locations_share_the_service_filters(client):
    org = create_organisation()
    tea = create_service(organisation=org, name="Tea", terms=[_term("lunch-clubs")])
    chess = create_service(organisation=org, name="Chess")
    hall = _place(org)
    for service in (tea, chess):
        directory.service_set_locations(service=service, locations=[hall], by=None)
    term = str(_term("lunch-clubs").id)
    found = _ok(client, "/service_at_locations", taxonomy_term_id=term)["contents"]
    assert [e["service_id"] for e in found] == [str(tea.id)]
    found = _ok(client, "/service_at_locations", search="chess")["contents"]
    assert [e["service_id"] for e in found] == [str(chess.id)]


def test_page_envelope_counts(client, standard):
    for n in range(5):
        create_service(name=f"Service {n}")
    body = _ok(client, "/services", per_page=2, page=3)
    standard.validate(body, "service_list.json")
    envelope = {k: v for k, v in body.items() if k != "contents"}
    assert envelope == {"total_items": 5, "total_pages": 3, "page_number": 3, "size": 1,
                        "first_page": False, "last_page": True, "empty": False}  # fmt: skip
    first = _ok(client, "/services", per_page=2)
    assert first["first_page"] and not first["last_page"] and first["size"] == 2
    beyond = _ok(client, "/services", per_page=2, page=4)
    assert beyond["empty"] and beyond["contents"] == [] and beyond["total_items"] == 5


def test_an_empty_directory_is_an_empty_page(client, standard):
    body = _ok(client, "/services")
    standard.validate(body, "service_list.json")
    assert body["empty"] and body["total_items"] == 0 and body["total_pages"] == 0


def test_ndjson_streams_every_service_one_per_line(client, standard):
    for n in range(3):
        create_service(name=f"Service {n}")
    response = _get(client, "/services", format="ndjson", per_page=1)
    assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == "*"
    assert response["Content-Type"].startswith("application/x-ndjson")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert len(lines) == 3
    for line in lines:
        standard.validate(json.loads(line), standard.list_item("service_list.json"))
    full = _get(client, "/services", format="ndjson", full="true")
    for line in b"".join(full.streaming_content).decode().splitlines():
        standard.validate(json.loads(line), "service.json")


def test_ndjson_of_nearby_places_keeps_the_distance_order(client):
    near, far = _two_places_apart()
    response = _get(client, "/service_at_locations", format="ndjson", postcode="ZY1 2AB")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert [json.loads(line)["service"]["name"] for line in lines] == ["Near", "Far"]


# --- proximity -----------------------------------------------------------------------------


def _two_places_apart() -> tuple[Service, Service]:
    Postcode.objects.create(postcode="ZY1 2AB", latitude=53.9, longitude=-1.6)
    org = create_organisation()
    services = []
    # "A far" sorts first by name, so nearest-first must reorder them.
    for name, lat in (("Far", 53.99), ("Near", 53.901)):
        service = create_service(organisation=org, name=name)
        place = _place(org, name=f"{name} hall", lat=lat, lon=-1.6)
        directory.service_set_locations(service=service, locations=[place], by=None)
        services.append(service)
    return services[1], services[0]


def test_proximity_keeps_places_within_the_distance_nearest_first(client, standard):
    near, far = _two_places_apart()
    body = _ok(client, "/service_at_locations", postcode="zy12ab", proximity=20_000)
    standard.validate(body, "service_at_location_list.json")
    assert [e["service_id"] for e in body["contents"]] == [str(near.id), str(far.id)]
    close = _ok(client, "/service_at_locations", postcode="ZY1 2AB", proximity="500")
    assert [e["service_id"] for e in close["contents"]] == [str(near.id)]
    assert close["total_items"] == 1


def test_a_postcode_alone_orders_nearest_first(client):
    near, far = _two_places_apart()
    body = _ok(client, "/service_at_locations", postcode="ZY1 2AB", per_page=1, page=2)
    assert [e["service_id"] for e in body["contents"]] == [str(far.id)]
    assert body["total_items"] == 2 and body["last_page"]


# --- problems ------------------------------------------------------------------------------


def _problem(client, path: str, status: int, **params: Any) -> dict[str, Any]:
    response = _get(client, path, **params)
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/problem+json"
    assert response["Access-Control-Allow-Origin"] == "*"
    return response.json()


@pytest.mark.parametrize(
    "path",
    ["/services/{}", "/organizations/{}", "/taxonomies/{}", "/taxonomy_terms/{}",
     "/service_at_locations/{}"],
)  # fmt: skip
def test_unknown_ids_are_404_problems(client, path):
    body = _problem(client, path.format(uuid.uuid4()), 404)
    assert body["status"] == 404
    _problem(client, path.format("not-a-uuid"), 404)


def test_unknown_paths_are_404_problems_too(client):
    _problem(client, "/vocabularies", 404)


@pytest.mark.parametrize(
    "path, params, field",
    [("/services", {"per_page": 0}, "per_page"), ("/services", {"per_page": 201}, "per_page"),
     ("/services", {"page": 0}, "page"), ("/services", {"format": "xml"}, "format"),
     ("/services", {"taxonomy_term_id": "befriending"}, "taxonomy_term_id"),
     ("/services", {"modified_after": "last week"}, "modified_after"),
     ("/taxonomy_terms", {"per_page": "many"}, "per_page"),
     ("/service_at_locations", {"postcode": "NOT A CODE"}, "postcode"),
     ("/service_at_locations", {"postcode": "ZY9 9ZZ"}, "postcode"),
     ("/service_at_locations", {"postcode": "ZY1 2AB", "proximity": 0}, "proximity"),
     ("/service_at_locations", {"postcode": "ZY1 2AB", "proximity": 100_001}, "proximity"),
     ("/service_at_locations", {"postcode": "ZY1 2AB", "proximity": "far"}, "proximity"),
     ("/service_at_locations", {"proximity": 1000}, "postcode")],
)  # fmt: skip
def test_bad_values_are_422_problems_naming_the_field(client, path, params, field):
    Postcode.objects.create(postcode="ZY1 2AB", latitude=53.9, longitude=-1.6)
    body = _problem(client, path, 422, **params)
    assert [e["field"] for e in body["errors"]] == [field] and field in body["detail"]


def test_an_unknown_postcode_says_so(client):
    body = _problem(client, "/service_at_locations", 422, postcode="zy99zz")
    assert body["errors"][0]["message"] == "We don't know where ZY9 9ZZ is"


def test_preflight_is_answered_for_any_origin(client):
    response = client.options(f"{API}/services", HTTP_ORIGIN="https://elsewhere.example")
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response["Access-Control-Allow-Methods"]


# --- efficiency ----------------------------------------------------------------------------


def test_full_service_lists_take_a_fixed_number_of_queries(
    client, rich, django_assert_max_num_queries
):
    """One query per nested array however many services: the page, its count, 7 arrays."""
    for _ in range(6):
        _rich_service_copy(rich)
    with django_assert_max_num_queries(9):
        body = _ok(client, "/services", full="true", per_page=5)
    assert len(body["contents"]) == 5 and body["total_items"] == 7
    with django_assert_max_num_queries(2):
        _ok(client, "/services", per_page=5)
    with django_assert_max_num_queries(8):
        _ok(client, f"/services/{rich.id}")
    with django_assert_max_num_queries(8):
        _ok(client, "/service_at_locations", full="true", per_page=5)
    with django_assert_max_num_queries(10):
        _ok(client, "/organizations", full_service="true")


def _rich_service_copy(rich: Service) -> Service:
    service = create_service(organisation=rich.organisation, terms=list(rich.terms.all()))
    directory.service_set_locations(
        service=service, locations=[rich.at_locations.get().location], by=None
    )
    directory.service_set_cost(service=service, amount_pence=100, unit="hour", option="", by=None)
    directory.service_set_languages(service=service, codes=["en"], by=None)
    Contact.objects.create(service=service, name="Bo", phone="01234 000000")
    return service


def test_a_term_and_words_page_matches_the_general_filter(client):
    """The quick path for one term (listing.py) gives what the general filter gives: the
    same services, in name order, page by page, with the same totals."""
    from opus.directory.oruk import routes as oruk

    names = ["Tea club", "Walks", "Lunch", "Allotment", "Tea and talk", "Zumba"]
    words = ["tea", "walk", "garden", "lunch", "zzz"]
    terms = [_term("lunch-clubs"), _term("befriending"), _term("walking-groups")]
    for n in range(30):
        create_service(
            name=names[n % len(names)],
            description=["Walking and tea", "Gardening", "A lunch club"][n % 3],
            terms=terms[n % 2 : n % 2 + 1 + n % 3],
            status="inactive" if n % 7 == 0 else "active",
        )
    checked = 0
    for term in terms:
        for search in ["", *words]:
            for page, per_page in ((1, 4), (2, 4), (3, 7), (1, 50), (9, 4)):
                params = {"taxonomy_term_id": str(term.id), "search": search,
                          "page": page, "per_page": per_page}  # fmt: skip
                quick = _ok(client, "/services", **params)
                query = oruk.ServiceListQuery(**params)
                general = oruk._listing(query, *oruk._service_rows(query))
                assert quick == json.loads(json.dumps(general, default=str)), params
                checked += bool(quick["contents"])
    assert checked > 20
