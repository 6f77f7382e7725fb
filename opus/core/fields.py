"""Form fields shared by every app."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from opus.engines.identifiers import normalise_postcode


class PostcodeField(forms.CharField):
    """A UK postcode, normalised to capitals and one space ('sw1a1aa' → 'SW1A 1AA')."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 10)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        text = super().clean(value)
        if not text:
            return ""
        try:
            return normalise_postcode(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


PARTS = ("day", "month", "year")
EARLIEST_YEAR, LATEST_YEAR = 1900, 2200


class GovukDateInput(forms.MultiWidget):
    """GOV.UK's date input: three boxes named `<name>_day`, `<name>_month` and `<name>_year`.

    A date sent as one ISO value under the field's own name ("2026-12-07", as an API client or
    an older form would) is read too, before the boxes (a browser never sends that name).
    """

    template_name = "govuk/date_input_widget.html"
    is_govuk_date = True

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        box = {"inputmode": "numeric", "class": "govuk-input govuk-date-input__input"}
        super().__init__(
            {part: forms.TextInput(attrs={**box, "part": part}) for part in PARTS},
            attrs,
        )

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value.strip())
            except ValueError:
                return [None, None, None]
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if data.get(name):
            return data.get(name)  # one ISO date under the field's own name
        return super().value_from_datadict(data, files, name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and super().value_omitted_from_data(data, files, name)

    def id_for_label(self, id_: str) -> str:
        return f"{id_}_0" if id_ else id_

    def _render(self, template_name: str, context: Any, renderer: Any = None) -> Any:
        # Opus's own template directory, which Django's default form renderer does not read.
        return mark_safe(render_to_string(template_name, context))  # noqa: S308 (autoescaped)


class GovukDateField(forms.Field):
    """A date entered in GOV.UK's date input, with the Design System's error messages.

    `noun` names the date in messages ("Start date must include a month"); it defaults to the
    label. The parts in error are kept in `error_parts`, so only those boxes are highlighted.
    A pre-filled date is shown in the boxes and accepted back unchanged.
    """

    widget = GovukDateInput

    def __init__(
        self,
        *,
        noun: str = "",
        earliest_year: int = EARLIEST_YEAR,
        latest_year: int = LATEST_YEAR,
        **kwargs: Any,
    ) -> None:
        given = kwargs.get("error_messages") or {}
        super().__init__(**kwargs)
        self.noun = noun or str(self.label or "Date").rstrip("?")
        self.earliest_year, self.latest_year = earliest_year, latest_year
        self.error_parts: tuple[str, ...] = ()
        if "required" not in given:
            self.error_messages["required"] = _("Enter %(noun)s") % {
                "noun": self.noun[:1].lower() + self.noun[1:]
            }

    def _fail(self, message: str, parts: tuple[str, ...] = PARTS) -> forms.ValidationError:
        self.error_parts = parts
        return forms.ValidationError(message, code="invalid")

    def to_python(self, value: Any) -> dt.date | None:
        self.error_parts = ()
        if value in (None, "", [], ()):
            return None
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return self._bounded(dt.date.fromisoformat(value.strip()))
            except ValueError:
                raise self._fail(_("%(noun)s must be a real date") % {"noun": self.noun}) from None
        texts = [str(v or "").strip() for v in value]
        return self._from_parts(texts) if any(texts) else None

    def _from_parts(self, texts: list[str]) -> dt.date:
        missing = tuple(part for part, text in zip(PARTS, texts, strict=True) if not text)
        if missing:
            words = " and ".join(missing) if len(missing) == 2 else missing[0]
            raise self._fail(
                _("%(noun)s must include a %(part)s") % {"noun": self.noun, "part": words}, missing
            )
        numbers = []
        for part, text in zip(PARTS, texts, strict=True):
            if not text.isdigit() or len(text) > 4:
                raise self._fail(_("%(noun)s must be a real date") % {"noun": self.noun}, (part,))
            numbers.append(int(text))
        day, month, year = numbers
        if len(texts[2]) != 4:
            raise self._fail("Year must include 4 numbers", ("year",))
        if not 1 <= month <= 12:
            raise self._fail(_("%(noun)s must be a real date") % {"noun": self.noun}, ("month",))
        try:
            return self._bounded(dt.date(year, month, day))
        except ValueError:
            raise self._fail(
                _("%(noun)s must be a real date") % {"noun": self.noun}, ("day",)
            ) from None

    def _bounded(self, date: dt.date) -> dt.date:
        if not self.earliest_year <= date.year <= self.latest_year:
            raise self._fail(
                f"{self.noun} must be between {self.earliest_year} and {self.latest_year}",
                ("year",),
            )
        return date

    def validate(self, value: Any) -> None:
        if value is None and self.required:
            self.error_parts = PARTS
        super().validate(value)

    def prepare_value(self, value: Any) -> Any:
        return value

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return self.to_python(data) != self.to_python(initial)
        except forms.ValidationError:
            return True


def _named(label: Any, name: str) -> tuple[str, str]:
    """The field's name for a message: 'Postcode' → ('postcode', 'Postcode'); 'RAS' stays."""
    text = str(label or name.replace("_", " ")).strip().rstrip("?:").strip()
    first = text.split(" ")[0]
    lower = text if len(first) > 1 and first.isupper() else text[:1].lower() + text[1:]
    return lower, text[:1].upper() + text[1:]


def govuk_messages(field: forms.Field, name: str) -> dict[str, str]:
    """The Design System's messages for `field`, naming it ("Enter your postcode")."""
    lower, upper = _named(field.label, name)
    choose = isinstance(field, (forms.ChoiceField, forms.ModelChoiceField, forms.FileField,
                                forms.BooleanField))  # fmt: skip
    from_list = _("Select %(name)s from the list") % {"name": lower}  # noqa: S608 (not SQL)
    words = {
        "required": _("Select %(name)s") % {"name": lower}
        if choose
        else _("Enter %(name)s") % {"name": lower},
        "invalid_choice": from_list,
        "invalid_list": from_list,
        "invalid_pk_value": from_list,
        "max_length": _("%(name)s must be %%(limit_value)d characters or fewer") % {"name": upper},
        "min_length": _("%(name)s must be %%(limit_value)d characters or more") % {"name": upper},
        "max_value": _("%(name)s must be %%(limit_value)s or less") % {"name": upper},
        "min_value": _("%(name)s must be %%(limit_value)s or more") % {"name": upper},
        "max_digits": _("%(name)s must be a smaller number") % {"name": upper},
        "max_whole_digits": _("%(name)s must be a smaller number") % {"name": upper},
        "max_decimal_places": _("%(name)s must have %%(max)s decimal places or fewer")
        % {"name": upper},
        "empty": _("The selected file is empty"),
        "missing": _("Select a file"),
    }
    if isinstance(field, forms.IntegerField):
        words["invalid"] = _("%(name)s must be a whole number, like 10") % {"name": upper}
    if isinstance(field, (forms.DecimalField, forms.FloatField)):
        words["invalid"] = _("%(name)s must be a number, like 2 or 1.5") % {"name": upper}
    if isinstance(field, forms.EmailField):
        words["invalid"] = _("Enter %(name)s in the correct format, like name@example.com") % {
            "name": lower
        }
    if isinstance(field, forms.URLField):
        words["invalid"] = _(
            "Enter %(name)s in the correct format, like https://www.example.org"
        ) % {"name": lower}
    if isinstance(field, forms.DateTimeField):
        words["invalid"] = _("%(name)s must be a real date and time") % {"name": upper}
    if isinstance(field, forms.UUIDField):
        words["invalid"] = _("%(name)s must be a real reference") % {"name": upper}
    return words


def use_govuk_messages(form: forms.BaseForm) -> None:
    """Replace every message still Django's own ("This field is required.", "Enter a whole
    number.") by the Design System's, naming the field; a form's own words are kept."""
    for name, field in form.fields.items():
        defaults: dict[str, Any] = {}
        for klass in reversed(type(field).__mro__):
            defaults.update(getattr(klass, "default_error_messages", {}))
        for key, message in govuk_messages(field, name).items():
            if key in defaults and field.error_messages.get(key) is defaults[key]:
                field.error_messages[key] = message
            elif key not in defaults and key not in field.error_messages:
                # A validator's code (min_value, max_length, an e-mail's invalid): its
                # message is replaced only when the field has no words of its own for it.
                field.error_messages[key] = message


class GovukForm(forms.Form):
    """A form whose error messages are the Design System's, never Django's defaults."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        use_govuk_messages(self)


class GovukModelForm(forms.ModelForm):  # type: ignore[type-arg]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        use_govuk_messages(self)
