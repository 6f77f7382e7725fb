"""Pages of participatory budgeting: the processes, voting, paper ballots, officers' steps,
results (only once published) and the Pabulib download."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opus.budgets.models import Budget
from opus.core.models import Organisation, OrganisationKind, User
from opus.core.refusals import attempt
from opus.engines.ledger import LedgerError
from opus.neighbourhoods import money, services
from opus.neighbourhoods import results as shown
from opus.neighbourhoods.forms import (
    BallotForm,
    DeliveryForm,
    ProcessForm,
    ProposalForm,
    ReviewForm,
    VoidForm,
)
from opus.neighbourhoods.models import (
    Ballot,
    Declaration,
    Phase,
    Process,
    Project,
    ProjectStatus,
)
from opus.neighbourhoods.pabulib_export import process_election


def _process(pk: int) -> Process:
    return get_object_or_404(Process.objects.select_related("council", "area"), pk=pk)


def _attempt(request: HttpRequest, form: Any, action: Any) -> Any:
    """Run a service; its refusal goes into the form's error summary, nothing changed."""
    return attempt(form, action, services.PBError, LedgerError)


@require_GET
def process_list(request: HttpRequest) -> HttpResponse:
    processes = Process.objects.select_related("council", "area").order_by("-created_at")
    return render(request, "neighbourhoods/pb/list.html", {"processes": processes})


