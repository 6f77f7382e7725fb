"""Services that visit people at home: the provider says where, and people living there find
them at distance 0 with the reason; people elsewhere are told where they go."""

import pytest

from opus.core.models import AreaKind, AuditEvent, Postcode
from opus.directory import matching
from opus.directory.models import Service, ServiceArea
from opus.testing import create_area, create_service

pytestmark = pytest.mark.django_db


def _county():
    """An authority with two wards of one LSOA each, and a postcode in each LSOA."""
    la = create_area(code="E06999901", name="Northvale", kind=AreaKind.LOCAL_AUTHORITY)
    wards = {}
    for n, (name, postcode, lat) in enumerate(
        [("Eastfield", "ZY1 1AA", 53.90), ("Westmoor", "ZY2 2BB", 53.95)]
    ):
        ward = create_area(code=f"E0599999{n}", name=name, kind=AreaKind.WARD, parent=la)
        lsoa = create_area(code=f"E0199998{n}", name=f"{name} 001A", parent=ward)
        Postcode.objects.create(postcode=postcode, latitude=lat, longitude=-1.60, lsoa=lsoa)
        wards[name] = ward
    return la, wards


def _ask(client, postcode):
    pages = {
        "needs": {"needs": ["befriending"]},
        "where": {"postcode": postcode, "max_distance_km": "10", "remote_ok": "on"},
        "about": {"age": "72", "circumstances": ["older-person"]},
        "access": {"accessibility": ["step-free"]},
        "when": {"max_price": "20"},
    }
    for step, data in pages.items():
        response = client.post(f"/choose/questions/{step}/", data)
        assert response.status_code == 302, (step, response.content.decode()[:2000])
    return client.get("/choose/results/").content.decode()


def test_a_provider_says_where_it_visits_and_people_living_there_find_it(client, cast):
    _, wards = _county()
    service = create_service(name="Befriending visits", organisation=cast.charity)
    client.force_login(cast.provider)
    response = client.post(
        f"/directory/manage/{service.pk}/where/",
        {"delivery": ["at-home"], "home_areas": [wards["Eastfield"].pk]},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(ServiceArea.objects.filter(service=service).values_list("area", flat=True)) == [
        wards["Eastfield"].pk
    ]
    assert AuditEvent.objects.filter(action="service.areas", object_id=str(service.pk)).exists()
    page = client.get(f"/directory/manage/{service.pk}/where/").content.decode()
    assert "Eastfield (ward)" in page

    client.logout()
    page = _ask(client, "zy1 1aa")
    assert "Befriending visits" in page and "visits you at home in Eastfield" in page


def test_home_areas_without_visiting_homes_is_refused_and_nothing_changes(client, cast):
    _, wards = _county()
    service = create_service(name="Befriending visits", organisation=cast.charity)
    client.force_login(cast.provider)
    before = AuditEvent.objects.count()
    response = client.post(
        f"/directory/manage/{service.pk}/where/",
        {"delivery": ["online"], "home_areas": [wards["Eastfield"].pk]},
    )
    page = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 400 and "There is a problem" in page
    assert "Choose 'At your home'" in page
    assert AuditEvent.objects.count() == before and not ServiceArea.objects.exists()
    assert Service.objects.get(pk=service.pk).delivery == ["in-person"]


def test_a_whole_authority_covers_every_ward_in_it(client, cast):
    la, _ = _county()
    service = create_service(name="Befriending visits", delivery=["at-home"])
    from opus.directory import services

    services.service_set_areas(service=service, areas=[la], by=None)
    for postcode in ("ZY1 1AA", "ZY2 2BB"):
        profile = matching.profile_from(matching.Question(needs=["befriending"], postcode=postcode))
        ranking = matching.ranked(profile)
        assert [m.name for m in ranking.matches] == ["Befriending visits"]
        assert ranking.matches[0].reasons[0] == "visits you at home in Northvale"
        assert ranking.matches[0].distance_km == 0.0


def test_someone_living_just_outside_the_area_is_told_where_it_visits(client, cast):
    _, wards = _county()
    service = create_service(name="Befriending visits", delivery=["at-home"])
    from opus.directory import services

    services.service_set_areas(service=service, areas=[wards["Eastfield"]], by=None)
    profile = matching.profile_from(matching.Question(needs=["befriending"], postcode="ZY2 2BB"))
    assert profile.near_areas == {wards["Eastfield"].pk}
    ranking = matching.ranked(profile)
    assert ranking.matches == []
    assert [(n.name, n.why) for n in ranking.near_misses] == [
        ("Befriending visits", ("visits people at home in Eastfield, not where you live",))
    ]
    page = _ask(client, "zy2 2bb")
    assert "visits people at home in Eastfield, not where you live" in page


@pytest.mark.django_db(transaction=True)
def test_the_demo_befriending_services_visit_the_demo_resident_who_asks_at_home(demo_world, client):
    befriending = Service.objects.filter(name__startswith="Befriending visits")
    assert befriending.count() >= 2  # each from a different provider
    resident = Postcode.objects.filter(lsoa__isnull=False).order_by("postcode").first()
    page = _ask(client, resident.postcode)
    county = befriending.first().areas.get().area.name
    for service in befriending:
        assert service.name in page.replace("&#x27;", "'").replace("&amp;", "&")
    assert f"visits you at home in {county}" in page
