"""Complaint pages: make one (checked before it is sent), my complaints, a complaint with every
deadline, the handler's queue with its clocks, and the actions on a complaint."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from opus.choice.acting import Acting, acting_for, may_act_for, record_view
from opus.choice.models import Booking, ConsentScope
from opus.core.check_answers import check_answers_page, confirmed, row
from opus.core.models import Organisation, OrganisationKind
from opus.core.refusals import attempt
from opus.directory.models import Service
from opus.engines import complaint_clocks as clocks
from opus.voice import access
from opus.voice import complaints as services
from opus.voice import forms_complaints as f
from opus.voice.models import Complaint, ComplaintStatus
from opus.voice.models.complaints import OPEN_STATUSES

PUBLIC_BODIES = (
    OrganisationKind.LOCAL_AUTHORITY,
    OrganisationKind.NHS_BODY,
    OrganisationKind.NEIGHBOURHOOD_COUNCIL,
)


def _attempt(form: Any, action: Any) -> Any:
    """Run a service; its refusal goes into the form's error summary, nothing changed."""
    return attempt(form, action, services.ComplaintError)


# ---------------------------------------------------------------- the complainant's pages


@require_GET
def complaint_list(request: HttpRequest) -> HttpResponse:
    acting = acting_for(request, ConsentScope.FIND)
    record_view(acting, "complaints")
    rows = [
        {"complaint": c, "stage": max(c.stages.all(), key=lambda s: s.number, default=None)}
        for c in access.complaints_of(acting.person)
    ]
    return render(
        request,
        "voice/complaints/list.html",
        {"page_title": _("Your complaints"), "rows": rows, "acting": acting,
         "convention": clocks.CONVENTION},
    )  # fmt: skip


def _bodies(person: Any, service: Service | None) -> QuerySet[Organisation]:
    booked = Booking.objects.filter(person=person).values("service__organisation")
    mine = Q(kind__in=PUBLIC_BODIES) | Q(pk__in=booked)
    if service is not None:
        mine |= Q(pk=service.organisation_id)
    return Organisation.objects.filter(mine).order_by("name")


def _service(request: HttpRequest) -> Service | None:
    key = request.POST.get("service") or request.GET.get("service") or ""
    try:
        return Service.objects.filter(pk=key).select_related("organisation").first()
    except (ValueError, ValidationError):  # a malformed id is no service
        return None


@require_http_methods(["GET", "POST"])
def complaint_new(request: HttpRequest) -> HttpResponse:
    acting = acting_for(request, ConsentScope.CHOOSE)
    service = _service(request)
    bookings = Booking.objects.filter(person=acting.person).select_related("service")
    initial = {"service": str(service.pk) if service else ""}
    if service is not None:
        initial["body"] = service.organisation_id
    posted = request.POST if request.method == "POST" else None
    form = f.ComplaintForm(
        posted, bodies=_bodies(acting.person, service), bookings=bookings, initial=initial
    )
    if posted is not None and form.is_valid() and request.POST.get("change") != "yes":
        data = form.cleaned_data
        if confirmed(request):
            complaint = _attempt(
                form,
                lambda: services.complaint_make(
                    complainant=acting.person, body=data["body"], summary=data["summary"],
                    wanted=data["wanted"], events_on=data["events_on"], about_service=service,
                    about_booking=data["about_booking"], by=request.user,  # type: ignore[arg-type]
                ),
            )  # fmt: skip
            if complaint is not None:
                messages.success(request, _("Your complaint has been sent"))
                return redirect(complaint)
        else:
            return _check(request, form, service)
    return render(
        request,
        "voice/complaints/new.html",
        {"page_title": _("Make a complaint"), "form": form, "acting": acting, "service": service,
         "convention": clocks.CONVENTION},
        status=400 if form.errors else 200,
    )  # fmt: skip


