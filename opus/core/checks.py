"""System checks that refuse an unsafe production configuration.

They run with every management command (`migrate`, `check --deploy`, `runserver`) when
OPUS_ENV=production, at Error level, so a deployment that checks before it starts stops.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

MIN_SEALING_SECRET = 32
# settings.OCDS_OCID_PREFIX's default: marks data as not yet registered (fine in the demo).
OCID_PLACEHOLDER = "ocds-xxxxxx"
# settings.OPUS_COUNCIL_NAME's and OPUS_COUNCIL_EMAIL's demo values.
COUNCIL_PLACEHOLDERS = {
    "OPUS_COUNCIL_NAME": "Example Council",
    "OPUS_COUNCIL_EMAIL": "opus@example.gov.uk",
}


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
    prefix = (getattr(settings, "OCDS_OCID_PREFIX", "") or "").strip()
    if prefix.lower() in ("", OCID_PLACEHOLDER):
        errors.append(
            Error(
                f"OCDS_OCID_PREFIX is {prefix or 'not set'!r}: published contracting data "
                "would carry identifiers no one registered",
                hint="Register an OCID prefix (https://standard.open-contracting.org/latest/en/"
                "guidance/build/#register-an-ocid-prefix) and set it, for example "
                "OCDS_OCID_PREFIX=ocds-abc123",
                id="opus.E004",
            )
        )
    return errors


@register()
def council_named(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The privacy notice and accessibility statement name the council: not a placeholder."""
    if not getattr(settings, "PRODUCTION", False):
        return []
    return [
        Warning(
            f"{name} is the placeholder {placeholder!r}: the privacy notice, accessibility "
            "statement and feedback link would name no real council",
            hint=f"Set {name}, for example OPUS_COUNCIL_NAME='Northvale Council' and "
            "OPUS_COUNCIL_EMAIL=opus@northvale.gov.uk",
            id="opus.W001",
        )
        for name, placeholder in COUNCIL_PLACEHOLDERS.items()
        if (getattr(settings, name, "") or "").strip() in ("", placeholder)
    ]


@register(Tags.security, deploy=True)
def two_factor_required(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Production staff sign in with a second factor unless someone chose otherwise."""
    if not getattr(settings, "PRODUCTION", False) or getattr(settings, "OPUS_REQUIRE_2FA", True):
        return []
    return [
        Warning(
            "OPUS_REQUIRE_2FA is off: commissioners, auditors and administrators can sign in "
            "with a password alone",
            hint="Remove OPUS_REQUIRE_2FA=false (it is on by default in production)",
            id="opus.W002",
        )
    ]


@register()
def threesixty_prefix(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Published grants carry the publisher's 360Giving prefix (360G-…), registered with
    360Giving: production needs a well-formed one (unset, grants carry the placeholder
    360G-opus-demo of opus.neighbourhoods.threesixty, which would clash with every council)."""
    if not getattr(settings, "PRODUCTION", False):
        return []
    prefix = (getattr(settings, "OPUS_360_PREFIX", "") or "").strip()
    if not re.fullmatch(r"360G-[A-Za-z0-9][A-Za-z0-9_-]*", prefix):
        return [
            Error(
                f"OPUS_360_PREFIX is {prefix!r}: set the 360Giving prefix your council registered"
                " (360G- then letters, digits, - or _)",
                hint="For example OPUS_360_PREFIX=360G-northvale",
                id="opus.E005",
            )
        ]
    return []
