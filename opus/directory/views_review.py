"""The review queue of suggested needs: provider staff decide their own services', and
administrators (the directory's officers) everyone's, one by one or several at once after a
check-your-answers page. The writes are in needs_mapping.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from opus.core.fields import GovukForm
from opus.core.models import Role
from opus.core.roles import role_required
from opus.directory import needs_mapping
from opus.directory.models import SuggestedNeed

PAGE_SIZE = 50
DECISIONS = (("confirm", gettext_lazy("Confirm")), ("reject", gettext_lazy("Reject")))


class DecisionForm(GovukForm):
    decision = forms.ChoiceField(
        choices=DECISIONS,
        error_messages={"required": gettext_lazy("Select confirm or reject")},
    )


class BulkForm(DecisionForm):
    suggestion = forms.TypedMultipleChoiceField(
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": gettext_lazy("Select at least one suggestion"),
            "invalid_choice": gettext_lazy("Select suggestions from the list"),
        },
    )

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["suggestion"].choices = choices

    def clean_suggestion(self) -> list[int]:
        chosen = list(dict.fromkeys(self.cleaned_data["suggestion"]))
        if len(chosen) > needs_mapping.MAX_BULK:
            raise forms.ValidationError(
                _("Select at most %(count)s suggestions at once"),
                params={"count": needs_mapping.MAX_BULK},
            )
        return chosen


def _strength(score: float) -> str:
    return _("Strong") if score >= 0.8 else _("Likely") if score >= 0.6 else _("Possible")


def _rows(found: Any) -> list[dict[str, Any]]:
    return [
        {
            "suggestion": s,
            "strength": _strength(s.score),
            "words": ", ".join(f"“{w}”" for w in s.words),
        }
        for s in found
    ]


def _queue(
    request: HttpRequest, form: BulkForm | None = None, *, status: int = 200
) -> HttpResponse:
    waiting = needs_mapping.suggestions_for_user(request.user).order_by(
        "service__name", "service_id", "-score", "pk"
    )
    page_obj = Paginator(waiting, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_title": _("Suggested needs to review"),
        "page_obj": page_obj,
        "rows": _rows(page_obj.object_list),
        "form": form,
        "max_bulk": needs_mapping.MAX_BULK,
    }
    return render(request, "directory/review/queue.html", context, status=status)


def _choices(user: Any, ids: list[str]) -> list[tuple[int, str]]:
    """The suggestions named in a request that this person may decide (others are not offered)."""
    wanted = [int(i) for i in ids if str(i).isdigit()][: needs_mapping.MAX_BULK + 1]
    found = needs_mapping.suggestions_for_user(user).filter(pk__in=wanted)
    return [(s.pk, f"{s.term.name} — {s.service.name}") for s in found]


@role_required(Role.PROVIDER, Role.ADMIN)
@require_GET
def needs_review(request: HttpRequest) -> HttpResponse:
    return _queue(request)


@role_required(Role.PROVIDER, Role.ADMIN)
@require_POST
def needs_review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    suggestion = needs_mapping.get_suggestion_for_user(request.user, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _queue(request, form, status=400)
    confirm = form.cleaned_data["decision"] == "confirm"
    try:
        needs_mapping.suggested_need_decide(suggestion=suggestion, confirm=confirm, by=request.user)
    except needs_mapping.AlreadyDecided:
        messages.info(request, _("That suggestion had already been decided"))
    except PermissionDenied:
        raise Http404("No such suggestion") from None
    else:
        done = _("confirmed: it is now one of the service's needs") if confirm else _("rejected")
        messages.success(
            request,
            _("%(need)s for %(service)s %(done)s")
            % {"need": suggestion.term.name, "service": suggestion.service.name, "done": done},
        )
    return redirect("directory:needs_review")


@role_required(Role.PROVIDER, Role.ADMIN)
@require_POST
def needs_review_check(request: HttpRequest) -> HttpResponse:
    """Check your answers before deciding several suggestions (nothing changes here)."""
    form = BulkForm(
        request.POST, choices=_choices(request.user, request.POST.getlist("suggestion"))
    )
    if not form.is_valid():
        return _queue(request, form, status=400)
    return _check_page(request, form)


def _check_page(request: HttpRequest, form: BulkForm) -> HttpResponse:
    confirm = form.cleaned_data["decision"] == "confirm"
    chosen = SuggestedNeed.objects.filter(pk__in=form.cleaned_data["suggestion"]).select_related(
        "service", "term"
    )
    rows = [
        {"key": s.service.name, "value": f"{s.term.name} ({', '.join(s.words)})"}
        for s in chosen.order_by("service__name", "pk")
    ]
    count = len(rows)
    heading = (
        _("Confirm %(count)s suggested needs?")
        if confirm
        else _("Reject %(count)s suggested needs?")
    ) % {"count": count}
    warning = (
        _("Each need becomes one of its service's needs: people choosing services find it by it.")
        if confirm
        else _("Rejected needs are not suggested again for these services.")
    )
    context = {
        "page_title": heading,
        "caption": _("Suggested needs"),
        "heading": heading,
        "rows": rows,
        "warning": warning,
        "action": reverse("directory:needs_review_bulk"),
        "hidden": [("decision", form.cleaned_data["decision"])]
        + [("suggestion", pk) for pk in form.cleaned_data["suggestion"]],
        "button": _("Confirm these needs") if confirm else _("Reject these suggestions"),
        "back_url": reverse("directory:needs_review"),
    }
    return render(request, "govuk/check_answers.html", context)


@role_required(Role.PROVIDER, Role.ADMIN)
@require_POST
def needs_review_bulk(request: HttpRequest) -> HttpResponse:
    """Decide the suggestions the check-your-answers page listed (only with confirm=yes)."""
    form = BulkForm(
        request.POST, choices=_choices(request.user, request.POST.getlist("suggestion"))
    )
    if not form.is_valid():
        return _queue(request, form, status=400)
    if request.POST.get("confirm") != "yes":
        return _check_page(request, form)
    confirm = form.cleaned_data["decision"] == "confirm"
    try:
        decided = needs_mapping.suggested_needs_decide(
            ids=form.cleaned_data["suggestion"], confirm=confirm, by=request.user
        )
    except needs_mapping.AlreadyDecided as error:
        form.add_error(None, str(error))
        return _queue(request, form, status=400)
    except (PermissionDenied, SuggestedNeed.DoesNotExist):
        raise Http404("No such suggestion") from None
    messages.success(
        request,
        (
            _("%(count)s suggested needs confirmed")
            if confirm
            else _("%(count)s suggestions rejected")
        )
        % {"count": len(decided)},
    )
    return redirect("directory:needs_review")
