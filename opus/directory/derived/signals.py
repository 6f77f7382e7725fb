"""When derived rows follow something outside the directory's services: a migrate or a
flush (everything is derived again), and a provider's rename (its services' text)."""

from __future__ import annotations

from typing import Any


def after_migrate(sender: Any, using: str = "default", plan: Any = None, **kwargs: Any) -> None:
    """Derive everything again after a migrate that changed something, or a flush.

    A flush (tests between transactional cases) empties the directory's tables but not
    these, and sends no plan; a migrate may have changed the tables they come from, and
    Django drops SQLite's triggers when it rebuilds a table. A migrate with nothing to do
    only makes sure the tables exist.
    """
    from django.db import connections

    from opus.directory import derived
    from opus.directory.derived import search_index, tables

    db = connections[using]
    made = tables.ensure(db)
    repaired = search_index.ensure_sqlite_index(db)
    if plan is None or plan or made or repaired:
        derived.rebuild_all(db)


def provider_renamed(sender: type, instance: Any, **kwargs: Any) -> None:
    """A service's search text names its provider: follow a renamed organisation.

    Organisations are saved by the core app; this keeps the directory's derived rows right
    without it knowing.
    """
    from opus.directory import derived
    from opus.directory.models import Service

    fields = kwargs.get("update_fields")
    if kwargs.get("raw") or (fields is not None and "name" not in fields):
        return
    ids = list(Service.objects.filter(organisation=instance).values_list("pk", flat=True))
    if ids:
        derived.services_changed(ids)
