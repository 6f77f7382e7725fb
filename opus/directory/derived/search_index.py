"""Each service's search text and, on SQLite, the FTS5 index kept from it by triggers.

`search_text` (name, description's words, eligibility, needs, provider) is derived like the
tables: written by `refresh` when a service changes. PostgreSQL derives `search_vector` from
it by itself (a stored generated column); SQLite's FTS5 table follows it by triggers, which
Django drops when a migration rebuilds the table (`ensure_sqlite_index` puts them back).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import Prefetch

from opus.directory.importers.richtext import html_to_text
from opus.directory.models import Service, TaxonomyTerm

SQLITE_SETUP = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS directory_service_fts USING fts5(
        search_text, content='directory_service', content_rowid='rowid',
        tokenize='porter unicode61')""",
    """CREATE TRIGGER IF NOT EXISTS directory_service_fts_insert
        AFTER INSERT ON directory_service BEGIN
        INSERT INTO directory_service_fts(rowid, search_text)
        VALUES (new.rowid, new.search_text); END""",
    """CREATE TRIGGER IF NOT EXISTS directory_service_fts_delete
        AFTER DELETE ON directory_service BEGIN
        INSERT INTO directory_service_fts(directory_service_fts, rowid, search_text)
        VALUES ('delete', old.rowid, old.search_text); END""",
    """CREATE TRIGGER IF NOT EXISTS directory_service_fts_update
        AFTER UPDATE OF search_text ON directory_service BEGIN
        INSERT INTO directory_service_fts(directory_service_fts, rowid, search_text)
        VALUES ('delete', old.rowid, old.search_text);
        INSERT INTO directory_service_fts(rowid, search_text)
        VALUES (new.rowid, new.search_text); END""",
]
SQLITE_TRIGGERS = (
    "directory_service_fts_insert",
    "directory_service_fts_delete",
    "directory_service_fts_update",
)


def ensure_sqlite_index(db: Any = None) -> bool:
    """Create the FTS5 table and triggers if missing; rebuild when they were. True if rebuilt."""
    db = db or connection
    if db.vendor != "sqlite":
        return False
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE type='trigger' AND name IN (%s, %s, %s)",
            list(SQLITE_TRIGGERS),
        )
        complete = cursor.fetchone()[0] == len(SQLITE_TRIGGERS)
        for statement in SQLITE_SETUP:
            cursor.execute(statement)
    if not complete:
        rebuild_sqlite_index(db)
    return not complete


def rebuild_sqlite_index(db: Any = None) -> None:
    """Re-read every service's search_text into the FTS5 table (after a VACUUM, say)."""
    with (db or connection).cursor() as cursor:
        cursor.execute(
            "INSERT INTO directory_service_fts(directory_service_fts) VALUES ('rebuild')"
        )


def text_for(service: Service, terms: Iterable[TaxonomyTerm]) -> str:
    names = []
    for term in terms:
        names.append(term.name)
        if term.parent is not None:
            names.append(term.parent.name)
    parts = [
        service.name,
        html_to_text(service.description),  # the words, not the tags
        service.eligibility_description,
        *names,
        service.organisation.name,
    ]
    return "\n".join(p for p in parts if p)


def refresh(service_ids: Iterable[Any]) -> int:
    """Recompute search_text for these services; the number whose text changed."""
    terms = Prefetch("terms", TaxonomyTerm.objects.select_related("parent"))
    count = 0
    ids = list(service_ids)
    for start in range(0, len(ids), 2000):  # written a chunk at a time: memory stays flat
        found = (
            Service.objects.filter(pk__in=ids[start : start + 2000])
            .select_related("organisation")
            .prefetch_related(terms)
        )
        changed = []
        for service in found:
            text = text_for(service, service.terms.all())
            if text != service.search_text:
                service.search_text = text
                changed.append(service)
        Service.objects.bulk_update(changed, ["search_text"], batch_size=500)
        count += len(changed)
    return count
