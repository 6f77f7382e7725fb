"""Matching through the API: profiles checked, results explained, near misses told why."""

import pytest

from opus.core.models import Postcode
from opus.directory import services
from opus.directory.models import LocationType, TaxonomyTerm
from opus.testing import create_service

pytestmark = pytest.mark.django_db


def _world():
    Postcode.objects.create(postcode="ZY1 1AA", latitude=53.90, longitude=-1.60)
    near = create_service(name="Near friends", vacancies=2)
    far = create_service(name="Far friends")
    young = create_service(name="Youth friends", minimum_age=11, maximum_age=25)
    for service, lat in ((near, 53.91), (far, 54.02), (young, 53.905)):
        place = services.location_create(
            organisation=service.organisation,
            by=None,
            name="Hall",
            location_type=LocationType.PHYSICAL,
            latitude=lat,
            longitude=-1.60,
            accessibility=["step-free"],
        )
        services.service_set_locations(service=service, locations=[place], by=None)
    services.service_set_languages(service=near, codes=["en", "ur"], by=None)
    services.service_set_cost(service=near, amount_pence=1800, unit="hour", option="", by=None)
    return near, far, young


def test_a_profile_gets_ranked_services_with_reasons(client):
    _world()
    body = client.post(
        "/api/v1/matches",
        {
            "needs": ["befriending"],
            "postcode": "zy1 1aa",
            "age": 70,
            "languages": ["ur"],
            "max_price_pence": 2000,
            "remote_ok": False,
        },
        content_type="application/json",
    ).json()
    names = [r["name"] for r in body["results"]]
    assert names == ["Near friends"]
    reasons = body["results"][0]["reasons"]
    assert "offers sessions in Urdu" in reasons and "£18 an hour — within your budget" in reasons
    why = {n["name"]: n["why"] for n in body["near_misses"]}
    assert why["Youth friends"] == ["for ages 11 to 25"]
    assert any("further than 10 km" in w for w in why["Far friends"])


@pytest.mark.parametrize(
    "body, field",
    [
        ({"needs": []}, "needs"),
        ({"needs": ["flying-lessons"]}, "needs"),
        ({"needs": ["befriending"], "postcode": "XX1 1XX"}, "postcode"),
        ({"needs": ["befriending"], "postcode": "ZY9 9ZZ"}, "postcode"),
        ({"needs": ["befriending"], "max_distance_km": 0}, "max_distance_km"),
        ({"needs": ["befriending"], "age": 200}, "age"),
    ],
)
def test_bad_profiles_get_a_problem_naming_the_field(client, body, field):
    _world()
    response = client.post("/api/v1/matches", body, content_type="application/json")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_a_broader_need_of_the_same_family_still_finds_services(client):
    _world()
    lunch = TaxonomyTerm.objects.get(code="lunch-clubs")
    create_service(name="Lunch and chat", terms=[lunch], delivery=["at-home"])
    body = client.post(
        "/api/v1/matches", {"needs": ["befriending"]}, content_type="application/json"
    ).json()
    assert "Lunch and chat" in [r["name"] for r in body["results"]]


def test_services_far_beyond_reach_are_not_even_considered(client):
    near, far, _ = _world()
    from opus.directory.models import Location

    for place in Location.objects.filter(services_here__service=far):
        services.location_update(location=place, by=None, latitude=55.0)
    body = client.post(
        "/api/v1/matches",
        {"needs": ["befriending"], "postcode": "ZY1 1AA", "remote_ok": False},
        content_type="application/json",
    ).json()
    seen = [r["name"] for r in body["results"]] + [n["name"] for n in body["near_misses"]]
    assert "Far friends" not in seen and "Near friends" in seen
