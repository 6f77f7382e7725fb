"""API authentication: bearer tokens for machines, the session cookie for the site's own pages.

A token works while it is neither revoked nor past its expiry and its account is switched on;
tokens are revoked by their owner, and when the account is locked, changes its password or is
switched off (opus.core.account_security). Its last use is noted, at most every five minutes.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from opus.core.models import ApiToken, User

LAST_USED_RESOLUTION_SECONDS = 300


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        now = timezone.now()
        record = (
            ApiToken.objects.select_related("user")
            .filter(
                key_hash=ApiToken.hash_secret(token), revoked_at__isnull=True, expires_at__gt=now
            )
            .first()
        )
        if record is None or not record.user.is_active:
            return None
        last = record.last_used_at
        if last is None or (now - last).total_seconds() > LAST_USED_RESOLUTION_SECONDS:
            ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
        request.user = record.user
        return record.user
