"""The needs questionnaire (a few questions a page) and the choosing forms."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opus.choice.models import ConsentScope
from opus.choice.services import consent_latest_day, consent_too_long
from opus.core.fields import GovukDateField, PostcodeField
from opus.core.models import Postcode, Role, User
from opus.directory.forms import DAYS
from opus.directory.models import TaxonomyTerm
from opus.directory.vocabularies import ACCESSIBILITY, CIRCUMSTANCES, LANGUAGES

# Django's own messages ("Select a valid choice. x is not one of the available choices.",
# "Enter a whole number.") in the Design System's words, for every field whose form did not
# word them itself.
IN_WORDS = {
    "invalid_choice": gettext_lazy("Choose from the options shown"),
    "invalid_list": gettext_lazy("Choose from the options shown"),
    "max_decimal_places": gettext_lazy("Enter a number with up to %(max)s decimal places"),
    "max_digits": gettext_lazy("Enter a smaller number"),
    "max_whole_digits": gettext_lazy("Enter a smaller number"),
    "min_value": gettext_lazy("Enter %(limit_value)s or more"),
    "max_value": gettext_lazy("Enter %(limit_value)s or less"),
    "max_length": gettext_lazy("Enter %(limit_value)d characters or fewer"),
}
IN_WORDS_BY_FIELD = {
    forms.IntegerField: {"invalid": gettext_lazy("Enter a whole number, like 10")},
    forms.DecimalField: {"invalid": gettext_lazy("Enter a number, like 2 or 1.5")},
}


class WordedForm(forms.Form):
    """A form whose every error message is in words, never Django's defaults."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            defaults: dict[str, Any] = {}
            for klass in reversed(type(field).__mro__):
                defaults.update(getattr(klass, "default_error_messages", {}))
            words = {**IN_WORDS}
            for kind, more in IN_WORDS_BY_FIELD.items():
                if isinstance(field, kind):
                    words.update(more)
            for key, message in words.items():
                # A validator's message (min_value, max_length, …) is used only when the field
                # has none of its own under that code; Django's class defaults are replaced.
                if field.error_messages.get(key, defaults.get(key)) is defaults.get(key):
                    field.error_messages[key] = message


