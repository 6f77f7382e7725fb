"""Pages of consultations and co-design: thin, the rules are in consultations.py.

A response is built on GOV.UK question pages, one question a page, kept in the session until
the person confirms it on "Check your answers"; only then is anything saved.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opus.commissioning.models import ServiceDecision
from opus.core import csvsafe
from opus.core.check_answers import check_answers_page, confirmed, row
from opus.core.refusals import attempt
from opus.core.throttle import client_ip
from opus.voice import consultation_results as summary
from opus.voice import consultations as services
from opus.voice import forms_consultations as f
from opus.voice.models import (
    Answer,
    Consultation,
    ConsultationStatus,
    Question,
    QuestionKind,
    Recommendation,
)

T = "voice/consultations/"
Refused = services.ConsultationError


def _status(form: Any) -> int:
    return 400 if form.errors else 200


def _form_page(request: HttpRequest, form: Any, title: str, **more: Any) -> HttpResponse:
    context = {"page_title": title, "form": form, **more}
    return render(request, T + "form.html", context, status=_status(form))


# --- Public -------------------------------------------------------------------------------


@require_GET
def consultation_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    shown = Consultation.objects.exclude(status=ConsultationStatus.DRAFT).select_related("body")
    context = {
        "page_title": _("Consultations"),
        "open": [c for c in shown if c.is_open(today)],
        "closed": [c for c in shown if c.has_closed(today)][:50],
        "drafts": Consultation.objects.filter(
            status=ConsultationStatus.DRAFT, body__in=services.bodies_run_by(request.user)
        ),
        "may_open": services.bodies_run_by(request.user).exists(),
    }
    return render(request, T + "list.html", context)


@require_GET
def consultation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = services.get_consultation_for_user(request.user, pk)
    context = {
        "page_title": consultation.title,
        "c": consultation,
        "questions": consultation.questions.all(),
        "documents": consultation.documents.all(),
        "runs": services.runs(request.user, consultation),
        "is_open": consultation.is_open(),
        "has_closed": consultation.has_closed(),
    }
    return render(request, T + "detail.html", context)


@require_GET
def consultation_results(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = services.get_consultation_for_user(request.user, pk)
    if not (consultation.has_closed() or services.runs(request.user, consultation)):
        raise Http404("Page not found")
    found = summary.results(consultation)
    if request.GET.get("format") == "csv":
        response = csvsafe.download(f"consultation-{consultation.pk}.csv")
        csvsafe.writer(response).writerows(summary.csv_rows(found))
        return response
    context = {"page_title": _("Results: %(t)s") % {"t": consultation.title}, "c": consultation,
               **found}  # fmt: skip
    return render(request, T + "results.html", context)


# --- Responding ---------------------------------------------------------------------------


def _draft(request: HttpRequest, consultation: Consultation) -> dict[str, Any]:
    key = f"consultation-{consultation.pk}"
    found: dict[str, Any] = request.session.setdefault(key, {"answers": {}, "about": {}})
    return found


def _save(request: HttpRequest) -> None:
    request.session.modified = True


def _open(request: HttpRequest, pk: int) -> Consultation:
    consultation = services.get_consultation_for_user(request.user, pk)
    if not consultation.is_open():
        raise Http404("Page not found")
    return consultation


def _next_url(consultation: Consultation, step: int, count: int) -> str:
    if step < count:
        return reverse("voice:consultation_respond", args=[consultation.pk, step + 1])
    return reverse("voice:consultation_about", args=[consultation.pk])


@require_http_methods(["GET", "POST"])
def respond_question(request: HttpRequest, pk: int, step: int) -> HttpResponse:
    consultation = _open(request, pk)
    questions = list(consultation.questions.all())
    if not 1 <= step <= len(questions):
        raise Http404("Page not found")
    question = questions[step - 1]
    draft = _draft(request, consultation)
    given = draft["answers"].get(str(question.pk))
    form = f.answer_form(question, request.POST if request.method == "POST" else None, given)
    if request.method == "POST" and form.is_valid():
        value = form.cleaned_data["answer"]
        if attempt(form, lambda: services.check_answer(question, value), Refused) is not None:
            draft["answers"][str(question.pk)] = value
            _save(request)
            if request.GET.get("check"):
                return redirect("voice:consultation_check", consultation.pk)
            return redirect(_next_url(consultation, step, len(questions)))
    context = {
        "c": consultation,
        "question": question,
        "step": step,
        "count": len(questions),
        "back": _back(consultation, step),
    }
    return _form_page(request, form, question.text, template="question", **context)


def _back(consultation: Consultation, step: int) -> str:
    if step <= 1:
        return reverse("voice:consultation_detail", args=[consultation.pk])
    return reverse("voice:consultation_respond", args=[consultation.pk, step - 1])


@require_http_methods(["GET", "POST"])
def respond_about(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _open(request, pk)
    draft = _draft(request, consultation)
    form = f.AboutYouForm(
        request.POST if request.method == "POST" else None, initial=draft["about"]
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        equality = {k: data[k] for k in services.EQUALITY_FIELDS}
        if attempt(form, lambda: services.check_equality(equality, data["consent"]), Refused):
            draft["about"] = {"email": data["email"], "consent": data["consent"], **equality}
            _save(request)
            return redirect("voice:consultation_check", consultation.pk)
    count = consultation.questions.count()
    context = {
        "c": consultation,
        "back": reverse("voice:consultation_respond", args=[consultation.pk, max(count, 1)]),
    }
    return _form_page(request, form, _("About you"), template="about", **context)


def _answer_words(question: Question, value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(value) or _("Not answered")
    return str(value or _("Not answered"))


def _check_rows(consultation: Consultation, draft: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for step, question in enumerate(consultation.questions.all(), start=1):
        url = reverse("voice:consultation_respond", args=[consultation.pk, step]) + "?check=1"
        value = draft["answers"].get(str(question.pk))
        rows.append(row(question.text, _answer_words(question, value), url))
    about = draft["about"]
    url = reverse("voice:consultation_about", args=[consultation.pk])
    rows.append(row(_("E-mail address"), about.get("email") or _("Not given"), url))
    given = about.get("consent") and any(about.get(k) for k in services.EQUALITY_FIELDS)
    rows.append(row(_("Equality monitoring"), _("Answered") if given else _("Not answered"), url))
    return rows


@require_http_methods(["GET", "POST"])
def respond_check(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _open(request, pk)
    draft = _draft(request, consultation)
    if not draft["answers"] and not draft["about"]:
        return redirect("voice:consultation_respond", consultation.pk, 1)
    if confirmed(request):
        try:
            _submit(request, consultation, draft)
        except Refused as exc:
            messages.error(request, str(exc))
        else:
            request.session.pop(f"consultation-{consultation.pk}", None)
            return render(request, T + "sent.html", {"page_title": _("Response sent"),
                                                     "c": consultation})  # fmt: skip
    return check_answers_page(
        request,
        heading=_("Check your answers before sending your response"),
        caption=consultation.title,
        rows=_check_rows(consultation, draft),
        action=reverse("voice:consultation_check", args=[consultation.pk]),
        button=_("Send my response"),
        back_url=reverse("voice:consultation_detail", args=[consultation.pk]),
    )


def _submit(request: HttpRequest, consultation: Consultation, draft: dict[str, Any]) -> None:
    if not request.session.session_key:
        request.session.save()
    about = draft["about"]
    services.response_submit(
        consultation=consultation,
        answers={int(k): v for k, v in draft["answers"].items()},
        email=about.get("email", ""),
        equality={k: about.get(k, "") for k in services.EQUALITY_FIELDS},
        consent=bool(about.get("consent")),
        user=request.user,
        session_key=str(request.session.session_key),
        address=client_ip(request),
    )


# --- Running a consultation ---------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def consultation_new(request: HttpRequest) -> HttpResponse:
    bodies = services.bodies_run_by(request.user)
    if not bodies.exists():
        raise Http404("Page not found")
    form = f.ConsultationForm(request.POST if request.method == "POST" else None, bodies=bodies)
    if request.method == "POST" and form.is_valid():
        made = attempt(
            form,
            lambda: services.consultation_create(**form.cleaned_data, by=request.user),
            Refused,
        )
        if made is not None:
            messages.success(request, _("Draft saved: now add its questions"))
            return redirect("voice:consultation_detail", made.pk)
    return _form_page(request, form, _("Open a consultation"))


def _manage_form(action: str, consultation: Consultation, data: Any) -> Any:
    forms = {"question": f.QuestionForm, "document": f.DocumentForm, "theme": f.ThemeForm,
             "conclude": f.ConcludeForm}  # fmt: skip
    return forms[action](data)


def _manage_call(action: str, c: Consultation, form: Any, by: Any) -> Any:
    data = form.cleaned_data
    calls = {
        "question": lambda: services.question_add(
            consultation=c, text=data["text"], kind=data["kind"], options=form.option_list(),
            hint=data["hint"], required=data["required"], by=by),
        "document": lambda: services.document_add(
            consultation=c, title=data["title"], url=data["url"], by=by),
        "theme": lambda: services.theme_add(consultation=c, name=data["name"], by=by),
    }  # fmt: skip
    return calls[action]()


MANAGE = {
    "question": _("Add a question"),
    "document": _("Add a document"),
    "theme": _("Add a theme"),
    "conclude": _("Publish “you said, we did”"),
    "publish": _("Publish the consultation"),
}


@require_http_methods(["GET", "POST"])
def consultation_manage(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    consultation = services.get_consultation_for_user(request.user, pk)
    if action not in MANAGE or not services.runs(request.user, consultation):
        raise Http404("Page not found")
    if action == "publish":
        return _publish(request, consultation)
    form = _manage_form(action, consultation, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if action == "conclude":
            return _conclude(request, consultation, form)
        if attempt(form, lambda: _manage_call(action, consultation, form, request.user), Refused):
            messages.success(request, _("Saved"))
            back = (
                "voice:consultation_answers" if action == "theme" else "voice:consultation_detail"
            )
            return redirect(back, consultation.pk)
    return _form_page(request, form, str(MANAGE[action]), c=consultation)


def _publish(request: HttpRequest, consultation: Consultation) -> HttpResponse:
    if confirmed(request):
        try:
            services.consultation_publish(consultation=consultation, by=request.user)  # type: ignore[arg-type]
        except Refused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Published: people can respond from the opening date"))
        return redirect("voice:consultation_detail", consultation.pk)
    rows = [
        row(_("Title"), consultation.title),
        row(_("Open"), f"{consultation.opens_on:%-d %B %Y} – {consultation.closes_on:%-d %B %Y}"),
        row(_("Questions"), "\n".join(q.text for q in consultation.questions.all()) or "—"),
        row(_("Documents"), "\n".join(d.title for d in consultation.documents.all()) or "—"),
    ]
    return check_answers_page(
        request, heading=_("Check the consultation before publishing it"), rows=rows,
        caption=consultation.body.name, button=_("Publish the consultation"),
        action=reverse("voice:consultation_manage", args=[consultation.pk, "publish"]),
        warning=_("Questions cannot be changed once it is published."),
        back_url=reverse("voice:consultation_detail", args=[consultation.pk]),
    )  # fmt: skip


def _conclude(request: HttpRequest, consultation: Consultation, form: Any) -> HttpResponse:
    text = form.cleaned_data["text"]
    if confirmed(request):
        done = attempt(
            form,
            lambda: services.consultation_conclude(
                consultation=consultation, text=text, by=request.user
            ),
            Refused,
        )
        if done is not None:
            messages.success(request, _("Published: respondents who left an address are told"))
            return redirect("voice:consultation_detail", consultation.pk)
        return _form_page(request, form, str(MANAGE["conclude"]), c=consultation)
    return check_answers_page(
        request, heading=_("Check “you said, we did” before publishing it"),
        rows=[row(_("You said, we did"), text)], caption=consultation.title,
        action=reverse("voice:consultation_manage", args=[consultation.pk, "conclude"]),
        hidden=[("text", text)], button=_("Publish and close the consultation"),
        warning=_("This closes the consultation and tells the people who responded."),
        back_url=reverse("voice:consultation_detail", args=[consultation.pk]),
    )  # fmt: skip


@require_GET
def consultation_answers(request: HttpRequest, pk: int) -> HttpResponse:
    """The free-text answers, each with its themes, for the body's staff to tag."""
    consultation = services.get_consultation_for_user(request.user, pk)
    if not services.runs(request.user, consultation):
        raise Http404("Page not found")
    answers = (
        Answer.objects.filter(response__consultation=consultation, question__kind=QuestionKind.TEXT)
        .exclude(text="")
        .select_related("question")
        .prefetch_related("themes")[:500]
    )
    themes = list(consultation.themes.all())
    choices = [(str(t.pk), t.name) for t in themes]
    rows = [(a, f.TagForm(choices=choices, initial={"themes": [str(t.pk) for t in a.themes.all()]},
                          prefix=f"a{a.pk}")) for a in answers]  # fmt: skip
    context = {
        "page_title": _("Themes in the answers"),
        "c": consultation,
        "rows": rows,
        "themes": summary.theme_counts(consultation),
        "theme_form": f.ThemeForm(),
    }
    return render(request, T + "answers.html", context)


