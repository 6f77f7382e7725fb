"""GOV.UK's "Check your answers" step before something that cannot be undone.

A view that publishes, awards or seals answers its first POST with `check_answers_page` (what
will happen, with "Change" links and a "Confirm and …" button); the irreversible service call
happens only when the form comes back with `confirmed(request)`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def confirmed(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get("confirm") == "yes"


def row(key: Any, value: Any, change_url: str = "", change_hidden: Any = "") -> dict[str, Any]:
    """One line of the summary list; `change_hidden` names it for screen readers."""
    return {"key": key, "value": value, "change_url": change_url, "change_hidden": change_hidden}


def check_answers_page(
    request: HttpRequest,
    *,
    heading: Any,
    rows: list[dict[str, Any]],
    action: str,
    button: Any,
    caption: Any = "",
    warning: Any = "",
    hidden: Iterable[tuple[str, Any]] = (),
    back_url: str = "",
    change_by_post: bool = False,
) -> HttpResponse:
    """`change_by_post`: "Change" sends the answers back to the form (`change=<anchor>`), for a
    form whose answers live only in the request, rather than following a link."""
    context = {
        "page_title": heading,
        "heading": heading,
        "caption": caption,
        "rows": rows,
        "warning": warning,
        "action": action,
        "hidden": list(hidden),
        "button": button,
        "back_url": back_url,
        "change_by_post": change_by_post,
    }
    return render(request, "govuk/check_answers.html", context)
