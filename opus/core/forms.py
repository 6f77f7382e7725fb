"""Forms for core pages; every form renders with the GOV.UK error summary."""

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from opus.core import account_security
from opus.core.fields import GovukDateField, GovukForm, GovukModelForm, PostcodeField
from opus.core.models import Organisation


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label="E-mail address",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"required": "Enter your e-mail address"},
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password"},
    )
    error_messages = {
        "invalid_login": "Enter a correct e-mail address and password",
        "inactive": "This account has been switched off",
    }

    def clean_username(self) -> str:
        return self.cleaned_data["username"].lower()


class ThrottledPasswordResetForm(PasswordResetForm):
    """Django's reset form, sending at most a few e-mails an hour to one address and from one
    client (opus.core.account_security); the page after it says the same either way."""

    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Enter your e-mail address"),
            "invalid": _("Enter an e-mail address in the correct format, like name@example.com"),
        },
    )

    def save(self, *, request: HttpRequest | None = None, **kwargs: Any) -> None:  # type: ignore[override]
        email = self.cleaned_data["email"].strip().lower()
        if request is None or not account_security.password_reset_allowed(
            email=email, request=request
        ):
            return
        for user in self.get_users(email):
            account_security.password_reset_sent(user=user)
        super().save(request=request, **kwargs)


class OrganisationForm(GovukModelForm):
    website = forms.URLField(label="Website", required=False, assume_scheme="https")
    postcode = PostcodeField(label="Postcode", required=False)

    class Meta:
        model = Organisation
        fields = [
            "name", "kind", "description", "size_band", "charity_number", "company_number",
            "org_id", "address", "postcode", "website", "email",
        ]  # fmt: skip
        help_texts = {
            "charity_number": "For example, 1234567 or SC012345",
            "company_number": "For example, 01234567",
            "org_id": "An identifier from org-id.guide, for example GB-CHC-1234567",
        }
        error_messages = {"name": {"required": "Enter the organisation's name"}}


class ApiTokenForm(GovukForm):
    name = forms.CharField(
        label="Token name",
        max_length=100,
        help_text="So you can tell your tokens apart, for example 'Finance system'",
        error_messages={"required": "Enter a name for the token"},
    )


class OrganisationSearchForm(GovukForm):
    q = forms.CharField(label="Search organisations", required=False, max_length=100)


class AuditFilterForm(GovukForm):
    action = forms.CharField(label="Action", required=False, max_length=64)
    object_type = forms.CharField(label="Record type", required=False, max_length=64)
    actor = forms.CharField(label="Who (e-mail)", required=False, max_length=254)
    since = GovukDateField(label="From date", required=False, help_text="For example, 1 11 2026")
    until = GovukDateField(label="To date", required=False, help_text="For example, 30 11 2026")

    def clean(self) -> dict:
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "The to date must be the same as or after the from date")
        return data
