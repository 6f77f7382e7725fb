"""Casework pages: a resident asks their neighbourhood councillor for help; the council's
councillors and clerk start, refer, answer and close cases. Private: others get 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opus.choice.acting import acting_for
from opus.choice.models import ConsentScope
from opus.core.models import Organisation, OrganisationKind, Role
from opus.core.refusals import attempt
from opus.core.roles import has_role
from opus.neighbourhoods import casework as services
from opus.neighbourhoods.forms_casework import AnswerForm, CaseForm, ReferForm
from opus.neighbourhoods.models import Case, Clerk
from opus.neighbourhoods.models.casework import CaseStatus

MAX_LISTED = 500


def _attempt(form: Any, action: Any) -> Any:
    """Run a service; its refusal goes into the form's error summary, nothing changed."""
    return attempt(form, action, services.CaseError)


def _case(request: HttpRequest, pk: int) -> Case:
    case = services.get_case_for_user(request.user, pk)  # type: ignore[arg-type]
    if case is None:
        raise Http404("Page not found")
    return case


def _officer_councils(request: HttpRequest) -> list[int]:
    user = request.user
    councils = set(
        user.memberships.filter(role=Role.COUNCILLOR).values_list("organisation_id", flat=True)  # type: ignore[union-attr]
    )
    councils |= set(Clerk.objects.filter(user_id=user.pk).values_list("council_id", flat=True))
    return sorted(councils)


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    """Your issues (or the resident's you act for), and your councils' casework."""
    user = request.user
    councils = _officer_councils(request)
    person_id = user.pk
    try:
        person_id = acting_for(request, ConsentScope.FIND).person.pk
    except Http404:
        pass
    if has_role(user, Role.AUDITOR):  # type: ignore[arg-type]
        cases = Case.objects.all()
    else:
        cases = Case.objects.filter(Q(resident_id=person_id) | Q(council_id__in=councils))
    cases = cases.select_related("council", "resident")[:MAX_LISTED]
    return render(
        request,
        "neighbourhoods/casework/list.html",
        {"cases": cases, "officer": bool(councils)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    """A resident (or their champion with consent) raises an issue with their council."""
    acting = acting_for(request, ConsentScope.CHOOSE)
    councils = Organisation.objects.filter(kind=OrganisationKind.NEIGHBOURHOOD_COUNCIL).order_by(
        "name"
    )
    form = CaseForm(request.POST if request.method == "POST" else None, councils=councils)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        case = _attempt(
            form,
            lambda: services.case_raise(
                council=data["council"],
                resident=acting.person,
                subject=data["subject"],
                details=data["details"],
                by=request.user,  # type: ignore[arg-type]
            ),
        )
        if case is not None:
            messages.success(request, _("Your issue was sent to the council"))
            return redirect("neighbourhoods:case_detail", case.pk)
    return render(
        request,
        "neighbourhoods/casework/new.html",
        {"form": form, "acting": acting},
    )


@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    officer = services.is_case_officer(request.user, case.council_id)  # type: ignore[arg-type]
    open_ = case.status != CaseStatus.CLOSED
    return render(
        request,
        "neighbourhoods/casework/detail.html",
        {
            "case": case,
            "may_start": officer and case.status == CaseStatus.NEW,
            "may_work": officer and open_,
            "may_close": open_ and (officer or services.may_act_for_resident(request.user, case)),  # type: ignore[arg-type]
        },
    )


def _step(request: HttpRequest, pk: int, action: Callable[..., Case], done: str) -> HttpResponse:
    case = _case(request, pk)
    try:
        action(case=case, by=request.user)
    except PermissionDenied:
        raise Http404("Page not found") from None
    except services.CaseError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("neighbourhoods:case_detail", case.pk)


@login_required
@require_POST
def case_start(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, services.case_start, _("The case is in progress"))


@login_required
@require_POST
def case_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, services.case_close, _("The case is closed"))


def _form_page(request: HttpRequest, case: Case, form: Any, title: str) -> HttpResponse:
    return render(
        request,
        "neighbourhoods/casework/form.html",
        {
            "form": form,
            "page_title": title,
            "case": case,
            "back_url": reverse("neighbourhoods:case_detail", args=[case.pk]),
        },
    )


def _officer_case(request: HttpRequest, pk: int) -> Case:
    case = _case(request, pk)
    if not services.is_case_officer(request.user, case.council_id):  # type: ignore[arg-type]
        raise Http404("Page not found")
    return case


@login_required
@require_http_methods(["GET", "POST"])
def case_refer(request: HttpRequest, pk: int) -> HttpResponse:
    """Refer the case to the body that can act on it (its staff are told)."""
    case = _officer_case(request, pk)
    bodies = Organisation.objects.exclude(pk=case.council_id).order_by("name")[:MAX_LISTED]
    form = ReferForm(request.POST if request.method == "POST" else None, bodies=bodies)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = _attempt(
            form,
            lambda: services.case_refer(
                case=case,
                body=Organisation.objects.get(pk=data["body"]),
                note=data["note"],
                by=request.user,  # type: ignore[arg-type]
            ),
        )
        if done is not None:
            messages.success(request, _("The case was referred"))
            return redirect("neighbourhoods:case_detail", case.pk)
    return _form_page(request, case, form, _("Refer the case"))


@login_required
@require_http_methods(["GET", "POST"])
def case_answer(request: HttpRequest, pk: int) -> HttpResponse:
    case = _officer_case(request, pk)
    form = AnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        done = _attempt(
            form,
            lambda: services.case_answer(
                case=case,
                answer=form.cleaned_data["answer"],
                by=request.user,  # type: ignore[arg-type]
            ),
        )
        if done is not None:
            messages.success(request, _("The resident was sent the answer"))
            return redirect("neighbourhoods:case_detail", case.pk)
    return _form_page(request, case, form, _("Answer the resident"))
