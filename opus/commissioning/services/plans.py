"""Service-level decisions and commissioning plans."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from opus.commissioning import access
from opus.commissioning.errors import CommissioningError
from opus.commissioning.models import (
    CommissioningPlan,
    PlanStatus,
    ServiceDecision,
    ServiceLevel,
)
from opus.commissioning.services.common import clock, whole_pence
from opus.core.audit import audit_record
from opus.core.models import Area, Organisation, User
from opus.engines import procurement

CHARACTER = ("personal", "divisible", "local", "specialist", "economies_of_scale")
PRINCIPLES = ("choice", "decentralisation", "diversity", "fairness", "accountability")


@transaction.atomic
def plan_create(
    *,
    title: str,
    commissioner: Organisation,
    area: Area,
    period: str,
    assessment: Any = None,
    summary: str = "",
    by: User | None,
) -> CommissioningPlan:
    access.require_staff(by)
    if not title.strip():
        raise CommissioningError("Enter a title for the plan", "title")
    if assessment is not None and not assessment.is_published:
        raise CommissioningError("Plans are made from a published needs assessment", "assessment")
    plan = CommissioningPlan.objects.create(
        title=title.strip(), commissioner=commissioner, area=area, period=period,
        assessment=assessment, summary=summary, created_by=by,
    )  # fmt: skip
    audit_record(
        actor=by,
        action="plan.create",
        target=plan,
        summary={
            "area": area.code,
            "period": period,
            "assessment": getattr(assessment, "pk", None),
        },
    )
    return plan


def proposal_for(character: dict[str, bool]) -> procurement.LevelProposal:
    return procurement.propose_level(
        procurement.NeedCharacter(**{k: bool(character.get(k)) for k in CHARACTER})
    )


@transaction.atomic
def decision_record(
    *,
    plan: CommissioningPlan,
    need: str,
    level: str,
    character: dict[str, bool],
    reasons: dict[str, str],
    larger_level_reason: str = "",
    budget_pence: int = 0,
    priority: Any = None,
    tender_by: date | None = None,
    service_start: date | None = None,
    service_end: date | None = None,
    ras_version: Any = None,
    by: User | None,
) -> ServiceDecision:
    """Record a need's level; a level larger than the decision aid proposes needs a reason."""
    access.require_staff(by)
    need = (need or (priority.label if priority is not None else "")).strip()
    if not need:
        raise CommissioningError("Say which need this decision is for", "need")
    if level not in ServiceLevel.values:
        raise CommissioningError("Choose a level", "level")
    if budget_pence < 0:
        raise CommissioningError("A budget cannot be negative", "budget_pence")
    if budget_pence:
        budget_pence = whole_pence(budget_pence, "budget_pence", _("The budget"))
    if service_start and service_end and service_end < service_start:
        raise CommissioningError("The service cannot end before it starts", "service_end")
    if priority is not None and plan.assessment_id != priority.assessment_id:
        raise CommissioningError("That priority is from another assessment", "priority")
    if ras_version is not None and level != ServiceLevel.INDIVIDUAL:
        raise CommissioningError(
            _("Only an individual-level decision is delivered through the RAS"), "ras_version"
        )
    proposal = proposal_for(character)
    if procurement.is_larger_level(level, proposal.level) and not larger_level_reason.strip():
        raise CommissioningError(
            f"The decision aid proposes {ServiceLevel(proposal.level).label.lower()}: say why "
            "a larger level is needed",
            "larger_level_reason",
        )
    if not any((reasons.get(p) or "").strip() for p in PRINCIPLES):
        raise CommissioningError("Give the reasons against at least one principle", "reasons")
    decision = ServiceDecision.objects.create(
        plan=plan, priority=priority, need=need[:300], proposed_level=proposal.level,
        level=level, larger_level_reason=larger_level_reason.strip(),
        budget_pence=budget_pence, tender_by=tender_by, service_start=service_start,
        service_end=service_end, decided_by=by, ras_version=ras_version,
        **{k: bool(character.get(k)) for k in CHARACTER},
        **{f"reason_{p}": (reasons.get(p) or "").strip() for p in PRINCIPLES},
    )  # fmt: skip
    audit_record(
        actor=by,
        action="decision.record",
        target=decision,
        summary={"plan": plan.pk, "need": need, "level": level, "proposed": proposal.level,
                 "budget_pence": budget_pence,
                 "ras_version": getattr(ras_version, "number", None)},
    )  # fmt: skip
    return decision


@transaction.atomic
def plan_publish(*, plan: CommissioningPlan, by: User | None, now: Any = None) -> CommissioningPlan:
    access.require_staff(by)
    plan = CommissioningPlan.objects.select_for_update().get(pk=plan.pk)
    if not plan.decisions.exists():
        raise CommissioningError("Record at least one decision before publishing", "plan")
    plan.status = PlanStatus.PUBLISHED
    plan.published_at = clock(now)
    plan.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(
        actor=by,
        action="plan.publish",
        target=plan,
        summary={"decisions": plan.decisions.count()},
    )
    return plan


# Reads for the pages: the loop from an individual-level decision to the budgets it funds.


def plan_period(period: str) -> tuple[date, date] | None:
    """A plan's period as dates: '2027/28' is the financial year, '2027' the calendar year."""
    text = period.strip()
    if len(text) >= 4 and text[:4].isdigit():
        year = int(text[:4])
        if "/" in text:
            return date(year, 4, 1), date(year + 1, 3, 31)
        return date(year, 1, 1), date(year, 12, 31)
    return None


def decision_budgets(decision: ServiceDecision) -> dict[str, Any] | None:
    """Budgets opened under the decision's RAS in its plan's period: how many people, and the
    total allocated against the decision's amount."""
    from django.db.models import Count, Sum

    from opus.budgets.models import Budget

    if decision.ras_version_id is None:
        return None
    budgets = Budget.objects.filter(ras_id=decision.ras_version_id)
    period = plan_period(decision.plan.period)
    if period is not None:
        budgets = budgets.filter(period_start__lte=period[1], period_end__gte=period[0])
    found = budgets.aggregate(
        people=Count("person", distinct=True), allocated=Sum("allocated_pence")
    )
    allocated = found["allocated"] or 0
    return {
        "people": found["people"],
        "allocated_pence": allocated,
        "budget_pence": decision.budget_pence,
        "left_pence": decision.budget_pence - allocated,
    }


def decisions_for_budget(budget: Any) -> list[ServiceDecision]:
    """The individual-level plan decisions that fund a budget: delivered through its RAS, in a
    plan whose period the budget overlaps."""
    if budget.ras_id is None:
        return []
    decisions = ServiceDecision.objects.filter(ras_version_id=budget.ras_id).select_related("plan")
    found = []
    for decision in decisions:
        period = plan_period(decision.plan.period)
        if period is None or (budget.period_start <= period[1] and budget.period_end >= period[0]):
            found.append(decision)
    return found
