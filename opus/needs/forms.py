"""Needs forms, shown with the GOV.UK error summary."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext, gettext_lazy

from opus.core.fields import GovukForm, GovukModelForm
from opus.core.models import Area, AreaKind, Organisation
from opus.needs import uploads
from opus.needs.models import COMPUTED_METHODS, Breakdown, Indicator


class AssessmentForm(GovukForm):
    title = forms.CharField(max_length=200, error_messages={"required": "Enter a title"})
    area = forms.ModelChoiceField(
        queryset=Area.objects.filter(kind=AreaKind.LOCAL_AUTHORITY).order_by("name"),
        label="Local authority",
        empty_label="Choose the area",
        error_messages={"required": "Choose the area the assessment covers"},
    )
    period = forms.CharField(
        max_length=20,
        help_text="For example, 2025/26",
        error_messages={"required": "Enter the period"},
    )
    indicators = forms.ModelMultipleChoiceField(
        queryset=Indicator.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one indicator"},
    )
    partners = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Partner agencies invited to contribute data",
    )


class IndicatorForm(GovukModelForm):
    breakdowns = forms.MultipleChoiceField(
        choices=[c for c in Breakdown.choices if c[0] != Breakdown.ALL],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Breakdowns partner agencies can send",
    )

    class Meta:
        model = Indicator
        fields = [
            "name", "slug", "definition", "numerator_label", "denominator_label", "method",
            "multiplier", "unit", "polarity", "source_agency", "period", "breakdowns",
        ]  # fmt: skip
        help_texts = {
            "slug": "A short name for web addresses and files, like emergency-admissions",
            "multiplier": "100 for a percentage, 100000 for a rate per 100,000",
        }
        error_messages = {
            "name": {"required": "Enter the indicator's name"},
            "slug": {"required": "Enter a short name", "unique": "That short name is taken"},
            "definition": {"required": "Say what the indicator measures"},
        }

    def clean_method(self) -> str:
        method = self.cleaned_data["method"]
        if method not in COMPUTED_METHODS:
            raise forms.ValidationError("Opus cannot compute that method from uploads yet")
        return method


class UploadForm(GovukForm):
    indicator = forms.ModelChoiceField(
        queryset=Indicator.objects.order_by("name"),
        empty_label="Choose the indicator",
        help_text="Indicators your organisation owns, or whose owner has delegated them to it",
        error_messages={
            "required": "Choose the indicator this file is for",
            "invalid_choice": "Choose an indicator your organisation may upload to",
        },
    )
    agency = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="Partner agency",
        empty_label="Choose your organisation",
        error_messages={"required": "Choose the organisation sending the data"},
    )
    period = forms.CharField(
        max_length=20,
        help_text="For example, 2025/26",
        error_messages={"required": "Enter the period"},
    )
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8 CSV in the layout described below",
        error_messages={"required": "Choose a CSV file to upload"},
    )

    def __init__(
        self,
        *args: Any,
        agencies: Any,
        indicators: Any = None,
        too_large: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        if indicators is not None:
            self.fields["indicator"].queryset = indicators.order_by("name")
        if too_large:  # the view stopped reading the file, so the field arrives empty
            messages = self.fields["file"].error_messages
            self.fields["file"].error_messages = {**messages, "required": _too_large()}

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > uploads.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_too_large())
        return upload


def _too_large() -> str:
    return gettext("The file must be smaller than %(most)s MB") % {
        "most": uploads.MAX_UPLOAD_BYTES // 2**20
    }


class PriorityNoteForm(GovukForm):
    note = forms.CharField(
        widget=forms.Textarea, max_length=2000, required=False, label="Commissioner's note"
    )


class PublishForm(GovukForm):
    summary = forms.CharField(
        widget=forms.Textarea,
        max_length=5000,
        label="Summary for the public",
        error_messages={"required": "Write a short summary of what the assessment found"},
    )


class DelegationForm(GovukForm):
    delegate = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label=gettext_lazy("Organisation to delegate to"),
        empty_label=gettext_lazy("Choose the organisation"),
        error_messages={
            "required": gettext_lazy("Choose the organisation that may upload this indicator"),
            "invalid_choice": gettext_lazy("Choose one of the organisations listed"),
        },
    )

    def __init__(self, *args: Any, indicator: Indicator, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        others = Organisation.objects.exclude(pk=indicator.source_agency_id)
        self.fields["delegate"].queryset = others.order_by("name")
