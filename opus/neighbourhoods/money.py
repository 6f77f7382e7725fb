"""A neighbourhood council's money: the same double-entry ledger as personal budgets.

A neighbourhood budget is a `budgets.Budget` held by the council (its `organisation`), funded
line by line (a `BudgetSource` per source): each of the commissioning plan's neighbourhood-level
decisions, and other grants. Money leaves through commitments (a PB project, later a small
grant: `Commitment.purpose` and `link`) and payments to whoever delivers, so every penny is
traceable: plan decision → budget source → allocation → commitment → payment. `ledger_verify`
covers these budgets like any other. The grants part calls `neighbourhood_commit` and
`neighbourhood_pay` as the PB part does.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opus.budgets import services as budget_services
from opus.budgets.ledger import Request, ensure_accounts, owner_of, post
from opus.budgets.models import Budget, BudgetSource, Commitment, Source, Transaction
from opus.commissioning.models import ServiceDecision
from opus.commissioning.models.plans import ServiceLevel
from opus.core.audit import audit_record
from opus.core.models import Membership, Organisation, OrganisationKind, Role, User
from opus.core.roles import has_role
from opus.engines import ledger as engine
from opus.engines.ledger import LedgerError, Operation

FINANCE_ROLES = (Role.COMMISSIONER, Role.ADMIN)


def _org(org: Organisation) -> str:
    return f"org:{org.pk}"


def is_councillor_of(user: User, council_id: int) -> bool:
    """A councillor (or clerk) of this neighbourhood council."""
    return Membership.objects.filter(
        user_id=user.pk, organisation_id=council_id, role=Role.COUNCILLOR
    ).exists()


def may_spend(user: User, budget: Budget) -> bool:
    """Councillors of the council holding the budget, commissioners and administrators."""
    if budget.organisation_id is None:
        return False
    return is_councillor_of(user, budget.organisation_id) or any(
        has_role(user, r) for r in FINANCE_ROLES
    )


@transaction.atomic
def neighbourhood_budget_create(
    *,
    council: Organisation,
    title: str,
    period_start: dt.date,
    period_end: dt.date,
    by: User,
) -> Budget:
    """Open a neighbourhood council's budget for a period (money arrives by `..._fund`)."""
    if not any(has_role(by, r) for r in FINANCE_ROLES):
        raise PermissionDenied(_("Only commissioners can open a neighbourhood budget"))
    if council.kind != OrganisationKind.NEIGHBOURHOOD_COUNCIL:
        raise LedgerError(_("Only a neighbourhood council holds a neighbourhood budget"), "council")
    if period_end < period_start:
        raise LedgerError(_("The period must end after it starts"), "period_end")
    budget = Budget.objects.create(
        organisation=council,
        title=title[:200],
        period_start=period_start,
        period_end=period_end,
        area=council.area,
        created_by=by,
    )
    audit_record(
        actor=by,
        action="neighbourhood_budget.create",
        target=budget,
        summary={"council": council.pk, "title": title[:200]},
    )
    ensure_accounts(list(engine.budget_accounts(owner_of(budget)).values()), budget)
    return budget


@transaction.atomic
def neighbourhood_budget_fund(
    *,
    budget: Budget,
    by: User,
    decision: ServiceDecision | None = None,
    funder: Organisation | None = None,
    amount: int | None = None,
    reference: str = "",
    key: str | None = None,
) -> Transaction:
    """Add one source's money: a plan's neighbourhood-level decision (its budget, from its
    commissioner) or another grant (a funder, an amount and its reference). One line each."""
    if budget.organisation_id is None:
        raise LedgerError(_("This is not a neighbourhood budget"), "budget")
    if decision is not None:
        decision = ServiceDecision.objects.select_related("plan__commissioner").get(pk=decision.pk)
        if decision.level != ServiceLevel.NEIGHBOURHOOD:
            raise LedgerError(_("Only a neighbourhood-level decision funds this"), "decision")
        if BudgetSource.objects.filter(budget=budget, decision=decision).exists():
            raise LedgerError(_("This decision already funds this budget"), "decision")
        funder = decision.plan.commissioner
        amount = decision.budget_pence if amount is None else amount
        source, memo = Source.PLAN, f"{decision.plan.title}: {decision.need}"
    else:
        reference = reference.strip()
        if funder is None:
            raise LedgerError(_("Select who gives the grant"), "funder")
        if not reference:
            raise LedgerError(_("Enter the grant's reference"), "reference")
        source, memo = Source.GRANT, f"Grant: {reference}"
    engine.check_amount(amount)
    BudgetSource.objects.create(
        budget=budget,
        source=source,
        funder=funder,
        planned_pence=amount,
        decision=decision,
        reference=reference[:200] if decision is None else "",
    )
    return budget_services.allocate(
        budget=budget,
        funder=funder,
        source=source,
        amount=int(amount),  # type: ignore[arg-type]
        by=by,
        memo=memo[:300],
        key=key,
    )


def neighbourhood_commit(
    *,
    budget: Budget,
    payee: Organisation,
    amount: int,
    purpose: str,
    link: str,
    by: User,
    key: str | None = None,
) -> Commitment:
    """Hold `amount` of the budget for one purpose (a PB project, a grant), paid to `payee`."""
    if not may_spend(by, budget):
        raise PermissionDenied(_("You may not spend this neighbourhood budget"))
    engine.check_amount(amount)
    if not purpose.strip():
        raise LedgerError(_("Say what the money is for"), "purpose")
    today = timezone.localdate()
    with transaction.atomic():
        Budget.objects.select_for_update().filter(pk=budget.pk).first()
        ensure_accounts([engine.Account(engine.Kind.PAYABLE, _org(payee))])
        commitment = Commitment.objects.create(
            budget=budget,
            provider=payee,
            purpose=purpose.strip()[:300],
            link=link[:64],
            weekly_pence=amount,
            weeks=1,
            start_date=today,
            end_date=max(today, budget.period_end),
            total_pence=amount,
        )
        post(
            Request(
                Operation.COMMIT, budget, by, amount, commitment=commitment, memo=purpose, key=key
            ),
            lambda: engine.commit(
                budget=owner_of(budget), commitment=str(commitment.pk), amount=amount
            ),
        )
    return commitment


def neighbourhood_pay(
    *,
    commitment: Commitment,
    amount: int,
    reference: str,
    by: User,
    key: str | None = None,
) -> Transaction:
    """Pay the payee for work done under a commitment: delivered, then paid (two transactions
    in one database transaction, so both or neither)."""
    budget = commitment.budget
    if not may_spend(by, budget):
        raise PermissionDenied(_("You may not spend this neighbourhood budget"))
    reference = reference.strip()
    if not reference:
        raise LedgerError(_("Enter the invoice or payment reference"), "reference")
    owner, payee, held = owner_of(budget), _org(commitment.provider), str(commitment.pk)
    with transaction.atomic():
        post(
            Request(
                Operation.DELIVER,
                budget,
                by,
                amount,
                commitment=commitment,
                memo=commitment.purpose,
                key=f"{key}:deliver" if key else None,
            ),
            lambda: engine.deliver(budget=owner, provider=payee, commitment=held, amount=amount),
        )
        return post(
            Request(
                Operation.PAY_INVOICE,
                budget,
                by,
                amount,
                commitment=commitment,
                reference=reference,
                memo=commitment.purpose,
                key=f"{key}:pay" if key else None,
            ),
            lambda: engine.pay_invoice(
                budget=owner, provider=payee, commitment=held, amount=amount
            ),
        )
