"""Pages of feedback and ratings: thin, the rules are in feedback.py."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opus.choice.models import Booking
from opus.core.models import Role
from opus.core.refusals import show_errors
from opus.core.roles import role_required
from opus.directory.models import Service
from opus.voice import feedback as services
from opus.voice.forms_feedback import (
    BadgeForm,
    ConfirmForm,
    FeedbackForm,
    ModerateForm,
    ReplyForm,
    RestrictionAskForm,
    RestrictionDecideForm,
)
from opus.voice.models import Feedback, FeedbackStatus, Restriction

T = "voice/feedback/"


def _bad(form: Any) -> int:
    return 400 if form.errors else 200


# --- Public -------------------------------------------------------------------------------


@require_GET
def rules(request: HttpRequest) -> HttpResponse:
    return render(request, T + "rules.html", {"page_title": _("Rules for feedback")})


@require_GET
def service_feedback(request: HttpRequest, service_id: Any) -> HttpResponse:
    service = get_object_or_404(Service.objects.select_related("organisation"), pk=service_id)
    context = {
        "page_title": _("Feedback on %(name)s") % {"name": service.name},
        "service": service,
        "summary": services.summary(service),
        "items": services.published(service),
    }
    return render(request, T + "service.html", context)


# --- Residents ----------------------------------------------------------------------------


def _give(request: HttpRequest, service: Service, booking: Booking | None) -> HttpResponse:
    form = FeedbackForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_give(
                service=service,
                booking=booking,
                ratings=form.ratings(),
                story=form.cleaned_data["story"],
                by=request.user,  # type: ignore[arg-type]
            )
        except services.FeedbackError as exc:
            show_errors(form, exc)
        else:
            messages.success(
                request, _("Thank you. A moderator will check your feedback before it is published")
            )
            return redirect("voice:feedback_mine")
    context = {
        "page_title": _("Give feedback"),
        "service": service,
        "booking": booking,
        "form": form,
    }
    return render(request, T + "give.html", context, status=_bad(form))


@role_required(Role.RESIDENT)
@require_http_methods(["GET", "POST"])
def give_on_service(request: HttpRequest, service_id: Any) -> HttpResponse:
    service = get_object_or_404(Service, pk=service_id, status="active")
    return _give(request, service, None)


@login_required
@require_http_methods(["GET", "POST"])
def give_on_booking(request: HttpRequest, booking_id: Any) -> HttpResponse:
    booking = get_object_or_404(
        Booking.objects.select_related("service"), pk=booking_id, person=request.user
    )
    if not services.booking_delivered(booking):
        context = {"page_title": _("Give feedback"), "booking": booking}
        return render(request, T + "not_yet.html", context)
    if Feedback.objects.filter(booking=booking).exists():
        messages.info(request, _("You have already given feedback on this booking"))
        return redirect("voice:feedback_mine")
    return _give(request, booking.service, booking)


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    items = Feedback.objects.filter(author=request.user).select_related("service")
    context = {"page_title": _("Your feedback"), "items": items}
    return render(request, T + "mine.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, feedback_id: Any) -> HttpResponse:
    item = get_object_or_404(
        Feedback.objects.select_related("service"), pk=feedback_id, author=request.user
    )
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_badge_confirm(
                feedback=item,
                confirmed=form.cleaned_data["confirmed"] == "yes",
                by=request.user,  # type: ignore[arg-type]
            )
        except services.FeedbackError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("Thank you for telling us"))
            return redirect("voice:feedback_mine")
    context = {"page_title": _("Confirm a change"), "item": item, "form": form}
    return render(request, T + "confirm.html", context, status=_bad(form))


# --- Moderators ---------------------------------------------------------------------------


@role_required(*services.MODERATOR_ROLES)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    waiting = Feedback.objects.filter(status=FeedbackStatus.PENDING).select_related("service")
    asked = Feedback.objects.filter(restriction=Restriction.REQUESTED).select_related("service")
    context = {
        "page_title": _("Feedback to moderate"),
        "waiting": waiting.order_by("created_at"),
        "asked": asked.order_by("created_at"),
    }
    return render(request, T + "queue.html", context)


@role_required(*services.MODERATOR_ROLES)
@require_http_methods(["GET", "POST"])
def moderate(request: HttpRequest, feedback_id: Any) -> HttpResponse:
    item = get_object_or_404(Feedback.objects.select_related("service"), pk=feedback_id)
    data = request.POST if request.method == "POST" else None
    form = ModerateForm(data, initial={"published_story": item.story})
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_moderate(
                feedback=item,
                publish=form.cleaned_data["decision"] == "publish",
                published_story=form.cleaned_data["published_story"],
                note=form.cleaned_data["note"],
                by=request.user,  # type: ignore[arg-type]
            )
        except services.FeedbackError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("Your decision is recorded"))
            return redirect("voice:feedback_queue")
    context = {
        "page_title": _("Moderate feedback"),
        "item": item,
        "form": form,
        "done": item.status != FeedbackStatus.PENDING,
        "restriction_form": RestrictionDecideForm(),
    }
    return render(request, T + "moderate.html", context, status=_bad(form))


@role_required(*services.MODERATOR_ROLES)
@require_POST
def restriction_decide(request: HttpRequest, feedback_id: Any) -> HttpResponse:
    item = get_object_or_404(Feedback.objects.select_related("service"), pk=feedback_id)
    form = RestrictionDecideForm(request.POST)
    if form.is_valid():
        try:
            services.feedback_restriction_decide(
                feedback=item,
                grant=form.cleaned_data["decision"] == "grant",
                by=request.user,  # type: ignore[arg-type]
            )
        except services.FeedbackError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("Your decision is recorded"))
            return redirect("voice:feedback_queue")
    context = {
        "page_title": _("Moderate feedback"),
        "item": item,
        "form": ModerateForm(initial={"published_story": item.story}),
        "done": item.status != FeedbackStatus.PENDING,
        "restriction_form": form,
    }
    return render(request, T + "moderate.html", context, status=400)


# --- Providers ----------------------------------------------------------------------------


def _staff_feedback(request: HttpRequest) -> Any:
    return Feedback.objects.filter(
        status=FeedbackStatus.PUBLISHED,
        service__organisation__memberships__user=request.user,
        service__organisation__memberships__role=Role.PROVIDER,
    ).distinct()


@role_required(Role.PROVIDER)
@require_GET
def to_answer(request: HttpRequest) -> HttpResponse:
    found = _staff_feedback(request).select_related("service")
    context = {
        "page_title": _("Feedback to answer"),
        "unanswered": found.filter(reply=""),
        "answered": found.exclude(reply="")[:50],
    }
    return render(request, T + "to_answer.html", context)


def _for_staff(request: HttpRequest, feedback_id: Any) -> Feedback:
    item = _staff_feedback(request).filter(pk=feedback_id).select_related("service").first()
    if item is None:
        raise Http404("No such feedback")
    return item


def _respond_page(request: HttpRequest, item: Feedback, **forms: Any) -> HttpResponse:
    context = {
        "page_title": _("Answer feedback"),
        "item": item,
        "reply_form": forms.get("reply_form") or ReplyForm(initial={"reply": item.reply}),
        "badge_form": forms.get("badge_form") or BadgeForm(),
        "restrict_form": forms.get("restrict_form") or RestrictionAskForm(),
    }
    status = 400 if any(f.errors for f in forms.values()) else 200
    return render(request, T + "respond.html", context, status=status)


@role_required(Role.PROVIDER)
@require_GET
def respond(request: HttpRequest, feedback_id: Any) -> HttpResponse:
    return _respond_page(request, _for_staff(request, feedback_id))


def _provider_post(request: HttpRequest, feedback_id: Any, form_class: Any, key: str, act: Any):
    item = _for_staff(request, feedback_id)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            act(item, form.cleaned_data)
        except services.FeedbackError as exc:
            show_errors(form, exc)
        except PermissionDenied:
            raise Http404("No such feedback") from None
        else:
            messages.success(request, _("Saved"))
            return redirect("voice:feedback_respond", feedback_id=item.pk)
    return _respond_page(request, item, **{key: form})


@role_required(Role.PROVIDER)
@require_POST
def reply(request: HttpRequest, feedback_id: Any) -> HttpResponse:
    def act(item: Feedback, data: dict[str, Any]) -> None:
        services.feedback_reply(feedback=item, text=data["reply"], by=request.user)  # type: ignore[arg-type]

    return _provider_post(request, feedback_id, ReplyForm, "reply_form", act)


@role_required(Role.PROVIDER)
@require_POST
def badge(request: HttpRequest, feedback_id: Any) -> HttpResponse:
    def act(item: Feedback, data: dict[str, Any]) -> None:
        services.feedback_badge_set(
            feedback=item,
            badge=data["badge"],
            explanation=data["explanation"],
            by=request.user,  # type: ignore[arg-type]
        )

    return _provider_post(request, feedback_id, BadgeForm, "badge_form", act)


@role_required(Role.PROVIDER)
@require_POST
def restriction_ask(request: HttpRequest, feedback_id: Any) -> HttpResponse:
    def act(item: Feedback, data: dict[str, Any]) -> None:
        services.feedback_restriction_ask(feedback=item, reason=data["reason"], by=request.user)  # type: ignore[arg-type]

    return _provider_post(request, feedback_id, RestrictionAskForm, "restrict_form", act)


# --- Councillors --------------------------------------------------------------------------


def neighbourhood_feedback(user: Any) -> dict[str, Any]:
    """Published feedback on services for, or run from, the area of the councillor's council
    (its organisation's area, when it has one): the count and the latest five."""
    area_ids = list(
        user.memberships.filter(role=Role.COUNCILLOR)
        .exclude(organisation__area__isnull=True)
        .values_list("organisation__area_id", flat=True)
    )
    found = Feedback.objects.filter(status=FeedbackStatus.PUBLISHED)
    if area_ids:
        near = Q(service__organisation__area_id__in=area_ids) | Q(
            service__residency_area_id__in=area_ids
        )
        found = found.filter(near).distinct()
    else:
        found = found.none()
    return {"count": found.count(), "latest": list(found.select_related("service")[:5])}
