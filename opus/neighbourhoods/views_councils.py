"""A neighbourhood council's entry pages: its officers (councillors and the clerk) list their
meetings, create one with its agenda, record decisions with votes, check and publish the
minutes; a councillor declares an interest. The public read is `views.council_meetings`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from opus.core.check_answers import check_answers_page, confirmed, row
from opus.core.models import Organisation
from opus.neighbourhoods import councils, money, services
from opus.neighbourhoods.forms_councils import DecisionForm, InterestForm, MeetingForm, MinutesForm
from opus.neighbourhoods.models import Meeting
from opus.neighbourhoods.views import _attempt, _council


def _officer_council(request: HttpRequest, slug: str) -> Organisation:
    council = _council(slug)
    if not services.is_officer(request.user, council.pk):
        raise Http404("Page not found")
    return council


def _meeting(council: Organisation, pk: int) -> Meeting:
    return get_object_or_404(Meeting, pk=pk, council=council)


def _page(request: HttpRequest, council: Organisation, form: Any, title: Any) -> HttpResponse:
    return render(
        request,
        "neighbourhoods/councils/form.html",
        {"council": council, "form": form, "page_title": title},
    )


@login_required
@require_GET
def council_manage(request: HttpRequest, council: str) -> HttpResponse:
    """Every meeting of the council, published or not, for its officers."""
    found = _officer_council(request, council)
    meetings = Meeting.objects.filter(council=found).prefetch_related("decisions")
    return render(
        request,
        "neighbourhoods/councils/manage.html",
        {
            "council": found,
            "meetings": meetings,
            "councillor": money.is_councillor_of(request.user, found.pk),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest, council: str) -> HttpResponse:
    found = _officer_council(request, council)
    form = MeetingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = _attempt(
            request,
            form,
            lambda: councils.meeting_create(
                council=found, held_on=d["held_on"], title=d["title"], agenda=d["agenda"],
                by=request.user,
            ),
        )  # fmt: skip
        if done is not None:
            messages.success(request, _("The meeting and its agenda are saved"))
            return redirect("neighbourhoods:council_manage", council=found.slug)
    return _page(request, found, form, _("Add a meeting and its agenda"))


@login_required
@require_http_methods(["GET", "POST"])
def meeting_decide(request: HttpRequest, council: str, meeting: int) -> HttpResponse:
    found = _officer_council(request, council)
    held = _meeting(found, meeting)
    form = DecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = _attempt(
            request,
            form,
            lambda: councils.meeting_decide(
                meeting=held, text=d["text"], votes_for=d["votes_for"],
                votes_against=d["votes_against"], abstentions=d["abstentions"], by=request.user,
            ),
        )  # fmt: skip
        if done is not None:
            messages.success(request, _("The decision is recorded"))
            return redirect("neighbourhoods:council_manage", council=found.slug)
    return _page(request, found, form, _("Record a decision: %(meeting)s") % {"meeting": held})


@login_required
@require_http_methods(["GET", "POST"])
def minutes_publish(request: HttpRequest, council: str, meeting: int) -> HttpResponse:
    """The minutes, then "Check your answers", then publication (agenda, decisions, minutes)."""
    found = _officer_council(request, council)
    held = _meeting(found, meeting)
    posted = request.method == "POST" and request.POST.get("change") != "yes"
    form = MinutesForm(
        request.POST if request.method == "POST" else None, initial={"minutes": held.minutes}
    )
    if posted and form.is_valid():
        minutes = form.cleaned_data["minutes"]
        if not confirmed(request):
            url = reverse("neighbourhoods:council_minutes", args=[found.slug, held.pk])
            return check_answers_page(
                request,
                heading=_("Check the minutes before you publish them"),
                caption=str(held),
                rows=[
                    row(_("Meeting"), str(held)),
                    row(_("Decisions recorded"), str(held.decisions.count())),
                    row(_("Minutes"), minutes, change_url="#minutes", change_hidden=_("minutes")),
                ],
                action=url,
                button=_("Confirm and publish the minutes"),
                warning=_("The agenda, decisions and minutes will be public."),
                hidden=[("minutes", minutes)],
                back_url=reverse("neighbourhoods:council_manage", args=[found.slug]),
                change_by_post=True,
            )
        done = _attempt(
            request,
            form,
            lambda: councils.minutes_publish(meeting=held, minutes=minutes, by=request.user),
        )
        if done is not None:
            messages.success(request, _("The minutes are published"))
            return redirect("neighbourhoods:council_meetings", council=found.slug)
    return _page(request, found, form, _("Minutes: %(meeting)s") % {"meeting": held})


@login_required
@require_http_methods(["GET", "POST"])
def interest_declare(request: HttpRequest, council: str) -> HttpResponse:
    found = _council(council)
    if not money.is_councillor_of(request.user, found.pk):
        raise Http404("Page not found")
    meetings = Meeting.objects.filter(council=found)
    form = InterestForm(request.POST if request.method == "POST" else None, meetings=meetings)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        at = meetings.filter(pk=d["meeting"]).first() if d["meeting"] else None
        done = _attempt(
            request,
            form,
            lambda: councils.interest_declare(
                council=found, item=d["item"], interest=d["interest"], meeting=at,
                by=request.user,
            ),
        )  # fmt: skip
        if done is not None:
            messages.success(request, _("Your interest is declared and published"))
            return redirect("neighbourhoods:council_meetings", council=found.slug)
    return _page(request, found, form, _("Declare an interest"))


@login_required
@require_http_methods(["GET", "POST"])
def grant_offer_open(request: HttpRequest, council: str, offer: int) -> HttpResponse:
    """From the offer made when a moratorium started, a councillor opens a small-grant round
    prefilled for a feasibility study (title, ceiling, dates), through small grants' service."""
    from decimal import Decimal

    from opus.budgets.models import Budget
    from opus.neighbourhoods import grants
    from opus.neighbourhoods.forms_grants import RoundForm
    from opus.neighbourhoods.models import GrantRoundOffer
    from opus.neighbourhoods.views_grants import _attempt as _grant_attempt

    found = _council(council)
    if not grants.is_council_officer(request.user, found.pk):  # type: ignore[arg-type]
        raise Http404("Page not found")
    taken = get_object_or_404(
        GrantRoundOffer.objects.select_related("notice__asset"),
        pk=offer,
        neighbourhood_council=found,
    )
    back = reverse("neighbourhoods:asset_council", args=[found.slug])
    if taken.grant_round_id is not None:
        messages.info(request, _("A round has already been opened from this offer"))
        return redirect(back)
    budgets = Budget.objects.filter(organisation=found).order_by("-period_start")
    prefill = grants.offer_round_defaults(taken)
    initial = {
        **prefill,
        "ceiling": Decimal(int(prefill["ceiling_pence"])) / 100,  # type: ignore[call-overload]
    }
    form = RoundForm(
        request.POST if request.method == "POST" else None, budgets=budgets, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = _grant_attempt(
            form,
            lambda: grants.grant_round_from_offer(
                offer=taken, budget=budgets.get(pk=d["budget"]), title=d["title"],
                description=d["description"], ceiling_pence=int(d["ceiling"] * 100),
                opens_on=d["opens_on"], closes_on=d["closes_on"],
                by=request.user,  # type: ignore[arg-type]
            ),
        )  # fmt: skip
        if done is not None:
            messages.success(request, _("The grant round for the feasibility study is open"))
            return redirect(back)
    return render(
        request,
        "neighbourhoods/grants/form.html",
        {
            "form": form,
            "page_title": _("Open a small-grant round for a feasibility study"),
            "caption": taken.notice.asset.name,
            "back_url": back,
        },
    )
