"""Anyone can search the published library by words, kind, audience and tag."""

import pytest

from opus.knowledge.models import Audience, EntryKind
from opus.knowledge.search import Query, search

from .conftest import publish, write

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(cast):
    by = (cast.provider, cast.charity, cast.commissioner)
    gym = publish(
        *by,
        title="Spending a personal budget on a gym",
        summary="Exercise instead of a day centre.",
        body="A dog walker on bad days.",
        audiences=[Audience.BUDGET_HOLDERS],
        tags=["personal budget", "Exercise"],
    )
    lots = publish(
        *by,
        kind=EntryKind.WORKING_MODEL,
        title="Splitting a contract into lots",
        summary="Smaller lots let small providers bid.",
        body="Six neighbourhood lots.",
        audiences=[Audience.COUNCILLORS, Audience.PROVIDERS],
        tags=["procurement", "lots"],
    )
    guide = publish(
        *by,
        kind=EntryKind.GUIDANCE,
        title="Measuring wellbeing",
        summary="Ask one question twice.",
        body="Life satisfaction from 0 to 10, including exercise.",
        audiences=[Audience.PROVIDERS],
        tags=["social value"],
    )
    hidden = write(cast.provider, cast.charity, title="A draft about gym exercise")
    return {"gym": gym, "lots": lots, "guide": guide, "hidden": hidden}


def titles(**params):
    return [e.title for e in search(Query.from_params(params))]


def test_every_word_must_appear_in_the_title_summary_body_or_a_tag(library):
    assert titles(q="dog walker") == ["Spending a personal budget on a gym"]
    assert titles(q="small providers") == ["Splitting a contract into lots"]
    assert titles(q="PROCUREMENT") == ["Splitting a contract into lots"]  # a tag, any case
    assert titles(q="gym lots") == []


def test_title_and_tag_matches_come_before_matches_in_the_text(library):
    assert titles(q="exercise") == ["Spending a personal budget on a gym", "Measuring wellbeing"]


def test_drafts_never_appear_in_search(library):
    assert "A draft about gym exercise" not in titles(q="gym")
    assert len(titles()) == 3


def test_filters_by_kind_audience_and_tag_combine(library):
    assert titles(kind="guidance") == ["Measuring wellbeing"]
    assert set(titles(audience="providers")) == {
        "Splitting a contract into lots",
        "Measuring wellbeing",
    }
    assert titles(audience="providers", kind="working_model") == ["Splitting a contract into lots"]
    assert titles(tag="personal-budget") == ["Spending a personal budget on a gym"]
    assert titles(tag="no-such-tag") == []


def test_unknown_filter_values_are_ignored_not_refused(library):
    assert len(titles(kind="poem", audience="everyone")) == 3


def test_the_library_page_searches_and_filters_without_javascript(client, library):
    page = client.get("/good-practice/", {"q": "lots", "audience": "councillors"})
    text = page.content.decode()
    assert page.status_code == 200 and "1 entry" in text
    assert "Splitting a contract into lots" in text and "Measuring wellbeing" not in text
    assert 'value="councillors" selected' in text
    everything = client.get("/good-practice/").content.decode()
    assert "3 entries" in everything and "A draft about gym" not in everything
    tagged = client.get("/good-practice/", {"tag": "social-value"}).content.decode()
    assert "Measuring wellbeing" in tagged and "1 entry" in tagged


def test_a_published_entry_is_public_and_its_text_is_escaped(client, cast):
    entry = publish(
        cast.provider,
        cast.charity,
        cast.commissioner,
        title="Safe text",
        body="<script>alert(1)</script>\n\nSecond paragraph.",
    )
    page = client.get(f"/good-practice/{entry.slug}/").content.decode()
    assert "&lt;script&gt;" in page and "<script>alert" not in page
    assert '<p class="govuk-body">Second paragraph.</p>' in page
