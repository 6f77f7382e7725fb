"""Choosing: the questionnaire, matches with reasons, shortlist, comparison, booking; help."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opus.choice import services
from opus.choice.acting import acting_for, may_open, record_view, start_acting, stop_acting
from opus.choice.forms import STEPS, BookingForm, CompareForm, ConsentForm, DecisionForm
from opus.choice.ideas import ideas_for
from opus.choice.models import Booking, BookingStatus, Consent, ConsentScope, ShortlistItem
from opus.core.audit import audit_record
from opus.core.models import Role
from opus.core.roles import has_role, role_required
from opus.directory.matching import ProfileError, Question, match, need_fits_for
from opus.directory.models import Service
from opus.directory.vocabularies import day_names, vocabulary_label
from opus.engines.money import times

ANSWERS = "opus_choice_answers"
STEP_ORDER = list(STEPS)


def _answers(request: HttpRequest) -> dict[str, Any]:
    return dict(request.session.get(ANSWERS, {}))


@require_GET
def start(request: HttpRequest) -> HttpResponse:
    return render(request, "choice/start.html", _choosing_context(request))


def _choosing_context(request: HttpRequest) -> dict[str, Any]:
    """What links a choosing page may show this person: only those that open for them."""
    user: Any = request.user
    return {
        "page_title": _("Find services that suit you"),
        "may_see_choices": may_open(request),
        "may_choose": may_open(request, ConsentScope.CHOOSE),
        "may_ask_for_help": not user.is_authenticated or has_role(user, Role.RESIDENT),
    }


@require_http_methods(["GET", "POST"])
def question(request: HttpRequest, step: str) -> HttpResponse:
    if step not in STEPS:
        raise Http404("No such question")
    title, form_class = STEPS[step]
    answers = _answers(request)
    form = form_class(request.POST if request.method == "POST" else None, initial=answers)
    if request.method == "POST" and form.is_valid():
        answers.update(form.cleaned_data)
        request.session[ANSWERS] = answers
        later = STEP_ORDER[STEP_ORDER.index(step) + 1 :]
        return redirect("choice:question", step=later[0]) if later else redirect("choice:results")
    index = STEP_ORDER.index(step)
    context = {
        "page_title": title,
        "form": form,
        "title": title,
        "step": step,
        "number": index + 1,
        "steps": len(STEP_ORDER),
        "back": STEP_ORDER[index - 1] if index else None,
    }
    return render(request, "choice/question.html", context, status=400 if form.errors else 200)


def _question(answers: dict[str, Any]) -> Question:
    return Question(
        needs=list(answers.get("needs") or []),
        postcode=answers.get("postcode", ""),
        max_distance_km=float(answers.get("max_distance_km") or 10),
        remote_ok=bool(answers.get("remote_ok", True)),
        age=answers.get("age"),
        circumstances=tuple(answers.get("circumstances") or ()),
        languages=tuple(answers.get("languages") or ()),
        language_required=bool(answers.get("language_required")),
        accessibility=tuple(answers.get("accessibility") or ()),
        days=tuple(answers.get("days") or ()),
        max_price_pence=answers.get("max_price"),
    )


@require_GET
def results(request: HttpRequest) -> HttpResponse:
    answers = _answers(request)
    if not answers.get("needs"):
        return redirect("choice:question", step="needs")
    try:
        _profile, ranking = match(_question(answers))
    except ProfileError as exc:
        messages.error(request, _("Check your answers: %(problem)s") % {"problem": exc})
        return redirect("choice:question", step="where" if exc.field == "postcode" else "needs")
    context = {
        "ranking": ranking,
        "ideas": ideas_for(answers.get("needs") or []),
        "shortlisted": _shortlisted(request),
        **_choosing_context(request),
        "page_title": _("Services that suit you"),
    }
    return render(request, "choice/results.html", context)


def _shortlisted(request: HttpRequest) -> set[str]:
    if not request.user.is_authenticated:
        return set()
    try:
        acting = acting_for(request)
    except Http404:
        return set()
    ids = ShortlistItem.objects.filter(person=acting.person).values_list("service_id", flat=True)
    return {str(i) for i in ids}


@login_required
@require_POST
def shortlist_add(request: HttpRequest, service_id: Any) -> HttpResponse:
    acting = acting_for(request, ConsentScope.CHOOSE)
    service = get_object_or_404(Service, pk=service_id)
    services.shortlist_add(person=acting.person, service=service, by=acting.by)
    messages.success(request, f"'{service.name}' is on the shortlist")
    return redirect(request.POST.get("next") or "choice:shortlist")


@login_required
@require_POST
def shortlist_remove(request: HttpRequest, service_id: Any) -> HttpResponse:
    acting = acting_for(request, ConsentScope.CHOOSE)
    service = get_object_or_404(Service, pk=service_id)
    services.shortlist_remove(person=acting.person, service=service, by=acting.by)
    return redirect("choice:shortlist")


@login_required
@require_GET
def shortlist(request: HttpRequest) -> HttpResponse:
    acting = acting_for(request)
    record_view(acting, "shortlist")
    items = ShortlistItem.objects.filter(person=acting.person).select_related(
        "service__organisation"
    )
    context = {
        "page_title": "Your shortlist",
        "items": items,
        "acting": acting,
        "compare_form": None,
        "may_choose": may_open(request, ConsentScope.CHOOSE),
    }
    return render(request, "choice/shortlist.html", context)


def _comparison_row(service: Service, units: Decimal) -> dict[str, Any]:
    cost = service.cost_options.first()
    place = next((s.location for s in service.at_locations.all()), None)
    return {
        "service": service,
        "price": str(cost) if cost else "Free",
        "weekly_pence": times(cost.amount_pence, units) if cost else 0,
        "languages": ", ".join(lang.name for lang in service.languages.all()) or "English",
        "access": ", ".join(vocabulary_label(a) for a in (place.accessibility if place else [])),
        "place": place,
        "days": "; ".join(day_names(s.byday) for s in service.schedules.all() if s.byday)
        or _("Ask the provider"),
        "places_free": service.vacancies,
    }


@login_required
@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    acting = acting_for(request)
    items = ShortlistItem.objects.filter(person=acting.person).select_related("service")
    choices = [(str(i.service_id), i.service.name) for i in items]
    form = CompareForm(request.GET or None, choices=choices)
    if not form.is_bound or not form.is_valid():
        context = {
            "page_title": "Your shortlist",
            "items": items,
            "acting": acting,
            "compare_form": form,
            "may_choose": may_open(request, ConsentScope.CHOOSE),
        }
        return render(request, "choice/shortlist.html", context, status=400 if form.errors else 200)
    record_view(acting, "comparison")
    chosen = Service.objects.filter(pk__in=form.cleaned_data["service"]).prefetch_related(
        "cost_options", "languages", "schedules", "at_locations__location"
    )
    units = form.cleaned_data["units"] or Decimal(2)
    rows = [_comparison_row(s, units) for s in chosen]
    needs = list(_answers(request).get("needs") or [])
    fits = need_fits_for(needs, [row["service"].pk for row in rows])
    for row in rows:
        row["needs"] = fits.get(str(row["service"].pk), ())
    context = {
        "page_title": "Compare services",
        "rows": rows,
        "units": units,
        "needs_asked": bool(needs),
    }
    return render(request, "choice/compare.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def choose(request: HttpRequest, service_id: Any) -> HttpResponse:
    acting = acting_for(request, ConsentScope.CHOOSE)
    service = get_object_or_404(Service.objects.select_related("organisation"), pk=service_id)
    form = BookingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        answers = _answers(request)
        try:
            booking = services.booking_request(
                person=acting.person,
                service=service,
                by=acting.by,
                needs=list(answers.get("needs") or []),
                circumstances=list(answers.get("circumstances") or []),
                **form.cleaned_data,
            )
        except services.ChoiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Your request has gone to {service.organisation.name}")
            return redirect("choice:booking_detail", booking_id=booking.pk)
    context = {
        "page_title": f"Choose {service.name}",
        "service": service,
        "form": form,
        "cost": service.cost_options.first(),
        "acting": acting,
    }
    return render(request, "choice/choose.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def bookings(request: HttpRequest) -> HttpResponse:
    acting = acting_for(request)
    record_view(acting, "bookings")
    found = Booking.objects.filter(person=acting.person).select_related("service__organisation")
    context = {"page_title": "Your requests and bookings", "bookings": found, "acting": acting}
    return render(request, "choice/bookings.html", context)


def _booking_for(request: HttpRequest, booking_id: Any) -> Booking:
    """The person (or their champion) sees their booking; its provider's staff see it too."""
    booking = get_object_or_404(
        Booking.objects.select_related("service__organisation", "person"), pk=booking_id
    )
    user: Any = request.user
    staff = booking.service.organisation.memberships.filter(user=user, role=Role.PROVIDER)
    if staff.exists():
        return booking
    acting = acting_for(request)
    if acting.person.pk != booking.person_id:
        raise Http404("No such booking")
    record_view(acting, f"booking {booking.pk}")
    return booking


