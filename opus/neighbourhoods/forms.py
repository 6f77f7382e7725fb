"""Forms of participatory budgeting: a ballot (online or keyed from paper) and a proposal."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from opus.core.fields import GovukForm
from opus.neighbourhoods.models import BallotType, Process, ProjectStatus
from opus.neighbourhoods.services import MAX_AGE, MAX_COST_PENCE


class BallotForm(GovukForm):
    postcode = forms.CharField(label=_("Your postcode"), max_length=10)
    age = forms.IntegerField(label=_("Your age"), min_value=0, max_value=MAX_AGE)

    def __init__(self, *args: Any, process: Process, paper: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.process = process
        self.projects = list(process.projects.filter(status=ProjectStatus.FEASIBLE))
        points = process.ballot_type == BallotType.CUMULATIVE
        for project in self.projects:
            label = f"{project.title} (£{project.cost_pence / 100:,.0f})"
            if points:
                self.fields[f"project-{project.pk}"] = forms.IntegerField(
                    label=label, required=False, min_value=0, max_value=process.points
                )
            else:
                self.fields[f"project-{project.pk}"] = forms.BooleanField(
                    label=label, required=False
                )
        if paper:
            self.fields["paper_number"] = forms.IntegerField(
                label=_("Ballot paper number"), min_value=1, max_value=10**9
            )
            self.fields["voter_email"] = forms.EmailField(label=_("Voter's e-mail address"))
            self.fields["postcode"].label = _("Voter's postcode")
            self.fields["age"].label = _("Voter's age")

    def chosen(self) -> dict[int, int]:
        return {p.pk: int(self.cleaned_data.get(f"project-{p.pk}") or 0) for p in self.projects}


class ProposalForm(GovukForm):
    title = forms.CharField(label=_("Name of your idea"), max_length=200)
    description = forms.CharField(label=_("What it would do"), widget=forms.Textarea)
    place = forms.CharField(label=_("Where"), max_length=200, required=False)
    cost = forms.DecimalField(
        label=_("What it would cost, in pounds"),
        min_value=1,
        max_value=MAX_COST_PENCE // 100,
        decimal_places=2,
    )
