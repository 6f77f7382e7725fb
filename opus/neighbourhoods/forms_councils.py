"""A neighbourhood council's entry forms: meetings and agendas, decisions with votes, minutes,
declarations of interest (GOV.UK messages; numbers bounded)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from opus.core.fields import GovukDateField, GovukForm
from opus.neighbourhoods.councils import MAX_VOTES


class MeetingForm(GovukForm):
    title = forms.CharField(label=_("Title of the meeting"), max_length=200)
    held_on = GovukDateField(label=_("Date of the meeting"))
    agenda = forms.CharField(label=_("Agenda"), widget=forms.Textarea, required=False)


def _votes(label: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=MAX_VOTES, initial=0)


class DecisionForm(GovukForm):
    text = forms.CharField(label=_("What was decided"), widget=forms.Textarea)
    votes_for = _votes(_("Votes for"))
    votes_against = _votes(_("Votes against"))
    abstentions = _votes(_("Abstentions"))


class MinutesForm(GovukForm):
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea)


class InterestForm(GovukForm):
    meeting = forms.ChoiceField(label=_("At which meeting (if any)"), required=False)
    item = forms.CharField(label=_("What the interest is in"), max_length=300)
    interest = forms.CharField(label=_("What the interest is"), widget=forms.Textarea)

    def __init__(self, *args: Any, meetings: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].choices = [("", _("Not at a meeting"))] + [
            (str(m.pk), str(m)) for m in meetings
        ]
