"""Reconciliation: does the ledger still add up, and is every penny of it in the audit log?

The checks run as a handful of aggregate queries, so that ten million entries take seconds:
every stored amount and running figure is a whole number of pence within bounds (a row that
is not is named, never crashed on); every transaction balances and has entries; all entries
sum to zero; each budget's and each commitment's running figures equal the sums of their
entries; nothing guarded is negative; no idempotency key was used twice by the same client;
every transaction has its audit event (by hash) recording it, with its amount and budget, and
every ledger audit event has its transaction. `history=True` also replays every guarded
balance in order through the engine, proving none ever went below zero, and recomputes each
transaction's content digest from its row and entries against the one its event carries.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import DatabaseError, connection
from django.db.models import Count

from opus.budgets.ledger import BUDGET_FIELDS, COMMITMENT_FIELDS, DIGEST_FIELDS, content_digest
from opus.budgets.models import STORED_PENCE_LIMIT, Account, Budget, Commitment, Transaction
from opus.engines import ledger as engine
from opus.engines.ledger import Kind, Operation


@dataclass(frozen=True)
class Report:
    transactions: int
    entries: int
    budgets: int
    problem: str | None

    @property
    def ok(self) -> bool:
        return self.problem is None


Progress = Callable[[str], None]


def ledger_verify(*, history: bool = False, progress: Progress | None = None) -> Report:
    say = progress or (lambda _: None)
    transactions = entries = 0
    say("stored values")
    problem = _guarded_check(_stored_values)
    if problem is None:
        say("transactions")
        try:
            transactions, entries, problem = _transactions_balance()
        except (DatabaseError, ArithmeticError, TypeError, ValueError) as error:
            problem = f"the transactions could not be summed: {error}"
    checks = [
        _running_figures,
        _idempotency_once,
        _transactions_have_events,
        _events_have_transactions,
    ]
    if history:
        checks += [_history_never_negative, _contents_match_events]
    for check in checks:
        if problem is not None:
            break
        say(check.__name__.strip("_").replace("_", " "))
        problem = _guarded_check(check)
    return Report(transactions, entries, Budget.objects.count(), problem)


def _guarded_check(check: Callable[[], str | None]) -> str | None:
    """A check's finding; a value it cannot handle is a finding too, never a crash."""
    try:
        return check()
    except (DatabaseError, ArithmeticError, TypeError, ValueError) as error:
        return f"{check.__name__.strip('_').replace('_', ' ')} could not finish: {error}"


# Every stored amount and running figure, by table: whole pence within ±STORED_PENCE_LIMIT
# (CHECK constraints refuse anything else since budgets migration 0003; this finds what got
# in before, or round them).
STORED_AMOUNTS = {
    "budgets_transaction": ("transaction #", ("amount_pence",)),
    "budgets_entry": ("entry #", ("amount_pence",)),
    "budgets_budget": (
        "budget ",
        (
            "allocated_pence",
            "available_pence",
            "committed_pence",
            "paid_pence",
            "direct_pence",
            "returned_pence",
        ),
    ),  # fmt: skip
    "budgets_commitment": ("commitment ", ("total_pence", "outstanding_pence", "unpaid_pence")),
}


def _stored_values() -> str | None:
    limit = STORED_PENCE_LIMIT
    for table, (label, columns) in STORED_AMOUNTS.items():
        if connection.vendor == "sqlite":
            bad = [f"typeof({c}) <> 'integer' OR {c} < -{limit} OR {c} > {limit}" for c in columns]
        else:
            bad = [f"{c} < -{limit} OR {c} > {limit}" for c in columns]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, {', '.join(columns)} FROM {table}"  # noqa: S608
                f" WHERE {' OR '.join(f'({b})' for b in bad)} ORDER BY id LIMIT 1"
            )
            row = cursor.fetchone()
        if row is None:
            continue
        key = _uuid(row[0]) if label.endswith(" ") else row[0]
        for column, value in zip(columns, row[1:], strict=True):
            if not _whole_pence(value):
                return (
                    f"{label}{key}: {column} is stored as {value!r}, not a whole number of pence "
                    f"within ±{limit:,}"
                )
    return None


def _whole_pence(value: object) -> bool:
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and -STORED_PENCE_LIMIT <= value <= STORED_PENCE_LIMIT
    )


def _transactions_balance() -> tuple[int, int, str | None]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), SUM(n), SUM(CASE WHEN s <> 0 THEN 1 ELSE 0 END), SUM(s) FROM ("
            " SELECT transaction_id, COUNT(*) AS n, SUM(amount_pence) AS s"
            " FROM budgets_entry GROUP BY transaction_id) AS per_transaction"
        )
        groups, entries, unbalanced, total = cursor.fetchone()
    entries, total = int(entries or 0), int(total or 0)
    transactions = Transaction.objects.count()
    if unbalanced:
        first = _first_unbalanced()
        return transactions, entries, f"transaction #{first} does not balance"
    if total != 0:
        return transactions, entries, f"the entries sum to {total}p, not zero"
    if groups != transactions:
        empty = Transaction.objects.filter(entries__isnull=True).order_by("id").first()
        where = f"transaction #{empty.pk}" if empty else "an entry's transaction"
        return transactions, entries, f"{where} has no entries ({transactions - groups} in all)"
    return transactions, entries, None