@login_required
@require_GET
def booking_detail(request: HttpRequest, booking_id: Any) -> HttpResponse:
    booking = _booking_for(request, booking_id)
    return render(
        request, "choice/booking_detail.html", {"page_title": "Your request", "booking": booking}
    )


@role_required(Role.PROVIDER, Role.ADMIN)
@require_GET
def requests(request: HttpRequest) -> HttpResponse:
    found = (
        Booking.objects.filter(
            service__organisation__memberships__user=request.user,
            service__organisation__memberships__role=Role.PROVIDER,
        )
        .select_related("service", "person")
        .distinct()
    )
    context = {"page_title": "Requests from residents", "bookings": found}
    return render(request, "choice/requests.html", context)


def _contact_for_provider(request: HttpRequest, booking: Booking) -> dict[str, str] | None:
    """The resident's name, e-mail and mobile (when they gave one) for the booking's provider
    staff, who need them to arrange the service; seeing them is logged as a resident's
    records are (resident.view). Anyone else: None."""
    user: Any = request.user
    staff = booking.service.organisation.memberships.filter(user=user, role=Role.PROVIDER)
    if not staff.exists():
        return None
    person = booking.person
    preference = getattr(person, "notification_preference", None)
    with transaction.atomic():
        audit_record(
            actor=user,
            action="resident.view",
            target=person,
            summary={"what": f"contact details, booking {booking.pk}"},
        )
    return {
        "name": person.full_name,
        "email": person.email,
        "phone": getattr(preference, "mobile", "") or "",
    }


