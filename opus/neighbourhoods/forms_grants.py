"""Small grants' forms (GOV.UK messages; amounts in pounds, bounded)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from opus.core.fields import GovukDateField, GovukForm
from opus.neighbourhoods.grants import MAX_GRANT_PENCE

MAX_POUNDS = MAX_GRANT_PENCE // 100


def _pounds(label: Any, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, min_value=Decimal("0.01"), max_value=MAX_POUNDS, decimal_places=2, **kwargs
    )


class RoundForm(GovukForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("What the grants are for"), widget=forms.Textarea,
                                  required=False)  # fmt: skip
    budget = forms.ChoiceField(label=_("From which budget"))
    ceiling = _pounds(_("Most a grant can be, in pounds"))
    opens_on = GovukDateField(label=_("Opens on"))
    closes_on = GovukDateField(label=_("Closes on"))

    def __init__(self, *args: Any, budgets: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["budget"].choices = [(str(b.pk), str(b)) for b in budgets]


class ApplicationForm(GovukForm):
    group = forms.ChoiceField(label=_("Your group"))
    title = forms.CharField(label=_("Name of the project"), max_length=200)
    description = forms.CharField(label=_("What the project will do"), widget=forms.Textarea)
    amount = _pounds(_("How much you are asking for, in pounds"))
    place = forms.ChoiceField(label=_("Where the project happens"))

    def __init__(self, *args: Any, groups: Any, places: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [(str(g.pk), g.name) for g in groups]
        self.fields["place"].choices = [(str(a.pk), a.name) for a in places]


class DecisionForm(GovukForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("award", _("Award the grant")), ("decline", _("Do not award it"))],
        widget=forms.RadioSelect,
    )
    amount = _pounds(_("Amount to award, in pounds (if less than asked for)"), required=False)
    reason = forms.CharField(label=_("Reason for the decision"), widget=forms.Textarea)


class DeclarationForm(GovukForm):
    interest = forms.CharField(label=_("Your interest in this application"),
                               widget=forms.Textarea)  # fmt: skip


class PaymentForm(GovukForm):
    reference = forms.CharField(label=_("Payment reference"), max_length=100)


class MonitoringForm(GovukForm):
    spent = forms.DecimalField(label=_("Money spent, in pounds"), min_value=0,
                               max_value=MAX_POUNDS, decimal_places=2)  # fmt: skip
    people_reached = forms.IntegerField(label=_("People who took part"), min_value=0,
                                        max_value=1_000_000)  # fmt: skip
    summary = forms.CharField(label=_("What happened"), widget=forms.Textarea)
