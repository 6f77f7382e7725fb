"""A budget's statement: each transaction's effect on what is left, committed and spent."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass

from opus.budgets.ledger import owner_of
from opus.budgets.models import Budget, Entry, Transaction
from opus.budgets.words import commitment_words
from opus.core import csvsafe
from opus.engines.ledger import Kind

DESCRIPTIONS = {
    "allocate": "Money allocated",
    "commit": "Committed to a booking",
    "release": "Commitment released",
    "deliver": "Sessions delivered",
    "pay_invoice": "Provider paid",
    "direct_payment": "Direct payment to you",
    "direct_payment_return": "Direct payment returned",
    "claw_back": "Unspent money returned to the funder",
    "correct": "Correction",
}

# The ledger's accounts in words, for the pages that show a transaction's entries.
ACCOUNTS = {
    "funder": "The funder",
    "available": "Left to spend",
    "committed": "Committed to a booking",
    "payable": "Owed to the provider",
    "paid": "Paid to providers",
    "direct": "Direct payments",
    "returned": "Returned to the funder",
}


@dataclass(frozen=True)
class Line:
    transaction: int
    at: dt.date  # the value date
    description: str
    detail: str
    reference: str
    amount: int  # the operation's amount
    left: int  # change to what is left to spend
    committed: int  # change to what is committed (including delivered, not yet paid)
    spent: int  # change to what is spent (paid to providers and as direct payments)
    returned: int
    left_after: int


def statement(budget: Budget) -> list[Line]:
    effects: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    mine = owner_of(budget)
    entries = Entry.objects.filter(transaction__budget=budget).select_related("account")
    for entry in entries.only("transaction_id", "amount_pence", "account__kind", "account__owner"):
        kind, owner, amount = entry.account.kind, entry.account.owner, entry.amount_pence
        column = _column(kind, owner == mine)
        if column:
            effects[entry.transaction_id][column] += amount
    lines, left = [], 0
    transactions = Transaction.objects.filter(budget=budget).select_related(
        "commitment__booking__service"
    )
    for txn in transactions.order_by("value_date", "id"):
        effect = effects[txn.pk]
        left += effect["left"]
        lines.append(
            Line(
                transaction=txn.pk,
                at=txn.value_date,
                description=DESCRIPTIONS.get(txn.operation, txn.operation),
                detail=_detail(txn),
                reference=txn.reference,
                amount=txn.amount_pence,
                left=effect["left"],
                committed=effect["committed"],
                spent=effect["spent"],
                returned=effect["returned"],
                left_after=left,
            )
        )
    return lines


def _column(kind: str, own: bool) -> str:
    if kind == Kind.PAYABLE:
        return "committed"  # delivered, awaiting payment: still promised to the provider
    if not own:
        return ""
    return {
        Kind.AVAILABLE: "left",
        Kind.COMMITTED: "committed",
        Kind.PAID: "spent",
        Kind.DIRECT: "spent",
        Kind.RETURNED: "returned",
    }.get(Kind(kind), "")


def _detail(txn: Transaction) -> str:
    parts = []
    if txn.commitment_id:
        parts.append(txn.commitment.booking.service.name)
    if txn.operation == "commit" and txn.commitment_id:
        # In words ("£6 a session, 16 weeks"), not the stored memo, which once said pence.
        parts.append(commitment_words(txn.commitment))
    elif txn.memo:
        parts.append(txn.memo)
    return " — ".join(parts)


def statement_csv(budget: Budget, lines: list[Line]) -> str:
    out = io.StringIO()
    writer = csvsafe.writer(out)
    writer.writerow(
        [
            "transaction",
            "date",
            "description",
            "detail",
            "reference",
            "left_to_spend_change",
            "committed_change",
            "spent_change",
            "returned_change",
            "left_to_spend_after",
        ]
    )
    for line in lines:
        writer.writerow(
            [
                line.transaction,
                line.at.isoformat(),
                line.description,
                line.detail,
                line.reference,
                _p(line.left),
                _p(line.committed),
                _p(line.spent),
                _p(line.returned),
                _p(line.left_after),
            ]
        )
    return out.getvalue()


def _p(pence: int) -> str:
    """Pounds with two decimals for spreadsheets (no £ sign, no thousands separator)."""
    sign = "-" if pence < 0 else ""
    return f"{sign}{abs(pence) // 100}.{abs(pence) % 100:02d}"
