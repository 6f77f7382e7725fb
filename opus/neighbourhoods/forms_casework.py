"""Casework forms (GOV.UK messages; text bounded)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from opus.core.fields import GovukForm, PostcodeField
from opus.neighbourhoods.casework import MAX_SUBJECT, MAX_TEXT, council_for


class CaseForm(GovukForm):
    postcode = PostcodeField(
        label=_("Your postcode"),
        required=False,
        help_text=_("We find your neighbourhood council from it"),
    )
    council = forms.ChoiceField(label=_("Or choose your neighbourhood council"), required=False)
    subject = forms.CharField(label=_("What is your issue about?"), max_length=MAX_SUBJECT)
    details = forms.CharField(
        label=_("Tell the councillor about it"), widget=forms.Textarea, max_length=MAX_TEXT
    )

    def __init__(self, *args: Any, councils: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["council"].choices = [("", _("Find it from my postcode"))] + [
            (str(c.pk), c.name) for c in councils
        ]
        self.councils = councils

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        if data.get("council"):
            data["council"] = self.councils.get(pk=data["council"])
        elif data.get("postcode"):
            data["council"] = council_for(data["postcode"])
            if data["council"] is None:
                self.add_error(
                    "postcode",
                    _("We could not find a neighbourhood council for %(postcode)s: choose one")
                    % {"postcode": data["postcode"]},
                )
        else:
            self.add_error("postcode", _("Enter your postcode or choose your council"))
        return data


class ReferForm(GovukForm):
    body = forms.ChoiceField(label=_("Which body can act on it"))
    note = forms.CharField(
        label=_("What you are asking them to do"), widget=forms.Textarea, max_length=MAX_TEXT
    )

    def __init__(self, *args: Any, bodies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = [(str(b.pk), b.name) for b in bodies]


class AnswerForm(GovukForm):
    answer = forms.CharField(
        label=_("The answer to the resident"), widget=forms.Textarea, max_length=MAX_TEXT
    )
