"""Defects a first day found on the resident's side (issue 12): each fails without its fix."""

import re
from datetime import timedelta
from html import unescape
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from opus.choice.models import Consent, ShortlistItem
from opus.directory import services as directory
from opus.directory.models import TaxonomyTerm

from .conftest import answer_questions

pytestmark = pytest.mark.django_db


class _Form(HTMLParser):
    """The values a browser would send back for the first POST form on a page, unchanged."""

    def __init__(self):
        super().__init__()
        self.data, self.select, self.inside = {}, None, False
        self.first_option = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method") == "post" and not a.get("action"):
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and a.get("name") and a.get("name") != "csrfmiddlewaretoken":
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.setdefault(a["name"], []).append(a.get("value", ""))
        elif tag == "select":
            self.select = a["name"]
        elif tag == "option" and self.select and "selected" in a:
            self.data.setdefault(self.select, []).append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        if tag == "form":
            self.inside = False


def _unchanged(page: str) -> dict:
    parser = _Form()
    parser.feed(page)
    return parser.data


def test_revisiting_the_price_question_keeps_the_price(client, offers):
    answer_questions(client)  # the most they can pay: £20
    page = client.get("/choose/questions/when/").content.decode()
    sent = _unchanged(page)
    assert sent["max_price"] == ["20"], sent
    assert client.post("/choose/questions/when/", sent).status_code == 302
    again = _unchanged(client.get("/choose/questions/when/").content.decode())
    assert again["max_price"] == ["20"]
    assert client.session["opus_choice_answers"]["max_price"] == 2000


def test_pence_in_the_price_question_are_kept(client, offers):
    answer_questions(client, when={"max_price": "18.50"})
    sent = _unchanged(client.get("/choose/questions/when/").content.decode())
    assert sent["max_price"] == ["18.50"]
    client.post("/choose/questions/when/", sent)
    assert client.session["opus_choice_answers"]["max_price"] == 1850


