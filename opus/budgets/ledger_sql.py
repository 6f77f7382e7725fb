"""The ledger's hot path as plain SQL, for both databases.

Every ledger operation runs these few statements. Built by the ORM, each cost about a
millisecond of Python on this project's 2-core reference machine — more than the database's
work — and the ledger must sustain a thousand operations a second (bench/ledger.py). The
models in `opus.budgets.models` remain the schema; these statements only read and write it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db import connection

BUDGET_FIGURES = (
    "status", "allocated_pence", "available_pence", "committed_pence", "paid_pence",
    "direct_pence", "returned_pence",
)  # fmt: skip
COMMITMENT_FIGURES = ("budget_id", "outstanding_pence", "unpaid_pence")
TRANSACTION_COLUMNS = (
    "operation", "amount_pence", "budget_id", "commitment_id", "funder_id", "source", "memo",
    "reference", "reverses_id", "idempotency_key", "request_hash", "value_date", "created_by_id",
    "created_at",
)  # fmt: skip


def uuid_value(value: Any) -> Any:
    """A UUID as the database keeps it: 32 hex digits in SQLite, a uuid in PostgreSQL."""
    if value is None:
        return None
    value = value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    return value.hex if connection.vendor == "sqlite" else value


def _for_update() -> str:
    return " FOR UPDATE" if connection.features.has_select_for_update else ""


def existing(created_by: int, key: str) -> tuple[int, str] | None:
    """(id, request hash) of the transaction this client already made with this key."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, request_hash FROM budgets_transaction"
            " WHERE created_by_id = %s AND idempotency_key = %s",
            [created_by, key],
        )
        row = cursor.fetchone()
    return (int(row[0]), str(row[1])) if row else None


def lock_budget(budget_id: Any) -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(BUDGET_FIGURES)} FROM budgets_budget WHERE id = %s"  # noqa: S608
            + _for_update(),
            [uuid_value(budget_id)],
        )
        row = cursor.fetchone()
    if row is None:
        raise LookupError("no such budget")
    return dict(zip(BUDGET_FIGURES, row, strict=True))


def lock_commitment(commitment_id: Any) -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(COMMITMENT_FIGURES)} FROM budgets_commitment"  # noqa: S608
            " WHERE id = %s" + _for_update(),
            [uuid_value(commitment_id)],
        )
        row = cursor.fetchone()
    if row is None:
        raise LookupError("no such commitment")
    return dict(zip(COMMITMENT_FIGURES, row, strict=True))


def insert_transaction(values: dict[str, Any]) -> int:
    row = dict(values)
    row["budget_id"] = uuid_value(row["budget_id"])
    row["commitment_id"] = uuid_value(row["commitment_id"])
    row["value_date"] = connection.ops.adapt_datefield_value(row["value_date"])
    row["created_at"] = connection.ops.adapt_datetimefield_value(row["created_at"])
    marks = ", ".join("%s" for _ in TRANSACTION_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO budgets_transaction ({', '.join(TRANSACTION_COLUMNS)})"  # noqa: S608
            f" VALUES ({marks}) RETURNING id",
            [row[c] for c in TRANSACTION_COLUMNS],
        )
        return int(cursor.fetchone()[0])


def account_ids(keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Ids of the (kind, owner) accounts that exist."""
    wanted = list(set(keys))
    if not wanted:
        return {}
    condition = " OR ".join("(kind = %s AND owner = %s)" for _ in wanted)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT kind, owner, id FROM budgets_account WHERE {condition}",  # noqa: S608
            [v for pair in wanted for v in pair],
        )
        return {(kind, owner): int(pk) for kind, owner, pk in cursor.fetchall()}


def insert_entries(rows: list[tuple[int, int, Any, int]]) -> None:
    """(transaction, account, commitment or None, amount) rows, in one statement."""
    marks = ", ".join("(%s, %s, %s, %s)" for _ in rows)
    values = [v for t, a, c, amount in rows for v in (t, a, uuid_value(c), amount)]
    with connection.cursor() as cursor:
        columns = "transaction_id, account_id, commitment_id, amount_pence"
        cursor.execute(f"INSERT INTO budgets_entry ({columns}) VALUES {marks}", values)  # noqa: S608


def add_to(table: str, pk: Any, changes: dict[str, int]) -> None:
    """field = field + delta for each change, on one row."""
    changes = {field: delta for field, delta in changes.items() if delta}
    if not changes:
        return
    sets = ", ".join(f"{field} = {field} + %s" for field in changes)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {sets} WHERE id = %s",  # noqa: S608
            [*changes.values(), uuid_value(pk)],
        )
