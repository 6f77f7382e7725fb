"""Pagination that stays fast deep into long lists.

OFFSET pages make the database fetch (and join) every row they skip. Fetching
only the page's primary keys first reads the index alone; the page's rows are
then fetched by key.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from ninja import Field, Schema

# Every page number from outside has bounds: past these, the OFFSET a page needs would not fit
# the database's integers (2^63 answered 500) or would scan for nothing.
MAX_PAGE = 1_000_000


def page_field(description: str = "Page number, from 1") -> Any:
    """The `page` query parameter of every paginated API list: 1 to MAX_PAGE."""
    return Field(1, ge=1, le=MAX_PAGE, description=f"{description} to {MAX_PAGE:,}")


def per_page_field(default: int, maximum: int, what: str = "Items") -> Any:
    """The `per_page` query parameter: 1 to `maximum`."""
    return Field(default, ge=1, le=maximum, description=f"{what} per page, at most {maximum}")


class PageParams(Schema):
    """`page` and `per_page`, bounded; an API list's query schema extends it."""

    page: int = page_field()
    per_page: int = per_page_field(100, 500)


def slice_by_keys(queryset: QuerySet[Any], start: int, stop: int) -> list[Any]:
    """queryset[start:stop], fetched as keys first, then the rows, in the same order."""
    keys = list(queryset.values_list("pk", flat=True)[start:stop])
    rows = {row.pk: row for row in queryset.model._default_manager.filter(pk__in=keys)
            .select_related(*_related(queryset)).defer(*_deferred(queryset))}  # fmt: skip
    return [rows[key] for key in keys if key in rows]


def _related(queryset: QuerySet[Any]) -> list[str]:
    related = queryset.query.select_related
    if not isinstance(related, dict):
        return []
    names: list[str] = []

    def walk(tree: dict[str, Any], prefix: str) -> None:
        for name, sub in tree.items():
            names.append(prefix + name)
            walk(sub, f"{prefix}{name}__")

    walk(related, "")
    return names


def _deferred(queryset: QuerySet[Any]) -> list[str]:
    fields, defer = queryset.query.deferred_loading
    return list(fields) if defer else []


class KeysFirstPaginator(Paginator):
    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        return self._get_page(slice_by_keys(self.object_list, bottom, top), number, self)