def _check(request: HttpRequest, form: Any, service: Service | None) -> HttpResponse:
    data = form.cleaned_data
    rows = [
        row(_("To"), data["body"].name, "#id_body"),
        row(_("About"), service.name if service else (
            data["about_booking"].service.name if data["about_booking"] else _("Not given")),
            "#id_about_booking"),
        row(_("Your complaint"), data["summary"], "#id_summary"),
        row(_("What you would like to happen"), data["wanted"] or _("Not given"), "#id_wanted"),
        row(_("When it happened"), data["events_on"].strftime("%-d %B %Y"), "#id_events_on"),
    ]  # fmt: skip
    hidden = [(name, request.POST.get(name, "")) for name in request.POST if name not in
              ("csrfmiddlewaretoken", "confirm", "change")]  # fmt: skip
    return check_answers_page(
        request,
        heading=_("Check your complaint before you send it"),
        rows=rows,
        warning=_("Once sent, the body must acknowledge it within the regime's working days."),
        action=reverse("voice:complaint_new"),
        hidden=hidden,
        button=_("Send the complaint"),
        change_by_post=True,
    )


@require_http_methods(["GET", "POST"])
def complaint_escalate(request: HttpRequest, complaint_id: int) -> HttpResponse:
    complaint = access.get_complaint_for_user(request.user, complaint_id)
    if not may_act_for(request.user, complaint.complainant_id, ConsentScope.CHOOSE):
        raise Http404("Page not found")  # a view-only consent never writes
    form = f.EscalateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        done = _attempt(
            form,
            lambda: services.complaint_escalate(
                complaint=complaint, reason=form.cleaned_data["reason"], by=request.user
            ),
        )
        if done is not None:
            messages.success(request, _("You have asked for stage 2"))
            return redirect(complaint)
    return _form_page(request, form, complaint, _("Ask for stage 2"))


# ---------------------------------------------------------------- everyone who may see it


@require_GET
def complaint_detail(request: HttpRequest, complaint_id: int) -> HttpResponse:
    complaint = access.get_complaint_for_user(request.user, complaint_id)
    staff = access.is_staff_of(request.user, complaint.body_id)
    mine = access.is_complainant_side(request.user, complaint)
    if mine:  # a champion's look at the resident's complaint is recorded
        record_view(Acting(complaint.complainant, request.user), f"complaint {complaint.pk}")
    regime = services.regime_of(complaint)
    stages = list(complaint.stages.select_related("handler"))
    last = stages[-1] if stages else None
    return render(
        request,
        "voice/complaints/detail.html",
        {
            "page_title": _("Complaint %(ref)s") % {"ref": complaint.reference},
            "complaint": complaint,
            "regime": regime,
            "stages": stages,
            "steps": complaint.steps.select_related("by"),
            "forwarded_to": Complaint.objects.filter(forwarded_from=complaint)
            .select_related("body")
            .first(),
            "nation": clocks.NATION_NAMES[complaint.nation],
            "today": timezone.localdate(),
            "staff": staff,
            "actions": _actions(complaint) if staff else [],
            "can_escalate": mine
            and may_act_for(request.user, complaint.complainant_id, ConsentScope.CHOOSE)
            and complaint.status == ComplaintStatus.ANSWERED
            and last is not None
            and last.number < regime.last_stage,
            "told_ombudsman": complaint.status
            in (ComplaintStatus.CLOSED, ComplaintStatus.OMBUDSMAN),
            "convention": clocks.CONVENTION,
        },
    )


ACTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "acknowledge": ((ComplaintStatus.RECEIVED, ComplaintStatus.ESCALATED), "Acknowledge it"),
    "pause": ((ComplaintStatus.ACKNOWLEDGED,), "Pause the clock"),
    "resume": ((ComplaintStatus.PAUSED,), "Start the clock again"),
    "extend": ((ComplaintStatus.ACKNOWLEDGED,), "Extend the answer's deadline"),
    "forward": (
        (ComplaintStatus.RECEIVED, ComplaintStatus.ACKNOWLEDGED, ComplaintStatus.PAUSED),
        "Forward to the right body",
    ),
    "answer": ((ComplaintStatus.ACKNOWLEDGED,), "Answer it"),
    "close": (
        (
            ComplaintStatus.RECEIVED,
            ComplaintStatus.ACKNOWLEDGED,
            ComplaintStatus.PAUSED,
            ComplaintStatus.ANSWERED,
        ),
        "Close it",
    ),  # fmt: skip
    "ombudsman": ((ComplaintStatus.CLOSED,), "Record that it went to the ombudsman"),
}


