"""Text from outside, checked once for every API: no NUL characters in the path, query or body.

PostgreSQL can neither store nor compare text with a NUL (0x00) in it, so `?q=%00` reached the
database and answered 500 there (SQLite took it). Each API's parser refuses a query value or
JSON string with one (a 422 naming the field); `refuse_nul_in_path` does the same for the
values its URLs capture.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext
from ninja.errors import ValidationError
from ninja.parser import Parser

NUL = "\x00"


def message() -> str:
    return gettext("This may not contain the NUL character (0x00)")


def _nul_locations(value: Any, loc: tuple[Any, ...]) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, str):
        if NUL in value:
            yield loc
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and NUL in key:
                yield (*loc, key)
            else:
                yield from _nul_locations(item, (*loc, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nul_locations(item, (*loc, index))


def refuse_nul(value: Any, source: str) -> None:
    """A ValidationError naming every place in `value` with a NUL in it (nothing if none)."""
    errors = [{"loc": list(loc), "msg": message()} for loc in _nul_locations(value, (source,))]
    if errors:
        raise ValidationError(errors)


class TextParser(Parser):
    """ninja's JSON and query parser, refusing NUL characters.

    A body's ValidationError reaches the API's HttpError handler as the cause of ninja's 400
    ("Cannot parse request body"), which answers it as the 422 it is.
    """

    def parse_body(self, request: HttpRequest) -> Any:
        data = super().parse_body(request)
        refuse_nul(data, "body")
        return data

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        parsed = super().parse_querydict(data, list_fields, request)
        if data is request.GET:
            refuse_nul(parsed, "query")
        elif data is request.POST:
            refuse_nul(parsed, "form")
        return parsed


def refuse_nul_in_path(
    patterns: list[Any], answer: Callable[[HttpRequest, ValidationError], HttpResponse]
) -> list[Any]:
    """The URL patterns, each of whose views first refuses a captured value with a NUL in it."""

    def guarded(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                refuse_nul(kwargs, "path")
            except ValidationError as exc:
                return answer(request, exc)
            return view(request, *args, **kwargs)

        return wrapped

    return [
        URLPattern(p.pattern, guarded(p.callback), p.default_args, p.name)
        if isinstance(p, URLPattern)
        else p
        for p in patterns
    ]
