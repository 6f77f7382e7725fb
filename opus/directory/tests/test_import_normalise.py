"""What a feed gets wrong that can safely be fixed is fixed, and said; the rest is refused."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from opus.directory.importers.normalise import clean_email, clean_text, clean_web_address, fit
from opus.directory.importers.records import parse_service
from opus.directory.importers.values import RecordError

DATA = Path(__file__).parent / "data"


def base_record() -> dict:
    page = json.loads((DATA / "oruk_feed" / "oruk_page_1.json").read_text())
    return copy.deepcopy(page["contents"][0])


@pytest.mark.parametrize(
    "given, wanted, notes",
    [
        ("www.example.org", "https://www.example.org", ["added https://"]),
        ("example.org/path?q=1", "https://example.org/path?q=1", ["added https://"]),
        ("example.org:8080/x", "https://example.org:8080/x", ["added https://"]),
        ("//cdn.example.org/a", "https://cdn.example.org/a", ["added https:"]),
        ("https://example.org", "https://example.org", []),
        ("HTTP://example.org", "HTTP://example.org", []),
        ("  https://example.org/\u00a0", "https://example.org/", []),
        ("\u200bwww.example.org", "https://www.example.org", [
            "removed invisible characters (zero-width spaces)", "added https://"]),
        ("", "", []),
    ],
)  # fmt: skip
def test_a_web_address_without_a_scheme_gets_https(given, wanted, notes):
    assert clean_web_address(given) == (wanted, notes)


@pytest.mark.parametrize(
    "given",
    ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<b>x</b>", "ftp://x.org",
     "mailto:someone@example.org", "www.example .org"],
)  # fmt: skip
def test_other_schemes_and_spaces_are_refused(given):
    with pytest.raises(ValueError, match="web address"):
        clean_web_address(given)


@pytest.mark.parametrize(
    "given, wanted, notes",
    [
        ("hello\u200b@example.org", "hello@example.org",
         ["removed invisible characters (zero-width spaces)"]),
        ("\ufeffhello@example.org\u2060", "hello@example.org",
         ["removed invisible characters (zero-width spaces)"]),
        ("hello@example.org.", "hello@example.org", ["removed the dot ending the domain"]),
        ("mailto:hello@example.org", "hello@example.org", ["removed mailto:"]),
        ("\u00a0hello@example.org ", "hello@example.org", []),
        ("hello@example.org", "hello@example.org", []),
    ],
)  # fmt: skip
def test_an_email_address_loses_invisible_characters_and_a_trailing_dot(given, wanted, notes):
    assert clean_email(given) == (wanted, notes)


def test_zero_width_characters_go_from_anywhere_in_text_and_space_from_its_ends():
    assert clean_text("\u00a0 Tea\u200c and\u200d talk \u2060") == (
        "Tea and talk",
        ["removed invisible characters (zero-width spaces)"],
    )
    assert clean_text("  Tea  ") == ("Tea", [])


def test_long_free_text_is_cut_at_a_word_but_other_long_values_are_refused():
    text = "Lines are busy on Monday mornings. " * 10
    cut, notes = fit(text, 100, cut=True)
    assert len(cut) <= 100 and cut.endswith("…") and " " not in cut[-2:]
    assert notes == [f"cut from {len(text):,} to 100 characters"]
    with pytest.raises(ValueError, match="over the limit of 100"):
        fit(text, 100, cut=False)
    assert fit("short", 100, cut=False) == ("short", [])


# In a record: fixed values are warnings naming the field; what cannot be fixed is a rejection


def test_a_record_with_fixable_values_is_kept_with_a_warning_per_field():
    record = base_record() | {
        "url": "www.befriending.example.org",
        "email": "hello\u200b@befriending.example.org.",
        "alert": "Closed over Christmas. " * 20,
    }
    record["organization"]["website"] = "friends.example.org"

    data = parse_service(record)

    assert data.fields["url"] == "https://www.befriending.example.org"
    assert data.fields["email"] == "hello@befriending.example.org"
    assert len(data.fields["alert"]) <= 300
    assert data.organisation.fields["website"] == "https://friends.example.org"
    assert data.warnings == [
        ("alert", "cut from 459 to 300 characters"),
        ("url", "added https://"),
        ("email", "removed invisible characters (zero-width spaces)"),
        ("email", "removed the dot ending the domain"),
        ("organization.website", "added https://"),
    ]


def test_a_nested_value_is_named_by_its_path():
    record = base_record()
    record["contacts"] = [{"id": None, "name": "Office", "email": "office@example.org."}]

    data = parse_service(record)

    assert data.children["contacts"][0]["email"] == "office@example.org"
    assert ("contacts[0].email", "removed the dot ending the domain") in data.warnings


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"url": "javascript:alert(1)"},
         "url: 'javascript:alert(1)' is not a web address starting http(s)://"),
        ({"url": "https://example.org/" + "x" * 190},
         "url: is 210 characters long, over the limit of 200"),
        ({"name": "N" * 201}, "name: is longer than 200 characters"),
        ({"email": "not an address"}, "email: 'not an address' is not an e-mail address"),
    ],
)  # fmt: skip
def test_what_cannot_be_made_valid_rejects_the_record(change, reason):
    with pytest.raises(RecordError) as error:
        parse_service(base_record() | change)
    assert str(error.value) == reason


def test_html_in_plain_text_fields_becomes_text_and_descriptions_are_sanitised():
    record = base_record() | {
        "description": '<p onclick="x()">Tea <script>alert(1)</script><img src="x.png"></p>',
        "eligibility_description": "<p>Aged 60 or over</p><ul><li>living alone</li></ul>",
    }

    data = parse_service(record)

    assert data.fields["description"] == "<p>Tea </p>"
    assert data.fields["eligibility_description"] == "Aged 60 or over\n- living alone"
    assert ("eligibility_description", "turned HTML into plain text") in data.warnings
    assert (
        "description",
        "removed HTML that is not allowed (scripts, images, event handlers, links)",
    ) in data.warnings
