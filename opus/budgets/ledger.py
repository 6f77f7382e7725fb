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
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from opus.budgets import ledger_sql as sql
from opus.budgets.models import (
    Account,
    Budget,
    BudgetStatus,
    Commitment,
    CommitmentStatus,
    Transaction,
)
from opus.core.audit import audit_event, head_statement, insert_statement, queue_slot
from opus.core.models import Organisation, User
from opus.core.sql import Batch
from opus.engines import ledger as engine
from opus.engines.ledger import Kind, LedgerError, Operation, Posting, transaction_digest
from opus.engines.money import pounds

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
            # A retry with another memo is another request (the memo reaches the statement).
            "memo": self.memo,
        }
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def owner_of(budget: Budget) -> str:
    return f"budget:{budget.pk}"


def ensure_accounts(keys: Sequence[engine.Account], budget: Budget | None = None) -> None:
    """Make the accounts money will move through, before it first does (the hot path assumes)."""
    for key in keys:
        org_id = (
            int(key.owner.split(":", 1)[1]) if key.kind in (Kind.FUNDER, Kind.PAYABLE) else None
        )
        Account.objects.get_or_create(
            kind=key.kind.value,
            owner=key.owner,
            defaults={
                "budget": budget if budget is not None and key.owner == owner_of(budget) else None,
                "organisation_id": org_id,
            },
        )


def _existing(request: Request, found: tuple[int, str] | None) -> Transaction | None:
    if found is None:
        return None
    if found[1] != request.fingerprint():
        raise IdempotencyConflict()
    return Transaction.objects.get(pk=found[0])


def _already(request: Request) -> Transaction | None:
    """The transaction this client already made with this key, if any (the slow path)."""
    if request.key is None:
        return None
    found = Transaction.objects.filter(created_by=request.by, idempotency_key=request.key).first()
    return _existing(request, (found.pk, found.request_hash) if found else None)


def _check_limit(amounts: Sequence[object]) -> None:
    """No operation moves more than settings.OPUS_MAX_AMOUNT_PENCE (nor anything not whole)."""
    limit = int(settings.OPUS_MAX_AMOUNT_PENCE)
    for amount in amounts:
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise LedgerError(gettext("Enter the amount as a whole number of pence"), "amount")
        if abs(amount) > limit:
            raise LedgerError(
                gettext("No single operation may move more than %(limit)s")
                % {"limit": pounds(limit)},
                "amount",
            )


# The transaction's columns its content digest covers (not the time it was written, nor the
# link to its event, which the digest goes into).
DIGEST_FIELDS = (
    "id", "operation", "amount_pence", "budget_id", "commitment_id", "funder_id", "source",
    "memo", "reference", "reverses_id", "idempotency_key", "request_hash", "value_date",
    "created_by_id",
)  # fmt: skip
_UUID_FIELDS = ("budget_id", "commitment_id")


def content_digest(values: dict[str, Any], entries: Sequence[Sequence[Any]]) -> str:
    """The digest of a transaction as written, or as read back from either database.

    `values` holds at least DIGEST_FIELDS; `entries` are (kind, owner, commitment, amount).
    """
    fields: dict[str, object] = {}
    for name in DIGEST_FIELDS:
        value = values[name]
        if value is None or value == "":
            fields[name] = ""
        elif name in _UUID_FIELDS:
            fields[name] = str(uuid.UUID(str(value)))
        elif name == "value_date":
            fields[name] = str(value)[:10]
        elif isinstance(value, int) and not isinstance(value, bool):
            fields[name] = value
        else:  # text, or a stored value that is not what it should be: it will not match
            fields[name] = str(value)
    rows = [
        (kind, owner, str(uuid.UUID(str(c))) if c else "", amount)
        for kind, owner, c, amount in entries
    ]
    return transaction_digest(fields, rows)


def post(request: Request, build: Callable[[], Sequence[Posting]]) -> Transaction:
    """Run one operation: idempotent, serialised per budget, all or nothing."""
    _check_limit([request.amount])
    if request.on is not None and request.on > timezone.localdate():
        raise LedgerError("Money cannot move on a date still to come", "on")
    if request.key is not None and not (0 < len(request.key) <= 100):
        raise LedgerError("An idempotency key has 1 to 100 characters", "idempotency_key")
    try:
        with transaction.atomic():
            return _post_locked(request, build)
    except IntegrityError:
        # Another request with the same key committed first: answer as it did.
        found = _already(request)
        if found is None:
            raise
        return found