@require_POST
def answer_tag(request: HttpRequest, answer_id: int) -> HttpResponse:
    answer = get_object_or_404(
        Answer.objects.select_related("response__consultation"), pk=answer_id
    )
    consultation = answer.response.consultation
    if not services.runs(request.user, consultation):
        raise Http404("Page not found")
    themes = list(consultation.themes.all())
    form = f.TagForm(request.POST, choices=[(str(t.pk), t.name) for t in themes],
                     prefix=f"a{answer.pk}")  # fmt: skip
    if form.is_valid():
        chosen = [t for t in themes if str(t.pk) in form.cleaned_data["themes"]]
        attempt(
            form,
            lambda: services.answer_tag(answer=answer, themes=chosen, by=request.user),
            Refused,
        )
    if form.errors:
        messages.error(request, _("Choose themes of this consultation"))
    else:
        messages.success(request, _("Themes saved"))
    return redirect(
        reverse("voice:consultation_answers", args=[consultation.pk]) + f"#a{answer.pk}"
    )


# --- Co-design ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def codesign_new(request: HttpRequest, decision_id: int) -> HttpResponse:
    decision = get_object_or_404(ServiceDecision.objects.select_related("plan"), pk=decision_id)
    if not services.runs_codesign(request.user, decision):
        raise Http404("Page not found")
    form = f.CodesignForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        made = attempt(
            form,
            lambda: services.codesign_create(
                decision=decision, by=request.user, **form.cleaned_data
            ),
            Refused,
        )
        if made is not None:
            return redirect("voice:codesign_detail", made.pk)
    return _form_page(request, form, _("Start a co-design group"), decision=decision)


