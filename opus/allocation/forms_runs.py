"""Forms for allocation formulas and runs: GOV.UK messages, percentages and pounds bounded,
per-area lists typed one area a line ("code, value") and checked line by line."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from opus.allocation.models import AllocationFormula, NeedSource, RunLevel, Transition
from opus.core.fields import GovukForm
from opus.core.models import AGE_BANDS, Area, AreaKind
from opus.engines.fair_shares import MAX_TOTAL
from opus.needs.models import Assessment, AssessmentStatus

MAX_LINES = 40_000
MAX_INDEX = Decimal(1000)
MAX_POUNDS = Decimal(MAX_TOTAL // 100)


def _percent(label: Any, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, min_value=0, max_value=100, decimal_places=2, initial=0, **kwargs
    )


def parse_lines(text: str, *, most: Decimal, label: str) -> dict[str, Decimal]:
    """ "code, value" per line (blank lines skipped) → {code: value}; errors name the line."""
    out: dict[str, Decimal] = {}
    lines = text.strip().splitlines()
    if len(lines) > MAX_LINES:
        raise forms.ValidationError(_t("Enter at most %d lines") % MAX_LINES)
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("\t", ",").split(",")]
        try:
            if len(parts) != 2 or not parts[0]:
                raise InvalidOperation
            value = Decimal(parts[1].replace("£", ""))
        except InvalidOperation:
            raise forms.ValidationError(
                _t("Line %(n)d: enter an area code, a comma and %(label)s")
                % {"n": number, "label": label}
            ) from None
        if not value.is_finite() or not 0 <= value <= most:
            raise forms.ValidationError(
                _t("Line %(n)d: %(label)s must be between 0 and %(most)s")
                % {"n": number, "label": label, "most": f"{most:,}"}
            )
        out[parts[0].upper()[:9]] = value
    return out


class FormulaForm(GovukForm):
    name = forms.CharField(label=_("Name of the formula"), max_length=200)
    scope = forms.ModelChoiceField(
        label=_("Place the money is shared across"), queryset=Area.objects.none()
    )
    age_weights = forms.CharField(
        label=_("Age weights (optional)"),
        help_text=_("19 weights, one per five-year age band from 0–4 to 90+, separated by "
                    "commas. Leave empty to count every resident once."),
        required=False,
    )  # fmt: skip
    need_source = forms.ChoiceField(
        label=_("How need is measured"), choices=NeedSource.choices, widget=forms.RadioSelect
    )
    assessment = forms.ModelChoiceField(
        label=_("Published needs assessment"), queryset=Assessment.objects.none(), required=False
    )
    indicator_weights = forms.CharField(
        label=_("Indicators and their weights"),
        help_text=_("One a line: the indicator's short name, a comma and its weight. Higher "
                    "values of an indicator must mean more need."),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )  # fmt: skip
    inequalities = forms.TypedChoiceField(
        label=_("Blend in an inequalities component from deprivation?"),
        choices=[("no", _("No")), ("yes", _("Yes"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        initial="no",
    )
    h_percent = _percent(_("Weight of the inequalities component, in per cent (h)"))
    cost_index = forms.CharField(
        label=_("Unavoidable cost index by area (optional)"),
        help_text=_("One a line: area code, a comma and the index (1 is average). Areas not "
                    "listed count as 1."),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )  # fmt: skip
    resources = forms.CharField(
        label=_("Resources adjustment by area (optional)"),
        help_text=_("One a line: area code, a comma and the adjustment (below 1 for areas more "
                    "able to pay). Areas not listed count as 1."),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )  # fmt: skip
    transition = forms.ChoiceField(
        label=_("How areas move from last year's money"),
        choices=Transition.choices,
        widget=forms.RadioSelect,
    )
    min_growth_percent = _percent(_("Minimum growth for every area, in per cent (pace of change)"))
    max_loss_percent = _percent(_("Largest loss any area may have, in per cent (floor)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scope"].queryset = Area.objects.filter(
            kind__in=[AreaKind.LOCAL_AUTHORITY, AreaKind.COUNTRY]
        ).order_by("name")
        self.fields["assessment"].queryset = Assessment.objects.filter(
            status=AssessmentStatus.PUBLISHED
        ).order_by("-published_at")

    def clean_age_weights(self) -> list[str]:
        text = self.cleaned_data["age_weights"].strip()
        if not text:
            return []
        try:
            weights = [Decimal(w.strip()) for w in text.split(",")]
        except InvalidOperation:
            raise forms.ValidationError(_t("Age weights must be numbers")) from None
        if len(weights) != len(AGE_BANDS):
            raise forms.ValidationError(_t("Enter exactly 19 age weights"))
        if any(not w.is_finite() or not 0 <= w <= MAX_INDEX for w in weights):
            raise forms.ValidationError(_t("Age weights must be between 0 and 1,000"))
        return [str(w) for w in weights]

    def clean_indicator_weights(self) -> dict[str, str]:
        weights = parse_lines(
            self.cleaned_data["indicator_weights"], most=MAX_INDEX, label=_t("a weight")
        )
        return {k.lower(): str(v) for k, v in weights.items()}

    def clean_cost_index(self) -> dict[str, str]:
        return _index_lines(self.cleaned_data["cost_index"], _t("an index"))

    def clean_resources(self) -> dict[str, str]:
        return _index_lines(self.cleaned_data["resources"], _t("an adjustment"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("need_source") == NeedSource.ASSESSMENT and not data.get("assessment"):
            self.add_error("assessment", _t("Choose a published needs assessment"))
        return data

    def terms(self) -> dict[str, Any]:
        """The formula's terms, as formula_save takes them."""
        d = self.cleaned_data
        return {
            "name": d["name"],
            "scope": d["scope"],
            "age_weights": d["age_weights"],
            "need_source": d["need_source"],
            "assessment": d["assessment"] if d["need_source"] == NeedSource.ASSESSMENT else None,
            "indicator_weights": d["indicator_weights"],
            "inequalities": d["inequalities"],
            "h": d["h_percent"] / 100,
            "cost_index": d["cost_index"],
            "resources": d["resources"],
            "transition": d["transition"],
            "min_growth": d["min_growth_percent"] / 100,
            "max_loss": d["max_loss_percent"] / 100,
        }

    @staticmethod
    def initial_from(formula: AllocationFormula) -> dict[str, Any]:
        """A form filled with a version's terms, for the next version."""
        return {
            "name": formula.name,
            "scope": formula.scope_id,
            "age_weights": ", ".join(formula.age_weights),
            "need_source": formula.need_source,
            "assessment": formula.assessment_id,
            "indicator_weights": "\n".join(
                f"{k}, {v}" for k, v in formula.indicator_weights.items()
            ),
            "inequalities": "yes" if formula.inequalities else "no",
            "h_percent": formula.h * 100,
            "cost_index": "\n".join(f"{k}, {v}" for k, v in formula.cost_index.items()),
            "resources": "\n".join(f"{k}, {v}" for k, v in formula.resources.items()),
            "transition": formula.transition,
            "min_growth_percent": formula.min_growth * 100,
            "max_loss_percent": formula.max_loss * 100,
        }


