"""Reconciliation: does the ledger still add up?

The checks run as a handful of aggregate queries, so that ten million entries take seconds:
every transaction balances and has entries; all entries sum to zero; each budget's and each
commitment's running figures equal the sums of their entries; nothing guarded is negative;
no idempotency key was used twice by the same client. `history=True` also replays every
guarded balance in order through the engine, proving none ever went below zero.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count

from opus.budgets.ledger import BUDGET_FIELDS, COMMITMENT_FIELDS
from opus.budgets.models import Account, Budget, Commitment, Transaction
from opus.engines import ledger as engine
from opus.engines.ledger import Kind


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
    say("transactions")
    transactions, entries, problem = _transactions_balance()
    checks = [_running_figures, _idempotency_once]
    if history:
        checks.append(_history_never_negative)
    for check in checks:
        if problem is not None:
            break
        say(check.__name__.strip("_").replace("_", " "))
        problem = check()
    return Report(transactions, entries, Budget.objects.count(), problem)


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
