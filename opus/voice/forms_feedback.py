"""Forms of feedback and ratings (GOV.UK messages; the services check everything again)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from opus.core.fields import GovukForm
from opus.voice.feedback import TEXT_MAX
from opus.voice.models import RATING_DIMENSIONS, RATING_MAX, RATING_MIN, STORY_MAX

STARS = [(str(n), str(n)) for n in range(RATING_MAX, RATING_MIN - 1, -1)]
STAR_WORDS = {
    "5": _("5 – very good"),
    "4": _("4 – good"),
    "3": _("3 – neither good nor poor"),
    "2": _("2 – poor"),
    "1": _("1 – very poor"),
}


def _rating_field(label: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=[(value, STAR_WORDS[value]) for value, _text in STARS],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a rating from 1 to 5 for “%(what)s”") % {"what": label},
            "invalid_choice": _("The rating for “%(what)s” must be from 1 to 5") % {"what": label},
        },
    )


class FeedbackForm(GovukForm):
    story = forms.CharField(
        label=_("Tell us what happened"),
        help_text=_(
            "What went well, what could be better. Do not include names, addresses or other "
            "personal details."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=STORY_MAX,
        error_messages={
            "required": _("Tell us what happened"),
            "max_length": _("Your story must be %(limit_value)s characters or fewer"),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in reversed(RATING_DIMENSIONS):
            self.fields = {key: _rating_field(label), **self.fields}  # type: ignore[assignment]

    def clean_story(self) -> str:
        story: str = self.cleaned_data["story"].strip()
        if not story:
            raise forms.ValidationError(_("Tell us what happened"))
        return story

    def ratings(self) -> dict[str, int]:
        return {key: self.cleaned_data[key] for key, _label in RATING_DIMENSIONS}


class ModerateForm(GovukForm):
    decision = forms.ChoiceField(
        label=_("Publish this feedback?"),
        choices=[("publish", _("Yes, publish it")), ("reject", _("No, do not publish it"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether to publish this feedback")},
    )
    published_story = forms.CharField(
        label=_("The story as it will be published"),
        help_text=_(
            "Remove names, contact details and anything that could be defamatory. What the "
            "person wrote is kept."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=STORY_MAX,
        required=False,
    )
    note = forms.CharField(
        label=_("What you removed, or why it is not published"),
        help_text=_("Needed when you change the story or do not publish it"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=TEXT_MAX,
        required=False,
    )


class ReplyForm(GovukForm):
    reply = forms.CharField(
        label=_("Your public reply"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=TEXT_MAX,
        error_messages={"required": _("Enter your reply")},
    )


class RestrictionAskForm(GovukForm):
    reason = forms.CharField(
        label=_("Why should this feedback be restricted?"),
        help_text=_(
            "A moderator decides. If they agree, the feedback is shown as restricted with this "
            "reason: it is not hidden."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=TEXT_MAX,
        error_messages={"required": _("Say why the feedback should be restricted")},
    )


class RestrictionDecideForm(GovukForm):
    decision = forms.ChoiceField(
        label=_("Restrict this feedback?"),
        choices=[("grant", _("Yes, restrict it")), ("refuse", _("No, leave it as published"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether to restrict this feedback")},
    )


class BadgeForm(GovukForm):
    badge = forms.ChoiceField(
        label=_("What has changed?"),
        choices=[("planned", _("Change planned")), ("made", _("Change made"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether the change is planned or made")},
    )
    explanation = forms.CharField(
        label=_("Explain the change"),
        help_text=_("The person who gave the feedback is asked to confirm it before it shows"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=TEXT_MAX,
        error_messages={"required": _("Explain the change")},
    )


class ConfirmForm(GovukForm):
    confirmed = forms.ChoiceField(
        label=_("Is this right?"),
        choices=[("yes", _("Yes, confirm it")), ("no", _("No, this is not right"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether the change is right")},
    )
