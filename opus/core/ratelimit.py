"""Rate limits on the JSON APIs: per token and per address, answered 429 with Retry-After.

Fixed one-minute windows counted in the cache (Redis through `OPUS_CACHE_URL` when several
processes serve, so they share the counts; each process's memory otherwise). A request with a
bearer token counts against that token (`OPUS_API_RATE_PER_TOKEN` a minute); every request also
counts against its address (`OPUS_API_RATE_PER_ADDRESS` a minute, ten times that for requests
with a token, so made-up tokens cannot be used to slip past the address's limit). Over a limit,
the answer is `application/problem+json` saying when to come back, and nothing runs.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

WINDOW = 60
API_PREFIXES = ("/api/",)


def _count(key: str, window: int) -> int:
    full = f"opus:rate:{key}:{window}"
    cache.add(full, 0, timeout=WINDOW * 2)
    try:
        return cache.incr(full)
    except ValueError:  # expired between add and incr
        cache.set(full, 1, timeout=WINDOW * 2)
        return 1


def _too_many(retry_after: int, what: str) -> HttpResponse:
    response = JsonResponse(
        {
            "type": "about:blank",
            "title": _("Too many requests"),
            "status": 429,
            "detail": _("More than %(what)s in a minute; try again in %(seconds)d seconds")
            % {"what": what, "seconds": retry_after},
        },
        status=429,
        content_type="application/problem+json",
    )
    response["Retry-After"] = str(retry_after)
    return response


class RateLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.OPUS_API_RATE_LIMITS and request.path.startswith(API_PREFIXES):
            refused = self._check(request)
            if refused is not None:
                return refused
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> HttpResponse | None:
        now = time.time()
        window = int(now // WINDOW)
        retry_after = max(1, int((window + 1) * WINDOW - now))
        header = request.headers.get("Authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        per_address = settings.OPUS_API_RATE_PER_ADDRESS * (10 if token else 1)
        address = request.META.get("REMOTE_ADDR", "unknown")
        if _count(f"addr:{address}", window) > per_address:
            return _too_many(retry_after, _("%(n)d requests from one address") % {"n": per_address})
        if token:
            key = hashlib.sha256(token.encode()).hexdigest()[:32]
            limit = settings.OPUS_API_RATE_PER_TOKEN
            if _count(f"token:{key}", window) > limit:
                return _too_many(retry_after, _("%(n)d requests with one token") % {"n": limit})
        return None
