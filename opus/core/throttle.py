"""The client's address behind trusted proxies, and counting requests against a limit.

`client_ip` is what django-axes records for each sign-in (AXES_CLIENT_IP_CALLABLE) and what
the password-reset throttle counts per client. `allow` counts in the database (ThrottleHit),
so that every web process shares one count.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from opus.core.models import ThrottleHit

LONGEST_WINDOW = timedelta(days=1)


def _meta_key(header: str) -> str:
    return "HTTP_" + header.upper().replace("-", "_")


def client_ip(request: HttpRequest) -> str:
    """The connecting address, or with OPUS_TRUSTED_PROXY_COUNT = N the address N places from
    the right of the trusted header (each proxy appends the address it saw; anything further
    left was written by the client and is not believed)."""
    remote = str(request.META.get("REMOTE_ADDR") or "")
    count = settings.OPUS_TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    header = str(request.META.get(_meta_key(settings.OPUS_TRUSTED_PROXY_HEADER), ""))
    hops = [hop.strip() for hop in header.split(",") if hop.strip()]
    if len(hops) < count:
        return remote  # not through the expected proxies: believe only the connection
    return hops[-count][:45]


def _digest(key: str) -> str:
    return hashlib.sha256(key.strip().lower().encode("utf-8")).hexdigest()


def allow(scope: str, key: str, *, limit: int, window: timedelta) -> bool:
    """Whether one more request under (scope, key) fits `limit` in `window`; if so it is counted."""
    now = timezone.now()
    digest = _digest(key)
    with transaction.atomic():
        ThrottleHit.objects.filter(created_at__lt=now - LONGEST_WINDOW).delete()
        used = ThrottleHit.objects.filter(
            scope=scope, key=digest, created_at__gte=now - window
        ).count()
        if used >= limit:
            return False
        ThrottleHit.objects.create(scope=scope, key=digest, created_at=now)
    return True