def test_an_unknown_postcode_is_refused_on_its_own_page(client, offers):
    response = client.post(
        "/choose/questions/where/", {"postcode": "SW1A 1AA", "max_distance_km": "10"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page and "We do not know where SW1A 1AA is" in page
    assert "postcode" not in client.session.get("opus_choice_answers", {})
    known = client.post("/choose/questions/where/", {"postcode": "zy1 1aa", "max_distance_km": "5"})
    assert known.status_code == 302


def test_the_consent_form_accepts_its_own_prefilled_date(client, cast):
    client.force_login(cast.resident)
    sent = _unchanged(client.get("/choose/help/").content.decode())
    expected = timezone.localdate() + timedelta(days=90)
    shown = [sent.get(f"until_{part}") for part in ("day", "month", "year")]
    assert shown == [[str(expected.day)], [str(expected.month)], [str(expected.year)]], sent
    sent.update({"champion": [str(cast.champion.pk)], "scope": ["find"]})
    response = client.post("/choose/help/", sent)
    assert response.status_code == 302, response.content.decode()[:3000]
    given = Consent.objects.get()
    assert timezone.localdate(given.expires_at) == timezone.localdate() + timedelta(days=90)


def test_days_and_access_are_shown_in_words(client, cast, offers):
    service = offers[0]
    for s in offers:
        directory.service_set_schedule(
            service=s, byday=["TH", "WE"], opens_at=None, closes_at=None, by=None
        )
    place = service.at_locations.first().location
    place.accessibility = ["hearing-loop", "step-free"]
    place.save()
    detail = client.get(f"/directory/services/{service.pk}/").content.decode()
    assert "Wednesday, Thursday" in detail and "TH,WE" not in detail
    assert "Hearing loop" in detail and "hearing-loop" not in detail
    client.force_login(cast.resident)
    for s in offers[:2]:
        client.post(f"/choose/shortlist/{s.pk}/add/")
    comparison = client.get(
        "/choose/compare/", {"service": [str(s.pk) for s in offers[:2]]}
    ).content.decode()
    assert "Wednesday, Thursday" in comparison and "TH,WE" not in comparison
    matches = answer_questions(
        client, access={"accessibility": ["hearing-loop", "step-free"]}
    ).content.decode()
    assert "Hearing loop" in matches and "hearing-loop" not in matches
    assert "hearing loop" not in matches.replace("Hearing loop", "")


def test_day_names_and_labels():
    from opus.directory.vocabularies import day_names, vocabulary_label

    assert day_names("TH,WE") == "Wednesday, Thursday"
    assert day_names(["SU", "MO"]) == "Monday, Sunday"
    assert day_names("") == ""
    assert vocabulary_label("hearing-loop") == "Hearing loop"
    assert vocabulary_label("older-person") == "Older person (65 and over)"


def test_the_needs_question_is_grouped_by_category_and_sorted(client, offers):
    page = unescape(client.get("/choose/questions/needs/").content.decode())
    parents = TaxonomyTerm.objects.filter(parent__isnull=True, children__isnull=False).distinct()
    legends = re.findall(
        r'<legend class="govuk-fieldset__legend[^"]*">\s*([^<]+?)\s*</legend>', page
    )
    for parent in parents:
        assert parent.name in legends, (parent.name, legends)
        names = list(parent.children.values_list("name", flat=True))
        shown = [
            n for n in re.findall(r'govuk-checkboxes__label"[^>]*>([^<]+)<', page) if n in names
        ]
        assert shown == sorted(names, key=str.casefold)
    assert ": " not in "".join(re.findall(r'govuk-checkboxes__label"[^>]*>([^<]+)<', page))
    sent = client.post("/choose/questions/needs/", {"needs": ["befriending"]})
    assert sent.status_code == 302


def test_comparing_a_service_not_on_the_shortlist_says_so_in_words(client, cast, offers):
    client.force_login(cast.resident)
    client.post(f"/choose/shortlist/{offers[0].pk}/add/")
    client.post(f"/choose/shortlist/{offers[1].pk}/add/")
    elsewhere = offers[2]
    assert not ShortlistItem.objects.filter(service=elsewhere).exists()
    response = client.get("/choose/compare/", {"service": [str(offers[0].pk), str(elsewhere.pk)]})
    page = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in page
    assert "is not one of the available choices" not in page
    assert "Select a valid choice" not in page
    assert "You can only compare services on your shortlist" in page


def test_the_resident_dashboard_acts_for_nobody_and_promises_nothing_missing(client, cast):
    client.force_login(cast.resident)
    page = client.get("/dashboard/resident/").content.decode()
    assert "You act for" not in page and cast.council.name not in page
    assert "feedback you have given" not in page
    provider = client
    provider.force_login(cast.provider)
    assert "You act for" in provider.get("/dashboard/provider/").content.decode()


@pytest.mark.parametrize("typed", ["NaN", "Infinity", "-1", "10001", "twenty"])
def test_a_price_that_is_not_an_amount_is_refused_in_words(client, typed):
    response = client.post("/choose/questions/when/", {"max_price": typed})
    page = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in page


@pytest.mark.parametrize("role", ["resident", "champion", "commissioner", "auditor", "stranger"])
def test_the_matches_link_only_to_what_opens_for_that_role(client, cast, offers, role):
    from opus.core.tests.test_navigation_links import refused_links

    client.force_login(getattr(cast, role))
    page = answer_questions(client).content.decode()
    assert ("Add to shortlist" in page) == (role == "resident")
    refused = refused_links(client, ["/choose/results/", "/choose/"])
    assert not refused, (role, refused)


def test_a_champion_acting_with_view_only_consent_is_not_offered_to_choose(client, cast, offers):
    from opus.choice.services import consent_grant, shortlist_add

    shortlist_add(person=cast.resident, service=offers[0], by=cast.resident)
    consent_grant(
        person=cast.resident,
        champion=cast.champion,
        scope="find",
        expires_at=timezone.now() + timedelta(days=30),
    )
    client.force_login(cast.champion)
    client.post(f"/choose/caseload/{cast.resident.pk}/act/")
    page = answer_questions(client).content.decode()
    assert "Add to shortlist" not in page and "Your shortlist" in page
    shortlist = client.get("/choose/shortlist/").content.decode()
    assert "Tea and talk" in shortlist and "Choose this" not in shortlist
    from opus.core.tests.test_navigation_links import refused_links

    assert not refused_links(client, ["/choose/shortlist/", "/choose/", "/dashboard/champion/"])


def test_answers_that_no_longer_match_are_a_problem_not_a_success(client, offers):
    from opus.core.models import Postcode

    answer_questions(client)
    Postcode.objects.filter(postcode="ZY1 1AA").delete()  # the postcode list was updated
    page = client.get("/choose/results/", follow=True).content.decode()
    assert "There is a problem" in page and "We do not know where ZY1 1AA is" in page
    assert "Success" not in page


DJANGO_WORDS = (
    "Select a valid choice",
    "Enter a whole number.",
    "Ensure this",
    "Ensure that",
    "Enter a valid",
)


@pytest.mark.parametrize(
    ("where", "sent"),
    [
        ("/choose/questions/needs/", {"needs": ["no-such-need"]}),
        ("/choose/questions/where/", {"postcode": "ZY1 1AA", "max_distance_km": "ten"}),
        ("/choose/questions/about/", {"age": "-3", "circumstances": ["nobody"]}),
        ("/choose/questions/access/", {"languages": ["xx"], "accessibility": ["wings"]}),
        ("/choose/questions/when/", {"days": ["XX"]}),
    ],
)
def test_the_questions_answer_nonsense_in_words(client, offers, where, sent):
    response = client.post(where, sent)
    page = unescape(response.content.decode())
    assert response.status_code == 400 and "There is a problem" in page
    found = [page[page.find(w) - 200 : page.find(w) + 80] for w in DJANGO_WORDS if w in page]
    assert not found, found


def test_the_forms_of_choosing_answer_nonsense_in_words(client, cast, offers):
    client.force_login(cast.resident)
    forms = {
        "/choose/help/": {"champion": "999999", "scope": "everything", "until": "soon"},
        f"/choose/services/{offers[0].pk}/choose/": {"units_per_week": "1.123", "start_date": "x"},
    }
    for where, sent in forms.items():
        response = client.post(where, sent)
        page = unescape(response.content.decode())
        assert response.status_code == 400 and "There is a problem" in page
        assert not [w for w in DJANGO_WORDS if w in page], (
            where,
            page[page.find("error-summary") :][:800],
        )