def _actions(complaint: Complaint) -> list[tuple[str, str]]:
    return [(key, _(label)) for key, (when, label) in ACTIONS.items() if complaint.status in when]


@require_GET
def complaint_queue(request: HttpRequest) -> HttpResponse:
    bodies = access.bodies_of(request.user)
    if not bodies.exists():
        raise Http404("Page not found")
    show = request.GET.get("show", "open")
    query = access.queue_for(request.user)
    if show != "all":
        query = query.filter(status__in=OPEN_STATUSES)
    today = timezone.localdate()
    rows = []
    for c in query[:200]:
        stage = max(c.stages.all(), key=lambda s: s.number, default=None)
        due = stage.current_due() if stage else None
        rows.append({"complaint": c, "stage": stage, "due": due,
                     "overdue": due is not None and due < today})  # fmt: skip
    return render(
        request,
        "voice/complaints/queue.html",
        {"page_title": _("Complaints to handle"), "rows": rows, "show": show, "today": today,
         "convention": clocks.CONVENTION},
    )  # fmt: skip


# ---------------------------------------------------------------- the handler's actions


def _form_page(request: HttpRequest, form: Any, complaint: Complaint, title: str) -> HttpResponse:
    return render(
        request,
        "voice/complaints/form.html",
        {"page_title": title, "form": form, "complaint": complaint,
         "convention": clocks.CONVENTION},
        status=400 if form.errors else 200,
    )  # fmt: skip


def _form_for(action: str, complaint: Complaint, data: Any) -> Any:
    today = {"on": timezone.localdate()}
    if action == "acknowledge":
        staff = access.body_staff(complaint.body)
        return f.AcknowledgeForm(data, staff=staff, initial=today)
    if action == "forward":
        bodies = Organisation.objects.exclude(pk=complaint.body_id).order_by("name")
        return f.ForwardForm(data, bodies=bodies)
    form_class = {
        "pause": f.PauseForm, "resume": f.ResumeForm, "extend": f.ExtendForm,
        "answer": f.AnswerForm, "close": f.CloseForm, "ombudsman": f.OmbudsmanForm,
    }[action]  # fmt: skip
    return form_class(data, initial=today)


def _call(action: str, c: Complaint, data: dict[str, Any], by: Any) -> Any:
    calls = {
        "acknowledge": lambda: services.complaint_acknowledge(
            complaint=c, handler=data["handler"], on=data["on"], by=by),
        "pause": lambda: services.complaint_pause(complaint=c, reason=data["reason"], by=by),
        "resume": lambda: services.complaint_resume(complaint=c, on=data["on"], by=by),
        "extend": lambda: services.complaint_extend(
            complaint=c, days=data["days"], reason=data["reason"], by=by),
        "forward": lambda: services.complaint_forward(
            complaint=c, to=data["to"], reason=data["reason"], by=by),
        "answer": lambda: services.complaint_answer(
            complaint=c, outcome=data["outcome"], response=data["response"],
            remedy=data["remedy"], learning=data["learning"], on=data["on"], by=by),
        "close": lambda: services.complaint_close(complaint=c, reason=data["reason"], by=by),
        "ombudsman": lambda: services.complaint_ombudsman(complaint=c, on=data["on"], by=by),
    }  # fmt: skip
    return calls[action]()


@require_http_methods(["GET", "POST"])
def complaint_act(request: HttpRequest, complaint_id: int, action: str) -> HttpResponse:
    complaint = access.get_complaint_for_user(request.user, complaint_id)
    if action not in ACTIONS or not access.is_staff_of(request.user, complaint.body_id):
        raise Http404("Page not found")
    form = _form_for(action, complaint, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        done = _attempt(form, lambda: _call(action, complaint, form.cleaned_data, request.user))
        if done is not None:
            messages.success(request, _("Done: %(what)s") % {"what": _(ACTIONS[action][1])})
            return redirect(done if isinstance(done, Complaint) else complaint)
    return _form_page(request, form, complaint, _(ACTIONS[action][1]))
