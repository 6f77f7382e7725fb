"""Codes as words in templates: `{% load vocabulary %}`, then `{{ s.byday|days }}` ("TH,WE" →
"Wednesday, Thursday") and `{{ code|label }}` or `{{ codes|labels }}` ("hearing-loop" →
"Hearing loop")."""

from typing import Any

from django import template

from opus.directory.vocabularies import day_names, vocabulary_label

register = template.Library()


@register.filter
def days(codes: Any) -> str:
    return day_names(codes)


@register.filter
def label(code: Any) -> str:
    return vocabulary_label(str(code)) if code else ""


@register.filter
def labels(codes: Any) -> str:
    return ", ".join(vocabulary_label(str(c)) for c in codes or [])