def _first_unbalanced() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT transaction_id FROM budgets_entry GROUP BY transaction_id"
            " HAVING SUM(amount_pence) <> 0 ORDER BY transaction_id LIMIT 1"
        )
        return int(cursor.fetchone()[0])


def _sums_by_account_and_commitment() -> dict[tuple[int, str | None], int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT account_id, commitment_id, SUM(amount_pence) FROM budgets_entry"
            " GROUP BY account_id, commitment_id"
        )
        return {(a, _uuid(c)): int(s) for a, c, s in cursor.fetchall()}


def _uuid(value: object) -> str | None:
    # SQLite hands back UUIDs as 32 hex digits, PostgreSQL as UUIDs: one spelling for both.
    return str(uuid.UUID(str(value))) if value else None


def _running_figures() -> str | None:
    sums = _sums_by_account_and_commitment()
    accounts = {a.pk: a for a in Account.objects.all()}
    by_budget: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_commitment: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (account_id, commitment_id), amount in sums.items():
        account = accounts[account_id]
        if account.budget_id is not None and account.kind in BUDGET_FIELDS:
            by_budget[str(account.budget_id)][BUDGET_FIELDS[Kind(account.kind)]] += amount
        if commitment_id is not None and account.kind in COMMITMENT_FIELDS:
            by_commitment[commitment_id][COMMITMENT_FIELDS[Kind(account.kind)]] += amount
    problem = _compare(Budget.objects.values("id", *BUDGET_FIELDS.values()), by_budget, "budget")
    if problem is None:
        problem = _compare(
            Commitment.objects.values("id", *COMMITMENT_FIELDS.values()),
            by_commitment,
            "commitment",
        )
    return problem or _allocations_conserved()


def _compare(
    rows: Iterator[dict[str, object]] | object, derived: dict[str, dict[str, int]], what: str
) -> str | None:
    for row in rows:  # type: ignore[attr-defined]
        key = str(row["id"])
        for field, stored in row.items():
            if field == "id":
                continue
            actual = derived.get(key, {}).get(field, 0)
            if stored != actual:
                return f"{what} {key}: {field} is {stored}p but its entries sum to {actual}p"
            if actual < 0 and field not in ("paid_pence", "returned_pence"):
                return f"{what} {key}: {field} is negative ({actual}p)"
    return None


def _allocations_conserved() -> str | None:
    """Every penny allocated to a budget is somewhere: in it, committed, owed, paid or returned."""
    unpaid: dict[str, int] = defaultdict(int)
    for budget_id, amount in Commitment.objects.values_list("budget_id", "unpaid_pence"):
        unpaid[str(budget_id)] += amount
    for budget in Budget.objects.all().iterator(chunk_size=2000):
        held = (
            budget.available_pence
            + budget.committed_pence
            + budget.paid_pence
            + budget.direct_pence
            + budget.returned_pence
            + unpaid[str(budget.pk)]
        )
        if held != budget.allocated_pence:
            return (
                f"budget {budget.pk}: {budget.allocated_pence}p allocated but {held}p accounted for"
            )
    return None


LEDGER_ACTIONS = tuple(f"ledger.{operation.value}" for operation in Operation)


def _summary_field(name: str) -> str:
    """A top-level field of an audit event's summary, as text, in this database's SQL."""
    if connection.vendor == "postgresql":
        return f"e.summary ->> '{name}'"
    return f"CAST(json_extract(e.summary, '$.{name}') AS TEXT)"


def _transactions_have_events() -> str | None:
    """Every transaction has the audit event whose hash it carries, recording it."""
    # The budget as 32 hex digits, as SQLite keeps UUIDs (the summary has them hyphenated).
    if connection.vendor == "postgresql":
        budget = "REPLACE(CAST(t.budget_id AS TEXT), '-', '')"
    else:
        budget = "t.budget_id"
    summary_budget = f"REPLACE({_summary_field('budget')}, '-', '')"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.id, e.sequence, e.object_type, e.object_id, e.action, t.operation,"  # noqa: S608
            f" {_summary_field('amount_pence')}, CAST(t.amount_pence AS TEXT),"
            f" {summary_budget}, {budget}"
            " FROM budgets_transaction t LEFT JOIN core_auditevent e ON e.hash = t.audit_hash"
            " WHERE e.id IS NULL OR e.object_type <> 'budgets.transaction'"
            " OR e.object_id <> CAST(t.id AS TEXT) OR e.action <> 'ledger.' || t.operation"
            f" OR {_summary_field('amount_pence')} <> CAST(t.amount_pence AS TEXT)"
            f" OR {summary_budget} <> {budget}"
            " ORDER BY t.id LIMIT 1"
        )
        row = cursor.fetchone()
    if row is None:
        return None
    txn, sequence, object_type, object_id, action, operation = row[:6]
    if sequence is None:
        missing = Transaction.objects.filter(audit_hash="").count()
        return f"transaction #{txn} has no audit event (it was not written by Opus's ledger)" + (
            f"; {missing} in all carry no link" if missing > 1 else ""
        )
    if object_type != "budgets.transaction" or object_id != str(txn):
        return f"transaction #{txn}'s audit event {sequence} records {object_type}:{object_id}"
    if action != f"ledger.{operation}":
        return f"transaction #{txn} is {operation} but its audit event {sequence} says {action}"
    return f"transaction #{txn} does not match its audit event {sequence} (amount or budget)"


