"""Providers keep their services up to date through question pages; everyone can find them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from opus.core.models import AuditEvent, Postcode
from opus.directory.models import Service
from opus.testing import create_organisation, create_service

pytestmark = pytest.mark.django_db


def _add(client, cast):
    client.force_login(cast.provider)
    response = client.post(
        "/directory/manage/new/",
        {
            "name": "Tea and talk",
            "description": "A weekly chat over tea",
            "status": "active",
        },
    )
    service = Service.objects.get(name="Tea and talk")
    assert response["Location"] == f"/directory/manage/{service.pk}/"
    return service


def _section(client, service, section, data):
    return client.post(f"/directory/manage/{service.pk}/{section}/", data)


def test_a_provider_adds_a_service_section_by_section_and_it_is_published(client, cast):
    Postcode.objects.create(postcode="ZY1 2AB", latitude=53.9, longitude=-1.6)
    service = _add(client, cast)
    assert service.organisation == cast.charity
    steps = {
        "eligibility": {"minimum_age": "60", "circumstances": ["older-person"]},
        "needs": {"terms": [t.pk for t in _terms("befriending", "lunch-clubs")]},
        "where": {
            "delivery": ["in-person"],
            "place_name": "Church hall",
            "postal_code": "zy12ab",
            "accessibility": ["step-free", "hearing-loop"],
        },
        "when": {"days": ["TU", "TH"], "opens_at": "10:00", "closes_at": "12:00"},
        "cost": {"amount": "3.50", "unit": "session"},
        "languages": {"languages": ["en", "pa"]},
        "capacity": {"capacity": "20", "vacancies": "4"},
    }
    for section, data in steps.items():
        response = _section(client, service, section, data)
        assert response.status_code == 302, (section, response.content.decode()[:3000])
    service.refresh_from_db()
    place = service.at_locations.get().location
    assert place.postal_code == "ZY1 2AB" and place.latitude == 53.9
    assert service.cost_options.get().amount_pence == 350
    assert sorted(service.languages.values_list("code", flat=True)) == ["en", "pa"]
    page = client.get(f"/directory/services/{service.pk}/").content.decode()
    assert "Church hall" in page and "£3.50 a session" in page and "Punjabi" in page
    actions = set(
        AuditEvent.objects.filter(object_id=str(service.pk)).values_list("action", flat=True)
    )
    assert {"service.create", "service.update", "service.terms", "service.cost"} <= actions


def _terms(*codes):
    from opus.directory.models import TaxonomyTerm

    return TaxonomyTerm.objects.filter(code__in=codes)


@pytest.mark.parametrize(
    "section, data, message",
    [
        ("cost", {"amount": "12.345", "unit": "hour"}, "Enter the price in pounds and pence"),
        ("cost", {"amount": "twelve", "unit": "hour"}, "Enter the price in pounds, like 18.50"),
        ("eligibility", {"minimum_age": "70", "maximum_age": "60"}, "The oldest age must be"),
        ("where", {"delivery": ["in-person"], "place_name": "Hall"}, "Enter the place"),
        (
            "where",
            {"delivery": ["in-person"], "place_name": "Hall", "postal_code": "XX1 1XX"},
            "is not a UK postcode",
        ),
        ("when", {"days": ["MO"], "opens_at": "14:00", "closes_at": "09:00"}, "must be after"),
        ("capacity", {"capacity": "5", "vacancies": "9"}, "more places free than"),
        ("needs", {}, "Choose at least one need"),
    ],
)
def test_bad_answers_show_the_error_summary_and_change_nothing(
    client, cast, section, data, message
):
    service = _add(client, cast)
    before = AuditEvent.objects.count()
    response = _section(client, service, section, data)
    page = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 400 and "There is a problem" in page and message in page
    assert AuditEvent.objects.count() == before


def test_only_the_providers_own_staff_edit_a_service(client, cast):
    other = create_service(organisation=create_organisation(name="Other Charity"))
    for user in (cast.provider, cast.stranger, cast.resident, cast.commissioner):
        client.force_login(user)
        assert client.get(f"/directory/manage/{other.pk}/").status_code == 404, user
        assert (
            client.post(f"/directory/manage/{other.pk}/cost/", {"amount": "9"}).status_code == 404
        )
    assert not other.cost_options.exists()


def test_a_service_not_reviewed_for_a_year_is_flagged_until_its_provider_confirms(client, cast):
    service = create_service(organisation=cast.charity)
    Service.objects.filter(pk=service.pk).update(reviewed_at=timezone.now() - timedelta(days=400))
    client.force_login(cast.provider)
    assert "Review due" in client.get("/directory/manage/").content.decode()
    assert (
        "not reviewed these details"
        in client.get(f"/directory/services/{service.pk}/").content.decode()
    )
    client.post(f"/directory/manage/{service.pk}/review/")
    service.refresh_from_db()
    assert not service.needs_review
    assert AuditEvent.objects.filter(action="service.review", object_id=str(service.pk)).exists()


def test_anyone_finds_services_by_words_and_need(client, cast):
    create_service(name="Walking for health", terms=list(_terms("walking-groups")))
    create_service(name="Lunch club", terms=list(_terms("lunch-clubs")))
    page = client.get("/directory/", {"q": "walking"}).content.decode()
    assert "Walking for health</a>" in page and "Lunch club</a>" not in page
    page = client.get("/directory/", {"need": "lunch-clubs"}).content.decode()
    assert "Lunch club</a>" in page and "Walking for health</a>" not in page


def test_people_without_a_provider_role_cannot_add_services(client, cast):
    for user in (cast.stranger, cast.resident):
        client.force_login(user)
        assert client.get("/directory/manage/new/").status_code == 404


def test_a_providers_edit_shows_in_the_open_referral_api(client, cast):
    service = _add(client, cast)
    _section(client, service, "cost", {"amount": "4.00", "unit": "session"})
    _section(
        client,
        service,
        "details",
        {"name": "Tea, talk and cake", "description": "Weekly", "status": "active"},
    )
    record = client.get(f"/api/oruk/services/{service.pk}").json()
    assert record["name"] == "Tea, talk and cake"
    assert record["cost_options"][0]["amount"] == 4
    assert record["organization"]["id"] == str(cast.charity.uuid)
