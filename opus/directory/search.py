"""Full-text search over services, with stemming and synonyms, on either database.

Each service keeps `search_text` (its name, description, eligibility, needs and provider;
written by directory/derived/search_index.py).
PostgreSQL keeps to_tsvector('english', search_text) in a stored generated column,
`search_vector`, which the database recomputes whenever the text changes, with a GIN index
on it; SQLite keeps an FTS5 table using the Porter stemmer, in step by triggers. A person's
words are widened with the synonyms people use ("lonely" ~ "social isolation"); any of them
may match. Listings rank by the database's own rank (`ranked_ids`); matching asks which of
the person's words (each with its synonyms) a few services' texts contain (`words_found`):
the share found is the engine's "words" part.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

from opus.directory.derived.search_index import (  # noqa: F401 - their public names, kept
    ensure_sqlite_index,
    rebuild_sqlite_index,
    refresh,
    text_for,
)
from opus.directory.taxonomy import SYNONYMS

FTS_TABLE = "directory_service_fts"
_WORD = re.compile(r"[a-z0-9]+")
MAX_WORDS = 12


def word_groups(text: str) -> list[list[str]]:
    """Each of a person's words (lower case) with its synonyms' words: one group per word.

    Short words are left out; a word whose group is already there counts once.
    """
    groups: list[list[str]] = []
    for word in _WORD.findall(text.lower())[:MAX_WORDS]:
        group: list[str] = []
        for variant in [word, *SYNONYMS.get(word, [])]:
            group += [p for p in _WORD.findall(variant) if len(p) > 2 and p not in group]
        if group and group not in groups:
            groups.append(group)
    return groups


def words_of(text: str) -> list[str]:
    """A person's words, lower case, each widened with its synonyms (phrases split too)."""
    found: list[str] = []
    for group in word_groups(text):
        found += [word for word in group if word not in found]
    return found


def words_found(groups: list[list[str]], service_ids: Iterable[Any]) -> dict[str, float]:
    """For each of these services, the share of the groups its text matches (0–1).

    A group matches when the text contains any of its words, stemmed as the database's
    full-text search stems them. Services matching none are left out.
    """
    ids = [uuid.UUID(str(i)) for i in service_ids]
    if not groups or not ids:
        return {}
    search = _found_postgres if connection.vendor == "postgresql" else _found_sqlite
    counts = search(groups, ids)
    return {sid: n / len(groups) for sid, n in counts.items() if n}


def _found_sqlite(groups: list[list[str]], ids: list[uuid.UUID]) -> dict[str, int]:
    """One look-up per group and service: FTS5 finds a row's terms by rowid cheaply."""
    marks = ", ".join(["%s"] * len(ids))
    sql = (
        "SELECT s.id FROM directory_service s CROSS JOIN directory_service_fts f "  # noqa: S608 - placeholders only
        f"WHERE s.id IN ({marks}) AND f.rowid = s.rowid AND directory_service_fts MATCH %s"
    )
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        for group in groups:
            cursor.execute(sql, [*(i.hex for i in ids), " OR ".join(f'"{w}"' for w in group)])
            for (sid,) in cursor.fetchall():
                counts[uuid_text(sid)] = counts.get(uuid_text(sid), 0) + 1
    return counts


def _found_postgres(groups: list[list[str]], ids: list[uuid.UUID]) -> dict[str, int]:
    tests = " + ".join("(search_vector @@ to_tsquery('english', %s))::int" for _ in groups)
    sql = f"SELECT id::text, {tests} FROM directory_service WHERE id = ANY(%s)"  # noqa: S608 - placeholders only
    with connection.cursor() as cursor:
        cursor.execute(sql, [*(" | ".join(group) for group in groups), ids])
        return {sid: int(n) for sid, n in cursor.fetchall()}


def matching(text: str, field: str = "pk") -> Q:
    """A filter for every service whose text matches any of the words (no limit, no rank).

    For listings that order by something else: one subquery on the full-text index.
    """
    words = words_of(text)
    if not words:
        return Q(pk__in=[])
    if connection.vendor == "postgresql":
        sql = "SELECT id FROM directory_service WHERE search_vector @@ to_tsquery('english', %s)"
        return Q(**{f"{field}__in": RawSQL(sql, [" | ".join(words)])})  # noqa: S611 - bound
    sql = (
        "SELECT id FROM directory_service WHERE rowid IN "
        "(SELECT rowid FROM directory_service_fts WHERE directory_service_fts MATCH %s)"
    )
    query = " OR ".join(f'"{w}"' for w in words)
    return Q(**{f"{field}__in": RawSQL(sql, [query])})  # noqa: S611 - words bound, not spliced


def ranked_ids(
    text: str, *, limit: int = 5000, among: Iterable[Any] | None = None
) -> dict[str, float]:
    """Services whose text matches any of the words, with a rank scaled to 0–1 (best = 1).

    With `among`, only those services are searched (the database does the narrowing).
    """
    words = words_of(text)
    if not words:
        return {}
    ids = None if among is None else [uuid.UUID(str(i)) for i in among]
    if ids == []:
        return {}
    search = _postgres if connection.vendor == "postgresql" else _sqlite
    rows = search(words, limit, ids)
    best = max((rank for _, rank in rows), default=0.0) or 1.0
    return {sid: rank / best for sid, rank in rows}


def _sqlite(words: list[str], limit: int, ids: list[uuid.UUID] | None) -> list[tuple[str, float]]:
    query = " OR ".join(f'"{w}"' for w in words)
    among = f"AND s.id IN ({', '.join(['%s'] * len(ids))}) " if ids else ""
    sql = (
        "SELECT s.id, -bm25(directory_service_fts) FROM directory_service_fts "  # noqa: S608 - placeholders only
        "JOIN directory_service s ON s.rowid = directory_service_fts.rowid "
        f"WHERE directory_service_fts MATCH %s {among}"
        "ORDER BY bm25(directory_service_fts) LIMIT %s"
    )
    params: list[Any] = [query, *(i.hex for i in ids or []), limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(uuid_text(sid), float(rank)) for sid, rank in cursor.fetchall()]


def _postgres(words: list[str], limit: int, ids: list[uuid.UUID] | None) -> list[tuple[str, float]]:
    among = "AND id = ANY(%s) " if ids else ""
    sql = (
        "SELECT id::text, ts_rank(search_vector, q) AS rank "  # noqa: S608 - placeholders only
        "FROM directory_service, to_tsquery('english', %s) q "
        f"WHERE search_vector @@ q {among}ORDER BY rank DESC LIMIT %s"
    )
    params: list[Any] = [" | ".join(words), *([ids] if ids else []), limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(sid, float(rank)) for sid, rank in cursor.fetchall()]


def uuid_text(value: Any) -> str:
    """SQLite keeps UUIDs as 32 hex digits; the rest of Opus writes them with hyphens."""
    text = str(value).replace("-", "")
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