@require_GET
def codesign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = services.get_codesign_for_user(request.user, pk)
    context = {
        "page_title": group.name,
        "group": group,
        "members": group.members.all(),
        "meetings": group.meetings.all(),
        "recommendations": group.recommendations.all(),
        "runs": services.runs_codesign(request.user, group.decision),
    }
    return render(request, T + "codesign.html", context)


RECORD = {
    "member": _("Add a member"),
    "meeting": _("Record a meeting"),
    "recommendation": _("Record a recommendation"),
}


def _record_call(action: str, group: Any, data: dict[str, Any], by: Any) -> Any:
    calls = {
        "member": lambda: services.codesign_member_add(group=group, by=by, **data),
        "meeting": lambda: services.codesign_meeting_add(group=group, by=by, **data),
        "recommendation": lambda: services.recommendation_add(group=group, by=by, **data),
    }
    return calls[action]()


@require_http_methods(["GET", "POST"])
def codesign_record(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    group = services.get_codesign_for_user(request.user, pk)
    if action not in RECORD or not services.runs_codesign(request.user, group.decision):
        raise Http404("Page not found")
    form_class = {"member": f.MemberForm, "meeting": f.MeetingForm,
                  "recommendation": f.RecommendationForm}[action]  # fmt: skip
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if attempt(form, lambda: _record_call(action, group, form.cleaned_data, request.user),
                   Refused) is not None:  # fmt: skip
            messages.success(request, _("Saved"))
            return redirect("voice:codesign_detail", group.pk)
    return _form_page(request, form, str(RECORD[action]), group=group)


@require_http_methods(["GET", "POST"])
def recommendation_respond(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Recommendation.objects.select_related("group"), pk=pk)
    group = services.get_codesign_for_user(request.user, found.group_id)
    if not services.runs_codesign(request.user, group.decision):
        raise Http404("Page not found")
    form = f.RecommendationRespondForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if attempt(form, lambda: services.recommendation_respond(
                recommendation=found, by=request.user, **form.cleaned_data), Refused):  # fmt: skip
            messages.success(request, _("Your response is recorded"))
            return redirect("voice:codesign_detail", group.pk)
    return _form_page(request, form, _("Respond to the recommendation"), group=group,
                      recommendation=found)  # fmt: skip
