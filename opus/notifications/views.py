from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from opus.core.models import Role
from opus.core.pagination import KeysFirstPaginator
from opus.core.roles import has_role, role_required
from opus.notifications import delivery, services
from opus.notifications.forms import PreferenceForm
from opus.notifications.models import Category, Notification, Status

PAGE_SIZE = 25


def _page(request: HttpRequest, notices: QuerySet[Notification]) -> dict[str, Any]:
    page_obj = KeysFirstPaginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    return {"page_obj": page_obj, "query_without_page": ""}


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    """What was sent to the signed-in person, newest first: nobody else's."""
    notices = Notification.objects.filter(recipient=request.user).order_by("-created_at", "-id")
    context = {"page_title": _("Messages sent to you"), **_page(request, notices)}
    return render(request, "notifications/notification_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    preference = services.preference_for(request.user)
    allow_sms = has_role(request.user, Role.RESIDENT)
    initial = {
        "email_on": [c for c in Category.values if c not in preference.email_off],
        "sms_on": preference.sms_on,
        "mobile": preference.mobile,
    }
    data = request.POST if request.method == "POST" else None
    form = PreferenceForm(data, initial=initial, allow_sms=allow_sms)
    if request.method == "POST" and form.is_valid():
        email_on = set(form.cleaned_data["email_on"])
        services.preference_update(
            user=request.user,
            by=request.user,
            email_off=[c for c in Category.values if c not in email_on],
            sms_on=form.cleaned_data.get("sms_on", []),
            mobile=form.cleaned_data.get("mobile", ""),
        )
        messages.success(request, _("Your choices have been saved"))
        return redirect("notifications:preferences")
    context = {"page_title": _("How we contact you"), "form": form, "allow_sms": allow_sms,
               "sms_available": delivery.sms_available()}  # fmt: skip
    return render(
        request, "notifications/preferences.html", context, status=400 if form.errors else 200
    )


@role_required(Role.ADMIN)
@require_GET
def failed_list(request: HttpRequest) -> HttpResponse:
    """Notices that could not be delivered after every attempt, for administrators."""
    notices = (
        Notification.objects.filter(status=Status.FAILED)
        .select_related("recipient")
        .order_by("-created_at", "-id")
    )
    context = {"page_title": _("Messages that could not be sent"), "now": timezone.now(),
               **_page(request, notices)}  # fmt: skip
    return render(request, "notifications/failed_list.html", context)
