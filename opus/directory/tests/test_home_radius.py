"""Home services that visit within a radius of a base: the provider gives a postcode and a
distance, people living inside find the service at distance 0 with how far it goes, people
just outside see it as a near miss, and the ORUK API describes the radius."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opus.core.models import AuditEvent, Postcode
from opus.directory import matching, services
from opus.directory.models import ServiceArea
from opus.directory.tests.test_oruk_api import standard  # noqa: F401 - the fixture
from opus.testing import create_service

pytestmark = pytest.mark.django_db

# ZY2 2BB is 5.6 km (3.5 miles) north of ZY1 1AA; ZY3 3DD 33 km.
POSTCODES = {"ZY1 1AA": 53.90, "ZY2 2BB": 53.95, "ZY3 3DD": 54.20}


@pytest.fixture
def postcodes(db):
    for code, lat in POSTCODES.items():
        Postcode.objects.create(postcode=code, latitude=lat, longitude=-1.60)


def _visits(cast, miles):
    service = create_service(name="Befriending visits", organisation=cast.charity)
    services.service_update(service=service, by=None, delivery=["at-home"])
    radius = services.HomeRadius("ZY1 1AA", 53.90, -1.60, round(miles * 1609.344))
    return services.service_set_areas(service=service, areas=[], radius=radius, by=None)


def _match(postcode):
    question = matching.Question(needs=["befriending"], postcode=postcode)
    return matching.match(question)[1]


def test_a_provider_gives_a_base_and_a_distance_and_people_inside_find_it(client, cast, postcodes):
    service = create_service(name="Befriending visits", organisation=cast.charity)
    client.force_login(cast.provider)
    response = client.post(
        f"/directory/manage/{service.pk}/where/",
        {"delivery": ["at-home"], "home_base": "zy1 1aa", "home_radius_miles": "2"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    (area,) = ServiceArea.objects.filter(service=service)
    assert (area.name, area.radius_m, area.latitude) == ("ZY1 1AA", 3219, 53.90)
    assert AuditEvent.objects.filter(action="service.areas", object_id=str(service.pk)).exists()
    page = client.get(f"/directory/manage/{service.pk}/where/").content.decode()
    assert 'value="ZY1 1AA"' in page and 'value="2.0"' in page
    (found,) = _match("ZY1 1AA").matches
    assert found.distance_km == 0.0
    assert found.reasons[0] == "visits you at home within 2 miles of ZY1 1AA"


def test_people_just_outside_the_radius_see_a_near_miss_and_people_far_away_nothing(
    cast, postcodes
):
    _visits(cast, miles=3)  # 4.8 km: ZY2 2BB is 5.6 km away, inside 1.5 × the radius
    outside = _match("ZY2 2BB")
    assert outside.matches == []
    assert [n.why for n in outside.near_misses] == [
        ("visits people at home within 3 miles of ZY1 1AA, not where you live",)
    ]
    assert outside.near_misses[0].meets[0].need == "Befriending"
    far = _match("ZY3 3DD")
    assert far.matches == [] and far.near_misses == []


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"home_radius_miles": "0"}, "home_radius_miles", "0.1 miles or more"),
        ({"home_radius_miles": "70"}, "home_radius_miles", "62 miles or less"),
        ({"home_radius_miles": "two"}, "home_radius_miles", "number of miles"),
        ({"home_base": "ZY9 9ZZ"}, "home_base", "We do not know where ZY9 9ZZ is"),
        ({"home_base": ""}, "home_base", "Enter the postcode"),
        ({"home_radius_miles": ""}, "home_radius_miles", "Enter how far"),
        ({"delivery": ["online"]}, "home_base", "Choose &#x27;At your home&#x27;"),
    ],
)
def test_a_bad_radius_is_refused_with_the_field_named_and_nothing_changes(
    client, cast, postcodes, data, field, message
):
    service = create_service(name="Visits", organisation=cast.charity)
    client.force_login(cast.provider)
    form = {"delivery": ["at-home"], "home_base": "ZY1 1AA", "home_radius_miles": "2", **data}
    response = client.post(f"/directory/manage/{service.pk}/where/", form)
    page = response.content.decode()
    assert response.status_code == 400 or response.status_code == 200
    assert "govuk-error-summary" in page and f"#id_{field}" in page and message in page
    assert not ServiceArea.objects.filter(service=service).exists()


@pytest.mark.parametrize("metres", [99, 100_001])
def test_the_service_refuses_a_radius_out_of_bounds_and_saves_nothing(cast, metres):
    service = create_service(name="Visits", organisation=cast.charity)
    radius = services.HomeRadius("ZY1 1AA", 53.9, -1.6, metres)
    with pytest.raises(ValidationError):
        services.service_set_areas(service=service, areas=[], radius=radius, by=cast.provider)
    assert not ServiceArea.objects.filter(service=service).exists()


def test_only_the_providers_own_staff_may_set_where_it_visits(cast):
    service = create_service(name="Visits", organisation=cast.charity)
    radius = services.HomeRadius("ZY1 1AA", 53.9, -1.6, 3000)
    for someone in (cast.resident, cast.champion, cast.commissioner, cast.stranger):
        with pytest.raises(PermissionDenied):
            services.service_set_areas(service=service, areas=[], radius=radius, by=someone)
    services.service_set_areas(service=service, areas=[], radius=radius, by=cast.provider)
    assert ServiceArea.objects.get(service=service).radius_m == 3000


def test_the_oruk_api_describes_the_radius_and_stays_valid(client, cast, standard):  # noqa: F811
    service = _visits(cast, miles=3)
    body = client.get(f"/api/oruk/services/{service.pk}").json()
    standard.validate(body, "service.json")
    (area,) = body["service_areas"]
    assert area["description"] == "Within 3 miles of ZY1 1AA"
    assert area["extent_type"] == "geojson"
    shape = json.loads(area["extent"])
    assert shape["type"] == "Polygon" and shape["coordinates"][0][0] == shape["coordinates"][0][-1]
