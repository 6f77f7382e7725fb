"""System checks that refuse an unsafe production configuration.

They run with every management command (`migrate`, `check --deploy`, `runserver`) when
OPUS_ENV=production, at Error level, so a deployment that checks before it starts stops.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

MIN_SEALING_SECRET = 32


@register(Tags.security)
def production_secrets(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if not getattr(settings, "PRODUCTION", False):
        return []
    errors: list[CheckMessage] = []
    sealing = settings.OPUS_BID_SEALING_SECRET or ""
    if len(sealing) < MIN_SEALING_SECRET:
        errors.append(
            Error(
                f"OPUS_BID_SEALING_SECRET is {len(sealing)} characters long; "
                f"it must be at least {MIN_SEALING_SECRET}",
                hint="For example: python -c 'import secrets; print(secrets.token_urlsafe(48))'",
                id="opus.E001",
            )
        )
    if sealing and sealing == settings.SECRET_KEY:
        errors.append(
            Error(
                "OPUS_BID_SEALING_SECRET is the same as SECRET_KEY",
                hint="Set a secret of its own, so rotating SECRET_KEY cannot reveal or lose bids",
                id="opus.E002",
            )
        )
    if "*" in settings.ALLOWED_HOSTS:
        errors.append(
            Error(
                "ALLOWED_HOSTS contains '*': any Host header would be accepted",
                hint="Name the site's host names, for example ALLOWED_HOSTS=opus.example.gov.uk",
                id="opus.E003",
            )
        )
    return errors
