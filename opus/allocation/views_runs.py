"""Allocation pages: commissioners define formulas, run and publish them; everyone reads a
published run (its results, each area's waterfall, CSV and JSON)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opus.allocation import runs as services
from opus.allocation.forms_runs import FormulaForm, RunForm
from opus.allocation.models import AllocationFormula, AllocationResult, AllocationRun, RunStatus
from opus.allocation.runs_inputs import AllocationError
from opus.allocation.runs_present import result_rows, run_json, waterfall
from opus.commissioning.access import commissioner_organisations
from opus.commissioning.models import ServiceDecision
from opus.commissioning.models.plans import PlanStatus, ServiceLevel
from opus.core.check_answers import check_answers_page, confirmed, row
from opus.core.csvsafe import download, writer
from opus.core.models import Role
from opus.core.refusals import attempt
from opus.core.roles import role_required
from opus.engines.money import pounds

STAFF = (Role.COMMISSIONER, Role.ADMIN)


def run_for_user(user: Any, pk: int) -> AllocationRun:
    """A published run for anyone; a draft only for commissioners (404 for everyone else)."""
    run = get_object_or_404(AllocationRun.objects.select_related("formula"), pk=pk)
    if not run.is_published and not services.may_allocate(user):
        raise Http404("No such allocation")
    return run


@require_GET
def run_list(request: HttpRequest) -> HttpResponse:
    staff = services.may_allocate(request.user)
    runs = AllocationRun.objects.select_related("formula")
    if not staff:
        runs = runs.filter(status=RunStatus.PUBLISHED)
    formulas = AllocationFormula.objects.order_by("family", "-version") if staff else []
    latest = {}
    for formula in formulas:
        latest.setdefault(formula.family, formula)
    return render(
        request,
        "allocation/runs/list.html",
        {"runs": runs[:100], "formulas": list(latest.values()), "staff": staff},
    )


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def formula_new(request: HttpRequest) -> HttpResponse:
    return _formula_form(request, None)


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def formula_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _formula_form(request, get_object_or_404(AllocationFormula, pk=pk))


def _formula_form(request: HttpRequest, previous: AllocationFormula | None) -> HttpResponse:
    initial = FormulaForm.initial_from(previous) if previous else {"transition": "pace"}
    form = FormulaForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        owner = previous.owner if previous else commissioner_organisations(request.user).first()
        if owner is None:
            raise Http404("You commission for no organisation")
        saved = attempt(
            form,
            lambda: services.formula_save(
                by=request.user, owner=owner, previous=previous, **form.terms()
            ),
            AllocationError,
        )
        if saved is not None:
            messages.success(request, _("Saved as version %d") % saved.version)
            return redirect("allocation:formula_detail", saved.pk)
    title = _("Change the formula (saved as a new version)") if previous else _("Define a formula")
    return render(
        request, "allocation/runs/form.html", {"form": form, "page_title": title, "back": previous}
    )


@role_required(*STAFF)
@require_GET
def formula_detail(request: HttpRequest, pk: int) -> HttpResponse:
    formula = get_object_or_404(
        AllocationFormula.objects.select_related("scope", "assessment"), pk=pk
    )
    versions = AllocationFormula.objects.filter(family=formula.family).order_by("-version")
    runs = AllocationRun.objects.filter(formula__family=formula.family).select_related("formula")
    return render(
        request,
        "allocation/runs/formula.html",
        {"formula": formula, "versions": versions, "runs": runs},
    )


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def run_new(request: HttpRequest, pk: int) -> HttpResponse:
    formula = get_object_or_404(AllocationFormula, pk=pk)
    decisions = ServiceDecision.objects.filter(
        plan__status=PlanStatus.PUBLISHED, level=ServiceLevel.NEIGHBOURHOOD
    ).select_related("plan")
    form = RunForm(request.POST or None, decisions=decisions, initial={"level": "neighbourhood"})
    if request.method == "POST" and form.is_valid():
        run = attempt(form, lambda: _run(request, formula, form.cleaned_data), AllocationError)
        if run is not None:
            messages.success(request, _("The allocation was run. Check it, then publish it."))
            return redirect("allocation:run_detail", run.pk)
    return render(
        request,
        "allocation/runs/form.html",
        {
            "form": form,
            "page_title": _("Run the formula"),
            "caption": str(formula),
            "back": formula,
        },
    )


def _run(request: HttpRequest, formula: AllocationFormula, data: dict[str, Any]) -> AllocationRun:
    baseline: dict[str, int] = {}
    if data["baseline_source"] == "typed":
        baseline = data["baseline"]
    elif data["baseline_source"] == "last":
        last = services.last_published(formula, data["level"])
        if last is None:
            raise AllocationError(
                _("This formula has no published run at this level: type the baseline or "
                  "choose none"),
                "baseline_source",
            )  # fmt: skip
        baseline = dict(last.results.values_list("area__code", "allocation_pence"))
    return services.run_create(
        formula=formula,
        title=data["title"],
        period=data["period"],
        level=data["level"],
        total_pence=int(data["total_pounds"] * 100),
        baseline=baseline,
        decision=data["decision"],
        by=request.user,
    )


@require_GET
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = run_for_user(request.user, pk)
    results = list(run.results.select_related("area"))
    context = {
        "run": run,
        "rows": result_rows(results),
        "staff": services.may_allocate(request.user),
        "has_baseline": bool(run.baseline),
    }
    return render(request, "allocation/runs/detail.html", context)


@require_GET
def run_area(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    run = run_for_user(request.user, pk)
    result = get_object_or_404(
        AllocationResult.objects.select_related("area"), run=run, area__code=code[:9]
    )
    chart, steps = waterfall(result)
    return render(
        request,
        "allocation/runs/area.html",
        {"run": run, "result": result, "chart": chart, "steps": steps},
    )


@require_GET
def run_csv(request: HttpRequest, pk: int) -> HttpResponse:
    run = run_for_user(request.user, pk)
    response = download(f"allocation-{run.pk}.csv")
    out = writer(response)
    data = run_json(run)
    out.writerow(list(data["results"][0]) if data["results"] else ["area_code"])
    out.writerows(list(line.values()) for line in data["results"])
    return response


@require_GET
def run_json_download(request: HttpRequest, pk: int) -> HttpResponse:
    run = run_for_user(request.user, pk)
    response = JsonResponse(run_json(run), json_dumps_params={"indent": 1})
    response["Content-Disposition"] = f'attachment; filename="allocation-{run.pk}.json"'
    return response


@role_required(*STAFF)
@require_POST
def run_publish(request: HttpRequest, pk: int) -> HttpResponse:
    run = run_for_user(request.user, pk)
    here = reverse("allocation:run_detail", args=[run.pk])
    if run.is_published:
        messages.info(request, _("This allocation is already published"))
        return redirect(here)
    if not confirmed(request):
        return _check_publish(request, run, here)
    try:
        services.run_publish(run=run, by=request.user)
    except AllocationError as error:
        messages.error(request, str(error))
        return redirect(here)
    messages.success(request, _("Published. It is now open data."))
    return redirect(here)


def _check_publish(request: HttpRequest, run: AllocationRun, here: str) -> HttpResponse:
    funds = run.level == "neighbourhood"
    rows = [
        row(_("Allocation"), run.title),
        row(_("Formula"), str(run.formula)),
        row(_("Period"), run.period),
        row(_("Shared between"), run.get_level_display()),
        row(_("Total"), pounds(run.total_pence)),
        row(_("Areas"), str(run.results.count())),
        row(_("Inputs fingerprint (SHA-256)"), run.input_hash),
    ]
    warning = _("Once published, the allocation is open data and cannot be unpublished.")
    if funds:
        warning += " " + _(
            "Each neighbourhood council's budget receives its allocation through the ledger, "
            "and its councillors are told."
        )
    return check_answers_page(
        request,
        caption=run.title,
        heading=_("Check the allocation before you publish it"),
        rows=rows,
        warning=warning,
        action=reverse("allocation:run_publish", args=[run.pk]),
        button=_("Confirm and publish the allocation"),
        back_url=here,
    )
