"""Services with a term (and, if given, any of some words), by name, a page at a time.

ORUK's /services asked for a taxonomy term and words has to intersect two large sets (a
common word and a common need each name tens of thousands of services in a national
directory) and still give a page in name order and the total. `directory_listing`
(directory/derived/) keeps a row per service and term in (term, name, id) order, so a
page is the first rows of one term that match the words; the count is worked from the smaller side:

* SQLite: the full-text index lists the words' rowids; the term's rows say which of them
  are the term's (their rowids, in one range), so the count walks the words' list once.
* PostgreSQL: each listing row carries the service's text vector with a GIN index, so the
  database ANDs the term's rows with the words' rows.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import connection

from opus.directory.derived.tables import LISTING
from opus.directory.search import uuid_text, words_of


def page(term_id: uuid.UUID, text: str, start: int, size: int) -> tuple[list[str], int | None]:
    """The ids of services [start, start + size) in (name, id) order, and the total.

    The total is None when the page says it (shorter than `size`, and not past the end).
    """
    words = words_of(text) if text else []
    if text and not words:
        return [], 0
    term = term_id.hex if connection.vendor == "sqlite" else term_id
    match, params = _match(words)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT service_id FROM {LISTING} WHERE term_id = %s{match} "  # noqa: S608 - ours
            "ORDER BY name, service_id LIMIT %s OFFSET %s",
            [term, *params, size, start],
        )
        ids = [uuid_text(sid) for (sid,) in cursor.fetchall()]
        if len(ids) < size and (ids or start == 0):
            return ids, None
        cursor.execute(*_count(term, words))
        return ids, int(cursor.fetchone()[0])


def _match(words: list[str]) -> tuple[str, list[Any]]:
    if not words:
        return "", []
    if connection.vendor == "postgresql":
        return " AND search_vector @@ to_tsquery('english', %s)", [" | ".join(words)]
    return (
        " AND fts_rowid IN (SELECT rowid FROM directory_service_fts "
        "WHERE directory_service_fts MATCH %s)",
        [_fts(words)],
    )


def _count(term: Any, words: list[str]) -> tuple[str, list[Any]]:
    if not words or connection.vendor == "postgresql":
        match, params = _match(words)
        return f"SELECT count(*) FROM {LISTING} WHERE term_id = %s{match}", [term, *params]  # noqa: S608
    # rowid + 0: walk the words' list once, testing each rowid against the term's (an index
    # built once), rather than looking each of the term's rowids up in the full-text index.
    return (
        "SELECT count(*) FROM directory_service_fts WHERE directory_service_fts MATCH %s "  # noqa: S608
        f"AND rowid + 0 IN (SELECT fts_rowid FROM {LISTING} WHERE term_id = %s)",
        [_fts(words), term],
    )


def _fts(words: list[str]) -> str:
    return " OR ".join(f'"{w}"' for w in words)
