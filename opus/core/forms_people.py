"""Forms for people, invitations, sign-up and organisation registration."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from opus.core.fields import GovukForm, PostcodeField
from opus.core.models import SELF_REGISTERING_KINDS, Organisation, OrganisationKind, Role
from opus.core.validators import (
    validate_charity_number,
    validate_company_number,
    validate_org_id,
)

EMAIL_ERRORS = {
    "required": _("Enter your e-mail address"),
    "invalid": _("Enter an e-mail address in the correct format, like name@example.com"),
}


class PeopleSearchForm(GovukForm):
    q = forms.CharField(label=_("Search by name or e-mail"), required=False, max_length=100)


def _organisation_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.order_by("name"),
        to_field_name="slug",
        empty_label=_("Choose an organisation"),
        error_messages={
            "required": _("Choose an organisation"),
            "invalid_choice": _("Choose an organisation from the list"),
        },
    )


def _role_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Role"),
        choices=[("", _("Choose a role")), *Role.choices],
        error_messages={
            "required": _("Choose a role"),
            "invalid_choice": _("Choose a role from the list"),
        },
    )


class RoleGrantForm(GovukForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"] = _organisation_field()
        self.fields["role"] = _role_field()


class InvitationForm(GovukForm):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        error_messages={
            "required": _("Enter the e-mail address of the person to invite"),
            "invalid": EMAIL_ERRORS["invalid"],
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"] = _organisation_field()
        self.fields["role"] = _role_field()


class NewAccountForm(GovukForm):
    """A name and a password, chosen twice (Django's password validators run in the service)."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Enter your full name")},
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=128,
        help_text=_("At least 8 characters, not all numbers, and not a common password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Choose a password")},
    )
    password_again = forms.CharField(
        label=_("The same password again"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Enter the password again")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("password") and data.get("password_again") is not None:
            if data["password"] != data.get("password_again"):
                self.add_error("password_again", _("The two passwords are not the same"))
        return data


class SignUpForm(NewAccountForm):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages=EMAIL_ERRORS,
    )
    field_order = ["full_name", "email", "password", "password_again"]

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class RegistrationForm(GovukForm):
    """An organisation's details; the account fields are added for someone not signed in."""

    name = forms.CharField(
        label=_("Organisation name"),
        max_length=200,
        error_messages={"required": _("Enter the organisation's name")},
    )
    kind = forms.ChoiceField(
        label=_("What kind of organisation is it?"),
        choices=[("", _("Choose a kind")), *[(k.value, k.label) for k in SELF_REGISTERING_KINDS]],
        error_messages={
            "required": _("Choose what kind of organisation it is"),
            "invalid_choice": _("Choose what kind of organisation it is"),
        },
    )
    charity_number = forms.CharField(
        label=_("Charity number"), required=False, max_length=12,
        help_text=_("If it is a registered charity, for example 1234567 or SC012345"),
        validators=[validate_charity_number],
    )  # fmt: skip
    company_number = forms.CharField(
        label=_("Company number"), required=False, max_length=8,
        help_text=_("If it is a registered company, for example 01234567"),
        validators=[validate_company_number],
    )  # fmt: skip
    org_id = forms.CharField(
        label=_("org-id identifier"), required=False, max_length=40,
        help_text=_("If it has one, from org-id.guide, for example GB-CHC-1234567"),
        validators=[validate_org_id],
    )  # fmt: skip
    address = forms.CharField(
        label=_("Address"), max_length=300,
        error_messages={"required": _("Enter the organisation's address")},
    )  # fmt: skip
    postcode = PostcodeField(
        label=_("Postcode"), error_messages={"required": _("Enter the postcode")}
    )
    email = forms.EmailField(
        label=_("Organisation's e-mail address"),
        max_length=254,
        error_messages={
            "required": _("Enter the organisation's e-mail address"),
            "invalid": EMAIL_ERRORS["invalid"],
        },
    )
    website = forms.URLField(
        label=_("Website"), required=False, max_length=200, assume_scheme="https",
        error_messages={"invalid": _("Enter a web address, like https://example.org")},
    )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("kind") == OrganisationKind.CHARITY and not (
            data.get("charity_number") or self.errors.get("charity_number")
        ):
            self.add_error("charity_number", _("Enter the charity number"))
        return data


class RegistrationWithAccountForm(RegistrationForm):
    """Registration by someone not signed in: their own account comes first."""

    full_name = NewAccountForm.base_fields["full_name"]
    your_email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        help_text=_("We send a link to confirm it; you sign in with it"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages=EMAIL_ERRORS,
    )
    password = NewAccountForm.base_fields["password"]
    password_again = NewAccountForm.base_fields["password_again"]
    field_order = ["full_name", "your_email", "password", "password_again"]

    def clean_your_email(self) -> str:
        return self.cleaned_data["your_email"].strip().lower()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("password") and data.get("password_again") is not None:
            if data["password"] != data.get("password_again"):
                self.add_error("password_again", _("The two passwords are not the same"))
        return data


class DecisionForm(GovukForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[("verify", _("Verify it")), ("reject", _("Reject it"))],
        error_messages={
            "required": _("Choose whether to verify or reject it"),
            "invalid_choice": _("Choose whether to verify or reject it"),
        },
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea,
        help_text=_("Needed when you reject it: the registrant is told"),
    )
