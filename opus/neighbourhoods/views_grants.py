"""Small grants' pages: the published list (open data) and one application (private)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from opus.neighbourhoods import grants as services
from opus.neighbourhoods.models.grants import GrantApplication
from opus.neighbourhoods.threesixty import published_grants


@require_GET
def grant_list(request: HttpRequest) -> HttpResponse:
    """Every awarded grant: who, what, how much, where (as published in 360Giving)."""
    return render(request, "neighbourhoods/grants/list.html", {"grants": published_grants()[:500]})


@require_GET
def grant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One application, for the group, the council's councillors and officers; 404 otherwise."""
    application = (
        GrantApplication.objects.select_related("round__council", "group", "place")
        .filter(pk=pk)
        .first()
    )
    if application is None or not services.may_see_application(request.user, application):  # type: ignore[arg-type]
        raise Http404
    return render(
        request,
        "neighbourhoods/grants/detail.html",
        {"application": application, "monitoring": getattr(application, "monitoring", None)},
    )
