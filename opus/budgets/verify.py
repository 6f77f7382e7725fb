"""Reconciliation: does the ledger still add up, and is every penny of it in the audit log?

The checks run as a handful of aggregate queries, so that ten million entries take seconds:
every stored amount and running figure is a whole number of pence within bounds (a row that
is not is named, never crashed on); every transaction balances and has entries; all entries
sum to zero; each budget's and each commitment's running figures equal the sums of their
entries; nothing guarded is negative; no idempotency key was used twice by the same client;
every transaction has the audit event whose hash it carries, recording that transaction and
operation, and every audit event of a ledger operation has its transaction. `history=True`
also replays every guarded balance in order through the engine, proving none ever went below
zero, and digests each transaction's row and entries again, comparing with the digest its
event carries (the amount, for events from before there were digests).
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
from opus.core.models import AuditEvent
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
    checks = [_running_figures, _idempotency_once, _audit_links]
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


# The CHECK constraints that bound them (budgets migration 0003).
BOUNDING_CONSTRAINTS = (
    "transaction_amount_bounded", "entry_amount_bounded", "budget_figures_bounded",
    "commitment_figures_bounded",
)  # fmt: skip


def _bounded_by_validated_constraints() -> bool:
    """PostgreSQL: whether every bounding CHECK constraint is there and was checked against
    every row (a constraint is only ever added validated, or marked NOT VALID). SQLite can be
    told to ignore CHECK constraints, so there the rows are always read."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid"
            " WHERE c.contype = 'c' AND c.convalidated AND r.relname = ANY(%s)"
            " AND c.conname = ANY(%s) AND r.relnamespace = to_regnamespace(current_schema())",
            [list(STORED_AMOUNTS), list(BOUNDING_CONSTRAINTS)],
        )
        return int(cursor.fetchone()[0]) == len(BOUNDING_CONSTRAINTS)


def _stored_values() -> str | None:
    if _bounded_by_validated_constraints():
        return None
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


# A transaction whose event is missing or records something else.
_UNMATCHED = (
    "e.id IS NULL OR e.object_id <> CAST(t.id AS TEXT) OR e.action <> 'ledger.' || t.operation"
)


def _ledger_events() -> tuple[str, list[str]]:
    """The audit events of ledger operations, as a subquery and its parameters."""
    marks = ", ".join("%s" for _ in LEDGER_ACTIONS)
    return (
        "SELECT id, sequence, hash, object_id, action FROM core_auditevent"  # noqa: S608
        f" WHERE object_type = 'budgets.transaction' AND action IN ({marks})",
        list(LEDGER_ACTIONS),
    )


def _audit_links() -> str | None:
    """Every transaction has the audit event whose hash it carries, recording it (that
    transaction, that operation); every audit event of a ledger operation has its transaction.

    PostgreSQL: one full join on the hash, both ways at once (hashed, in parallel). SQLite, which
    would build an index on the hash every run: the events are read once, each finding its
    transaction by primary key, and the counts compared. That suffices: an event names one
    transaction and hashes are unique, so events map to distinct transactions, and equal counts
    leave none without one. Only when they differ is the slower join run, to name it.
    """
    events, params = _ledger_events()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT MIN(CASE WHEN {_UNMATCHED} THEN t.id END),"  # noqa: S608
                " MIN(CASE WHEN t.id IS NULL THEN e.sequence END)"
                f" FROM budgets_transaction t FULL JOIN ({events}) e ON e.hash = t.audit_hash",
                params,
            )
            transaction, event = cursor.fetchone()
            linked = transactions = 0
        else:
            cursor.execute(
                "SELECT COUNT(*), MIN(CASE WHEN t.id IS NULL OR t.audit_hash <> e.hash"  # noqa: S608
                " OR e.action <> 'ledger.' || t.operation THEN e.sequence END)"
                f" FROM ({events}) e LEFT JOIN budgets_transaction t"
                " ON t.id = CAST(e.object_id AS INTEGER)",
                params,
            )
            linked, event = cursor.fetchone()
            cursor.execute("SELECT COUNT(*) FROM budgets_transaction")
            transactions, transaction = cursor.fetchone()[0], None
    if transaction is not None:
        return _unmatched_transaction(int(transaction))
    if event is not None:
        return _transactionless_event(int(event))
    if linked != transactions:
        return _first_unlinked_transaction() or (
            f"{transactions} transactions but {linked} audit events of ledger operations"
        )
    return None


def _first_unlinked_transaction() -> str | None:
    events, params = _ledger_events()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT MIN(t.id) FROM budgets_transaction t"  # noqa: S608
            f" LEFT JOIN ({events}) e ON e.hash = t.audit_hash WHERE {_UNMATCHED}",
            params,
        )
        transaction = cursor.fetchone()[0]
    return None if transaction is None else _unmatched_transaction(int(transaction))


def _unmatched_transaction(pk: int) -> str:
    txn = Transaction.objects.get(pk=pk)
    event = AuditEvent.objects.filter(hash=txn.audit_hash).first() if txn.audit_hash else None
    if event is None:
        missing = Transaction.objects.filter(audit_hash="").count()
        return f"transaction #{pk} has no audit event (it was not written by Opus's ledger)" + (
            f"; {missing} in all carry no link" if missing > 1 else ""
        )
    if event.object_type != "budgets.transaction" or event.object_id != str(pk):
        return (
            f"transaction #{pk}'s audit event {event.sequence} records "
            f"{event.object_type}:{event.object_id}"
        )
    return (
        f"transaction #{pk} is {txn.operation} but its audit event {event.sequence} says "
        f"{event.action}"
    )


def _transactionless_event(sequence: int) -> str:
    """Describe a ledger event whose transaction is missing, or does not match it."""
    event = AuditEvent.objects.get(sequence=sequence)
    number = int(event.object_id) if event.object_id.isdigit() else None
    txn = Transaction.objects.filter(pk=number).first() if number is not None else None
    if txn is not None and txn.audit_hash and txn.audit_hash != event.hash:
        if AuditEvent.objects.filter(hash=txn.audit_hash, object_id=event.object_id).exists():
            return (
                f"audit event {sequence} ({event.action}) records transaction #{number}, which "
                "carries another event's hash"
            )
    if txn is not None:
        return _unmatched_transaction(txn.pk)
    return (
        f"audit event {sequence} ({event.action}) records transaction #{event.object_id}, which "
        "is not in the ledger"
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
        f"SELECT {columns}, e.sequence, {_summary_field('amount_pence')},"  # noqa: S608
        f" {_summary_field('content_sha256')}"
        " FROM budgets_transaction t JOIN core_auditevent e ON e.hash = t.audit_hash"
        " ORDER BY t.id"
    )
    entry_rows = _rows(entries)
    pending = next(entry_rows, None)
    try:
        for row in _rows(transactions):
            values = dict(zip(DIGEST_FIELDS, row, strict=False))
            sequence, amount, recorded = row[-3:]
            while pending is not None and pending[0] < values["id"]:  # type: ignore[operator]
                pending = next(entry_rows, None)
            mine: list[tuple[object, ...]] = []
            while pending is not None and pending[0] == values["id"]:
                mine.append(pending[1:])
                pending = next(entry_rows, None)
            if recorded is None:  # an event from before digests: its amount, at least
                differs = amount != str(values["amount_pence"])
            else:
                differs = content_digest(values, mine) != recorded
            if differs:
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
