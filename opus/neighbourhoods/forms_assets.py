"""Forms of the asset register: nominating, deciding, reviews, notices, bidders, exemptions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from opus.core.fields import GovukDateField, GovukForm
from opus.core.models import Organisation, OrganisationKind


class NominationForm(GovukForm):
    nominator = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label=_("Nominating for"),
        empty_label=_("Choose your group or council"),
        error_messages={"required": _("Choose the group or council you are nominating for")},
    )
    name = forms.CharField(label=_("Name of the asset"), max_length=300)
    address_text = forms.CharField(label=_("Address"), max_length=400)
    postcode = forms.CharField(label=_("Postcode"), max_length=8, required=False)
    uprn = forms.RegexField(
        label=_("UPRN (optional)"),
        regex=r"^\d{1,12}$",
        required=False,
        error_messages={"invalid": _("The UPRN must be a number of up to 12 digits")},
    )
    description = forms.CharField(
        label=_("Description (optional)"), widget=forms.Textarea, max_length=5000, required=False
    )
    owner_name = forms.CharField(label=_("Owner's name"), max_length=200)
    owner_email = forms.EmailField(label=_("Owner's e-mail address (optional)"), required=False)
    listing_authority = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY).order_by(
            "name"
        ),
        label=_("Council to decide"),
        empty_label=_("Choose the council"),
        error_messages={"required": _("Choose the council to decide")},
    )
    neighbourhood_council = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(kind=OrganisationKind.NEIGHBOURHOOD_COUNCIL).order_by(
            "name"
        ),
        label=_("Neighbourhood council (optional)"),
        empty_label=_("None"),
        required=False,
    )
    reasons = forms.CharField(
        label=_("Why is it of community value?"),
        help_text=_(
            "How its main use furthers the social wellbeing or interests of the local community, "
            "and how it could go on doing so"
        ),
        widget=forms.Textarea,
        max_length=5000,
    )
    nominated_on = GovukDateField(label=_("Date of the nomination"))

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["nominator"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            pk__in=[o.pk for o in organisations]
        ).order_by("name")


class DecisionForm(GovukForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("listed", _("List it")), ("not_listed", _("Do not list it"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether to list the asset")},
    )
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea, max_length=5000)
    decided_on = GovukDateField(label=_("Date of the decision"))


class ReviewRequestForm(GovukForm):
    requested_on = GovukDateField(label=_("Date the owner asked for a review"))


class ReviewDecisionForm(GovukForm):
    outcome = forms.ChoiceField(
        label=_("Outcome of the review"),
        choices=[("upheld", _("Keep it on the list")), ("removed", _("Remove it from the list"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the outcome of the review")},
    )
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea, max_length=5000)
    decided_on = GovukDateField(label=_("Date of the review decision"))


class NoticeForm(GovukForm):
    notice_date = GovukDateField(
        label=_("Date the owner's notice was received"),
        help_text=_("The moratorium runs from this date"),
    )


class BidderForm(GovukForm):
    group = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label=_("Community interest group"),
        empty_label=_("Choose the group"),
        error_messages={"required": _("Choose the group asking to bid")},
    )
    made_on = GovukDateField(label=_("Date of the written request"))

    def __init__(self, *args: Any, groups: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups  # type: ignore[attr-defined]


class ExemptForm(GovukForm):
    exemption = forms.ChoiceField(
        label=_("Exemption"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the exemption that applies")},
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea, max_length=5000)
    disposal_date = GovukDateField(label=_("Date of the disposal"))

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["exemption"].choices = choices  # type: ignore[attr-defined]
