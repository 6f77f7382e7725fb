"""Welsh pages: by the header's toggle or the browser's language, English where untranslated."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.formats import date_format

pytestmark = pytest.mark.django_db


def test_a_browser_asking_for_welsh_gets_welsh_pages(client):
    page = client.get("/directory/", headers={"Accept-Language": "cy"}).content.decode()
    assert '<html lang="cy"' in page
    assert "Dod o hyd i wasanaeth" in page and "Neidio i'r prif gynnwys" in page


def test_english_is_the_default(client):
    page = client.get("/directory/").content.decode()
    assert '<html lang="en"' in page and "Find a service" in page


def test_the_toggle_remembers_welsh_and_goes_back_to_the_page(client):
    response = client.get("/language/cy/", {"next": "/directory/"})
    assert response.status_code == 302 and response["Location"] == "/directory/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "cy"
    page = client.get("/directory/").content.decode()
    assert '<html lang="cy"' in page and 'href="/language/en-gb/?next=/directory/"' in page


def test_the_toggle_never_sends_people_to_another_site(client):
    response = client.get("/language/cy/", {"next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert client.get("/language/xx/").status_code == 404


def test_a_page_with_strings_not_yet_translated_still_answers(client, cast):
    client.force_login(cast.commissioner)
    response = client.get("/dashboard/", headers={"Accept-Language": "cy"}, follow=True)
    assert response.status_code == 200  # untranslated strings fall back to English


def test_dates_are_written_the_welsh_way():
    with translation.override("cy"):
        assert date_format(dt.date(2026, 12, 25), "j F Y") == "25 Rhagfyr 2026"
