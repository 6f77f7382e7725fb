"""Forms of participatory budgeting: a ballot (online or keyed from paper) and a proposal."""

from __future__ import annotations

from decimal import Decimal
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


class ProcessForm(GovukForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("What it is for"), widget=forms.Textarea, required=False)
    budget = forms.ChoiceField(label=_("From which budget"))
    amount = forms.DecimalField(
        label=_("Money to share out, in pounds"),
        min_value=1,
        max_value=MAX_COST_PENCE // 100,
        decimal_places=2,
    )
    ballot_type = forms.ChoiceField(label=_("Kind of ballot"), choices=BallotType.choices)
    min_choices = forms.IntegerField(label=_("Fewest projects a voter chooses"), min_value=0,
                                     max_value=100, initial=1)  # fmt: skip
    max_choices = forms.IntegerField(label=_("Most projects a voter chooses (approval)"),
                                     min_value=1, max_value=100, required=False)  # fmt: skip
    points = forms.IntegerField(label=_("Points each voter shares (cumulative)"), min_value=1,
                                max_value=1000, initial=10)  # fmt: skip
    min_age = forms.IntegerField(label=_("Youngest age that may vote"), min_value=0,
                                 max_value=MAX_AGE, initial=11)  # fmt: skip
    rule = forms.ChoiceField(
        label=_("Counting rule"),
        choices=[("equal-shares", _("Method of Equal Shares")), ("greedy", _("Greedy"))],
    )

    def __init__(self, *args: Any, budgets: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["budget"].choices = [(str(b.pk), str(b)) for b in budgets]


class ReviewForm(GovukForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("feasible", _("Put it on the ballot")), ("ineligible", _("Not eligible"))],
    )
    cost = forms.DecimalField(label=_("Cost in pounds (correct it if needed)"), min_value=1,
                              max_value=MAX_COST_PENCE // 100, decimal_places=2)  # fmt: skip
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea, required=False)


class VoidForm(GovukForm):
    paper_number = forms.IntegerField(label=_("Paper ballot number"), required=False,
                                      min_value=1, max_value=10**9)  # fmt: skip
    voter_email = forms.EmailField(label=_("Or the voter's e-mail address"), required=False)
    reason = forms.CharField(label=_("Why the ballot is void"), widget=forms.Textarea)


class DeliveryForm(GovukForm):
    progress = forms.IntegerField(label=_("Progress, per cent"), min_value=0, max_value=100)
    milestone = forms.CharField(label=_("Milestone reached"), max_length=300, required=False)
    payment = forms.DecimalField(label=_("Payment for work done, in pounds"), required=False,
                                 min_value=Decimal("0.01"), max_value=MAX_COST_PENCE // 100,
                                 decimal_places=2)  # fmt: skip
    reference = forms.CharField(label=_("Invoice or payment reference"), max_length=100,
                                required=False)  # fmt: skip
