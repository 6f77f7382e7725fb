"""What commissioners read: budgets by area and need, underspends, and providers' takings."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Sum

from opus.budgets.models import Budget, BudgetStatus, Transaction
from opus.directory.models import TaxonomyTerm


@dataclass(frozen=True)
class Group:
    label: str
    budgets: int
    allocated: int
    committed: int
    spent: int
    left: int


def _group(label: str, rows: list[Budget]) -> Group:
    return Group(
        label,
        len(rows),
        sum(b.allocated_pence for b in rows),
        sum(b.committed_pence for b in rows),
        sum(b.spent_pence for b in rows),
        sum(b.available_pence for b in rows),
    )


def active_budgets() -> list[Budget]:
    return list(Budget.objects.filter(status=BudgetStatus.ACTIVE).select_related("area", "person"))


def by_area(budgets: list[Budget]) -> list[Group]:
    groups: dict[str, list[Budget]] = defaultdict(list)
    for budget in budgets:
        groups[budget.area.name if budget.area else "Area not recorded"].append(budget)
    return sorted((_group(k, v) for k, v in groups.items()), key=lambda g: -g.allocated)


def by_need(budgets: list[Budget]) -> list[Group]:
    names = dict(TaxonomyTerm.objects.values_list("code", "name"))
    groups: dict[str, list[Budget]] = defaultdict(list)
    for budget in budgets:
        for need in budget.needs or ["not-recorded"]:
            groups[names.get(need, "Need not recorded")].append(budget)
    return sorted((_group(k, v) for k, v in groups.items()), key=lambda g: -g.allocated)


@dataclass(frozen=True)
class Underspend:
    budget: Budget
    expected_left: int
    left: int

    @property
    def excess(self) -> int:
        return self.left - self.expected_left


def underspends(budgets: list[Budget], today: dt.date, margin: float = 0.10) -> list[Underspend]:
    """Budgets with more left than the share of the period still to run, plus a margin.

    A budget half-way through its year with 80% still uncommitted may mean support that was
    planned is not happening: worth a review conversation, not a claw-back.
    """
    found = []
    for budget in budgets:
        elapsed = min(max((today - budget.period_start).days, 0), budget.days) / budget.days
        expected = round(budget.allocated_pence * (1 - elapsed))
        if budget.available_pence > expected + margin * budget.allocated_pence:
            found.append(Underspend(budget, expected, budget.available_pence))
    return sorted(found, key=lambda u: -u.excess)


@dataclass(frozen=True)
class Takings:
    provider: str
    kind: str
    paid: int
    invoices: int


def provider_takings() -> list[Takings]:
    rows = (
        Transaction.objects.filter(operation="pay_invoice", reversed_by__isnull=True)
        .values("commitment__provider__name", "commitment__provider__kind")
        .annotate(paid=Sum("amount_pence"), invoices=Count("id"))
        .order_by("-paid")
    )
    return [
        Takings(
            r["commitment__provider__name"],
            r["commitment__provider__kind"],
            r["paid"],
            r["invoices"],
        )
        for r in rows
    ]
