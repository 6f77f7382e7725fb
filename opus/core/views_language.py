"""The header's English | Cymraeg toggle: a link (pages work without JavaScript)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

ONE_YEAR = 365 * 24 * 60 * 60


@require_GET
def language(request: HttpRequest, code: str) -> HttpResponse:
    """Remember the language in a cookie and go back to the page the person was on."""
    if code not in dict(settings.LANGUAGES):
        raise Http404("No such language")
    back = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = "/"
    response = HttpResponseRedirect(back)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=ONE_YEAR,
        samesite="Lax",
        secure=request.is_secure(),
        httponly=True,
    )
    return response
