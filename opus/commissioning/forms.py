"""Commissioning forms. Every form renders with the GOV.UK error summary; services do the
rules, so a service's CommissioningError lands on the field it names (`add_service_error`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opus.commissioning.errors import CommissioningError
from opus.commissioning.models import (
    KpiFrequency,
    PriceFormula,
    Procedure,
    Reservation,
    ServiceDecision,
    ServiceLevel,
    TieBreak,
    ValueTable,
)
from opus.commissioning.services.bids import MAX_DOCUMENTS_BYTES
from opus.commissioning.services.common import max_contract_pence
from opus.core.fields import GovukDateField, GovukForm
from opus.core.models import Area, AreaKind, Organisation, User
from opus.engines.money import pounds
from opus.needs.models import Assessment, AssessmentStatus, Priority

LOT_ROWS = 4
QUESTION_ROWS = 4
KPI_ROWS = 3


class PoundsField(forms.DecimalField):
    """An amount in pounds (up to 2 places) cleaned to integer pence, up to the limit of
    `OPUS_MAX_CONTRACT_PENCE` (read when the form is made)."""

    def __init__(self, **kwargs: Any) -> None:
        maximum = max_contract_pence()
        kwargs.setdefault("min_value", Decimal("0"))
        kwargs.setdefault("max_value", Decimal(maximum) / 100)
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        too_big = _("Enter an amount of %(maximum)s or less") % {"maximum": pounds(maximum)}
        kwargs.setdefault("error_messages", {
            "invalid": "Enter an amount in pounds, like 45000", "max_value": too_big,
            "max_digits": too_big, "max_whole_digits": too_big,
            "max_decimal_places": _("Enter pounds and pence, like 45000.50"),
        })  # fmt: skip
        super().__init__(**kwargs)

    def clean(self, value: Any) -> int | None:  # type: ignore[override]
        if isinstance(value, str):
            value = value.replace(",", "").replace("£", "").strip()
        amount = super().clean(value)
        return None if amount is None else int(amount * 100)


def add_service_error(
    form: forms.Form, error: CommissioningError, aliases: dict[str, str] | None = None
) -> None:
    """Put a service's error on the form field it names (or the form as a whole)."""
    field = (aliases or {}).get(error.field, error.field)
    form.add_error(field if field in form.fields else None, error.message)


LONDON_DATETIME = {"invalid": "Enter a date and time like 2027-03-31 12:00 (UK time)"}


class SearchForm(GovukForm):
    q = forms.CharField(label="Words", required=False, max_length=100)
    need = forms.CharField(label="Need", required=False, max_length=100)
    area = forms.CharField(label="Area code or name", required=False, max_length=60)
    procedure = forms.ChoiceField(
        label="Procedure", required=False, choices=[("", "Any"), *Procedure.choices]
    )
    min_value = forms.IntegerField(label="Value from (£)", required=False, min_value=0)
    max_value = forms.IntegerField(label="Value up to (£)", required=False, min_value=0)
    closing_before = GovukDateField(
        label="Closing on or before", required=False, help_text="For example, 31 3 2027"
    )

    def filters(self) -> dict[str, str]:
        data = self.cleaned_data if self.is_valid() else {}
        return {k: str(v) for k, v in data.items() if v not in (None, "")}


class SaveSearchForm(GovukForm):
    name = forms.CharField(
        label="Name this search", max_length=100, error_messages={"required": "Name your search"}
    )
    alerts = forms.BooleanField(
        label="E-mail me new opportunities that match", required=False, initial=True
    )


class PlanForm(GovukForm):
    title = forms.CharField(
        label="Title", max_length=200, error_messages={"required": "Enter a title"}
    )
    area = forms.ModelChoiceField(
        label="Area",
        queryset=Area.objects.filter(kind=AreaKind.LOCAL_AUTHORITY),
        error_messages={"required": "Choose the area"},
    )
    period = forms.CharField(
        label="Period",
        max_length=20,
        help_text="For example 2027/28",
        error_messages={"required": "Enter the period"},
    )
    assessment = forms.ModelChoiceField(
        label="Needs assessment",
        required=False,
        queryset=Assessment.objects.filter(status=AssessmentStatus.PUBLISHED),
        help_text="The published assessment whose priorities this plan answers",
    )
    summary = forms.CharField(label="Summary", required=False, widget=forms.Textarea)


