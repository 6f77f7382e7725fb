"""Forms of the social value pages: bounds here too, so the page answers before the service."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from opus.allocation.models import ComparisonKind, StudyGroup, StudyWave
from opus.core.fields import GovukDateField, GovukForm
from opus.engines import wellbeing

TABLE_KINDS = [
    ("metrics", _("A value model (themes, outcomes and metrics)")),
    ("deflators", _("A deflator table (year and index)")),
]


def _percent(label: str, initial: int, help_text: str, top: int = 100) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, initial=initial, min_value=Decimal(0), max_value=Decimal(top),
        decimal_places=2, help_text=help_text,
    )  # fmt: skip


class TableUploadForm(GovukForm):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=TABLE_KINDS,
                             widget=forms.RadioSelect)  # fmt: skip
    name = forms.CharField(label=_("Name"), max_length=200)
    source = forms.CharField(label=_("Where the values come from"), max_length=300)
    licence = forms.CharField(
        label=_("Licence"), max_length=300,
        help_text=_("The licence the council holds the values under. Opus bundles no licensed "
                    "values: National TOMs and HACT's values are CC BY-NC-ND."),
    )  # fmt: skip
    synthetic = forms.BooleanField(label=_("These values are made up, for trying Opus out"),
                                   required=False)  # fmt: skip
    file = forms.FileField(
        label=_("CSV or JSON file"),
        help_text=_("Value model columns: theme, outcome, code, name, unit, wellby_per_unit, "
                    "proxy_per_unit (£). Deflator columns: year, index."),
    )  # fmt: skip


class LedgerForm(GovukForm):
    subject = forms.ChoiceField(label=_("Contract, grant or PB project"))
    value_model = forms.ChoiceField(label=_("Value model"))
    deflators = forms.ChoiceField(label=_("Deflator table"), required=False)
    price_year = forms.IntegerField(
        label=_("Price year"), initial=wellbeing.DEFAULT_PRICE_YEAR, min_value=2000,
        max_value=2100, help_text=_("Values are shown in this year's prices"),
    )  # fmt: skip

    def __init__(self, *args: Any, subjects: list[tuple[str, str]], models: list[Any],
                 deflators: list[Any], **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = [("", _("Choose"))] + subjects
        self.fields["value_model"].choices = [("", _("Choose"))] + [
            (str(m.pk), f"{m.name} ({m.licence})") for m in models
        ]
        self.fields["deflators"].choices = [("", _("None (2019 prices)"))] + [
            (str(d.pk), f"{d.name} ({d.licence})") for d in deflators
        ]


class LineForm(GovukForm):
    metric = forms.ChoiceField(label=_("Metric"))
    quantity = forms.DecimalField(
        label=_("People (or units)"), min_value=Decimal(0),
        max_value=Decimal(wellbeing.MAX_QUANTITY), decimal_places=2,
    )  # fmt: skip
    years = forms.IntegerField(label=_("Years the change lasts"), min_value=1,
                               max_value=wellbeing.MAX_YEARS, initial=1)  # fmt: skip
    deadweight = _percent(_("Deadweight (%)"), 0, _("What would have happened anyway"))
    attribution = _percent(_("Attribution (%)"), 100, _("The share owed to this work"))
    drop_off = _percent(_("Drop-off each year (%)"), 0, _("How much of the change fades a year"))
    discount_rate = _percent(_("Discount rate (%)"), 3.5, _("The Green Book's 3.5%; 1.5% for "
                                                            "health"), top=20)  # fmt: skip
    assumptions = forms.CharField(label=_("Why these figures"), widget=forms.Textarea,
                                  max_length=2000, required=False)  # fmt: skip

    def __init__(self, *args: Any, metrics: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = [("", _("Choose"))] + [
            (str(m.pk), f"{m.theme} – {m.outcome}: {m.code} {m.name}") for m in metrics
        ]


class EvidenceForm(GovukForm):
    line = forms.ChoiceField(label=_("Commitment"))
    quantity = forms.DecimalField(
        label=_("People (or units) reached"), min_value=Decimal(0),
        max_value=Decimal(wellbeing.MAX_QUANTITY), decimal_places=2,
    )  # fmt: skip
    period_start = GovukDateField(label=_("From"))
    period_end = GovukDateField(label=_("To"))
    note = forms.CharField(label=_("What the evidence is"), widget=forms.Textarea,
                           max_length=2000)  # fmt: skip
    kpi_return = forms.ChoiceField(label=_("KPI return it comes from"), required=False)

    def __init__(self, *args: Any, lines: list[Any], returns: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = [("", _("Choose"))] + [(str(x.pk), x.label) for x in lines]
        self.fields["kpi_return"].choices = [("", _("None"))] + [
            (str(r.pk), f"{r.kpi.name}: {r.period_start:%d %b %Y} to {r.period_end:%d %b %Y}")
            for r in returns
        ]


class StudyForm(GovukForm):
    title = forms.CharField(label=_("Name of the study"), max_length=200)
    comparison = forms.ChoiceField(label=_("Comparison group"), choices=ComparisonKind.choices,
                                   widget=forms.RadioSelect)  # fmt: skip
    comparison_note = forms.CharField(label=_("About the comparison group"), max_length=300,
                                      required=False)  # fmt: skip
    people = forms.IntegerField(label=_("People the service reaches"), min_value=1,
                                max_value=wellbeing.MAX_QUANTITY)  # fmt: skip
    years = forms.IntegerField(label=_("Years the change is expected to last"), min_value=1,
                               max_value=wellbeing.MAX_YEARS, initial=1)  # fmt: skip


QUESTION = _("Overall, how satisfied are you with your life nowadays?")
SCORES = [(str(n), str(n)) for n in range(11)]


class AnswerForm(GovukForm):
    group = forms.ChoiceField(label=_("Group"), choices=StudyGroup.choices,
                              widget=forms.RadioSelect)  # fmt: skip
    wave = forms.ChoiceField(label=_("When"), choices=StudyWave.choices, widget=forms.RadioSelect)
    respondent = forms.CharField(
        label=_("Reference"), max_length=40,
        help_text=_("A reference for the person, never their name"),
    )  # fmt: skip
    score = forms.TypedChoiceField(
        label=QUESTION, choices=SCORES, coerce=int, widget=forms.RadioSelect,
        help_text=_("0 is not at all satisfied and 10 is completely satisfied"),
    )  # fmt: skip
    consent = forms.BooleanField(
        label=_("The person agreed that their answer is kept and used for this study"),
    )


class LinkAnswerForm(AnswerForm):
    """A participant answering for themselves: the group is theirs, the words are to them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["respondent"].label = _("The reference you were given")
        self.fields["respondent"].help_text = ""
        self.fields["consent"].label = _("I agree that my answer is kept and used for this study")
