"""Who may see a budget: its holder, a champion with their consent, commissioners and auditors.

Anyone else gets 404. A view by someone other than the holder goes into the audit log.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404

from opus.budgets.models import Budget, Commitment, Transaction
from opus.choice.acting import active_consent, may_act_for
from opus.choice.models import ConsentScope
from opus.core.audit import audit_record
from opus.core.models import Role, User
from opus.core.roles import has_role

OVERSIGHT = (Role.COMMISSIONER, Role.AUDITOR, Role.ADMIN)
# Who may write on anyone's budget (the auditor reads everything and writes nothing).
FINANCE = (Role.COMMISSIONER, Role.ADMIN)


def may_see_budget(user: Any, budget: Budget) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.pk == budget.person_id:
        return True
    if has_role(user, *OVERSIGHT):
        return True
    return has_role(user, Role.CHAMPION) and (
        active_consent(user, budget.person_id, ConsentScope.FIND) is not None
    )


def may_write_plan(user: Any, budget: Budget) -> bool:
    """The holder, a champion with consent to act (not view-only), commissioners, admins."""
    if not getattr(user, "is_authenticated", False):
        return False
    return has_role(user, *FINANCE) or may_act_for(user, budget.person_id, ConsentScope.CHOOSE)


def require_plan_writer(user: Any, budget: Budget) -> None:
    if not may_write_plan(user, budget):
        raise PermissionDenied("You may not write this person's support plan")


def get_budget_for_user(user: User, budget_id: Any, what: str = "budget") -> Budget:
    budget = (
        Budget.objects.select_related("person", "ras", "assessment", "area")
        .filter(pk=budget_id)
        .first()
    )
    if budget is None or not may_see_budget(user, budget):
        raise Http404("No such budget")
    if user.pk != budget.person_id:
        with transaction.atomic():
            audit_record(actor=user, action="budget.view", target=budget, summary={"what": what})
    return budget


def provider_commitments(user: User) -> Any:
    """Commitments to organisations the user works for as provider staff."""
    return Commitment.objects.filter(
        provider__memberships__user=user, provider__memberships__role=Role.PROVIDER
    ).distinct()


def get_commitment_for_provider(user: User, commitment_id: Any) -> Commitment:
    found = (
        provider_commitments(user)
        .select_related("budget__person", "booking__service", "provider")
        .filter(pk=commitment_id)
        .first()
    )
    if found is None:
        raise Http404("No such commitment")
    return found


def get_commitment_for_user(user: User, commitment_id: Any) -> Commitment:
    found = (
        Commitment.objects.select_related("budget__person", "booking__service", "provider")
        .filter(pk=commitment_id)
        .first()
    )
    if found is None or not may_see_budget(user, found.budget):
        raise Http404("No such commitment")
    return found


def get_transaction_for_user(user: User, transaction_id: Any) -> Transaction:
    found = (
        Transaction.objects.select_related(
            "budget__person",
            "commitment__booking__service__organisation",
            "created_by",
            "reverses",
            "funder",
        )
        .filter(pk=transaction_id)
        .first()
    )
    if found is None or not may_see_budget(user, found.budget):
        raise Http404("No such transaction")
    return found
