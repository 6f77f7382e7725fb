"""Your data: what Opus holds about you, as a page and as a download."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from opus.core import personal_data
from opus.core.retention import SCHEDULE


@login_required
@require_GET
def my_data(request: HttpRequest) -> HttpResponse:
    found = list(personal_data.records_of(request.user))  # one pass for both lists
    kept = set(personal_data.holds(request.user, found))
    return render(
        request,
        "core/my_data.html",
        {
            "page_title": "Your data",
            "held": personal_data.summary(request.user, found),
            "holds": [entry for entry in SCHEDULE if entry.key in kept],
        },
    )


@login_required
@require_GET
def my_data_download(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(personal_data.export_zip(request.user), content_type="application/zip")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="opus-my-data-{stamp}.zip"'
    response["Cache-Control"] = "no-store"
    return response
