"""Small grants' pages: the published list (open data), rounds, applying, deciding (check
your answers before an award), declaring an interest, paying, the monitoring return."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from opus.budgets.models import Budget
from opus.core.check_answers import check_answers_page, confirmed, row
from opus.core.models import Area, Membership, Organisation, OrganisationKind
from opus.core.refusals import attempt
from opus.engines.ledger import LedgerError
from opus.engines.money import pounds
from opus.neighbourhoods import grants as services
from opus.neighbourhoods import money
from opus.neighbourhoods.forms_grants import (
    ApplicationForm,
    DecisionForm,
    DeclarationForm,
    MonitoringForm,
    PaymentForm,
    RoundForm,
)
from opus.neighbourhoods.models.grants import GrantApplication, GrantRound, GrantStatus
from opus.neighbourhoods.threesixty import published_grants


def _attempt(form: Any, action: Any) -> Any:
    """Run a service; its refusal goes into the form's error summary, nothing changed."""
    return attempt(form, action, services.GrantError, LedgerError)


def _page(request: HttpRequest, form: Any, title: str, caption: str, back: str) -> HttpResponse:
    return render(
        request,
        "neighbourhoods/grants/form.html",
        {"form": form, "page_title": title, "caption": caption, "back_url": back},
    )


def _pence(value: Any) -> int:
    return int(value * 100)


def _application(request: HttpRequest, pk: int) -> GrantApplication:
    application = (
        GrantApplication.objects.select_related("round__council", "round__budget", "group", "place")
        .filter(pk=pk)
        .first()
    )
    if application is None or not services.may_see_application(request.user, application):  # type: ignore[arg-type]
        raise Http404("Page not found")
    return application


@require_GET
def grant_list(request: HttpRequest) -> HttpResponse:
    """Every awarded grant (as published in 360Giving) and the rounds open now."""
    today = timezone.localdate()
    rounds = GrantRound.objects.select_related("council").filter(
        opens_on__lte=today, closes_on__gte=today
    )
    return render(
        request,
        "neighbourhoods/grants/list.html",
        {"grants": published_grants()[:500], "rounds": rounds},
    )


