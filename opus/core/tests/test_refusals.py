"""A service's refusal lands on the form that sent it: on the field it names, or above."""

import pytest
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from opus.core.refusals import attempt


class Refused(ValueError):
    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class AmountForm(forms.Form):
    amount = forms.IntegerField()


def _form() -> AmountForm:
    form = AmountForm({"amount": "5"})
    assert form.is_valid()
    return form


def test_a_refusal_naming_a_field_is_shown_on_it_and_nothing_is_returned():
    form = _form()
    assert (
        attempt(form, lambda: (_ for _ in ()).throw(Refused("Too much", "amount")), Refused) is None
    )
    assert form.errors == {"amount": ["Too much"]}


def test_a_refusal_naming_no_field_of_the_form_is_shown_above_it():
    form = _form()
    attempt(
        form, lambda: (_ for _ in ()).throw(ValidationError({"other": "Not yet"})), ValidationError
    )
    assert form.non_field_errors() == ["Not yet"]


def test_the_services_answer_comes_back_when_it_succeeds():
    assert attempt(_form(), lambda: 42, Refused) == 42


def test_a_denial_is_a_missing_page_unless_asked_otherwise():
    def deny():
        raise PermissionDenied

    with pytest.raises(Http404):
        attempt(_form(), deny, Refused)
    with pytest.raises(PermissionDenied):
        attempt(_form(), deny, Refused, denied_is_missing=False)