class DecisionForm(GovukForm):
    priority = forms.ModelChoiceField(
        label="Priority from the needs assessment", required=False, queryset=Priority.objects.none()
    )
    need = forms.CharField(
        label="Need",
        max_length=300,
        required=False,
        help_text="Leave blank to use the priority's wording",
    )
    personal = forms.BooleanField(label="Shaped around one person", required=False)
    divisible = forms.BooleanField(label="Can be bought in small units", required=False)
    local = forms.BooleanField(label="Delivered within one neighbourhood", required=False)
    specialist = forms.BooleanField(label="Needs rare, specialist skills", required=False)
    economies_of_scale = forms.BooleanField(
        label="Markedly cheaper bought for the whole area", required=False
    )
    level = forms.ChoiceField(
        label="Level",
        choices=ServiceLevel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a level"},
    )
    larger_level_reason = forms.CharField(
        label="Why a larger level than the decision aid proposes",
        required=False,
        widget=forms.Textarea,
    )
    reason_choice = forms.CharField(label="Choice", required=False, widget=forms.Textarea)
    reason_decentralisation = forms.CharField(
        label="Decentralisation", required=False, widget=forms.Textarea
    )
    reason_diversity = forms.CharField(label="Diversity", required=False, widget=forms.Textarea)
    reason_fairness = forms.CharField(label="Fairness", required=False, widget=forms.Textarea)
    reason_accountability = forms.CharField(
        label="Accountability", required=False, widget=forms.Textarea
    )
    budget = PoundsField(label="Budget (£)", required=False)
    ras_version = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=gettext_lazy("Resource allocation system (individual level only)"),
        empty_label=gettext_lazy("None"),
        help_text=gettext_lazy(
            "The RAS version that sets the personal budgets it is spent through"
        ),
        error_messages={"invalid_choice": gettext_lazy("Choose one of the RAS versions listed")},
    )
    tender_by = GovukDateField(label="Procurement starts by", required=False)
    service_start = GovukDateField(label="Service starts", required=False)
    service_end = GovukDateField(label="Service ends", required=False)

    def __init__(self, *args: Any, plan: Any, **kwargs: Any) -> None:
        from opus.budgets.models import RasVersion

        super().__init__(*args, **kwargs)
        self.fields["ras_version"].queryset = RasVersion.objects.order_by("-number")
        if plan.assessment_id:
            self.fields["priority"].queryset = Priority.objects.filter(
                assessment=plan.assessment_id
            )


