"""Rich text from feeds and providers: one sanitiser, used at import and when providers edit.

Descriptions may hold a little HTML (paragraphs, lists, links, emphasis). ``sanitise`` keeps
only that, with links limited to http(s) and mailto and opened without handing over the
page (``rel="noopener noreferrer"``); scripts, styles, event handlers, images, comments and
every other tag are stripped. The sanitised text is what is stored, so pages mark only it as
safe (``directory/templatetags/richtext.py``), and ``html_to_text`` gives the plain text that
ORUK's ``description`` field expects.
"""

from __future__ import annotations

import html
import re

import nh3

TAGS = {"p", "br", "ul", "ol", "li", "a", "strong", "em", "b", "i"}
ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}
_TAG = re.compile(r"<[A-Za-z!/?]")
_BREAK = re.compile(r"</?(p|ul|ol)\b[^>]*>|</li\s*>|<br\s*/?>", re.IGNORECASE)
_ITEM = re.compile(r"<li\b[^>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]*>")
# Blocks that are stripped (headings, divisions, tables) end with a line break, so their
# text does not run into what follows.
_OTHER_BLOCK_END = re.compile(
    r"</(h[1-6]|div|section|article|header|footer|blockquote|tr|table|dd|dt)\s*>", re.IGNORECASE
)
_TRAILING_BREAKS = re.compile(r"(\s*<br>\s*)+$")
_REPEATED_BREAKS = re.compile(r"<br>(\s*<br>)+")


def looks_like_html(value: str) -> bool:
    """Whether the text has a tag (or comment) in it, so is to be read as HTML."""
    return bool(_TAG.search(value or ""))


def sanitise(value: str) -> str:
    """Only the allowed tags and attributes, with safe links. Text with no tags in it is
    plain text and stays as it is (pages escape it as they show it)."""
    if not value or not looks_like_html(value):
        return (value or "").strip()
    cleaned = nh3.clean(
        _OTHER_BLOCK_END.sub(lambda m: m.group(0) + "<br>", value),
        tags=TAGS,
        clean_content_tags={"script", "style"},
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return _TRAILING_BREAKS.sub("", _REPEATED_BREAKS.sub("<br>", cleaned.strip()))


def html_to_text(value: str) -> str:
    """Plain text from sanitised HTML: paragraphs, breaks and list items on their own lines,
    list items with a dash, entities decoded."""
    if not value:
        return ""
    if not looks_like_html(value):
        return value.strip()  # plain text is stored as it is, unescaped
    text = _ITEM.sub("\n- ", value)
    text = _BREAK.sub("\n", text)
    text = html.unescape(_ANY_TAG.sub("", text))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)
