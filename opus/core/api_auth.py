"""API authentication: bearer tokens for machines, the session cookie for the site's own pages."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from opus.core.models import ApiToken, User


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        record = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=ApiToken.hash_secret(token), revoked_at__isnull=True)
            .first()
        )
        if record is None or not record.user.is_active:
            return None
        now = timezone.now()
        if record.last_used_at is None or (now - record.last_used_at).total_seconds() > 300:
            ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
        request.user = record.user
        return record.user
