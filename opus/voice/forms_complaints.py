"""Forms of complaints: making one, and the handler's actions on it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from opus.core.fields import GovukDateField, GovukForm
from opus.core.models import Organisation, User
from opus.voice.models import Outcome

TEXT_MAX = 5000


def _text(label: Any, required: bool = True, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label, widget=forms.Textarea, max_length=TEXT_MAX, required=required, **kwargs
    )


class BookingChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.service.name} ({obj.start_date:%-d %B %Y})"


class ComplaintForm(GovukForm):
    body = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label=_("Who is your complaint to?"),
        empty_label=_("Choose who it is to"),
        error_messages={"required": _("Choose who your complaint is to")},
    )
    about_booking = BookingChoiceField(
        queryset=None,
        label=_("Is it about one of your bookings? (optional)"),
        empty_label=_("No, it is not about a booking"),
        required=False,
    )
    summary = _text(
        _("What is your complaint about?"),
        help_text=_("Say what happened, when and who was involved"),
        error_messages={"required": _("Enter what your complaint is about")},
    )
    wanted = _text(_("What would you like to happen? (optional)"), required=False)
    events_on = GovukDateField(
        label=_("When did it happen?"),
        noun=_("The date it happened"),
        help_text=_("For example, 27 3 2027. Complaints are made within 12 months."),
    )
    service = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, bodies: QuerySet[Organisation], bookings: QuerySet[Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies  # type: ignore[attr-defined]
        self.fields["about_booking"].queryset = bookings  # type: ignore[attr-defined]


class HandlerChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name or obj.email)


class AcknowledgeForm(GovukForm):
    handler = HandlerChoiceField(
        queryset=User.objects.none(),
        label=_("Who will handle it?"),
        empty_label=_("Choose the handler"),
        error_messages={"required": _("Choose who will handle the complaint")},
    )
    on = GovukDateField(label=_("Date of the acknowledgement"))

    def __init__(self, *args: Any, staff: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = staff  # type: ignore[attr-defined]


class PauseForm(GovukForm):
    reason = _text(
        _("Why is it paused?"), error_messages={"required": _("Enter why the complaint is paused")}
    )


class ResumeForm(GovukForm):
    on = GovukDateField(label=_("Date work started again"))


class ExtendForm(GovukForm):
    days = forms.IntegerField(
        label=_("How many more working days?"),
        min_value=1,
        max_value=10,
        error_messages={
            "required": _("Enter how many more working days"),
            "invalid": _("The number of days must be a whole number, like 5"),
            "min_value": _("The number of days must be 1 or more"),
            "max_value": _("The number of days must be 10 or fewer"),
        },
    )
    reason = _text(
        _("Why is more time needed?"),
        error_messages={"required": _("Enter why more time is needed")},
    )


class ForwardForm(GovukForm):
    to = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label=_("Which body should answer it?"),
        empty_label=_("Choose the body"),
        error_messages={"required": _("Choose another body to send it to")},
    )
    reason = _text(
        _("Why does it go there?"),
        error_messages={"required": _("Enter why it goes to another body")},
    )

    def __init__(self, *args: Any, bodies: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = bodies  # type: ignore[attr-defined]


class AnswerForm(GovukForm):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the outcome")},
    )
    response = _text(_("The answer"), error_messages={"required": _("Enter the answer")})
    remedy = _text(_("What will be done to put it right (optional)"), required=False)
    learning = _text(
        _("What has been learnt (optional)"),
        required=False,
        help_text=_("Shown to the commissioner with the contract's KPIs, without names"),
    )
    on = GovukDateField(label=_("Date of the answer"))


class CloseForm(GovukForm):
    reason = _text(
        _("Why is it closed?"), error_messages={"required": _("Enter why the complaint is closed")}
    )


class OmbudsmanForm(GovukForm):
    on = GovukDateField(label=_("Date the person went to the ombudsman"))


class EscalateForm(GovukForm):
    reason = _text(
        _("Why are you not satisfied with the answer?"),
        error_messages={"required": _("Enter why you are not satisfied")},
    )
