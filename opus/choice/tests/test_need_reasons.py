"""Every match says which of the person's needs it meets or only relates to, in words; a
service meeting a need exactly comes before one that only relates to it; near misses and
the comparison say the same (issue 13, item 5)."""

import re

import pytest

from opus.core.models import Postcode
from opus.directory import services as directory
from opus.directory.models import LocationType, TaxonomyTerm
from opus.testing import create_service

from .conftest import answer_questions

pytestmark = pytest.mark.django_db


def _at(service, organisation, latitude):
    place = directory.location_create(
        organisation=organisation,
        by=None,
        name=f"{service.name} hall",
        location_type=LocationType.PHYSICAL,
        latitude=latitude,
        longitude=-1.60,
        accessibility=["step-free"],
    )
    directory.service_set_locations(service=service, locations=[place], by=None)


@pytest.fixture
def field(db, cast):
    """A walking group at the resident's door, free with places; a befriending service 8 km
    away that costs more than they can pay and is full; one for young people only."""
    Postcode.objects.create(postcode="ZY1 1AA", latitude=53.90, longitude=-1.60)
    walking = create_service(
        name="Riverside walking group",
        organisation=cast.charity,
        vacancies=5,
        terms=list(TaxonomyTerm.objects.filter(code="walking-groups")),
    )
    _at(walking, cast.charity, 53.90)
    befriending = create_service(name="Befriending visits", organisation=cast.charity, vacancies=0)
    _at(befriending, cast.charity, 53.97)
    directory.service_set_cost(
        service=befriending, amount_pence=3500, unit="hour", option="", by=None
    )
    young = create_service(
        name="Young friends", organisation=cast.charity, minimum_age=11, maximum_age=25
    )
    _at(young, cast.charity, 53.90)
    return walking, befriending, young


def _text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_each_match_says_which_need_it_meets_and_the_exact_one_comes_first(client, cast, field):
    client.force_login(cast.resident)
    page = _text(answer_questions(client, access={"accessibility": []}).content.decode())
    assert page.index("Befriending visits") < page.index("Riverside walking group")
    befriending = page[page.index("Befriending visits") : page.index("Riverside walking group")]
    assert "Meets your need: befriending" in befriending
    walking = page[page.index("Riverside walking group") : page.index("Close, but not for you")]
    assert "Related to: social activity (you asked for befriending)" in walking
    assert "Meets your need" not in walking
    assert "walking-groups" not in page and "social-activity" not in page
    assert "Services that meet one of your needs come first" in page


def test_near_misses_say_which_need_they_would_have_met(client, cast, field):
    client.force_login(cast.resident)
    page = _text(answer_questions(client, access={"accessibility": []}).content.decode())
    missed = page[page.index("Close, but not for you") :]
    assert "Young friends" in missed and "for ages 11 to 25" in missed
    assert "Would have met your need: befriending" in missed


def test_the_comparison_says_which_needs_each_service_meets(client, cast, field):
    walking, befriending, _ = field
    client.force_login(cast.resident)
    answer_questions(client, access={"accessibility": []})
    for service in (walking, befriending):
        client.post(f"/choose/shortlist/{service.pk}/add/")
    html = client.get(
        "/choose/compare/", {"service": [str(walking.pk), str(befriending.pk)], "units": "2"}
    ).content.decode()
    row = _text(html[html.index("Your needs") : html.index("Price")])
    assert "Meets your need: befriending" in row
    assert "Related to: social activity (you asked for befriending)" in row


def test_the_api_gives_the_needs_in_words(client, field):
    body = client.post(
        "/api/v1/matches",
        {"needs": ["befriending"], "postcode": "ZY1 1AA", "age": 70},
        content_type="application/json",
    ).json()
    first, second = body["results"][:2]
    assert first["name"] == "Befriending visits" and second["name"] == "Riverside walking group"
    assert first["needs"] == [{"need": "Befriending", "meets": True, "family": "Social activity"}]
    assert second["needs"] == [{"need": "Befriending", "meets": False, "family": "Social activity"}]
    assert second["score"] > first["score"]  # the order is the rule's: exact before related
    (young,) = [n for n in body["near_misses"] if n["name"] == "Young friends"]
    assert young["needs"][0]["meets"] is True
