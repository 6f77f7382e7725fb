"""Forms of consultations and co-design (GOV.UK messages; the services check everything again)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from opus.core.fields import GovukDateField, GovukForm, use_govuk_messages
from opus.voice.consultations import TEXT_MAX
from opus.voice.models import (
    ANSWER_MAX,
    AgeBand,
    Disability,
    EthnicGroup,
    Question,
    QuestionKind,
    RecommendationResponse,
    Sex,
)


def _long(label: Any, limit: int = TEXT_MAX, required: bool = True, **more: Any) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=limit, required=required, widget=forms.Textarea, **more
    )


class ConsultationForm(GovukForm):
    body = forms.ModelChoiceField(label=_("Who is consulting"), queryset=None, empty_label=None)
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = _long(_("What it is about"), help_text=_("In plain words: what may change, for whom"))
    opens_on = GovukDateField(label=_("Opening date"))
    closes_on = GovukDateField(label=_("Closing date"))

    def __init__(self, *args: Any, bodies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies  # type: ignore[attr-defined]


class QuestionForm(GovukForm):
    text = forms.CharField(label=_("Question"), max_length=300)
    hint = forms.CharField(label=_("Hint (optional)"), max_length=500, required=False)
    kind = forms.ChoiceField(
        label=_("Kind of answer"), choices=QuestionKind.choices, widget=forms.RadioSelect
    )
    options = _long(
        _("Options, one a line"),
        limit=3000,
        required=False,
        help_text=_("For “choose one” and “choose any” questions"),
    )
    required = forms.BooleanField(label=_("People must answer this question"), required=False)

    def option_list(self) -> list[str]:
        return str(self.cleaned_data.get("options") or "").splitlines()


class DocumentForm(GovukForm):
    title = forms.CharField(label=_("Document title"), max_length=200)
    url = forms.URLField(
        label=_("Where it is published"), max_length=500, assume_scheme="https",
        help_text=_("A web address starting https://"),
    )  # fmt: skip


def answer_form(question: Question, data: Any = None, initial: Any = None) -> GovukForm:
    """One question's page: a text box, radios or checkboxes."""
    form = GovukForm(data, initial={"answer": initial} if initial is not None else None)
    label, required = question.text, question.required
    choices = [(c, c) for c in question.choices]
    field: forms.Field
    if question.kind == QuestionKind.TEXT:
        field = _long(label, limit=ANSWER_MAX, required=required)
    elif question.kind == QuestionKind.MULTIPLE:
        field = forms.MultipleChoiceField(
            label=label, choices=choices, required=required, widget=forms.CheckboxSelectMultiple
        )
    else:
        field = forms.ChoiceField(
            label=label, choices=choices, required=required, widget=forms.RadioSelect
        )
    field.help_text = question.hint or ("" if required else str(_("Optional")))
    form.fields["answer"] = field
    use_govuk_messages(form)
    return form


def _equality(label: Any, choices: Any) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=choices, required=False, widget=forms.RadioSelect)


class AboutYouForm(GovukForm):
    email = forms.EmailField(
        label=_("E-mail address (optional)"),
        required=False,
        max_length=254,
        help_text=_("We will tell you what we decided. We use it for nothing else."),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that my answers below are used for equality monitoring. They are "
            "published only in groups of at least 10 people."
        ),
        required=False,
    )
    age_band = _equality(_("Your age (optional)"), AgeBand.choices)
    sex = _equality(_("Your sex (optional)"), Sex.choices)
    disability = _equality(
        _("Do you consider yourself to have a disability? (optional)"), Disability.choices
    )
    ethnic_group = _equality(_("Your ethnic group (optional)"), EthnicGroup.choices)


class ThemeForm(GovukForm):
    name = forms.CharField(label=_("New theme"), max_length=100)


class TagForm(GovukForm):
    themes = forms.MultipleChoiceField(
        label=_("Themes"), required=False, widget=forms.CheckboxSelectMultiple, choices=()
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["themes"].choices = choices  # type: ignore[attr-defined]


class ConcludeForm(GovukForm):
    text = _long(
        _("You said, we did"),
        help_text=_("What people told you, and what you will do (or not do) and why"),
    )


class CodesignForm(GovukForm):
    name = forms.CharField(label=_("Name of the group"), max_length=200)
    purpose = _long(_("What the group is shaping"))


class MemberForm(GovukForm):
    name = forms.CharField(label=_("Member's name"), max_length=200)
    experience = forms.CharField(label=_("Lived experience they bring"), max_length=300)
    consented = forms.BooleanField(
        label=_("They consented to take part and to their part being recorded"), required=False
    )
    consented_on = GovukDateField(label=_("Date they consented"))
    name_shown = forms.BooleanField(
        label=_("They agreed to their name being shown on the plan's page"), required=False
    )


class MeetingForm(GovukForm):
    held_on = GovukDateField(label=_("Date of the meeting"))
    notes = _long(_("Notes"))


class RecommendationForm(GovukForm):
    text = _long(_("Recommendation"))


class RecommendationRespondForm(GovukForm):
    response = forms.ChoiceField(
        label=_("Your response"),
        choices=[c for c in RecommendationResponse.choices if c[0]],
        widget=forms.RadioSelect,
    )
    reason = _long(_("Reason"))
