"""The ledger's hot path as plain SQL statements, queued in batches, for both databases.

Every ledger operation runs these few statements in two batches (`opus.core.sql.Batch`):
the reads that lock the budget and commitment rows and find the audit event's place, then
the writes. Built by the ORM, each statement cost about a millisecond of Python on this
project's 2-core reference machine — more than the database's work — and sent one at a time
each cost a round trip; the ledger must sustain a thousand operations a second with sixteen
clients (bench/ledger.py). The models in `opus.budgets.models` remain the schema; these
statements only read and write it.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import connection

from opus.core.sql import Batch, Rows, vendor

BUDGET_FIGURES = (
    "status", "allocated_pence", "available_pence", "committed_pence", "paid_pence",
    "direct_pence", "returned_pence",
)  # fmt: skip
COMMITMENT_FIGURES = ("budget_id", "status", "outstanding_pence", "unpaid_pence")
TRANSACTION_COLUMNS = (
    "id", "operation", "amount_pence", "budget_id", "commitment_id", "funder_id", "source",
    "memo", "reference", "reverses_id", "idempotency_key", "request_hash", "value_date",
    "created_by_id", "created_at", "audit_hash",
)  # fmt: skip


def uuid_value(value: Any) -> Any:
    """A UUID as the database keeps it: 32 hex digits in SQLite, a uuid in PostgreSQL."""
    if value is None:
        return None
    value = value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    return value.hex if vendor() == "sqlite" else value


def _for_update() -> str:
    return " FOR UPDATE" if vendor() == "postgresql" else ""  # SQLite: IMMEDIATE transactions


def queue_lock_budget(batch: Batch, budget_id: Any, created_by: int, key: str | None) -> int:
    """The budget's figures, locked; and, in the same statement, the new transaction's id and
    any transaction this user already made with this key.

    The id is known before the transaction is written so that the audit event, written in
    the same statement as it, can name it. PostgreSQL draws it from the column's sequence;
    SQLite, whose writers are serialised (transactions begin IMMEDIATE), takes the largest so
    far plus one.
    """
    if vendor() == "postgresql":
        next_id = "nextval(pg_get_serial_sequence('budgets_transaction', 'id'))"
    else:
        next_id = "(SELECT COALESCE(MAX(id), 0) + 1 FROM budgets_transaction)"
    return batch.add(
        f"SELECT {', '.join(BUDGET_FIGURES)}, {next_id},"  # noqa: S608
        " (SELECT id FROM budgets_transaction t"
        "  WHERE t.created_by_id = %s AND t.idempotency_key = %s),"
        " (SELECT request_hash FROM budgets_transaction t"
        "  WHERE t.created_by_id = %s AND t.idempotency_key = %s)"
        " FROM budgets_budget WHERE id = %s" + _for_update(),
        [created_by, key, created_by, key, uuid_value(budget_id)],
    )


def budget_figures(rows: Rows) -> dict[str, Any]:
    if not rows:
        raise LookupError("no such budget")
    row = rows[0]
    figures = dict(zip(BUDGET_FIGURES, row[:-3], strict=True))
    figures["next_id"] = int(row[-3])
    figures["existing"] = (int(row[-2]), str(row[-1])) if row[-2] is not None else None
    return figures


def queue_lock_commitment(batch: Batch, commitment_id: Any) -> int:
    return batch.add(
        f"SELECT {', '.join(COMMITMENT_FIGURES)} FROM budgets_commitment"  # noqa: S608
        " WHERE id = %s" + _for_update(),
        [uuid_value(commitment_id)],
    )


def commitment_figures(rows: Rows) -> dict[str, Any]:
    if not rows:
        raise LookupError("no such commitment")
    return dict(zip(COMMITMENT_FIGURES, rows[0], strict=True))


def queue_insert_transaction(batch: Batch, values: dict[str, Any]) -> None:
    row = dict(values)
    row["budget_id"] = uuid_value(row["budget_id"])
    row["commitment_id"] = uuid_value(row["commitment_id"])
    ops = connection.ops
    row["value_date"] = ops.adapt_datefield_value(row["value_date"])
    row["created_at"] = ops.adapt_datetimefield_value(row["created_at"])
    marks = ", ".join("%s" for _ in TRANSACTION_COLUMNS)
    batch.add(
        f"INSERT INTO budgets_transaction ({', '.join(TRANSACTION_COLUMNS)})"  # noqa: S608
        f" VALUES ({marks})",
        [row[c] for c in TRANSACTION_COLUMNS],
    )


def queue_insert_entries(
    batch: Batch, transaction_id: int, rows: list[tuple[str, str, Any, int]]
) -> None:
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
    columns = "transaction_id, account_id, commitment_id, amount_pence"
    batch.add(f"INSERT INTO budgets_entry ({columns}) VALUES {marks}", values)  # noqa: S608


def queue_add_to(
    batch: Batch, table: str, pk: Any, changes: dict[str, int], sets: dict[str, Any] | None = None
) -> None:
    """field = field + delta for each change, and field = value for each of `sets`, on one row."""
    changes = {field: delta for field, delta in changes.items() if delta}
    sets = sets or {}
    if not changes and not sets:
        return
    assignments = [f"{field} = {field} + %s" for field in changes] + [f"{f} = %s" for f in sets]
    batch.add(
        f"UPDATE {table} SET {', '.join(assignments)} WHERE id = %s",  # noqa: S608
        [*changes.values(), *sets.values(), uuid_value(pk)],
    )
