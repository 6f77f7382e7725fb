"""A cursor for the few hot statements written out as plain SQL (the audit log, the ledger).

On PostgreSQL it binds parameters on the server, so psycopg prepares a statement the
connection runs again and again (after a few runs) and the server skips parsing and planning
it; Django's own cursors bind on the client for the ORM's sake. It shares Django's connection,
so it is inside whatever transaction Django has open. On SQLite it is Django's cursor.
"""

from __future__ import annotations

from typing import Any

from django.db import connection


def cursor() -> Any:
    if connection.vendor == "postgresql":
        import psycopg

        connection.ensure_connection()
        return psycopg.Cursor(connection.connection)
    return connection.cursor()
