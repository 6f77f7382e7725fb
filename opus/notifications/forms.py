from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from opus.core.fields import GovukForm
from opus.notifications.models import Category

MOBILE = re.compile(r"^(?:\+44|0044|0)7\d{9}$")


def normalise_mobile(value: str) -> str:
    """07700 900982, +44 7700 900982 and (07700) 900-982 all become 07700900982."""
    digits = re.sub(r"[\s()\-.]", "", value)
    if not MOBILE.match(digits):
        raise forms.ValidationError(_("Enter a UK mobile phone number, like 07700 900 982"))
    return "0" + digits[-10:]


class PreferenceForm(GovukForm):
    email_on = forms.MultipleChoiceField(
        label=_("E-mail me about"),
        choices=Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Award letters and other notices the process needs are always e-mailed."),
    )
    sms_on = forms.MultipleChoiceField(
        label=_("Text me about"),
        choices=Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    mobile = forms.CharField(
        label=_("Mobile phone number"),
        required=False,
        max_length=20,
        help_text=_("Only for text messages. Leave it empty to get none."),
    )

    def __init__(self, *args: Any, allow_sms: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not allow_sms:
            del self.fields["sms_on"], self.fields["mobile"]

    def clean_mobile(self) -> str:
        value = self.cleaned_data["mobile"].strip()
        return normalise_mobile(value) if value else ""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("sms_on") and "mobile" in cleaned and not cleaned["mobile"]:
            self.add_error("mobile", _("Enter a mobile phone number to get text messages"))
        return cleaned
