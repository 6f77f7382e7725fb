"""Forms for money (amounts in pounds, read to the penny), budgets, plans and the RAS."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _lazy

from opus.budgets.models import MAX_LINE_SESSIONS, RasAssessment, RasVersion, Source
from opus.budgets.services import MAX_ANSWER_POINTS, MAX_CAP_POINTS
from opus.core.fields import GovukDateField, GovukForm
from opus.core.models import Area, AreaKind, Organisation, OrganisationKind, User
from opus.directory.models import TaxonomyTerm
from opus.engines.ledger import LedgerError, pence_from_pounds
from opus.engines.money import pounds

FUNDER_KINDS = [OrganisationKind.LOCAL_AUTHORITY, OrganisationKind.NHS_BODY]
# A RAS has at most this many questions (each answer's points and each cap: services.py).
MAX_QUESTIONS = 500
POINTS = re.compile(r"[0-9]{1,9}")


def max_amount_pence() -> int:
    """The most one amount may be (settings.OPUS_MAX_AMOUNT_PENCE; £10 billion by default)."""
    return int(settings.OPUS_MAX_AMOUNT_PENCE)


def too_much(limit: int | None = None) -> str:
    return gettext("Enter an amount of at most %(limit)s") % {
        "limit": pounds(max_amount_pence() if limit is None else limit)
    }


class PoundsField(forms.CharField):
    """An amount in pounds ('12.50', '£1,200'), cleaned to whole pence, at most the limit."""

    def __init__(self, *, allow_blank: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(required=not allow_blank, **kwargs)

    def clean(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().clean(value)
        if not text:
            return None
        if len(text) > 40:
            raise forms.ValidationError(too_much())
        try:
            pence = pence_from_pounds(text)
        except LedgerError as error:
            raise forms.ValidationError(str(error)) from None
        except ArithmeticError:  # '1e999999999': beyond what a decimal holds
            raise forms.ValidationError(too_much()) from None
        if pence > max_amount_pence():
            raise forms.ValidationError(too_much())
        return pence


ONCE_FIELD = "once"
ONCE_KEY = re.compile(r"form-[0-9a-f]{32}")


def new_once_key() -> str:
    return f"form-{uuid.uuid4().hex}"


class OnceForm(GovukForm):
    """A form that moves money carries a one-time key, made when the form is shown.

    The key goes to the ledger as the operation's idempotency key (as an API client's
    Idempotency-Key header does), so sending the same form twice, or three times, moves the
    money once and answers as the first time did. The template renders it (`{{ form.once }}`);
    it is left out of the labelled fields.
    """

    once = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial = {**self.initial, ONCE_FIELD: new_once_key()}

    def __iter__(self) -> Iterator[forms.BoundField]:
        return (field for field in super().__iter__() if field.name != ONCE_FIELD)

    @property
    def key(self) -> str:
        return str(self.cleaned_data[ONCE_FIELD])

    def renew_key(self) -> None:
        """A new key for the form shown again (the one it came with is spent or unusable)."""
        self.data = self.data.copy()
        self.data[ONCE_FIELD] = new_once_key()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not ONCE_KEY.fullmatch(data.get(ONCE_FIELD) or ""):
            self.add_error(
                None,
                gettext("This form is out of date: check the details and send it again"),
            )
            self.renew_key()
        return data


class AmountForm(OnceForm):
    amount = PoundsField(label="Amount in pounds", error_messages={"required": "Enter an amount"})
    memo = forms.CharField(label="Note (optional)", required=False, max_length=300)


class InvoiceForm(OnceForm):
    reference = forms.CharField(
        label="Invoice number",
        max_length=100,
        error_messages={"required": "Enter the invoice number"},
    )
    amount = PoundsField(label="Amount in pounds", error_messages={"required": "Enter an amount"})


class ReasonForm(OnceForm):
    reason = forms.CharField(
        label="Why is this being corrected?",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why this is being corrected"},
    )


class BudgetForm(OnceForm):
    person = forms.EmailField(
        label="The person's e-mail address", error_messages={"required": "Enter an e-mail address"}
    )
    title = forms.CharField(
        label="Name of the budget",
        max_length=200,
        error_messages={"required": "Give the budget a name"},
    )
    period_start = GovukDateField(
        label="Period starts",
        noun="Start date",
        error_messages={"required": "Enter the start date"},
    )
    period_end = GovukDateField(
        label="Period ends", noun="End date", error_messages={"required": "Enter the end date"}
    )
    area = forms.ModelChoiceField(
        queryset=Area.objects.none(), required=False, label="Neighbourhood or ward (for reporting)"
    )
    needs = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple, required=False, label="Needs the budget meets"
    )
    social_care = PoundsField(allow_blank=True, label="Social care (pounds a period)")
    health = PoundsField(allow_blank=True, label="NHS personal health budget (pounds a period)")
    education = PoundsField(allow_blank=True, label="Education, EHCP (pounds a period)")
    council = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label="Funding council (social care and education)"
    )
    nhs = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), required=False, label="Funding NHS body (health)"
    )
    # The RAS assessment the budget is opened from ("Open a budget" on its page), carried
    # hidden so the budget records that assessment and the form can say what its figure
    # is for a part of a year.
    assessment = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=1, max_value=2**63 - 1
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.filter(
            kind__in=[AreaKind.NEIGHBOURHOOD, AreaKind.WARD]
        ).only("name", "code", "kind")
        self.fields["needs"].choices = list(
            TaxonomyTerm.objects.filter(parent__isnull=False).values_list("code", "name")
        )
        self.fields["council"].queryset = Organisation.objects.filter(
            kind=OrganisationKind.LOCAL_AUTHORITY
        )
        self.fields["nhs"].queryset = Organisation.objects.filter(kind=OrganisationKind.NHS_BODY)

    def clean_person(self) -> User:
        email = self.cleaned_data["person"]
        person = User.objects.filter(email__iexact=email).first()
        if person is None:
            raise forms.ValidationError("There is no one with that e-mail address")
        return person

    def __iter__(self) -> Iterator[forms.BoundField]:
        return (field for field in super().__iter__() if field.name != "assessment")

    def clean_assessment(self) -> RasAssessment | None:
        number = self.cleaned_data.get("assessment")
        if number is None:
            return None
        found = RasAssessment.objects.filter(pk=number).select_related("person").first()
        if found is None:
            raise forms.ValidationError(gettext("That assessment no longer exists"))
        return found

    @classmethod
    def initial_from(cls, assessment: RasAssessment, today: dt.date) -> dict[str, Any]:
        """The form as "Open a budget" on an assessment's page fills it: the person, their
        indicative budget (a year's figure) and the financial year from today to 31 March."""
        end = dt.date(today.year + (today.month > 3), 3, 31)
        return {
            "assessment": assessment.pk,
            "person": assessment.person.email,
            "title": gettext("%(name)s's personal budget") % {"name": assessment.person},
            "period_start": today,
            "period_end": end,
            "social_care": f"{assessment.indicative_pence / 100:.2f}",
        }

    def part_year(self) -> dict[str, Any] | None:
        """An assessment's annual figure against a period shorter than a year: the figure pro
        rata (by days), for the form to warn about before the budget is opened."""
        if self.is_bound:
            data = getattr(self, "cleaned_data", {})
            assessment, start, end = (
                data.get(k) for k in ("assessment", "period_start", "period_end")
            )
        else:
            assessment = RasAssessment.objects.filter(pk=self.initial.get("assessment")).first()
            start, end = self.initial.get("period_start"), self.initial.get("period_end")
        if not (assessment and start and end) or end < start:
            return None
        days = (end - start).days + 1
        try:
            year = (start.replace(year=start.year + 1) - start).days
        except ValueError:  # 29 February
            year = (dt.date(start.year + 1, 3, 1) - start).days
        if days >= year:
            return None
        return {
            "annual": assessment.indicative_pence,
            "days": days,
            "pro_rata": round(assessment.indicative_pence * days / year),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The period must end after it starts")
        person, assessment = data.get("person"), data.get("assessment")
        if assessment and person and assessment.person_id != person.pk:
            self.add_error("person", gettext("The assessment was of someone else"))
        if not any(data.get(s) for s in ("social_care", "health", "education")):
            self.add_error("social_care", "Enter the amount from at least one source")
        if data.get("health") and not data.get("nhs"):
            self.add_error("nhs", "Choose the NHS body that funds the health budget")
        return data

    def sources(self) -> list[tuple[str, Organisation, int]]:
        data = self.cleaned_data
        funders = {
            Source.SOCIAL_CARE: data["council"],
            Source.EDUCATION: data["council"],
            Source.HEALTH: data.get("nhs"),
        }
        return [(s.value, funders[s], data[s.value]) for s in Source if data.get(s.value)]


class PlanForm(GovukForm):
    outcomes = forms.CharField(
        label="What does the person want to achieve, and how will the budget help?",
        help_text="One outcome a line: the outcome, a colon, then how. "
        "For example: Get out of the house twice a week: lunch club on Tuesdays and Fridays",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Write at least one outcome"},
    )
    how_managed = forms.ChoiceField(
        label="How is the budget managed?",
        widget=forms.RadioSelect,
        choices=[
            ("managed", "A managed account: the council pays providers"),
            ("direct", "A direct payment: the person arranges their own support"),
            ("both", "Both"),
        ],
        error_messages={"required": "Choose how the budget is managed"},
    )
    review_due = GovukDateField(
        label="Review due",
        noun="Review date",
        error_messages={"required": "Enter when the plan is reviewed"},
    )

    def outcome_list(self) -> list[dict[str, str]]:
        rows = []
        for line in self.cleaned_data["outcomes"].splitlines():
            outcome, _, how = line.partition(":")
            if outcome.strip():
                rows.append({"outcome": outcome.strip(), "how": how.strip()})
        return rows


def assessment_form(ras: RasVersion, data: Any = None) -> forms.Form:
    """One radio question per RAS question, grouped by domain in the order given."""
    fields: dict[str, forms.Field] = {
        "person": forms.EmailField(
            label="The person's e-mail address",
            error_messages={"required": "Enter an e-mail address"},
        ),
    }
    for q in ras.questions:
        fields[q["key"]] = forms.TypedChoiceField(
            label=f"{q['domain']}: {q['text']}",
            widget=forms.RadioSelect,
            coerce=int,
            choices=[
                (i, f"{a['label']} ({a['points']} points)") for i, a in enumerate(q["answers"])
            ],
            error_messages={"required": f"Answer: {q['text']}"},
        )
    form_class = type("RasAssessmentForm", (forms.Form,), fields)
    return form_class(data)  # type: ignore[no-any-return]


class RasVersionForm(GovukForm):
    title = forms.CharField(max_length=200, error_messages={"required": "Give the version a title"})
    price_per_point = PoundsField(
        label="Price per point (pounds a year)",
        error_messages={"required": "Enter the price per point"},
    )
    minimum = PoundsField(allow_blank=True, label="Minimum budget (pounds a year)")
    maximum = PoundsField(allow_blank=True, label="Maximum budget (pounds a year)")
    questions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 12, "class": "govuk-!-font-family-monospace"}),
        help_text="One question a line: domain | key | question | answer=points; answer=points",
        error_messages={"required": "Enter the questions"},
    )
    caps = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Caps (optional)",
        help_text="One a line: domain=most points",
    )
    change_note = forms.CharField(
        label="What changed, and why",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what changed"},
    )

    def clean_questions(self) -> list[dict[str, Any]]:
        questions = []
        for number, line in enumerate(self.cleaned_data["questions"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) != 4:
                raise forms.ValidationError(
                    f"Line {number}: write domain | key | question | answers"
                )
            answers = []
            for answer in parts[3].split(";"):
                label, _, points = answer.rpartition("=")
                if not label.strip() or not POINTS.fullmatch(points.strip()):
                    raise forms.ValidationError(f"Line {number}: write each answer as label=points")
                if int(points) > MAX_ANSWER_POINTS:
                    raise forms.ValidationError(
                        gettext("Line %(line)s: an answer can carry at most %(most)s points")
                        % {"line": number, "most": f"{MAX_ANSWER_POINTS:,}"}
                    )
                answers.append({"label": label.strip(), "points": int(points)})
            questions.append(
                {"domain": parts[0], "key": parts[1], "text": parts[2], "answers": answers}
            )
        if len(questions) > MAX_QUESTIONS:
            raise forms.ValidationError(
                gettext("A RAS can have at most %(most)s questions") % {"most": MAX_QUESTIONS}
            )
        return questions

    def clean_caps(self) -> dict[str, int]:
        caps = {}
        for line in self.cleaned_data.get("caps", "").splitlines():
            if line.strip():
                domain, _, points = line.rpartition("=")
                if not domain.strip() or not POINTS.fullmatch(points.strip()):
                    raise forms.ValidationError("Write each cap as domain=points")
                if int(points) > MAX_CAP_POINTS:
                    raise forms.ValidationError(
                        gettext("A cap can be at most %(most)s points")
                        % {"most": f"{MAX_CAP_POINTS:,}"}
                    )
                caps[domain.strip()] = int(points)
        return caps


def ras_as_text(ras: RasVersion) -> dict[str, Any]:
    """A version's fields as the form shows them, to start the next version from."""
    lines = [
        " | ".join(
            [
                q["domain"],
                q["key"],
                q["text"],
                "; ".join(f"{a['label']}={a['points']}" for a in q["answers"]),
            ]
        )
        for q in ras.questions
    ]
    return {
        "title": ras.title,
        "price_per_point": f"{ras.price_per_point_pence / 100:.2f}",
        "minimum": f"{ras.minimum_pence / 100:.2f}" if ras.minimum_pence else "",
        "maximum": f"{ras.maximum_pence / 100:.2f}" if ras.maximum_pence else "",
        "questions": "\n".join(lines),
        "caps": "\n".join(f"{d}={p}" for d, p in ras.domain_caps.items()),
    }


class InvoiceSubmitForm(GovukForm):
    """A provider's invoice: its number and date, and a line per booking they choose to bill.

    Each row is (commitment, billable pence); its fields are `bill-<id>`, `sessions-<id>` and
    `amount-<id>`, so the page lays them out booking by booking.
    """

    number = forms.CharField(
        label=_lazy("Invoice number"),
        max_length=100,
        error_messages={"required": _lazy("Enter the invoice number")},
    )
    invoice_date = GovukDateField(
        label=_lazy("Invoice date"),
        noun="Invoice date",
        help_text=_lazy("For example, 30 11 2026"),
        error_messages={"required": _lazy("Enter the invoice date")},
    )

    def __init__(self, *args: Any, rows: list[tuple[Any, int]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for commitment, left in rows:
            price = commitment.booking.price_pence or 1
            key = commitment.pk
            self.fields[f"bill-{key}"] = forms.BooleanField(
                label=gettext("Bill this booking"), required=False
            )
            self.fields[f"sessions-{key}"] = forms.IntegerField(
                label=gettext("Sessions or hours billed"),
                required=False,
                min_value=1,
                max_value=MAX_LINE_SESSIONS,
                initial=max(1, left // price),
                error_messages={
                    "invalid": gettext("Enter the sessions as a whole number, like 4"),
                    "min_value": gettext("Bill at least 1 session"),
                    "max_value": gettext("Bill at most %(most)s sessions")
                    % {"most": f"{MAX_LINE_SESSIONS:,}"},
                },
            )
            self.fields[f"amount-{key}"] = PoundsField(
                label=gettext("Amount in pounds"), allow_blank=True, initial=f"{left / 100:.2f}"
            )

    def clean_number(self) -> str:
        number = self.cleaned_data["number"].strip()
        if not number.isprintable():
            raise forms.ValidationError(gettext("Enter the invoice number as it is printed"))
        return number

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = [c for c, _ in self.rows if data.get(f"bill-{c.pk}")]
        if not chosen and not self.errors:
            self.add_error(None, gettext("Choose at least one booking to bill"))
        for commitment in chosen:
            for part, message in (
                ("sessions", gettext("Enter how many sessions this line bills")),
                ("amount", gettext("Enter the amount this line bills")),
            ):
                name = f"{part}-{commitment.pk}"
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, message)
        return data

    def lines(self) -> list[tuple[Any, int, int]]:
        """(commitment, sessions, pence) for each booking chosen."""
        data = self.cleaned_data
        return [
            (c, data[f"sessions-{c.pk}"], data[f"amount-{c.pk}"])
            for c, _ in self.rows
            if data.get(f"bill-{c.pk}")
        ]

    def row_fields(self) -> list[tuple[Any, int, list[forms.BoundField]]]:
        return [
            (c, left, [self[f"bill-{c.pk}"], self[f"sessions-{c.pk}"], self[f"amount-{c.pk}"]])
            for c, left in self.rows
        ]


class InvoiceDecisionForm(GovukForm):
    decision = forms.ChoiceField(
        label=_lazy("Your decision"),
        choices=[("approve", _lazy("Approve for payment")), ("reject", _lazy("Reject it"))],
        widget=forms.RadioSelect,
        error_messages={
            "required": _lazy("Choose approve or reject"),
            "invalid_choice": _lazy("Choose approve or reject"),
        },
    )
    reason = forms.CharField(
        label=_lazy("If you reject it, why? (the provider is told)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", gettext("Say why the invoice is rejected"))
        return data
