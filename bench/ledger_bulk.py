"""A large, consistent ledger written straight into the tables, for timing ledger_verify.

Each budget gets an allocation, then pairs of direct payments and returns of one pound, so
every transaction balances, no guarded balance ever goes below zero, and the running figures
on the budget rows are set to what the entries add up to. Each transaction has its audit
event, as `post` writes it (one chain, its head moved to the last), so that ledger_verify's
checks of the link hold. Untimed set-up: COPY on PostgreSQL, executemany on SQLite.
Synthetic, for benchmarks only.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

CHUNK = 100_000
PAIR = 100  # pence moved by each direct payment and its return


def write_bulk_ledger(*, entries: int, budgets: int) -> None:
    from opus.budgets.models import Account, Budget
    from opus.core.models import Organisation, OrganisationKind, User

    pairs = max(1, (entries // 2 // budgets - 1) // 2)
    funder_org = Organisation.objects.create(
        name="Bulk funder",
        slug=f"bulk-{uuid.uuid4().hex[:8]}",
        kind=OrganisationKind.LOCAL_AUTHORITY,
    )
    user = User.objects.create(email=f"bulk-{uuid.uuid4().hex[:8]}@bench.test", full_name="Bulk")
    today = timezone.localdate()
    allocated = pairs * PAIR + 1_000
    rows = Budget.objects.bulk_create(
        Budget(
            person=user,
            title="Bulk",
            period_start=today,
            period_end=today,
            created_by=user,
            allocated_pence=allocated,
            available_pence=allocated - pairs * PAIR,
            returned_pence=pairs * PAIR,
        )
        for _ in range(budgets)
    )
    funder = Account.objects.create(
        kind="funder", owner=f"org:{funder_org.pk}", organisation=funder_org
    )
    made = Account.objects.bulk_create(
        [
            Account(kind=kind, owner=f"budget:{budget.pk}", budget=budget)
            for budget in rows
            for kind in ("available", "direct", "returned")
        ],
        batch_size=5000,
    )
    accounts: dict[Any, dict[str, int]] = {}
    for account in made:
        accounts.setdefault(account.budget_id, {})[account.kind] = account.pk
    with transaction.atomic():
        _without_row_triggers()
        _write(rows, accounts, funder.pk, user, funder_org.pk, pairs, allocated, today)


def _plan(
    rows: list[Any], accounts: dict[Any, dict[str, int]], funder: int, pairs: int, allocated: int
) -> Iterator[tuple[str, Any, int, list[tuple[int, int]]]]:
    """(operation, budget, amount, [(account, amount), ...]) for every transaction."""
    for budget in rows:
        a = accounts[budget.pk]
        yield "allocate", budget.pk, allocated, [(funder, -allocated), (a["available"], allocated)]
        for _ in range(pairs):
            yield "direct_payment", budget.pk, PAIR, [(a["available"], -PAIR), (a["direct"], PAIR)]
            yield (
                "direct_payment_return",
                budget.pk,
                PAIR,
                [(a["direct"], -PAIR), (a["returned"], PAIR)],
            )


def _write(
    rows: list[Any],
    accounts: dict[Any, dict[str, int]],
    funder: int,
    user: Any,
    funder_org: int,
    pairs: int,
    allocated: int,
    today: dt.date,
) -> None:
    from opus.budgets.ledger import DIGEST_FIELDS, content_digest
    from opus.budgets.models import Account, Budget
    from opus.core import audit, sql

    prep = Budget._meta.pk.get_db_prep_value  # type: ignore[union-attr]
    kinds = {a.pk: (a.kind, a.owner) for a in Account.objects.filter(pk__in=_ids(accounts, funder))}
    now = timezone.now()
    txn_id = entry_id = _next_id("budgets_transaction")
    entry_id = _next_id("budgets_entry")
    batch = sql.Batch()
    slot = audit.queue_slot(batch)(batch.run())
    number, position, previous = slot.number, slot.position, slot.previous_hash
    txns: list[tuple[Any, ...]] = []
    entries: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    last = None
    for operation, budget, amount, postings in _plan(rows, accounts, funder, pairs, allocated):
        row = dict(
            zip(
                DIGEST_FIELDS,
                (txn_id, operation, amount, budget, None,
                 funder_org if operation == "allocate" else None, "", "", "", None, None, "",
                 today, user.pk),
                strict=True,
            )
        )  # fmt: skip
        digest = content_digest(row, [(*kinds[a], None, v) for a, v in postings])
        last = audit.audit_event(
            audit.Slot(slot.chain, number, position, previous),
            actor=user,
            action=f"ledger.{operation}",
            object_type="budgets.transaction",
            object_id=str(txn_id),
            summary={"budget": str(budget), "amount_pence": amount, "commitment": None,
                     "reference": "", "memo": "", "content_sha256": digest},
        )  # fmt: skip
        values = audit.insert_statement(last)[1]
        events.append(tuple(values))
        number, position, previous = number + 1, position + 1, last.hash
        txns.append(
            (
                txn_id,
                operation,
                amount,
                prep(budget, connection),
                None,
                funder_org if operation == "allocate" else None,
                "",
                "",
                "",
                None,
                None,
                "",
                today,
                user.pk,
                now,
                last.hash,
            )
        )
        for account, value in postings:
            entries.append((entry_id, txn_id, account, None, value))
            entry_id += 1
        txn_id += 1
        if len(entries) >= CHUNK:
            _flush(txns, entries, events)
    _flush(txns, entries, events)
    if last is not None:
        head = sql.Batch()
        head.add(*audit.head_statement(last))
        if connection.vendor == "postgresql":
            head.add("SELECT setval('core_auditevent_sequence_seq', %s)", [last.sequence])
        head.run()
    _reset_sequences()


def _ids(accounts: dict[Any, dict[str, int]], funder: int) -> list[int]:
    return [funder, *(pk for kinds in accounts.values() for pk in kinds.values())]


TXN_COLUMNS = (
    "id",
    "operation",
    "amount_pence",
    "budget_id",
    "commitment_id",
    "funder_id",
    "source",
    "memo",
    "reference",
    "reverses_id",
    "idempotency_key",
    "request_hash",
    "value_date",
    "created_by_id",
    "created_at",
    "audit_hash",
)
ENTRY_COLUMNS = ("id", "transaction_id", "account_id", "commitment_id", "amount_pence")


def _flush(
    txns: list[tuple[Any, ...]], entries: list[tuple[Any, ...]], events: list[tuple[Any, ...]]
) -> None:
    from opus.core.audit import INSERT_COLUMNS

    _insert("budgets_transaction", TXN_COLUMNS, txns)
    _insert("budgets_entry", ENTRY_COLUMNS, entries)
    _insert("core_auditevent", INSERT_COLUMNS, events)
    txns.clear()
    entries.clear()
    events.clear()


def _insert(table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    names = ", ".join(columns)
    if connection.vendor == "postgresql":
        raw = connection.connection.cursor()  # type: ignore[union-attr]
        with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns)
    raw = connection.connection.cursor()  # type: ignore[union-attr]
    raw.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608


def _next_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608
        return int(cursor.fetchone()[0])


def _without_row_triggers() -> None:
    """Skip per-row foreign-key and append-only checks for this load (consistent by making)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        else:
            cursor.execute("PRAGMA defer_foreign_keys = ON")


def _reset_sequences() -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in ("budgets_transaction", "budgets_entry"):
            sql = f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"  # noqa: E501, S608
            cursor.execute(sql)