@require_GET
def process_detail(request: HttpRequest, pk: int) -> HttpResponse:
    process = _process(pk)
    user = request.user
    results = shown.published_results(process)
    official = next((r for r in results if r.official), None)
    context = {
        "process": process,
        "projects": process.projects.exclude(status=ProjectStatus.PROPOSED)
        if process.phase != Phase.PROPOSALS
        else process.projects.all(),
        "officer": user.is_authenticated and services.is_officer(user, process.council_id),
        "voted": user.is_authenticated
        and Ballot.objects.filter(process=process, voter=user, voided_at__isnull=True).exists(),
        "results": [(r, shown.project_rows(process, r)) for r in results],
        "fairness": shown.fairness(process, results),
        "receipt": shown.receipt(process, user.pk, official)
        if official and user.is_authenticated
        else [],
    }
    return render(request, "neighbourhoods/pb/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def process_propose(request: HttpRequest, pk: int) -> HttpResponse:
    process = _process(pk)
    form = ProposalForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = _attempt(
            request,
            form,
            lambda: services.project_propose(
                process=process,
                title=data["title"],
                description=data["description"],
                place=data["place"],
                cost_pence=int(data["cost"] * 100),
                by=request.user,
            ),
        )
        if done is not None:
            messages.success(request, _("Thank you: your idea has been sent"))
            return redirect("neighbourhoods:pb_detail", pk=process.pk)
    return _form_page(request, process, form, _("Propose an idea"))


@login_required
@require_http_methods(["GET", "POST"])
def process_vote(request: HttpRequest, pk: int) -> HttpResponse:
    process = _process(pk)
    if process.phase != Phase.VOTING:
        raise Http404("Page not found")
    form = BallotForm(request.POST if request.method == "POST" else None, process=process)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = _attempt(
            request,
            form,
            lambda: services.ballot_cast(
                process=process,
                chosen=form.chosen(),
                postcode=data["postcode"],
                age=data["age"],
                by=request.user,
            ),
        )
        if done is not None:
            messages.success(request, _("Your vote has been counted in. Thank you for voting"))
            return redirect("neighbourhoods:pb_detail", pk=process.pk)
    return _form_page(request, process, form, _("Vote in %(title)s") % {"title": process.title})


@login_required
@require_http_methods(["GET", "POST"])
def process_paper(request: HttpRequest, pk: int) -> HttpResponse:
    process = _process(pk)
    if not services.is_officer(request.user, process.council_id):
        raise Http404("Page not found")
    data_in = request.POST if request.method == "POST" else None
    form = BallotForm(data_in, process=process, paper=True)
    if data_in is not None and form.is_valid():
        data = form.cleaned_data
        voter = User.objects.filter(email__iexact=data["voter_email"]).first()
        if voter is None:
            form.add_error("voter_email", _("No one is registered with that e-mail address"))
        else:
            done = _attempt(
                request,
                form,
                lambda: services.ballot_key_paper(
                    process=process,
                    voter=voter,
                    paper_number=data["paper_number"],
                    chosen=form.chosen(),
                    postcode=data["postcode"],
                    age=data["age"],
                    by=request.user,
                ),
            )
            if done is not None:
                messages.success(request, _("Paper ballot %(n)s keyed") % {"n": done.paper_number})
                return redirect("neighbourhoods:pb_paper", pk=process.pk)
    return _form_page(request, process, form, _("Key a paper ballot"))


STEPS = {
    "advance": services.process_advance,
    "close": services.process_close,
    "count": services.process_count,
    "publish": services.process_publish,
}


@login_required
@require_POST
def process_step(request: HttpRequest, pk: int) -> HttpResponse:
    process = _process(pk)
    if not services.is_officer(request.user, process.council_id):
        raise Http404("Page not found")
    step = STEPS.get(request.POST.get("step", ""))
    if step is None:
        messages.error(request, _("Choose what to do next"))
    else:
        try:
            step(process=process, by=request.user)
        except services.PBError as exc:
            messages.error(request, str(exc))
        except NotImplementedError:
            messages.error(request, _("Counting is not available yet"))
    return redirect("neighbourhoods:pb_detail", pk=process.pk)


@require_GET
def process_pabulib(request: HttpRequest, pk: int) -> HttpResponse:
    """The open-data ballot file, once the results are published (never before)."""
    process = _process(pk)
    if not process.published:
        raise Http404("Page not found")
    from opus.engines import pabulib

    response = HttpResponse(
        pabulib.write(process_election(process)), content_type="text/plain; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="opus-pb-{process.pk}.pb"'
    return response


def _form_page(request: HttpRequest, process: Process, form: Any, title: str) -> HttpResponse:
    return render(
        request,
        "neighbourhoods/pb/form.html",
        {"process": process, "form": form, "page_title": title},
    )


def _pence(amount: Decimal) -> int:
    return int(amount * 100)


def _council(slug: str) -> Organisation:
    return get_object_or_404(Organisation, slug=slug, kind=OrganisationKind.NEIGHBOURHOOD_COUNCIL)


@login_required
@require_http_methods(["GET", "POST"])
def process_new(request: HttpRequest, council: str) -> HttpResponse:
    found = _council(council)
    if not money.is_councillor_of(request.user, found.pk):
        raise Http404("Page not found")
    budgets = Budget.objects.filter(organisation=found).order_by("-period_start")
    form = ProcessForm(request.POST if request.method == "POST" else None, budgets=budgets)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = _attempt(
            request,
            form,
            lambda: services.process_create(
                council=found, budget=budgets.get(pk=d["budget"]), title=d["title"],
                description=d["description"], amount_pence=_pence(d["amount"]),
                ballot_type=d["ballot_type"], min_choices=d["min_choices"],
                max_choices=d["max_choices"], points=d["points"], min_age=d["min_age"],
                rule=d["rule"], by=request.user,
            ),
        )  # fmt: skip
        if done is not None:
            return redirect("neighbourhoods:pb_detail", pk=done.pk)
    return render(
        request,
        "neighbourhoods/pb/form.html",
        {"form": form, "page_title": _("Start a participatory budgeting process"),
         "caption": found.name},
    )  # fmt: skip


def _officer_process(request: HttpRequest, pk: int) -> Process:
    process = _process(pk)
    if not services.is_officer(request.user, process.council_id):
        raise Http404("Page not found")
    return process


@login_required
@require_http_methods(["GET", "POST"])
def project_review(request: HttpRequest, pk: int, project: int) -> HttpResponse:
    process = _officer_process(request, pk)
    idea = get_object_or_404(Project, pk=project, process=process)
    initial = {"cost": Decimal(idea.cost_pence) / 100, "decision": "feasible"}
    form = ReviewForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = _attempt(
            request,
            form,
            lambda: services.project_review(
                project=idea, feasible=d["decision"] == "feasible",
                cost_pence=_pence(d["cost"]), reason=d["reason"], by=request.user,
            ),
        )  # fmt: skip
        if done is not None:
            return redirect("neighbourhoods:pb_detail", pk=process.pk)
    return _form_page(request, process, form, _("Review: %(title)s") % {"title": idea.title})


@login_required
@require_http_methods(["GET", "POST"])
def ballot_void(request: HttpRequest, pk: int) -> HttpResponse:
    process = _officer_process(request, pk)
    form = VoidForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        live = Ballot.objects.filter(process=process, voided_at__isnull=True)
        if d["paper_number"]:
            ballot = live.filter(paper_number=d["paper_number"]).first()
        else:
            ballot = live.filter(voter__email__iexact=d["voter_email"] or "-").first()
        if ballot is None:
            form.add_error("paper_number", _("No ballot in this process matches"))
        else:
            done = _attempt(
                request,
                form,
                lambda: services.ballot_void(ballot=ballot, reason=d["reason"], by=request.user),
            )
            if done is not None:
                messages.success(request, _("The ballot is void"))
                return redirect("neighbourhoods:pb_detail", pk=process.pk)
    return _form_page(request, process, form, _("Void a ballot"))


@login_required
@require_http_methods(["GET", "POST"])
def project_delivery(request: HttpRequest, pk: int, project: int) -> HttpResponse:
    process = _officer_process(request, pk)
    funded = get_object_or_404(Project, pk=project, process=process)
    form = DeliveryForm(
        request.POST if request.method == "POST" else None, initial={"progress": funded.progress}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if d["payment"] and not d["reference"].strip():
            form.add_error("reference", _("Enter the invoice or payment reference"))
        else:
            done = _attempt(request, form, lambda: _deliver(funded, d, request.user))
            if done is not None:
                return redirect("neighbourhoods:pb_detail", pk=process.pk)
    return _form_page(request, process, form, _("Delivery: %(title)s") % {"title": funded.title})


def _deliver(project: Project, d: dict[str, Any], by: Any) -> Project:
    from django.db import transaction

    with transaction.atomic():
        if d["payment"]:
            services.project_pay(
                project=project, amount=_pence(d["payment"]), reference=d["reference"], by=by
            )
        return services.project_progress(
            project=project, progress=d["progress"], milestone=d["milestone"], by=by
        )


@require_GET
def council_money(request: HttpRequest, council: str) -> HttpResponse:
    """A council's budgets, public: where the money came from and what it went on."""
    found = _council(council)
    budgets = (
        Budget.objects.filter(organisation=found)
        .prefetch_related("sources__decision__plan", "commitments")
        .order_by("-period_start")
    )
    return render(request, "neighbourhoods/money.html", {"council": found, "budgets": budgets})


@require_GET
def council_meetings(request: HttpRequest, council: str) -> HttpResponse:
    """Published meetings (agenda, decisions, minutes) and declarations of interest."""
    found = _council(council)
    meetings = found.meetings.filter(published_at__isnull=False).prefetch_related("decisions")
    declarations = Declaration.objects.filter(council=found).select_related("councillor")
    return render(
        request,
        "neighbourhoods/meetings.html",
        {"council": found, "meetings": meetings, "declarations": declarations},
    )
