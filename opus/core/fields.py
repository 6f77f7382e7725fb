"""Form fields shared by every app."""

from __future__ import annotations

from typing import Any

from django import forms

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
