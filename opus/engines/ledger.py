"""Double-entry arithmetic for personal budgets, in whole pence.

Every operation is a set of postings that sums to zero. Balances are sums of postings, kept
per account and, for committed and payable money, per commitment too, so that a delivery can
only draw on what was committed to that booking and an invoice only on what was delivered.

Accounts (their balances are positive in normal use, the funder's negative):

- ``funder``    one per funding body: minus everything it has allocated.
- ``available`` one per budget: allocated and not yet committed or paid out.   *guarded*
- ``committed`` one per budget, split by commitment: promised to a provider.   *guarded*
- ``payable``   one per provider, split by commitment: delivered, not yet paid. *guarded*
- ``paid``      one per budget: paid to providers against their invoices.
- ``direct``    one per budget: paid to the person as direct payments, net of
                what they gave back.                                            *guarded*
- ``returned``  one per budget: handed back to the funding body (claw-back at
                period end and direct-payment returns).

A guarded balance may never be negative, neither at the end nor after any single operation.
A correction is a reversal (every posting of the original, negated), checked by the same rule.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from opus.engines.money import pounds


class Kind(StrEnum):
    FUNDER = "funder"
    AVAILABLE = "available"
    COMMITTED = "committed"
    PAYABLE = "payable"
    PAID = "paid"
    DIRECT = "direct"
    RETURNED = "returned"


GUARDED = frozenset({Kind.AVAILABLE, Kind.COMMITTED, Kind.PAYABLE, Kind.DIRECT})
# Accounts whose guard applies per commitment rather than to the account as a whole.
PER_COMMITMENT = frozenset({Kind.COMMITTED, Kind.PAYABLE})


class Operation(StrEnum):
    ALLOCATE = "allocate"
    COMMIT = "commit"
    RELEASE = "release"
    DELIVER = "deliver"
    PAY_INVOICE = "pay_invoice"
    DIRECT_PAYMENT = "direct_payment"
    DIRECT_PAYMENT_RETURN = "direct_payment_return"
    CLAW_BACK = "claw_back"
    CORRECT = "correct"


class LedgerError(ValueError):
    """An operation that would break the ledger's rules; nothing is written."""

    def __init__(self, message: str, field: str = "amount") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, order=True)
class Account:
    kind: Kind
    owner: str  # a budget's, provider's or funding body's id, as text


@dataclass(frozen=True)
class Posting:
    account: Account
    amount: int  # pence; positive adds to the account's balance
    commitment: str = ""  # the commitment it belongs to, for committed and payable money

    @property
    def guard_key(self) -> tuple[Account, str]:
        """The balance this posting's guard applies to."""
        per = self.account.kind in PER_COMMITMENT
        return (self.account, self.commitment if per else "")


Balances = Mapping[tuple[Account, str], int]


def check_amount(amount: object, *, field: str = "amount") -> int:
    """A strictly positive whole number of pence, or a LedgerError naming the field."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise LedgerError("Enter the amount as a whole number of pence", field)
    if amount <= 0:
        raise LedgerError("The amount must be more than zero", field)
    return amount


def pence_from_pounds(text: str, *, field: str = "amount") -> int:
    """'12.50' or '£1,234.5' to pence; refuses fractions of a penny, zero and negatives."""
    cleaned = text.strip().replace("£", "").replace(",", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise LedgerError("Enter an amount in pounds, like 12.50", field) from None
    if not value.is_finite():
        raise LedgerError("Enter an amount in pounds, like 12.50", field)
    pence = value * 100
    if pence != pence.to_integral_value():
        raise LedgerError("The amount must be in whole pence", field)
    return check_amount(int(pence), field=field)


def budget_accounts(budget: str) -> dict[Kind, Account]:
    kinds = (Kind.AVAILABLE, Kind.COMMITTED, Kind.PAID, Kind.DIRECT, Kind.RETURNED)
    return {kind: Account(kind, budget) for kind in kinds}


def _move(source: Account, target: Account, amount: int, commitment: str = "") -> list[Posting]:
    return [Posting(source, -amount, commitment), Posting(target, amount, commitment)]


def allocate(*, budget: str, funder: str, amount: int) -> list[Posting]:
    """Funding body → budget's available money."""
    check_amount(amount)
    return _move(Account(Kind.FUNDER, funder), Account(Kind.AVAILABLE, budget), amount)


def commit(*, budget: str, commitment: str, amount: int) -> list[Posting]:
    """Available → committed to one booking's schedule."""
    check_amount(amount)
    return [
        Posting(Account(Kind.AVAILABLE, budget), -amount),
        Posting(Account(Kind.COMMITTED, budget), amount, commitment),
    ]


def release(*, budget: str, commitment: str, amount: int) -> list[Posting]:
    """A cancelled or ended commitment gives its undelivered money back to available."""
    check_amount(amount)
    return [
        Posting(Account(Kind.COMMITTED, budget), -amount, commitment),
        Posting(Account(Kind.AVAILABLE, budget), amount),
    ]