class NeedsStep(WordedForm):
    needs = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        label="What do you need help with?",
        help_text="Choose all that apply",
        error_messages={"required": "Choose at least one thing you need help with"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        terms = TaxonomyTerm.objects.filter(parent__isnull=False).select_related("parent")
        groups: dict[str, list[tuple[str, str]]] = {}
        for term in terms:
            groups.setdefault(term.parent.name, []).append((term.code, term.name))
        # By category (the taxonomy's parent terms), then by name within each: one flat list
        # of choices (so the checkboxes' ids run id_needs_0, _1, …) cut into headed groups.
        self.groups = [
            (heading, sorted(choices, key=lambda c: c[1].casefold()))
            for heading, choices in sorted(groups.items(), key=lambda g: g[0].casefold())
        ]
        self.fields["needs"].choices = [c for _heading, cs in self.groups for c in cs]

    def grouped_needs(self) -> list[tuple[str, list[Any]]]:
        """The needs checkboxes under their category's heading, in the order shown."""
        boxes = list(self["needs"])
        grouped, start = [], 0
        for heading, choices in self.groups:
            grouped.append((heading, boxes[start : start + len(choices)]))
            start += len(choices)
        return grouped


class WhereStep(WordedForm):
    postcode = PostcodeField(
        label="Your postcode",
        help_text="So we can show services near you",
        error_messages={"required": "Enter your postcode"},
    )

    max_distance_km = forms.IntegerField(
        min_value=1,
        max_value=200,
        initial=10,
        label="How far can you travel (km)?",
        error_messages={
            "min_value": "Enter a distance of at least 1 km",
            "max_value": "Enter a distance of 200 km or less",
            "required": "Enter how far you can travel",
        },
    )
    remote_ok = forms.BooleanField(
        required=False, initial=True, label="Help at home, online or by phone is fine too"
    )

    def clean_postcode(self) -> str:
        code = self.cleaned_data["postcode"]
        known = Postcode.objects.filter(
            postcode=code, latitude__isnull=False, longitude__isnull=False
        )
        if code and not known.exists():
            raise forms.ValidationError(
                _("We do not know where %(postcode)s is: check the postcode and try again")
                % {"postcode": code}
            )
        return code


class AboutStep(WordedForm):
    age = forms.IntegerField(
        min_value=0,
        max_value=130,
        required=False,
        label="Your age",
        error_messages={"max_value": "Enter an age of 130 or less"},
    )
    circumstances = forms.MultipleChoiceField(
        choices=list(CIRCUMSTANCES.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Does any of these describe you?",
        help_text="Some services are only for people in these circumstances",
    )


class AccessStep(WordedForm):
    languages = forms.MultipleChoiceField(
        choices=list(LANGUAGES.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Languages you would like the service in",
    )
    language_required = forms.BooleanField(
        required=False, label="Only show services in one of these languages"
    )
    accessibility = forms.MultipleChoiceField(
        choices=list(ACCESSIBILITY.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Access you need",
    )


class WhenStep(WordedForm):
    days = forms.MultipleChoiceField(
        choices=DAYS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Days that suit you",
    )
    max_price = forms.CharField(
        required=False,
        max_length=10,
        label="Most you can pay per hour or session (£)",
        help_text="Leave empty if you are not sure",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The answers keep pence (what matching compares); the question asks for pounds, so a
        # revisited page shows pounds back (2000 → "20", 1850 → "18.50"), never pence.
        pence = self.initial.get("max_price")
        if isinstance(pence, int) and not isinstance(pence, bool):
            self.initial = {**self.initial, "max_price": pounds_text(pence)}

    def clean_max_price(self) -> int | None:
        text = (self.cleaned_data.get("max_price") or "").replace("£", "").replace(",", "")
        text = text.strip()
        if not text:
            return None
        try:
            pounds = Decimal(text)
        except InvalidOperation:
            pounds = Decimal("NaN")
        if not pounds.is_finite():
            raise forms.ValidationError(_("Enter an amount in pounds, like 20 or 18.50"))
        if pounds < 0:
            raise forms.ValidationError(_("Enter an amount of 0 or more"))
        if pounds > MAX_PRICE_POUNDS:
            raise forms.ValidationError(
                _("Enter an amount of £%(most)s or less") % {"most": f"{MAX_PRICE_POUNDS:,}"}
            )
        return int((pounds * 100).to_integral_value())


# The most a person may say they can pay for an hour or session (a bound on outside numbers).
MAX_PRICE_POUNDS = 10_000


def pounds_text(pence: int) -> str:
    """Pence as the pounds a person would type: 2000 → "20", 1850 → "18.50"."""
    whole, part = divmod(pence, 100)
    return f"{whole}" if not part else f"{whole}.{part:02d}"


STEPS = {
    "needs": ("What you need", NeedsStep),
    "where": ("Where you are", WhereStep),
    "about": ("About you", AboutStep),
    "access": ("Language and access", AccessStep),
    "when": ("When and how much", WhenStep),
}


class CompareForm(WordedForm):
    service = forms.MultipleChoiceField(
        error_messages={
            "required": gettext_lazy("Choose two or three services to compare"),
            "invalid_choice": gettext_lazy(
                "You can only compare services on your shortlist: add a service to your "
                "shortlist first, then compare"
            ),
        }
    )
    units = forms.DecimalField(
        min_value=Decimal("0.25"),
        max_value=Decimal("168"),
        required=False,
        label="Hours or sessions a week",
        error_messages={
            "invalid": "Enter the hours or sessions a week as a number, like 2",
            "min_value": "Enter at least a quarter of an hour or session",
            "max_value": "Enter 168 or fewer",
        },
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = choices

    def clean_service(self) -> list[str]:
        chosen = self.cleaned_data["service"]
        if not 2 <= len(chosen) <= 3:
            raise forms.ValidationError("Choose two or three services to compare")
        return chosen


class BookingForm(WordedForm):
    units_per_week = forms.DecimalField(
        min_value=Decimal("0.25"),
        max_value=Decimal("168"),
        decimal_places=2,
        label="How many hours or sessions a week?",
        error_messages={
            "required": "Say how many hours or sessions a week",
            "min_value": "Enter at least a quarter of an hour or session",
            "max_value": "Enter 168 or fewer",
            "invalid": "Enter a number, like 2",
        },
    )
    start_date = GovukDateField(
        label="When would you like to start?",
        noun="Start date",
        help_text="For example, 7 12 2026",
        error_messages={"required": "Enter a start date"},
    )
    message = forms.CharField(
        widget=forms.Textarea,
        required=False,
        max_length=2000,
        label="Anything the provider should know",
    )

    def clean_start_date(self) -> date:
        start = self.cleaned_data["start_date"]
        if start < timezone.localdate():
            raise forms.ValidationError("The start date must be today or later")
        return start


class DecisionForm(WordedForm):
    decision = forms.ChoiceField(
        choices=[("accept", "Accept"), ("decline", "Decline")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose accept or decline"},
    )
    reason = forms.CharField(
        widget=forms.Textarea,
        required=False,
        max_length=2000,
        label="Reason (the person will read this)",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("decision") == "decline" and not (data.get("reason") or "").strip():
            self.add_error("reason", "Give the person a reason for declining")
        return data


class ConsentForm(WordedForm):
    champion = forms.ModelChoiceField(
        queryset=User.objects.filter(memberships__role=Role.CHAMPION).distinct(),
        empty_label="Choose a Choice Champion",
        error_messages={"required": "Choose the Choice Champion who will help you"},
    )
    scope = forms.ChoiceField(
        choices=ConsentScope.choices,
        widget=forms.RadioSelect,
        label="What they may do for you",
        error_messages={"required": "Choose what they may do for you"},
    )
    until = GovukDateField(
        label="Until",
        noun="The last day",
        latest_year=9999,  # beyond two years, the form says how long consent may last
        help_text="For example, 31 3 2027. You can withdraw your consent at any time",
        # Shown in the day, month and year boxes, and read back unchanged.
        initial=lambda: timezone.localdate() + timedelta(days=90),
        error_messages={"required": "Enter the last day"},
    )

    def clean_until(self) -> date:
        until = self.cleaned_data["until"]
        if until <= timezone.localdate():
            raise forms.ValidationError("The last day must be after today")
        if until > consent_latest_day():
            raise forms.ValidationError(consent_too_long())
        return until
