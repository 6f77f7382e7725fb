"""The ledger's hot path as plain SQL, for both databases.

Every ledger operation runs these few statements. Built by the ORM, each cost about a
millisecond of Python on this project's 2-core reference machine — more than the database's
work — and the ledger must sustain a thousand operations a second (bench/ledger.py). The
models in `opus.budgets.models` remain the schema; these statements only read and write it.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import connection

from opus.core import sql

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


def lock_budget(budget_id: Any, created_by: int, key: str | None) -> dict[str, Any]:
    """The budget's figures, locked; and, in the same trip, any transaction with this key."""
    with sql.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(BUDGET_FIGURES)},"  # noqa: S608
            " (SELECT id FROM budgets_transaction t"
            "  WHERE t.created_by_id = %s AND t.idempotency_key = %s),"
            " (SELECT request_hash FROM budgets_transaction t"
            "  WHERE t.created_by_id = %s AND t.idempotency_key = %s)"
            " FROM budgets_budget WHERE id = %s" + _for_update(),
            [created_by, key, created_by, key, uuid_value(budget_id)],
        )
        row = cursor.fetchone()
    if row is None:
        raise LookupError("no such budget")
    figures = dict(zip(BUDGET_FIGURES, row[:-2], strict=True))
    figures["existing"] = (int(row[-2]), str(row[-1])) if row[-2] is not None else None
    return figures


def lock_commitment(commitment_id: Any) -> dict[str, Any]:
    with sql.cursor() as cursor:
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
    with sql.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO budgets_transaction ({', '.join(TRANSACTION_COLUMNS)})"  # noqa: S608
            f" VALUES ({marks}) RETURNING id",
            [row[c] for c in TRANSACTION_COLUMNS],
        )
        return int(cursor.fetchone()[0])


def insert_entries(transaction_id: int, rows: list[tuple[str, str, Any, int]]) -> None:
    """(account kind, account owner, commitment or None, amount) rows, in one statement.

    Accounts are made before money first moves through them (see services), so each
    account's id is looked up inside the insert; a missing one fails the NOT NULL rule.
    """
    one = "(%s, (SELECT id FROM budgets_account WHERE kind = %s AND owner = %s), %s, %s)"
    marks = ", ".join(one for _ in rows)
    values = [
        v
        for kind, owner, c, amount in rows
        for v in (transaction_id, kind, owner, uuid_value(c), amount)
    ]
    with sql.cursor() as cursor:
        columns = "transaction_id, account_id, commitment_id, amount_pence"
        cursor.execute(f"INSERT INTO budgets_entry ({columns}) VALUES {marks}", values)  # noqa: S608


def add_to(table: str, pk: Any, changes: dict[str, int]) -> None:
    """field = field + delta for each change, on one row."""
    changes = {field: delta for field, delta in changes.items() if delta}
    if not changes:
        return
    sets = ", ".join(f"{field} = {field} + %s" for field in changes)
    with sql.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {sets} WHERE id = %s",  # noqa: S608
            [*changes.values(), uuid_value(pk)],
        )
