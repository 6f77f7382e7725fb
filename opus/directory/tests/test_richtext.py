"""Descriptions keep paragraphs, lists, links and emphasis, and nothing that could run or track.

Sanitised once (at import and when a provider edits), stored sanitised, shown formatted on the
public page through the one `richtext` filter, and as plain text in the ORUK API.
"""

from __future__ import annotations

import pytest
from django.template import Context, Template

from opus.directory.importers.richtext import html_to_text, looks_like_html, sanitise
from opus.directory.models import Service
from opus.testing import create_service

HOSTILE = (
    '<p onclick="steal()">Tea and <strong>talk</strong></p>'
    "<script>alert('x')</script>"
    '<img src="https://tracker.example.net/p.gif" onerror="steal()">'
    '<a href="javascript:alert(1)">click</a> '
    '<a href="https://tea.example.org" target="_blank" style="color:red">visit us</a>'
    "<!-- secret note --><style>p{display:none}</style>"
    "<ul><li>Mondays</li><li>Fridays</li></ul><iframe src='https://x.example'></iframe>"
)


def assert_harmless(html: str) -> None:
    lowered = html.lower()
    for bad in ("<script", "onclick", "onerror", "javascript:", "<img", "<iframe", "<style",
                "<!--", "secret note", "target=", "style="):  # fmt: skip
        assert bad not in lowered, bad


def test_only_paragraphs_lists_links_and_emphasis_are_kept():
    cleaned = sanitise(HOSTILE)

    assert_harmless(cleaned)
    assert cleaned == (
        "<p>Tea and <strong>talk</strong></p>"
        '<a rel="noopener noreferrer">click</a> '
        '<a href="https://tea.example.org" rel="noopener noreferrer">visit us</a>'
        "<ul><li>Mondays</li><li>Fridays</li></ul>"
    )


def test_every_allowed_tag_survives_and_others_keep_only_their_text():
    given = (
        "<p>a<br>b</p><ol><li><em>c</em></li></ol><ul><li><b>d</b> <i>e</i></li></ul>"
        '<a href="mailto:x@example.org">f</a><h2>g</h2><div><span>h</span></div><table><tr>'
        "<td>i</td></tr></table>"
    )
    assert sanitise(given) == (
        "<p>a<br>b</p><ol><li><em>c</em></li></ol><ul><li><b>d</b> <i>e</i></li></ul>"
        '<a href="mailto:x@example.org" rel="noopener noreferrer">f</a>g<br>h<br>i'
    )


def test_plain_text_is_left_as_it_is():
    assert sanitise("Fish & chips, 2 < 3\nSecond line") == "Fish & chips, 2 < 3\nSecond line"
    assert not looks_like_html("Fish & chips, 2 < 3")
    assert looks_like_html("<p>x</p>") and looks_like_html("a <!-- b -->")


def test_html_becomes_plain_text_for_oruk():
    assert html_to_text(sanitise(HOSTILE)) == "Tea and talk\nclick visit us\n- Mondays\n- Fridays"
    assert html_to_text("<p>a<br>b</p><ol><li>c</li></ol>") == "a\nb\n- c"
    assert html_to_text("<p>One &amp; two</p><p>Three</p>") == "One & two\nThree"
    assert html_to_text("Plain, as it was") == "Plain, as it was"


def render(value: str) -> str:
    return Template("{% load richtext %}{{ value|richtext }}").render(Context({"value": value}))


def test_the_filter_shows_formatted_html_and_escapes_plain_text():
    assert render("<p>Tea and <em>talk</em></p>") == "<p>Tea and <em>talk</em></p>"
    assert render("Fish & chips\n\nOn Fridays") == "<p>Fish &amp; chips</p>\n\n<p>On Fridays</p>"
    shown = render(HOSTILE)  # a row written some other way is sanitised on the way out too
    assert_harmless(shown)
    assert "<strong>talk</strong>" in shown


# Stored once, sanitised; shown formatted; plain in the API


@pytest.mark.django_db
def test_a_providers_hostile_description_never_reaches_the_public_page(client, cast):
    service = create_service(organisation=cast.charity, description="Plain to begin with")
    client.force_login(cast.provider)
    response = client.post(
        f"/directory/manage/{service.pk}/details/",
        {"name": service.name, "description": HOSTILE, "status": "active"},
    )
    assert response.status_code == 302

    stored = Service.objects.get(pk=service.pk).description
    assert stored == sanitise(HOSTILE)
    client.logout()
    page = client.get(f"/directory/services/{service.pk}/").content.decode()
    assert "<p>Tea and <strong>talk</strong></p>" in page  # formatted, not literal tags
    assert "&lt;p&gt;" not in page
    body = page.split("<main", 1)[1]
    assert_harmless(body.split("</main>", 1)[0])


@pytest.mark.django_db
def test_a_new_service_is_stored_sanitised_and_the_api_gives_plain_text(client, cast):
    service = create_service(organisation=cast.charity, description=HOSTILE)

    assert Service.objects.get(pk=service.pk).description == sanitise(HOSTILE)
    record = client.get(f"/api/oruk/services/{service.pk}").json()
    assert record["description"] == "Tea and talk\nclick visit us\n- Mondays\n- Fridays"


def test_plain_text_reaches_oruk_as_it_was_stored():
    assert html_to_text("Fish & chips\n\nFridays") == "Fish & chips\n\nFridays"
