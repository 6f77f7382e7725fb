"""The only way money moves: ledger operations as services, one transaction each.

Each operation locks its budget row (PostgreSQL: SELECT … FOR UPDATE; SQLite: transactions
begin IMMEDIATE, so writers are serialised), reads the guarded balances from the budget and
the commitment, asks the engine for the postings and whether they keep every guarded balance
at or above zero, then writes the transaction, its entries, the new running figures and the
audit event together. An idempotency key makes a retried request return the first result
instead of moving money twice; the same key with a different request is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from opus.budgets.models import (
    Account,
    Budget,
    BudgetStatus,
    Commitment,
    Entry,
    Transaction,
)
from opus.core.audit import audit_record
from opus.core.models import Organisation, User
from opus.engines import ledger as engine
from opus.engines.ledger import Kind, LedgerError, Operation, Posting

# Running figures on the budget row, by the engine account kind they mirror.
BUDGET_FIELDS = {
    Kind.AVAILABLE: "available_pence",
    Kind.COMMITTED: "committed_pence",
    Kind.PAID: "paid_pence",
    Kind.DIRECT: "direct_pence",
    Kind.RETURNED: "returned_pence",
}
COMMITMENT_FIELDS = {Kind.COMMITTED: "outstanding_pence", Kind.PAYABLE: "unpaid_pence"}


class IdempotencyConflict(LedgerError):
    def __init__(self) -> None:
        super().__init__(
            "This idempotency key was already used for a different request", "idempotency_key"
        )


@dataclass(frozen=True)
class Request:
    """What an operation was asked to do, for idempotency: the same key must mean the same."""

    operation: Operation
    budget: Budget
    by: User
    amount: int
    commitment: Commitment | None = None
    funder: Organisation | None = None
    source: str = ""
    memo: str = ""
    reference: str = ""
    reverses: Transaction | None = None
    key: str | None = None
    on: dt.date | None = None  # the value date; today when not given

    def fingerprint(self) -> str:
        body = {
            "operation": self.operation.value,
            "budget": str(self.budget.pk),
            "amount": self.amount,
            "commitment": str(self.commitment.pk) if self.commitment else "",
            "funder": self.funder.pk if self.funder else "",
            "source": self.source,
            "reference": self.reference,
            "reverses": self.reverses.pk if self.reverses else "",
        }
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def owner_of(budget: Budget) -> str:
    return f"budget:{budget.pk}"


def _accounts(postings: Sequence[Posting], budget: Budget) -> dict[engine.Account, Account]:
    """The accounts the postings touch, made on first use (one query when they all exist)."""
    wanted = {p.account for p in postings}
    found = {
        engine.Account(Kind(a.kind), a.owner): a
        for a in Account.objects.filter(
            kind__in={w.kind.value for w in wanted}, owner__in={w.owner for w in wanted}
        )
    }
    for key in wanted - found.keys():
        org_id = (
            int(key.owner.split(":", 1)[1]) if key.kind in (Kind.FUNDER, Kind.PAYABLE) else None
        )
        found[key], _ = Account.objects.get_or_create(
            kind=key.kind.value,
            owner=key.owner,
            defaults={
                "budget": budget if key.owner == owner_of(budget) else None,
                "organisation_id": org_id,
            },
        )
    return found


def _existing(request: Request) -> Transaction | None:
    if request.key is None:
        return None
    found = Transaction.objects.filter(created_by=request.by, idempotency_key=request.key).first()
    if found is not None and found.request_hash != request.fingerprint():
        raise IdempotencyConflict()
    return found


def post(request: Request, build: Callable[[], Sequence[Posting]]) -> Transaction:
    """Run one operation: idempotent, serialised per budget, all or nothing."""
    if request.on is not None and request.on > timezone.localdate():
        raise LedgerError("Money cannot move on a date still to come", "on")
    if request.key is not None and not (0 < len(request.key) <= 100):
        raise LedgerError("An idempotency key has 1 to 100 characters", "idempotency_key")
    try:
        with transaction.atomic():
            return _post_locked(request, build)
    except IntegrityError:
        # Another request with the same key committed first: answer as it did.
        found = _existing(request)
        if found is None:
            raise
        return found


def _post_locked(request: Request, build: Callable[[], Sequence[Posting]]) -> Transaction:
    found = _existing(request)
    if found is not None:
        return found
    budget = Budget.objects.select_for_update().get(pk=request.budget.pk)
    if budget.status != BudgetStatus.ACTIVE and request.operation != Operation.CORRECT:
        raise LedgerError("This budget is closed", "budget")
    commitment = None
    if request.commitment is not None:
        commitment = Commitment.objects.select_for_update().get(pk=request.commitment.pk)
    postings = build()
    engine.apply(_guarded(budget, commitment, postings), postings)
    txn = Transaction.objects.create(
        operation=request.operation.value,
        amount_pence=request.amount,
        budget=budget,
        commitment=commitment,
        funder=request.funder,
        source=request.source,
        memo=request.memo[:300],
        reference=request.reference[:100],
        reverses=request.reverses,
        idempotency_key=request.key,
        request_hash=request.fingerprint(),
        created_by=request.by,
        value_date=request.on or timezone.localdate(),
    )
    _write_entries(txn, budget, postings)
    _update_running(budget, commitment, postings)
    audit_record(
        actor=request.by,
        action=f"ledger.{request.operation.value}",
        target=txn,
        summary={
            "budget": str(budget.pk),
            "amount_pence": request.amount,
            "commitment": str(commitment.pk) if commitment else None,
            "reference": request.reference,
            "memo": request.memo,
        },
    )
    return txn


def _guarded(
    budget: Budget, commitment: Commitment | None, postings: Sequence[Posting]
) -> dict[tuple[engine.Account, str], int]:
    balances: dict[tuple[engine.Account, str], int] = {}
    for account, per in engine.guard_keys(postings):
        if account.kind in engine.PER_COMMITMENT:
            if commitment is None or per != str(commitment.pk):
                raise LedgerError("That commitment is not part of this operation", "commitment")
            balances[(account, per)] = getattr(commitment, COMMITMENT_FIELDS[account.kind])
        else:
            balances[(account, per)] = getattr(budget, BUDGET_FIELDS[account.kind])
    return balances


def _write_entries(txn: Transaction, budget: Budget, postings: Sequence[Posting]) -> None:
    accounts = _accounts(postings, budget)
    Entry.objects.bulk_create(
        Entry(
            transaction=txn,
            account=accounts[p.account],
            commitment_id=p.commitment or None,
            amount_pence=p.amount,
        )
        for p in postings
    )


def _update_running(
    budget: Budget, commitment: Commitment | None, postings: Sequence[Posting]
) -> None:
    budget_changes: dict[str, int] = {}
    commitment_changes: dict[str, int] = {}
    mine = owner_of(budget)
    for p in postings:
        if p.account.owner == mine and p.account.kind in BUDGET_FIELDS:
            field = BUDGET_FIELDS[p.account.kind]
            budget_changes[field] = budget_changes.get(field, 0) + p.amount
        if p.account.kind == Kind.FUNDER:
            budget_changes["allocated_pence"] = budget_changes.get("allocated_pence", 0) - p.amount
        if commitment is not None and p.account.kind in COMMITMENT_FIELDS:
            field = COMMITMENT_FIELDS[p.account.kind]
            commitment_changes[field] = commitment_changes.get(field, 0) + p.amount
    _apply_changes(Budget, budget.pk, budget_changes)
    if commitment is not None:
        _apply_changes(Commitment, commitment.pk, commitment_changes)


def _apply_changes(model: type[models.Model], pk: Any, changes: dict[str, int]) -> None:
    changes = {field: delta for field, delta in changes.items() if delta}
    if changes:
        model._default_manager.filter(pk=pk).update(
            **{field: models.F(field) + delta for field, delta in changes.items()}
        )
