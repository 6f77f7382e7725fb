"""Pagination that stays fast deep into long lists.

OFFSET pages make the database fetch (and join) every row they skip. Fetching
only the page's primary keys first reads the index alone; the page's rows are
then fetched by key.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet


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