class OpportunityForm(GovukForm):
    title = forms.CharField(
        label="Title", max_length=200, error_messages={"required": "Enter a title"}
    )
    reference = forms.CharField(label="Your reference", max_length=40, required=False)
    description = forms.CharField(
        label="What is being bought",
        widget=forms.Textarea,
        error_messages={"required": "Describe what is being bought"},
    )
    procedure = forms.ChoiceField(
        label="Procedure",
        choices=Procedure.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a procedure"},
    )
    reservation = forms.ChoiceField(
        label="Who may bid", choices=Reservation.choices, required=False
    )
    reservation_reason = forms.CharField(
        label="The rule that allows the reservation", required=False
    )
    clarification_deadline = forms.DateTimeField(
        label="Questions close",
        help_text="UK time, for example 2027-03-20 17:00",
        error_messages={"required": "Enter when questions close", **LONDON_DATETIME},
    )
    submission_deadline = forms.DateTimeField(
        label="Bids close",
        help_text="UK time, for example 2027-03-31 12:00",
        error_messages={"required": "Enter when bids close", **LONDON_DATETIME},
    )
    contract_start = GovukDateField(
        label="Contract starts", error_messages={"required": "Enter when the contract starts"}
    )
    contract_end = GovukDateField(
        label="Contract ends", error_messages={"required": "Enter when the contract ends"}
    )
    standstill_days = forms.IntegerField(
        label="Standstill (working days)", initial=8, min_value=1, max_value=30
    )
    price_weight = forms.IntegerField(label="Price weight", min_value=0, max_value=100, initial=40)
    quality_weight = forms.IntegerField(
        label="Quality weight", min_value=0, max_value=100, initial=50
    )
    social_value_weight = forms.IntegerField(
        label="Social value weight", min_value=0, max_value=100, initial=10
    )
    price_formula = forms.ChoiceField(label="Price formula", choices=PriceFormula.choices)
    abnormally_low_percent = forms.IntegerField(
        label="Abnormally low line (%)",
        initial=70,
        min_value=1,
        max_value=100,
        help_text="A price below this % of the mean of the other prices for a lot is flagged",
    )
    tie_break = forms.ChoiceField(label="Tie-break rule", choices=TieBreak.choices)
    value_table = forms.ModelChoiceField(
        label="Social value table", required=False, queryset=ValueTable.objects.all()
    )
    decisions = forms.ModelMultipleChoiceField(
        label="Needs it serves (commissioned decisions of a plan)",
        required=False,
        queryset=ServiceDecision.objects.filter(level=ServiceLevel.COMMISSIONED).select_related(
            "plan"
        ),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lot_areas = Area.objects.filter(kind__in=[AreaKind.NEIGHBOURHOOD, AreaKind.WARD]).order_by(
            "kind", "name"
        )
        for i in range(1, LOT_ROWS + 1):
            self.fields[f"lot_{i}_title"] = forms.CharField(label=f"Lot {i} title", required=False)
            self.fields[f"lot_{i}_value"] = PoundsField(label=f"Lot {i} value (£)", required=False)
            self.fields[f"lot_{i}_area"] = forms.ModelChoiceField(
                label=_("Lot %(number)s area") % {"number": i},
                queryset=lot_areas,
                required=False,
                empty_label=_("Whole area"),
                help_text=_("A neighbourhood or ward, for a lot delivered only there"),
                error_messages={
                    "invalid_choice": _("Choose a neighbourhood or ward from the list")
                },
            )
        for i in range(1, QUESTION_ROWS + 1):
            self.fields[f"question_{i}_text"] = forms.CharField(
                label=f"Quality question {i}", required=False, widget=forms.Textarea
            )
            self.fields[f"question_{i}_weight"] = forms.IntegerField(
                label=f"Question {i} weight", required=False, min_value=0, max_value=100
            )

    def lots(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        return [
            {
                "title": data[f"lot_{i}_title"],
                "value_pence": data.get(f"lot_{i}_value") or 0,
                "area": data.get(f"lot_{i}_area"),
            }
            for i in range(1, LOT_ROWS + 1)
            if data.get(f"lot_{i}_title") or data.get(f"lot_{i}_value")
        ]

    def questions(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        return [
            {"text": data[f"question_{i}_text"], "weight": data.get(f"question_{i}_weight") or 0}
            for i in range(1, QUESTION_ROWS + 1)
            if data.get(f"question_{i}_text")
        ]

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for key in list(data):
            if key.startswith(("lot_", "question_")):
                data.pop(key)
        lots = self.lots()
        decisions = list(data.get("decisions") or [])
        data["decisions"] = decisions
        data["plan"] = decisions[0].plan if decisions else None
        return {
            **data,
            "value_pence": sum(lot["value_pence"] for lot in lots),
            "lots": lots,
            "questions": self.questions(),
        }


class BidForm(GovukForm):
    """Prices per lot, answers, social-value units, a document and the declaration."""

    def __init__(
        self,
        *args: Any,
        opportunity: Any,
        bidders: list[Organisation],
        consortia: list[Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bidder"] = forms.ModelChoiceField(
            label="Bidding as",
            queryset=Organisation.objects.filter(pk__in=[b.pk for b in bidders]),
            initial=bidders[0].pk if bidders else None,
            error_messages={"required": "Choose who is bidding"},
        )
        if consortia:
            self.fields["consortium"] = forms.ChoiceField(
                label="Bid as a consortium",
                required=False,
                choices=[("", "No, alone"), *[(str(c.pk), c.name) for c in consortia]],
            )
        for lot in opportunity.lots.all():
            self.fields[f"price_{lot.number}"] = PoundsField(
                label=f"Price for lot {lot.number}: {lot.title} (£)",
                required=False,
                min_value=None,
                help_text="Leave blank if you are not bidding for this lot",
            )
        for q in opportunity.questions.all():
            self.fields[f"answer_{q.number}"] = forms.CharField(
                label=f"Q{q.number}. {q.text}",
                widget=forms.Textarea,
                required=False,
                help_text=f"Up to {q.word_limit} words. Worth {q.weight} points.",
            )
        if opportunity.value_table_id:
            for m in opportunity.value_table.measures.all():
                self.fields[f"sv_{m.code}"] = forms.DecimalField(
                    label=f"{m.name} (number of: {m.unit})",
                    required=False,
                    min_value=0,
                    max_digits=12,
                    decimal_places=2,
                )
        self.fields["document"] = forms.FileField(
            label="Supporting document (optional)", required=False
        )
        if opportunity.supplier_declaration:
            self.fields["declaration"] = forms.BooleanField(
                label="I make the supplier declaration above", required=False
            )

    def clean_document(self) -> Any:
        upload = self.cleaned_data.get("document")
        if upload is not None and upload.size > MAX_DOCUMENTS_BYTES:
            raise forms.ValidationError(
                _("The document is %(size)s: it may be 10 MB at most")
                % {"size": filesizeformat(upload.size)}
            )
        return upload

    def service_fields(self, opportunity: Any) -> dict[str, Any]:
        data = self.cleaned_data
        lots = [
            {"lot": lot.number, "price_pence": data[f"price_{lot.number}"]}
            for lot in opportunity.lots.all()
            if data.get(f"price_{lot.number}") is not None
        ]
        answers = {
            q.number: data.get(f"answer_{q.number}", "") for q in opportunity.questions.all()
        }
        social = [
            {"measure": key[3:], "quantity": str(value)}
            for key, value in data.items()
            if key.startswith("sv_") and value
        ]
        upload = data.get("document")
        documents = (
            [{"name": upload.name, "content_type": upload.content_type, "data": upload.read()}]
            if upload
            else []
        )
        return {
            "lots": lots,
            "answers": answers,
            "social_value": social,
            "documents": documents,
            "declaration": bool(data.get("declaration")),
        }


BID_ALIASES = {"answers": "answer_1", "lots": "price_1", "social_value": None, "bidder": "bidder"}


def bid_field(name: str) -> str:
    """'lots.2.price_pence' → 'price_2'; 'answers.3' → 'answer_3'."""
    parts = name.split(".")
    if name == "documents":
        return "document"
    if parts[0] == "lots" and len(parts) == 3:
        return f"price_{parts[1]}"
    if parts[0] == "answers" and len(parts) == 2:
        return f"answer_{parts[1]}"
    return name


class ClarificationForm(GovukForm):
    question = forms.CharField(
        label="Your question",
        widget=forms.Textarea,
        max_length=2000,
        help_text="The answer is published to everyone; your name is not",
        error_messages={"required": "Enter your question"},
    )


class AnswerForm(GovukForm):
    answer = forms.CharField(
        label="Answer", widget=forms.Textarea, error_messages={"required": "Enter the answer"}
    )


class ConsortiumForm(GovukForm):
    name = forms.CharField(
        label="Consortium name", max_length=200, error_messages={"required": "Name the consortium"}
    )
    lead = forms.ModelChoiceField(label="Lead organisation", queryset=Organisation.objects.none())
    work = forms.CharField(label="What the lead will do", max_length=300, required=False)
    work_share = forms.IntegerField(
        label="Lead's share of the work (%)", min_value=1, max_value=100
    )
    value_share = forms.IntegerField(
        label="Lead's share of the value (%)", min_value=1, max_value=100
    )

    def __init__(self, *args: Any, leads: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = leads


class InviteForm(GovukForm):
    organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=Organisation.objects.none(),
        error_messages={"required": "Choose who to invite"},
    )
    work = forms.CharField(label="What they will do", max_length=300, required=False)
    work_share = forms.IntegerField(label="Share of the work (%)", min_value=1, max_value=100)
    value_share = forms.IntegerField(label="Share of the value (%)", min_value=1, max_value=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from opus.core.models import PUBLIC_KINDS

        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.exclude(kind__in=PUBLIC_KINDS)


class DeclareForm(GovukForm):
    has_conflict = forms.TypedChoiceField(
        label="Do you have a conflict of interest with any bidder?",
        choices=[("no", "No"), ("yes", "Yes")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether you have a conflict"},
    )
    conflict_details = forms.CharField(
        label="If yes, what is it", required=False, widget=forms.Textarea
    )


class ScoreForm(GovukForm):
    bid = forms.UUIDField(widget=forms.HiddenInput)
    question = forms.IntegerField(widget=forms.HiddenInput)
    score = forms.IntegerField(
        label="Score", min_value=0, max_value=10, error_messages={"required": "Enter a score"}
    )
    comment = forms.CharField(label="Reason", widget=forms.Textarea, required=False)


class ModerateForm(GovukForm):
    bid = forms.UUIDField(widget=forms.HiddenInput)
    question = forms.IntegerField(widget=forms.HiddenInput)
    score = forms.IntegerField(
        label="Agreed score",
        min_value=0,
        max_value=10,
        error_messages={"required": "Enter the agreed score"},
    )
    reason = forms.CharField(label="Panel's reason", widget=forms.Textarea, required=False)


class PanelAddForm(GovukForm):
    user = forms.ModelChoiceField(
        label="Evaluator",
        queryset=User.objects.none(),
        error_messages={"required": "Choose an evaluator"},
    )
    is_moderator = forms.BooleanField(label="Moderator", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(
            memberships__role="commissioner"
        ).distinct()


class AwardForm(GovukForm):
    bid_lot = forms.IntegerField(widget=forms.HiddenInput)
    reasons = forms.CharField(label="Reasons for the award", widget=forms.Textarea, required=False)


class ReverseForm(GovukForm):
    reason = forms.CharField(
        label="Reason for reversing the award", widget=forms.Textarea, required=False
    )


class ContractForm(GovukForm):
    def __init__(self, *args: Any, buyer: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(1, KPI_ROWS + 1):
            self.fields[f"kpi_{i}_name"] = forms.CharField(label=f"KPI {i}", required=False)
            self.fields[f"kpi_{i}_measure"] = forms.CharField(
                label="How it is measured", required=False
            )
            self.fields[f"kpi_{i}_target"] = forms.DecimalField(label="Target", required=False)
            self.fields[f"kpi_{i}_unit"] = forms.CharField(
                label="Unit", required=False, initial="%"
            )
            self.fields[f"kpi_{i}_frequency"] = forms.ChoiceField(
                label="How often", choices=KpiFrequency.choices, initial=KpiFrequency.QUARTERLY
            )
            self.fields[f"kpi_{i}_indicator"] = _indicator_field(buyer)

    def kpis(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        return [
            {
                "name": data[f"kpi_{i}_name"],
                "measure": data.get(f"kpi_{i}_measure", ""),
                "target": data.get(f"kpi_{i}_target"),
                "unit": data.get(f"kpi_{i}_unit") or "%",
                "frequency": data.get(f"kpi_{i}_frequency"),
                "indicator": data.get(f"kpi_{i}_indicator"),
            }
            for i in range(1, KPI_ROWS + 1)
            if data.get(f"kpi_{i}_name")
        ]


def _indicator_field(buyer: Any = None) -> forms.ModelChoiceField:
    """A needs indicator a KPI's returns become data for (counts: proportions, crude rates),
    of those the buyer owns or holds the delegation of."""
    from opus.needs.access import indicators_for_agency
    from opus.needs.models import Indicator
    from opus.needs.uploads import FIGURE_METHODS

    indicators = Indicator.objects if buyer is None else indicators_for_agency(buyer)
    return forms.ModelChoiceField(
        queryset=indicators.filter(method__in=FIGURE_METHODS).order_by("name"),
        required=False,
        label=_("Needs indicator its returns feed (optional)"),
        empty_label=_("None"),
        help_text=_(
            "Each return then gives its count and what it is out of, stored as your "
            "organisation's data for the contract's area for the next needs assessment"
        ),
        error_messages={"invalid_choice": _("Choose one of the indicators listed")},
    )


COUNT_ERRORS = {
    "invalid": gettext_lazy("Give a whole number of people"),
    "min_value": gettext_lazy("Give a whole number of 0 or more"),
    "max_value": gettext_lazy("Give a number up to 1,000,000,000"),
}


NEW_SERVICE = "new"


class ContractServiceForm(GovukForm):
    """Which of the winning provider's directory services delivers the contract, or a new draft."""

    service = forms.ChoiceField(
        label=gettext_lazy("The provider's directory service for this contract"),
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose the service, or ask Opus to draft one"),
            "invalid_choice": gettext_lazy("Choose one of the services listed"),
        },
    )

    def __init__(self, *args: Any, services: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(s.pk), f"{s.name} ({s.organisation.name})") for s in services]
        new = _("None of these: draft a service from the lot for the provider to complete")
        self.fields["service"].choices = [*choices, (NEW_SERVICE, new)]


class KpiReturnForm(GovukForm):
    value = forms.DecimalField(
        label="Figure for the period",
        max_digits=12,
        decimal_places=2,
        error_messages={"required": "Enter the figure", "invalid": "Enter the figure as a number"},
    )
    numerator = forms.IntegerField(
        label=gettext_lazy("How many people the figure counts"),
        help_text=gettext_lazy("Only for a KPI that feeds a needs indicator"),
        required=False, min_value=0, max_value=10**9, error_messages=COUNT_ERRORS,
    )  # fmt: skip
    denominator = forms.IntegerField(
        label=gettext_lazy("Out of how many people"),
        required=False, min_value=0, max_value=10**9, error_messages=COUNT_ERRORS,
    )  # fmt: skip
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea)


class ValueTableForm(GovukForm):
    name = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Name the table"}
    )
    source = forms.CharField(
        label="Source of the values",
        max_length=300,
        error_messages={"required": "Say where the values come from"},
    )
    licence = forms.CharField(label="Licence", max_length=300, required=False)
    price_year = forms.CharField(label="Price year", max_length=10, required=False)
    file = forms.FileField(
        label="CSV file",
        help_text="Columns: code, theme, name, unit, value_per_unit (£)",
        error_messages={"required": "Choose a CSV file"},
    )