def _events_have_transactions() -> str | None:
    """Every audit event of a ledger operation has its transaction, carrying its hash."""
    marks = ", ".join("%s" for _ in LEDGER_ACTIONS)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT e.sequence, e.object_id, e.action FROM core_auditevent e"  # noqa: S608
            " LEFT JOIN budgets_transaction t ON t.audit_hash = e.hash"
            f" WHERE e.object_type = 'budgets.transaction' AND e.action IN ({marks})"
            " AND t.id IS NULL ORDER BY e.sequence LIMIT 1",
            LEDGER_ACTIONS,
        )
        row = cursor.fetchone()
    if row is None:
        return None
    sequence, object_id, action = row
    return (
        f"audit event {sequence} ({action}) records transaction #{object_id}, which is not in "
        "the ledger (or does not name that event)"
    )


def _contents_match_events() -> str | None:
    """Each transaction and its entries, digested again, against the digest its event carries
    (events from before there were digests are checked by the cheaper checks only)."""
    columns = ", ".join(f"t.{c}" for c in DIGEST_FIELDS)
    entries = connection.chunked_cursor()
    entries.execute(
        "SELECT e.transaction_id, a.kind, a.owner, e.commitment_id, e.amount_pence"
        " FROM budgets_entry e JOIN budgets_account a ON a.id = e.account_id"
        " ORDER BY e.transaction_id, e.id"
    )
    transactions = connection.chunked_cursor()
    transactions.execute(
        f"SELECT {columns}, e.sequence, {_summary_field('content_sha256')}"  # noqa: S608
        " FROM budgets_transaction t JOIN core_auditevent e ON e.hash = t.audit_hash"
        " ORDER BY t.id"
    )
    entry_rows = _rows(entries)
    pending = next(entry_rows, None)
    try:
        for row in _rows(transactions):
            values = dict(zip(DIGEST_FIELDS, row, strict=False))
            sequence, recorded = row[-2], row[-1]
            while pending is not None and pending[0] < values["id"]:  # type: ignore[operator]
                pending = next(entry_rows, None)
            mine: list[tuple[object, ...]] = []
            while pending is not None and pending[0] == values["id"]:
                mine.append(pending[1:])
                pending = next(entry_rows, None)
            if recorded is None:
                continue
            if content_digest(values, mine) != recorded:
                return (
                    f"transaction #{values['id']} or its entries differ from what its audit "
                    f"event {sequence} recorded"
                )
    finally:
        entries.close()
        transactions.close()
    return None


def _rows(cursor: object) -> Iterator[tuple[object, ...]]:
    while True:
        chunk = cursor.fetchmany(2000)  # type: ignore[attr-defined]
        if not chunk:
            return
        yield from chunk


def _idempotency_once() -> str | None:
    repeated = (
        Transaction.objects.exclude(idempotency_key=None)
        .values("created_by_id", "idempotency_key")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .order_by("created_by_id", "idempotency_key")
        .first()
    )
    if repeated:
        return f"idempotency key {repeated['idempotency_key']!r} was used {repeated['n']} times"
    return None


def _history_never_negative() -> str | None:
    """Replay entries in order; one budget's entries are ordered by its row lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT e.transaction_id, a.kind, a.owner, e.commitment_id, e.amount_pence"
            " FROM budgets_entry e JOIN budgets_account a ON a.id = e.account_id"
            " ORDER BY e.transaction_id, e.id"
        )
        grouped: dict[int, list[engine.Posting]] = {}
        order: list[int] = []
        for txn, kind, owner, commitment, amount in cursor.fetchall():
            if txn not in grouped:
                grouped[txn] = []
                order.append(txn)
            grouped[txn].append(
                engine.Posting(engine.Account(Kind(kind), owner), amount, _uuid(commitment) or "")
            )
    found = engine.verify(grouped[t] for t in order)
    if found is None:
        return None
    return f"transaction #{order[found.transaction]} {found.problem}"
