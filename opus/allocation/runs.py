"""Every write about allocation runs: save a formula (a new version each time), run it, publish.

Only commissioners (and administrators) write. A run is computed in full before anything is
saved, so bad input or an unfundable floor leaves nothing behind. Publishing a run at
neighbourhood level funds each neighbourhood council's budget through the ledger (the same call
as any other neighbourhood money) and tells the council's clerks and councillors.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opus.allocation.models import (
    AllocationFormula,
    AllocationResult,
    AllocationRun,
    NeedSource,
    RunLevel,
    RunStatus,
)
from opus.allocation.runs_inputs import AllocationError, digest, engine_inputs, snapshot
from opus.budgets.models import Budget, BudgetSource
from opus.commissioning.models import ServiceDecision
from opus.commissioning.models.plans import ServiceLevel
from opus.core.audit import audit_record
from opus.core.models import Area, Organisation, OrganisationKind, Role, User
from opus.core.roles import has_role
from opus.engines import fair_shares as engine
from opus.engines.money import pounds
from opus.needs.models import Polarity
from opus.neighbourhoods import money
from opus.notifications.services import notify, site_link

WRITERS = (Role.COMMISSIONER, Role.ADMIN)
FORMULA_FIELDS = (
    "name", "scope", "age_weights", "need_source", "assessment", "indicator_weights",
    "inequalities", "h", "cost_index", "resources", "transition", "min_growth", "max_loss",
)  # fmt: skip


def may_allocate(user: Any) -> bool:
    return has_role(user, *WRITERS)


def _require(user: User) -> None:
    if not may_allocate(user):
        raise PermissionDenied(_("Only commissioners can define, run or publish allocations"))


@transaction.atomic
def formula_save(
    *, by: User, owner: Organisation, previous: AllocationFormula | None = None, **terms: Any
) -> AllocationFormula:
    """Save a formula's terms as a new version (of `previous`'s family, or a new family)."""
    _require(by)
    _check_terms(terms)
    if previous is not None:
        family = previous.family
        version = (
            AllocationFormula.objects.filter(family=family).aggregate(v=Max("version"))["v"] + 1
        )
    else:
        family = (AllocationFormula.objects.aggregate(f=Max("family"))["f"] or 0) + 1
        version = 1
    formula = AllocationFormula.objects.create(
        family=family, version=version, owner=owner, created_by=by, **terms
    )
    audit_record(
        actor=by,
        action="allocation_formula.save",
        target=formula,
        summary={"family": family, "version": version, "name": formula.name},
    )
    return formula


def _check_terms(terms: dict[str, Any]) -> None:
    unknown = set(terms) - set(FORMULA_FIELDS)
    if unknown:
        raise TypeError(f"Unknown formula terms: {sorted(unknown)}")
    if terms.get("need_source") == NeedSource.ASSESSMENT:
        assessment = terms.get("assessment")
        if assessment is None or not assessment.is_published:
            raise AllocationError(_("Choose a published needs assessment"), "assessment")
        if not terms.get("indicator_weights"):
            raise AllocationError(_("Give at least one indicator a weight"), "indicator_weights")
        _check_indicators(assessment, terms["indicator_weights"])
    for name in ("cost_index", "resources"):
        bad = [c for c, v in terms.get(name, {}).items() if Decimal(v) <= 0]
        if bad:
            raise AllocationError(
                _("Indices must be more than zero: %s") % ", ".join(bad[:10]), name, tuple(bad)
            )


def _check_indicators(assessment: Any, weights: dict[str, str]) -> None:
    """Every weighted indicator is in the assessment, and measures need (higher is worse)."""
    known = dict(assessment.indicators.values_list("slug", "polarity"))
    unknown = sorted(set(weights) - set(known))
    if unknown:
        raise AllocationError(
            _("Not in this assessment: %s") % ", ".join(unknown[:10]), "indicator_weights"
        )
    good = sorted(s for s in weights if known[s] == Polarity.HIGH_IS_GOOD)
    if good:
        raise AllocationError(
            _("Higher is better for %s: choose indicators where a higher value means more need")
            % ", ".join(good[:10]),
            "indicator_weights",
        )


def last_published(formula: AllocationFormula, level: str) -> AllocationRun | None:
    """The newest published run of this formula's family at this level (next year's baseline)."""
    return (
        AllocationRun.objects.filter(
            formula__family=formula.family, level=level, status=RunStatus.PUBLISHED
        )
        .order_by("-published_at")
        .first()
    )


def run_create(
    *,
    formula: AllocationFormula,
    title: str,
    period: str,
    level: str,
    total_pence: int,
    baseline: dict[str, int],
    by: User,
    decision: ServiceDecision | None = None,
) -> AllocationRun:
    """Compute a run; store it with its inputs, hash and results (a draft until published)."""
    _require(by)
    data = snapshot(formula, level, total_pence, baseline)
    try:
        outcome = engine.allocate(engine_inputs(data))
    except engine.FairSharesError as error:
        raise AllocationError(str(error), _form_field(error.field), error.areas) from error
    return _store(formula, data, outcome, by, title=title, period=period, decision=decision)


def _form_field(engine_field: str) -> str:
    return {"min_growth": "total_pounds", "max_loss": "total_pounds", "total": "total_pounds"}.get(
        engine_field, "baseline"
    )


@transaction.atomic
def _store(
    formula: AllocationFormula,
    data: dict[str, Any],
    outcome: engine.Outcome,
    by: User,
    **fields: Any,
) -> AllocationRun:
    run = AllocationRun.objects.create(
        formula=formula,
        level=data["level"],
        total_pence=data["total"],
        baseline=data["baseline"],
        inputs=data,
        input_hash=digest(data),
        created_by=by,
        **fields,
    )
    ids = dict(Area.objects.filter(code__in=data["areas"]).values_list("code", "pk"))
    AllocationResult.objects.bulk_create(
        [
            AllocationResult(
                run=run,
                area_id=ids[a.code],
                population=a.population,
                baseline_pence=a.baseline,
                target_pence=a.target,
                allocation_pence=a.allocation,
                steps=list(a.steps),
            )
            for a in outcome.areas
        ],
        batch_size=2000,
    )
    audit_record(
        actor=by,
        action="allocation_run.create",
        target=run,
        summary={"formula": formula.pk, "level": run.level, "total": run.total_pence,
                 "hash": run.input_hash},
    )  # fmt: skip
    return run


@transaction.atomic
def run_publish(*, run: AllocationRun, by: User) -> AllocationRun:
    """Publish a run: open data from now on; at neighbourhood level it funds the councils."""
    _require(by)
    run = AllocationRun.objects.select_for_update().get(pk=run.pk)
    if run.is_published:
        raise AllocationError(_("This allocation is already published"), "run")
    run.status = RunStatus.PUBLISHED
    run.published_at = timezone.now()
    run.published_by = by
    run.save(update_fields=["status", "published_at", "published_by"])
    audit_record(
        actor=by, action="allocation_run.publish", target=run, summary={"hash": run.input_hash}
    )
    if run.level == RunLevel.NEIGHBOURHOOD:
        _fund_councils(run, by)
    return run


def _fund_councils(run: AllocationRun, by: User) -> None:
    councils = {
        c.area_id: c
        for c in Organisation.objects.filter(
            kind=OrganisationKind.NEIGHBOURHOOD_COUNCIL, area__isnull=False
        )
    }
    funder = run.formula.owner
    for result in run.results.select_related("area"):
        council = councils.get(result.area_id)
        if council is None or result.allocation_pence <= 0:
            continue
        budget = _budget_for(council, run, by)
        reference = _("Allocation %(id)s: %(title)s") % {"id": run.pk, "title": run.title}
        if _decision_may_fund(run.decision, budget):
            money.neighbourhood_budget_fund(
                budget=budget, decision=run.decision, amount=result.allocation_pence, by=by
            )
        else:
            money.neighbourhood_budget_fund(
                budget=budget,
                funder=funder,
                amount=result.allocation_pence,
                reference=reference[:200],
                by=by,
            )
        _tell_council(council, run, budget, result.allocation_pence)


def _decision_may_fund(decision: ServiceDecision | None, budget: Budget) -> bool:
    return (
        decision is not None
        and decision.level == ServiceLevel.NEIGHBOURHOOD
        and not BudgetSource.objects.filter(budget=budget, decision=decision).exists()
    )


def _budget_for(council: Organisation, run: AllocationRun, by: User) -> Budget:
    """The council's current budget (the newest), opened for the year if it has none."""
    budget = Budget.objects.filter(organisation=council).order_by("-period_start").first()
    if budget is not None:
        return budget
    today = timezone.localdate()
    start = today.replace(month=4, day=1, year=today.year if today.month >= 4 else today.year - 1)
    return money.neighbourhood_budget_create(
        council=council,
        title=f"{council.name} {run.period}"[:200],
        period_start=start,
        period_end=start.replace(year=start.year + 1, day=31, month=3),
        by=by,
    )


def _tell_council(council: Organisation, run: AllocationRun, budget: Budget, amount: int) -> None:
    people = User.objects.filter(
        memberships__organisation=council, memberships__role=Role.COUNCILLOR, is_active=True
    ).distinct()
    link = site_link(reverse("allocation:run_detail", args=[run.pk]))
    for person in people:
        notify(
            recipient=person,
            template="allocation_budget_changed",
            context={
                "name": person.full_name,
                "council": council.name,
                "run": run.title,
                "amount": pounds(amount),
                "budget": budget.title,
                "link": link,
            },
            event="allocation_run.publish",
            target=run,
        )
