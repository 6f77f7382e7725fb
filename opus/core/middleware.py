"""Sessions end after OPUS_SESSION_IDLE_MINUTES without a request."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

SEEN_KEY = "opus_seen"
REFRESH_SECONDS = 60  # the session is written at most once a minute to note activity


class IdleSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            seen = request.session.get(SEEN_KEY)
            if isinstance(seen, int) and now - seen > settings.OPUS_SESSION_IDLE_MINUTES * 60:
                logout(request)
                messages.info(
                    request,
                    _("You were signed out after %(minutes)d minutes without activity")
                    % {"minutes": settings.OPUS_SESSION_IDLE_MINUTES},
                )
            elif not isinstance(seen, int) or now - seen >= REFRESH_SECONDS:
                request.session[SEEN_KEY] = now
        return self.get_response(request)


@receiver(user_logged_in)
def _seen_at_sign_in(sender: object, request: HttpRequest | None, **kwargs: object) -> None:
    """Signing in is activity: noted in the session the sign-in saves anyway."""
    if request is not None and hasattr(request, "session"):
        request.session[SEEN_KEY] = int(time.time())
