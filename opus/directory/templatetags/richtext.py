"""Descriptions in templates: `{% load richtext %}`, then `{{ text|richtext }}` or `|plaintext`.

The only place a description is marked safe: HTML is sanitised again here (the stored value was
sanitised at import or edit; doing it on the way out as well costs little and keeps a row
written some other way from reaching a page), and plain text is escaped and split into
paragraphs."""

from typing import Any

from django import template
from django.template.defaultfilters import linebreaks_filter
from django.utils.safestring import SafeString, mark_safe

from opus.directory.importers.richtext import html_to_text, looks_like_html, sanitise

register = template.Library()


@register.filter(is_safe=True)
def richtext(value: Any) -> SafeString:
    given = "" if value is None else str(value)
    if looks_like_html(given):
        return mark_safe(sanitise(given))  # noqa: S308 - nh3 keeps only the allowed tags
    return linebreaks_filter(given, autoescape=True)


@register.filter
def plaintext(value: Any) -> str:
    """A description as plain text (for a snippet such as a search result); escaped as usual."""
    return html_to_text("" if value is None else str(value))