def deliver(*, budget: str, provider: str, commitment: str, amount: int) -> list[Posting]:
    """Sessions delivered: committed money becomes owed to the provider."""
    check_amount(amount)
    return _move(
        Account(Kind.COMMITTED, budget), Account(Kind.PAYABLE, provider), amount, commitment
    )


def pay_invoice(*, budget: str, provider: str, commitment: str, amount: int) -> list[Posting]:
    """The provider is paid for delivered sessions of one commitment."""
    check_amount(amount)
    return [
        Posting(Account(Kind.PAYABLE, provider), -amount, commitment),
        Posting(Account(Kind.PAID, budget), amount, commitment),
    ]


def direct_payment(*, budget: str, amount: int) -> list[Posting]:
    """Money paid to the person to arrange their own support."""
    check_amount(amount)
    return _move(Account(Kind.AVAILABLE, budget), Account(Kind.DIRECT, budget), amount)


def direct_payment_return(*, budget: str, amount: int) -> list[Posting]:
    """The person gives back direct-payment money they did not use."""
    check_amount(amount)
    return _move(Account(Kind.DIRECT, budget), Account(Kind.RETURNED, budget), amount)


def claw_back(*, budget: str, amount: int) -> list[Posting]:
    """Unspent available money returns to the funding body at period end."""
    check_amount(amount)
    return _move(Account(Kind.AVAILABLE, budget), Account(Kind.RETURNED, budget), amount)


def reverse(postings: Sequence[Posting]) -> list[Posting]:
    """A correction: the same postings, negated. The original stays."""
    if not postings:
        raise LedgerError("There is nothing to correct", "transaction")
    return [Posting(p.account, -p.amount, p.commitment) for p in postings]


def guard_keys(postings: Iterable[Posting]) -> set[tuple[Account, str]]:
    """The guarded balances these postings touch (the ones to read, and lock, first)."""
    return {p.guard_key for p in postings if p.account.kind in GUARDED}


def apply(balances: Balances, postings: Sequence[Posting]) -> dict[tuple[Account, str], int]:
    """The guarded balances after the postings, or LedgerError if any would fall below zero.

    ``balances`` must hold every guarded key in ``guard_keys(postings)`` (missing means 0).
    """
    if sum(p.amount for p in postings) != 0:
        raise LedgerError("The postings do not balance", "postings")
    after = {key: balances.get(key, 0) for key in guard_keys(postings)}
    for posting in postings:
        if posting.account.kind in GUARDED:
            after[posting.guard_key] += posting.amount
    for key, value in sorted(after.items()):
        if value < 0:
            raise LedgerError(_shortfall_message(key, balances.get(key, 0)))
    return after


def _shortfall_message(key: tuple[Account, str], had: int) -> str:
    what = {
        Kind.AVAILABLE: "left to spend in this budget",
        Kind.COMMITTED: "committed to this booking and not yet delivered",
        Kind.PAYABLE: "delivered under this booking and not yet paid",
        Kind.DIRECT: "paid as direct payments and not yet returned",
    }[key[0].kind]
    return f"That is more than the {pounds(had)} {what}"


@dataclass
class Ledger:
    """An in-memory ledger: the reference the database ledger is tested against."""

    transactions: list[list[Posting]] = field(default_factory=list)
    guarded: dict[tuple[Account, str], int] = field(default_factory=dict)

    def post(self, postings: Sequence[Posting]) -> int:
        self.guarded.update(apply(self.guarded, postings))
        self.transactions.append(list(postings))
        return len(self.transactions) - 1

    def balance(self, account: Account) -> int:
        return sum(p.amount for t in self.transactions for p in t if p.account == account)


@dataclass(frozen=True)
class Discrepancy:
    transaction: int
    problem: str


def verify(transactions: Iterable[Sequence[Posting]]) -> Discrepancy | None:
    """The first transaction that does not balance or takes a guarded balance below zero."""
    running: dict[tuple[Account, str], int] = {}
    for index, postings in enumerate(transactions):
        if sum(p.amount for p in postings) != 0:
            return Discrepancy(index, "does not balance")
        for posting in postings:
            if posting.account.kind in GUARDED:
                key = posting.guard_key
                running[key] = running.get(key, 0) + posting.amount
                if running[key] < 0:
                    return Discrepancy(index, f"takes {key[0].kind} below zero")
    return None


def weekly(amount: int, days: int) -> int:
    """A period's amount as a weekly figure, to the nearest penny (half up)."""
    if days <= 0:
        raise LedgerError("A budget period must last at least a day", "period")
    return (amount * 7 * 2 + days) // (2 * days)


def transaction_digest(fields: Mapping[str, object], entries: Iterable[Sequence[object]]) -> str:
    """SHA-256 (hex) of a transaction's content, which its audit event carries.

    `fields` are the transaction's columns as text or whole numbers (ids, UUIDs in their
    hyphenated form, the value date as YYYY-MM-DD, "" for none); `entries` its
    (account kind, account owner, commitment, amount) rows in any order. The same content
    always gives the same digest, whichever database it was read back from.
    """
    body = {
        "transaction": {key: fields[key] for key in sorted(fields)},
        "entries": sorted([str(k), str(o), str(c or ""), int(a)] for k, o, c, a in entries),  # type: ignore[call-overload]
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