@require_GET
def grant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One application, for the group, the council's councillors and officers; 404 otherwise."""
    application = _application(request, pk)
    user = request.user
    officer = services.is_council_officer(user, application.round.council_id)  # type: ignore[arg-type]
    member = services.is_group_member(user, application.group_id)  # type: ignore[arg-type]
    return render(
        request,
        "neighbourhoods/grants/detail.html",
        {
            "application": application,
            "monitoring": getattr(application, "monitoring", None),
            "may_decide": officer and application.status == GrantStatus.SUBMITTED,
            "may_declare": money.is_councillor_of(user, application.round.council_id)  # type: ignore[arg-type]
            and application.status == GrantStatus.SUBMITTED,
            "may_pay": officer and application.status == GrantStatus.AWARDED,
            "may_monitor": member
            and application.status == GrantStatus.PAID
            and not hasattr(application, "monitoring"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_new(request: HttpRequest, council: str) -> HttpResponse:
    """A councillor opens a round of small grants from one of the council's budgets."""
    org = get_object_or_404(Organisation, slug=council, kind=OrganisationKind.NEIGHBOURHOOD_COUNCIL)
    if not services.is_council_officer(request.user, org.pk):  # type: ignore[arg-type]
        raise Http404("Page not found")
    budgets = Budget.objects.filter(organisation=org).order_by("-period_start")
    form = RoundForm(request.POST if request.method == "POST" else None, budgets=budgets)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = _attempt(
            form,
            lambda: services.grant_round_open(
                council=org,
                budget=budgets.get(pk=data["budget"]),
                title=data["title"],
                description=data["description"],
                ceiling_pence=_pence(data["ceiling"]),
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                by=request.user,  # type: ignore[arg-type]
            ),
        )
        if done is not None:
            messages.success(request, _("The grant round is open"))
            return redirect("neighbourhoods:grant_list")
    return _page(request, form, _("Open a round of small grants"), org.name, "")


def _places(council: Organisation) -> list[Area]:
    if council.area is None:
        return []
    lsoas = list(council.area.lsoas.select_related("parent").order_by("name"))
    wards = {a.parent for a in lsoas if a.parent is not None and a.parent.kind == "ward"}
    return [council.area, *sorted(wards, key=lambda a: a.name), *lsoas]


@login_required
@require_http_methods(["GET", "POST"])
def round_apply(request: HttpRequest, pk: int) -> HttpResponse:
    """A member of a charity or community group applies for a grant in this round."""
    grant_round = get_object_or_404(GrantRound.objects.select_related("council__area"), pk=pk)
    groups = Organisation.objects.filter(
        pk__in=Membership.objects.filter(user_id=request.user.pk).values("organisation_id"),
        kind__in=services.APPLYING_KINDS,
    ).order_by("name")
    if not groups:
        raise Http404("Page not found")
    places = _places(grant_round.council)
    form = ApplicationForm(
        request.POST if request.method == "POST" else None, groups=groups, places=places
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = _attempt(
            form,
            lambda: services.grant_apply(
                grant_round=grant_round,
                group=groups.get(pk=data["group"]),
                title=data["title"],
                description=data["description"],
                amount_pence=_pence(data["amount"]),
                place=next(a for a in places if str(a.pk) == data["place"]),
                by=request.user,  # type: ignore[arg-type]
            ),
        )
        if done is not None:
            messages.success(request, _("Your application has been sent"))
            return redirect("neighbourhoods:grant_detail", pk=done.pk)
    caption = _("%(round)s: grants up to %(ceiling)s") % {
        "round": grant_round.title,
        "ceiling": pounds(grant_round.ceiling_pence),
    }
    return _page(request, form, _("Apply for a small grant"), caption, "")


@login_required
@require_http_methods(["GET", "POST"])
def grant_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """A councillor without an interest awards or declines; an award is checked first."""
    application = _application(request, pk)
    if not services.is_council_officer(request.user, application.round.council_id):  # type: ignore[arg-type]
        raise Http404("Page not found")
    form = DecisionForm(request.POST if request.method == "POST" else None)
    back = reverse("neighbourhoods:grant_detail", args=[application.pk])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        award = data["decision"] == "award"
        amount = _pence(data["amount"]) if data["amount"] else application.amount_pence
        if award and not confirmed(request):
            return check_answers_page(
                request,
                heading=_("Check the award before it is made"),
                caption=application.title,
                rows=[
                    row(_("Group"), application.group.name),
                    row(_("Project"), application.title),
                    row(_("Amount"), pounds(amount)),
                    row(_("Reason"), data["reason"]),
                ],
                action=request.path,
                button=_("Confirm and award the grant"),
                warning=_("The money is committed from the council's budget at once."),
                hidden=[(k, request.POST.get(k, "")) for k in ("decision", "amount", "reason")],
                back_url=back,
                change_by_post=True,
            )
        done = _attempt(
            form,
            lambda: services.grant_decide(
                application=application,
                award=award,
                amount_pence=amount,
                reason=data["reason"],
                by=request.user,  # type: ignore[arg-type]
            ),
        )
        if done is not None:
            messages.success(request, _("The decision has been recorded"))
            return redirect(back)
    return _page(request, form, _("Decide the application"), application.title, back)


def _simple(
    request: HttpRequest,
    pk: int,
    form_class: Any,
    allowed: Callable[[GrantApplication], bool],
    act: Callable[[GrantApplication, dict[str, Any]], Any],
    title: str,
    done_message: str,
) -> HttpResponse:
    application = _application(request, pk)
    if not allowed(application):
        raise Http404("Page not found")
    form = form_class(request.POST if request.method == "POST" else None)
    back = reverse("neighbourhoods:grant_detail", args=[application.pk])
    if request.method == "POST" and form.is_valid():
        if _attempt(form, lambda: act(application, form.cleaned_data)) is not None:
            messages.success(request, done_message)
            return redirect(back)
    return _page(request, form, title, application.title, back)


@login_required
@require_http_methods(["GET", "POST"])
def grant_declare(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    return _simple(
        request,
        pk,
        DeclarationForm,
        lambda a: money.is_councillor_of(user, a.round.council_id),  # type: ignore[arg-type]
        lambda a, d: services.grant_declare_interest(
            application=a,
            interest=d["interest"],
            by=user,  # type: ignore[arg-type]
        ),
        _("Declare an interest"),
        _("Your interest has been recorded: another councillor will decide"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def grant_pay(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    return _simple(
        request,
        pk,
        PaymentForm,
        lambda a: services.is_council_officer(user, a.round.council_id),  # type: ignore[arg-type]
        lambda a, d: services.grant_pay(application=a, reference=d["reference"], by=user),  # type: ignore[arg-type]
        _("Pay the grant"),
        _("The grant has been paid"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def grant_monitor(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    return _simple(
        request,
        pk,
        MonitoringForm,
        lambda a: services.is_group_member(user, a.group_id),  # type: ignore[arg-type]
        lambda a, d: services.grant_monitor(
            application=a,
            spent_pence=_pence(d["spent"]),
            people_reached=d["people_reached"],
            summary=d["summary"],
            by=user,  # type: ignore[arg-type]
        ),
        _("Send the monitoring return"),
        _("Thank you: your monitoring return has been sent"),
    )


@require_GET
def grant_deciles(request: HttpRequest) -> HttpResponse:
    """Grants per head by deprivation decile, for the whole area or one council's neighbourhood."""
    councils = Organisation.objects.filter(
        kind=OrganisationKind.NEIGHBOURHOOD_COUNCIL, area__isnull=False
    ).order_by("name")
    chosen = councils.filter(slug=request.GET.get("council", "")[:220]).first()
    rows = services.grants_by_decile(chosen.area if chosen else None)
    for line in rows:
        per_head = line["pence_per_head"]
        line["per_head"] = "" if per_head is None else f"£{float(per_head) / 100:,.2f}"
    return render(
        request,
        "neighbourhoods/grants/deciles.html",
        {"rows": rows, "councils": councils, "chosen": chosen},
    )