@role_required(Role.PROVIDER, Role.ADMIN)
@require_http_methods(["GET", "POST"])
def decide(request: HttpRequest, booking_id: Any) -> HttpResponse:
    booking = _booking_for(request, booking_id)
    contact = _contact_for_provider(request, booking)
    form = DecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.booking_decide(
                booking=booking,
                accept=form.cleaned_data["decision"] == "accept",
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except services.ChoiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Your answer has been sent")
            return redirect("choice:requests")
    context = {
        "page_title": "Answer a request",
        "booking": booking,
        "form": form,
        "answered": booking.status != BookingStatus.REQUESTED,
        "contact": contact,
    }
    return render(request, "choice/decide.html", context, status=400 if form.errors else 200)


@role_required(Role.RESIDENT)
@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest) -> HttpResponse:
    form = ConsentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        until = form.cleaned_data["until"]
        expires = timezone.make_aware(datetime.combine(until, time.max))
        try:
            services.consent_grant(
                person=request.user,
                champion=form.cleaned_data["champion"],  # type: ignore[arg-type]
                scope=form.cleaned_data["scope"],
                expires_at=expires,
            )
        except services.ChoiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Your consent is recorded. You can withdraw it at any time")
            return redirect("choice:consent")
    given = Consent.objects.filter(person=request.user).select_related("champion")
    context = {"page_title": "Help from a Choice Champion", "form": form, "given": given}
    return render(request, "choice/consent.html", context, status=400 if form.errors else 200)


@role_required(Role.RESIDENT)
@require_POST
def consent_withdraw(request: HttpRequest, consent_id: int) -> HttpResponse:
    given = get_object_or_404(Consent, pk=consent_id, person=request.user)
    services.consent_withdraw(consent=given, by=request.user)  # type: ignore[arg-type]
    messages.success(request, "Your consent has been withdrawn")
    return redirect("choice:consent")


@role_required(Role.CHAMPION)
@require_GET
def caseload(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    active = Consent.objects.filter(
        champion=request.user, withdrawn_at__isnull=True, starts_at__lte=now, expires_at__gt=now
    ).select_related("person")
    return render(
        request, "choice/caseload.html", {"page_title": "Residents you support", "consents": active}
    )


@role_required(Role.CHAMPION)
@require_POST
def act_for(request: HttpRequest, person_id: int) -> HttpResponse:
    person = start_acting(request, person_id)
    messages.success(request, f"You are now acting for {person.full_name}")
    return redirect("choice:start")


@login_required
@require_POST
def act_stop(request: HttpRequest) -> HttpResponse:
    stop_acting(request)
    return redirect("choice:caseload")