def _post_locked(request: Request, build: Callable[[], Sequence[Posting]]) -> Transaction:
    budget, commitment = request.budget, request.commitment
    # One batch of reads: the row locks (budget first, as everywhere), the new transaction's
    # id and the audit event's place. On PostgreSQL that is one round trip...
    reads = Batch()
    locked = sql.queue_lock_budget(reads, budget.pk, request.by.pk, request.key)
    held_at = sql.queue_lock_commitment(reads, commitment.pk) if commitment is not None else None
    slot_in = queue_slot(reads)
    results = reads.run()
    figures = sql.budget_figures(results[locked])
    found = _existing(request, figures["existing"]) if request.key is not None else None
    if found is not None:
        return found
    if figures["status"] != BudgetStatus.ACTIVE and request.operation != Operation.CORRECT:
        raise LedgerError("This budget is closed", "budget")
    held = sql.commitment_figures(results[held_at]) if held_at is not None else None
    if held is not None and str(held["budget_id"]).replace("-", "") != budget.pk.hex:
        raise LedgerError("That commitment belongs to another budget", "commitment")
    postings = build()
    _check_limit([p.amount for p in postings])
    engine.apply(_guarded(budget, figures, commitment, held, postings), postings)
    txn = Transaction(
        id=figures["next_id"],
        operation=request.operation.value,
        amount_pence=request.amount,
        budget_id=budget.pk,
        commitment_id=commitment.pk if commitment else None,
        funder_id=request.funder.pk if request.funder else None,
        source=request.source,
        memo=request.memo[:300],
        reference=request.reference[:100],
        reverses_id=request.reverses.pk if request.reverses else None,
        idempotency_key=request.key,
        request_hash=request.fingerprint(),
        created_by_id=request.by.pk,
        value_date=request.on or timezone.localdate(),
        created_at=timezone.now(),
    )
    txn._state.adding, txn._state.db = False, "default"
    entries = [
        (p.account.kind.value, p.account.owner, p.commitment or None, p.amount) for p in postings
    ]
    event = audit_event(
        slot_in(results),
        actor=request.by,
        action=f"ledger.{request.operation.value}",
        target=txn,
        summary={
            "budget": str(budget.pk),
            "amount_pence": request.amount,
            "commitment": str(commitment.pk) if commitment else None,
            "reference": request.reference,
            "memo": request.memo,
            # What ledger_verify checks the transaction and its entries against.
            "content_sha256": content_digest({c: getattr(txn, c) for c in DIGEST_FIELDS}, entries),
        },
    )
    txn.audit_hash = event.hash
    # ... and the writes, one statement on PostgreSQL, sent with the commit when this is the
    # outermost transaction: the transaction, its entries, the running figures and the event.
    writes = Batch()
    sql.queue_insert_transaction(writes, {c: getattr(txn, c) for c in sql.TRANSACTION_COLUMNS})
    sql.queue_insert_entries(writes, txn.pk, entries)
    _queue_running(writes, request, held, postings)
    writes.add(*insert_statement(event))
    writes.add(*head_statement(event))
    writes.run_as_one(then_commit=True)
    return txn


def _guarded(
    budget: Budget,
    figures: dict[str, Any],
    commitment: Commitment | None,
    held: dict[str, Any] | None,
    postings: Sequence[Posting],
) -> dict[tuple[engine.Account, str], int]:
    balances: dict[tuple[engine.Account, str], int] = {}
    for account, per in engine.guard_keys(postings):
        if account.kind in engine.PER_COMMITMENT:
            if commitment is None or held is None or per != str(commitment.pk):
                raise LedgerError("That commitment is not part of this operation", "commitment")
            balances[(account, per)] = int(held[COMMITMENT_FIELDS[account.kind]])
        else:
            balances[(account, per)] = int(figures[BUDGET_FIELDS[account.kind]])
    return balances


def _queue_running(
    batch: Batch, request: Request, held: dict[str, Any] | None, postings: Sequence[Posting]
) -> None:
    """The running figures' updates; a release that leaves nothing outstanding ends the
    commitment (in the same transaction, so its audit event covers it)."""
    budget, commitment = request.budget, request.commitment
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
    sql.queue_add_to(batch, "budgets_budget", budget.pk, budget_changes)
    if commitment is not None and held is not None:
        sets: dict[str, Any] = {}
        left = int(held["outstanding_pence"]) + commitment_changes.get("outstanding_pence", 0)
        if (
            request.operation == Operation.RELEASE
            and left == 0
            and held["status"] == CommitmentStatus.ACTIVE
        ):
            sets["status"] = CommitmentStatus.ENDED.value
        sql.queue_add_to(batch, "budgets_commitment", commitment.pk, commitment_changes, sets)
