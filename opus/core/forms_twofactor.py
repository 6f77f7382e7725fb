"""Forms for two-factor sign-in: a code from an authenticator app, or a backup code."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from opus.core.fields import GovukForm
from opus.core.twofactor import is_app_code, normalise_code

# Backup codes are 8 characters of django-otp's base32 alphabet (a–z and 2–7).
BACKUP_CODE = re.compile(r"^[a-z2-7]{8}$")


class AppCodeForm(GovukForm):
    """The 6-digit code an authenticator app shows, to confirm the app."""

    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=20,
        help_text=_("The 6-digit code the app shows now, for example 123456"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
        error_messages={"required": _("Enter the 6-digit code from your authenticator app")},
    )

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if not is_app_code(code):
            raise forms.ValidationError(
                _("Enter the 6 digits your authenticator app shows, like 123456"), code="format"
            )
        return code


class CodeForm(GovukForm):
    """A code from the app, or one of the person's backup codes."""

    code = forms.CharField(
        label=_("Code"),
        max_length=30,
        help_text=_(
            "The 6-digit code your authenticator app shows now, or one of your backup codes"
        ),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
        error_messages={
            "required": _("Enter the code from your authenticator app, or a backup code")
        },
    )

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if not (is_app_code(code) or BACKUP_CODE.match(code)):
            raise forms.ValidationError(
                _("Enter the 6 digits your authenticator app shows, or an 8-character backup code"),
                code="format",
            )
        return code