def _index_lines(text: str, label: str) -> dict[str, str]:
    values = parse_lines(text, most=MAX_INDEX, label=label)
    zero = [code for code, v in values.items() if v == 0]
    if zero:
        raise forms.ValidationError(_t("An index must be more than 0: %s") % ", ".join(zero[:10]))
    return {code: str(v) for code, v in values.items()}


class RunForm(GovukForm):
    title = forms.CharField(label=_("Title of the run"), max_length=200)
    period = forms.CharField(label=_("Period"), max_length=20, help_text=_("For example 2026/27"))
    level = forms.ChoiceField(
        label=_("Share between"), choices=RunLevel.choices, widget=forms.RadioSelect
    )
    total_pounds = forms.DecimalField(
        label=_("Total to share, in pounds"), min_value=Decimal("0.01"), max_value=MAX_POUNDS,
        decimal_places=2,
    )  # fmt: skip
    baseline_source = forms.ChoiceField(
        label=_("Last year's money (the baseline)"),
        choices=[
            ("last", _("The last published run of this formula at this level")),
            ("typed", _("Typed below")),
            ("none", _("None: allocate the targets straight away")),
        ],
        widget=forms.RadioSelect,
        initial="last",
    )
    baseline = forms.CharField(
        label=_("Baseline by area (if typed)"),
        help_text=_("One a line: area code, a comma and last year's amount in pounds"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )
    decision = forms.ModelChoiceField(
        label=_("Commissioning plan decision whose budget this shares out (optional)"),
        queryset=None,
        required=False,
    )

    def __init__(self, *args: Any, decisions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"].queryset = decisions

    def clean_baseline(self) -> dict[str, int]:
        pounds = parse_lines(self.cleaned_data["baseline"], most=MAX_POUNDS, label=_t("pounds"))
        return {code: int(value * 100) for code, value in pounds.items()}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("baseline_source") == "typed" and not data.get("baseline"):
            self.add_error("baseline", _t("Enter the baseline, one area a line"))
        return data
