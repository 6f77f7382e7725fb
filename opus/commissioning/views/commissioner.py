"""Commissioner pages: plans and decisions, opportunities, opening, evaluation, award, contract."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opus.commissioning import access, services
from opus.commissioning.errors import CommissioningError
from opus.commissioning.forms import (
    AnswerForm,
    ContractForm,
    DecisionForm,
    OpportunityForm,
    PlanForm,
    ReverseForm,
    ValueTableForm,
    add_service_error,
)
from opus.commissioning.models import (
    Award,
    AwardStatus,
    Clarification,
    CommissioningPlan,
    Contract,
    Lot,
    Opportunity,
    OpportunityStatus,
    ValueTable,
)
from opus.core.check_answers import check_answers_page, confirmed, row
from opus.core.models import Role
from opus.core.roles import has_role, role_required
from opus.engines.money import pounds

STAFF = (Role.COMMISSIONER, Role.ADMIN)


def _buyer(request: HttpRequest) -> Any:
    buyer = access.commissioner_organisations(request.user).first()
    if buyer is None:
        raise Http404("You commission for no organisation")
    return buyer


@role_required(*STAFF)
@require_GET
def commissioner_home(request: HttpRequest) -> HttpResponse:
    opportunities = Opportunity.objects.select_related("buyer").order_by("-created_at")[:50]
    context = {
        "page_title": "Commissioning",
        "plans": CommissioningPlan.objects.order_by("-created_at")[:20],
        "opportunities": opportunities,
        "questions": Clarification.objects.filter(answered_at__isnull=True)
        .select_related("opportunity")[:20],
        "awards": Award.objects.filter(status=AwardStatus.PENDING)
        .select_related("lot__opportunity")[:20],
        "tables": ValueTable.objects.all()[:10],
    }  # fmt: skip
    return render(request, "commissioning/commissioner_home.html", context)


def _form_page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    status = 400 if context["form"].errors else 200
    return render(request, f"commissioning/{template}", context, status=status)


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def plan_new(request: HttpRequest) -> HttpResponse:
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(commissioner=_buyer(request), by=request.user,
                                        **form.cleaned_data)  # fmt: skip
        except CommissioningError as exc:
            add_service_error(form, exc)
        else:
            return redirect(plan)
    return _form_page(
        request, "plan_new.html", {"page_title": "New commissioning plan", "form": form}
    )


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def decision_new(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access.get_plan_for_user(request.user, pk)
    initial = {}
    if priority_id := request.GET.get("priority"):
        initial["priority"] = priority_id
    form = DecisionForm(request.POST or None, plan=plan, initial=initial)
    proposal = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        character = {k: data[k] for k in services.plans.CHARACTER}
        proposal = services.proposal_for(character)
        try:
            services.decision_record(
                plan=plan, need=data["need"], level=data["level"], character=character,
                reasons={p: data[f"reason_{p}"] for p in services.plans.PRINCIPLES},
                larger_level_reason=data["larger_level_reason"],
                budget_pence=data["budget"] or 0, priority=data["priority"],
                tender_by=data["tender_by"], service_start=data["service_start"],
                service_end=data["service_end"], ras_version=data["ras_version"],
                by=request.user,
            )  # fmt: skip
        except CommissioningError as exc:
            add_service_error(form, exc, {"reasons": "reason_choice", "budget_pence": "budget"})
        else:
            messages.success(request, "Decision recorded")
            return redirect(plan)
    context = {"page_title": f"Decide a level — {plan.title}", "plan": plan, "form": form,
               "proposal": proposal}  # fmt: skip
    return _form_page(request, "decision_new.html", context)


@role_required(*STAFF)
@require_POST
def plan_publish(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access.get_plan_for_user(request.user, pk)
    if not confirmed(request) and not plan.is_published:
        return _check_plan(request, plan)
    try:
        services.plan_publish(plan=plan, by=request.user)
    except CommissioningError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "The plan is published")
    return redirect(plan)


def _check_plan(request: HttpRequest, plan: CommissioningPlan) -> HttpResponse:
    decisions = list(plan.decisions.all())
    here = plan.get_absolute_url()
    rows = [
        row(_("Plan"), plan.title),
        row(_("Area"), plan.area.name),
        row(_("Period"), plan.period),
        row(_("Service-level decisions"), "\n".join(str(d) for d in decisions) or _("None yet"),
            reverse("commissioning:decision_new", args=[plan.pk]), _("the decisions")),
        row(_("Summary"), plan.summary or _("None"), here, _("the summary")),
    ]  # fmt: skip
    return check_answers_page(
        request,
        caption=plan.title,
        heading=_("Check the plan before you publish it"),
        rows=rows,
        warning=_(
            "Once published, the plan and its decisions are public and cannot be unpublished."
        ),
        action=reverse("commissioning:plan_publish", args=[plan.pk]),
        button=_("Confirm and publish the plan"),
        back_url=here,
    )


def _check_opportunity(request: HttpRequest, opportunity: Opportunity) -> HttpResponse:
    here = opportunity.get_absolute_url()
    lots = "\n".join(
        f"{lot.number}. {lot.title}: {pounds(lot.value_pence)}" for lot in opportunity.lots.all()
    )
    rows = [
        row(_("Opportunity"), opportunity.title, here, _("the opportunity")),
        row(_("Procedure"), opportunity.get_procedure_display()),
        row(_("Estimated value"), pounds(opportunity.value_pence)),
        row(_("Lots"), lots, here, _("the lots")),
        row(_("Questions may be asked until"),
            date_format(localtime(opportunity.clarification_deadline), "j F Y, H:i")),
        row(_("Bids close"), date_format(localtime(opportunity.submission_deadline), "j F Y, H:i")),
        row(_("Contract"), f"{date_format(opportunity.contract_start, 'j F Y')} – "
                           f"{date_format(opportunity.contract_end, 'j F Y')}"),
        row(_("Weights"), _("price %(p)s, quality %(q)s, social value %(s)s (out of 100)") % {
            "p": opportunity.price_weight, "q": opportunity.quality_weight,
            "s": opportunity.social_value_weight}),
    ]  # fmt: skip
    return check_answers_page(
        request,
        caption=opportunity.title,
        heading=_("Check the opportunity before you publish it"),
        rows=rows,
        warning=_(
            "Once published, providers can bid and those with matching saved searches are told. "
            "The criteria and weights cannot be changed afterwards."
        ),
        action=reverse("commissioning:opportunity_publish", args=[opportunity.pk]),
        button=_("Confirm and publish the opportunity"),
        back_url=here,
    )


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def opportunity_new(request: HttpRequest) -> HttpResponse:
    initial = {"decisions": [request.GET["decision"]]} if request.GET.get("decision") else {}
    form = OpportunityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            opportunity = services.opportunity_create(buyer=_buyer(request), by=request.user,
                                                      **form.service_fields())  # fmt: skip
        except CommissioningError as exc:
            add_service_error(form, exc, {"lots": "lot_1_title", "value_pence": "lot_1_value",
                                          "questions": "question_1_text"})  # fmt: skip
        else:
            messages.success(request, "Draft saved: check it, then publish it")
            return redirect(opportunity)
    return _form_page(request, "opportunity_new.html",
                      {"page_title": "New opportunity", "form": form})  # fmt: skip


@role_required(*STAFF)
@require_POST
def opportunity_publish(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = access.get_opportunity_for_editing(request.user, pk)
    if not confirmed(request) and opportunity.status == OpportunityStatus.DRAFT:
        return _check_opportunity(request, opportunity)
    try:
        services.opportunity_publish(opportunity=opportunity, by=request.user)
    except CommissioningError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Published: providers with matching searches are told")
    return redirect(opportunity)


@role_required(*STAFF)
@require_POST
def clarification_answer(request: HttpRequest, pk: int) -> HttpResponse:
    clarification = get_object_or_404(Clarification, pk=pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        services.clarification_answer(clarification=clarification, by=request.user,
                                      answer=form.cleaned_data["answer"])  # fmt: skip
        messages.success(request, "Answer published to every bidder")
    else:
        messages.error(request, "Enter the answer")
    return redirect(clarification.opportunity)


@role_required(*STAFF)
@require_POST
def bids_open(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = access.get_opportunity_for_editing(request.user, pk)
    try:
        results = services.bids_open(opportunity=opportunity, by=request.user)
    except CommissioningError as exc:
        messages.error(request, exc.message)
        return redirect(opportunity)
    failed = sum(1 for r in results.values() if r != "verified")
    messages.success(
        request,
        _("%(opened)s bids opened; %(failed)s set aside (the reasons are shown below)")
        % {"opened": len(results) - failed, "failed": failed},
    )
    return redirect("commissioning:evaluation", opportunity.pk)


@role_required(*STAFF)
@require_POST
def award_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    award = get_object_or_404(Award, pk=pk)
    form = ReverseForm(request.POST)
    try:
        services.award_reverse(award=award, reason=request.POST.get("reason", ""), by=request.user)
    except CommissioningError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "The award is reversed; the lot is open for a new decision")
    del form
    return redirect("commissioning:evaluation", award.lot.opportunity_id)


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def contract_sign(request: HttpRequest, pk: int) -> HttpResponse:
    award = get_object_or_404(Award.objects.select_related("lot__opportunity"), pk=pk)
    form = ContractForm(request.POST or None, buyer=award.lot.opportunity.buyer)
    if request.method == "POST" and form.is_valid():
        try:
            contract = services.contract_sign(award=award, kpis=form.kpis(), by=request.user)
        except CommissioningError as exc:
            add_service_error(form, exc, {"kpis": "kpi_1_name"})
        else:
            messages.success(request, "Contract signed")
            return redirect(contract)
    context = {"page_title": "Sign the contract", "award": award, "form": form}
    return _form_page(request, "contract_sign.html", context)


@role_required(*STAFF)
@require_POST
def contract_service(request: HttpRequest, pk: int) -> HttpResponse:
    """Link a contract to the winning provider's directory service (or a new draft of one)."""
    from opus.commissioning.forms import NEW_SERVICE, ContractServiceForm
    from opus.commissioning.views.public import supplier_services

    contract = get_object_or_404(Contract, pk=pk)
    choices = supplier_services(contract)
    form = ContractServiceForm(request.POST, services=choices)
    if form.is_valid():
        chosen = form.cleaned_data["service"]
        service = next((s for s in choices if str(s.pk) == chosen), None)
        try:
            services.contracts.contract_link_service(
                contract=contract, service=service, create=chosen == NEW_SERVICE, by=request.user
            )
        except CommissioningError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The contract is linked to the directory service"))
            return redirect(contract)
    from opus.commissioning.views.public import contract_page

    return contract_page(request, contract, service_form=form)


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def value_tables(request: HttpRequest) -> HttpResponse:
    post = request.method == "POST"
    form = ValueTableForm(request.POST if post else None, request.FILES if post else None)
    if post and form.is_valid():
        data = form.cleaned_data
        try:
            services.value_table_load(
                owner=_buyer(request), name=data["name"], source=data["source"],
                licence=data["licence"], price_year=data["price_year"],
                content=data["file"].read(), by=request.user,
            )  # fmt: skip
        except CommissioningError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Value table loaded")
            return redirect("commissioning:value_tables")
    context = {"page_title": "Social value tables", "form": form, "multipart": True,
               "tables": ValueTable.objects.prefetch_related("measures")}  # fmt: skip
    return _form_page(request, "value_tables.html", context)


@role_required(Role.AUDITOR, *STAFF)
@require_GET
def oversight(request: HttpRequest) -> HttpResponse:
    from opus.commissioning.models import Bid, KpiReturn

    context = {
        "page_title": "Openings, reversals and missed returns",
        "opened": Opportunity.objects.filter(opened_at__isnull=False).order_by("-opened_at")[:50],
        "failed": Bid.objects.exclude(opening_result__in=["", "verified"])
        .select_related("opportunity", "bidder")[:50],
        "reversed_awards": Award.objects.filter(status=AwardStatus.CANCELLED)
        .select_related("lot__opportunity")[:50],
        "contracts": Contract.objects.count(),
        "may_read_audit": has_role(request.user, Role.AUDITOR, Role.ADMIN),
        "missed": [r for r in KpiReturn.objects.filter(submitted_at__isnull=True)
                   .select_related("kpi__contract")[:500] if r.status() == "missed"][:50],
    }  # fmt: skip
    return render(request, "commissioning/oversight.html", context)


def lot_for(opportunity: Opportunity, pk: int) -> Lot:
    return get_object_or_404(Lot, pk=pk, opportunity=opportunity)


__all__ = ["OpportunityStatus"]
