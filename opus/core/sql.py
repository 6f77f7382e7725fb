"""Plain SQL for the few hot statements (the audit log, the ledger), and batches of them.

On PostgreSQL these statements bind parameters on the server and are prepared: the server
parses and plans each once per connection, not on every run (parsing and planning were a good
part of its work on the ledger's hot path). Django turns psycopg's automatic preparing off, for
connection poolers; `OPUS_PREPARED_STATEMENTS=false` does the same here, for a pooler in
transaction mode that cannot keep prepared statements. The cursor shares Django's connection,
so it is inside whatever transaction Django has open. On SQLite it is Django's cursor.

A `Batch` sends several statements at once. Each one still runs after the one before it (so
a lock taken by one is held when the next reads), but on PostgreSQL they travel together in
psycopg's pipeline mode: one round trip to the server instead of one each. Round trips, each
waking the server and then the client, were most of a ledger operation's cost with sixteen
clients on two cores (bench/ledger.py).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections

Rows = list[tuple[Any, ...]]


@functools.cache
def vendor() -> str:
    """The default database's vendor, asked once: it is fixed for the life of a process, and
    each `connection.<attribute>` goes through Django's per-thread proxy, which the hot path
    felt (about thirty times an operation)."""
    return str(connections[DEFAULT_DB_ALIAS].vendor)


def _execute(c: Any, query: str, params: Sequence[Any]) -> None:
    if vendor() != "postgresql":
        c.execute(query, params)
        return
    prepare = bool(settings.OPUS_PREPARED_STATEMENTS)
    if prepare and c.connection.prepare_threshold is None:
        # psycopg ignores prepare=True while the threshold is None (Django's default); a
        # threshold never reached keeps automatic preparing off for everything else.
        c.connection.prepare_threshold = 2**31
    c.execute(query, params, prepare=prepare)


def cursor() -> Any:
    if vendor() == "postgresql":
        import psycopg

        connection.ensure_connection()
        return psycopg.Cursor(connection.connection)
    return connection.cursor()


class Batch:
    """Statements run in order and answered together; `run` returns each one's rows."""

    def __init__(self) -> None:
        self._statements: list[tuple[str, list[Any]]] = []

    def add(self, query: str, params: Sequence[Any] = ()) -> int:
        """Queue a statement; its rows will be at this index of what `run` returns."""
        self._statements.append((query, list(params)))
        return len(self._statements) - 1

    def run(self) -> list[Rows]:
        statements, self._statements = self._statements, []
        with connection.wrap_database_errors:  # psycopg's errors as Django's, as the ORM raises
            if vendor() == "postgresql" and _pipelines():
                return _run_pipelined(statements)
            results: list[Rows] = []
            with cursor() as c:
                for query, params in statements:
                    _execute(c, query, params)
                    results.append(list(c.fetchall()) if c.description else [])
            return results

    def run_as_one(self, *, then_commit: bool = False) -> None:
        """Run writes that return nothing, and read nothing another of them writes, together.

        On PostgreSQL they become one statement (each but the last a data-modifying WITH
        clause), so the server parses, plans and answers once; they all see the database
        as it was before the statement, which is why none may read what another writes.
        With `then_commit`, when the caller's `transaction.atomic` block is the outermost,
        the COMMIT travels with the statement (one round trip, not two); Django's own commit
        on leaving the block then finds nothing left to do. On SQLite, which has no such
        clauses, they run one after another and Django commits as usual.
        """
        if vendor() != "postgresql" or not _pipelines():
            self.run()
            return
        statements, self._statements = self._statements, []
        *firsts, (last, _) = statements
        clauses = ", ".join(f"w{i} AS ({query})" for i, (query, _) in enumerate(firsts))
        query = f"WITH {clauses} {last}" if firsts else last
        connection.ensure_connection()
        conn = connection.connection
        with connection.wrap_database_errors, conn.pipeline(), cursor() as c:  # type: ignore[union-attr]
            _execute(c, query, [p for _, params in statements for p in params])
            if then_commit and _outermost_atomic():
                conn.commit()  # type: ignore[union-attr]


def _outermost_atomic() -> bool:
    """Whether exactly one `transaction.atomic` block is open, and it will commit on leaving."""
    return (
        len(connection.atomic_blocks) == 1
        and connection.commit_on_exit
        and not connection.savepoint_ids
        and not connection.needs_rollback
    )


def _pipelines() -> bool:
    import psycopg

    return bool(psycopg.Pipeline.is_supported())


def _run_pipelined(statements: list[tuple[str, list[Any]]]) -> list[Rows]:
    import psycopg

    connection.ensure_connection()
    conn = connection.connection
    cursors = []
    with conn.pipeline():  # type: ignore[union-attr]
        for query, params in statements:
            c = psycopg.Cursor(conn)
            _execute(c, query, params)
            cursors.append(c)
    # Leaving the pipeline sent everything and read every answer (or raised the first error).
    results = [list(c.fetchall()) if _has_rows(c) else [] for c in cursors]
    for c in cursors:
        c.close()
    return results


def _has_rows(c: Any) -> bool:
    """Whether a statement answered with rows (cheaper than building `description`)."""
    from psycopg import pq

    return c.pgresult is not None and c.pgresult.status == pq.ExecStatus.TUPLES_OK
