"""Plain text as GOV.UK paragraphs: escaped first, so nobody's HTML reaches the page."""

from django import template
from django.utils.html import linebreaks
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter(is_safe=True)
def paragraphs(text: str) -> SafeString:
    """Blank lines separate paragraphs; single line breaks become <br>."""
    html = linebreaks(str(text or ""), autoescape=True)
    return mark_safe(html.replace("<p>", '<p class="govuk-body">'))  # noqa: S308 — escaped above
