"""Error messages in the Design System's words, naming the field, never Django's defaults
("This field is required.", "Enter a whole number.", "Select a valid choice…")."""

import pytest
from django import forms

from opus.core.fields import GovukForm

DJANGO_DEFAULTS = ("This field is required", "Enter a whole number.", "Select a valid choice",
                   "Enter a valid", "Ensure this value", "Enter a number.")  # fmt: skip


class ContactForm(GovukForm):
    postcode = forms.CharField(label="Your postcode", max_length=8)
    age = forms.IntegerField(label="Your age", min_value=0, max_value=130)
    hours = forms.DecimalField(label="Hours a week", max_digits=4, decimal_places=1)
    kind = forms.ChoiceField(label="Kind of help", choices=[("visit", "A visit")])
    email = forms.EmailField(label="E-mail address")
    ras = forms.CharField(label="RAS version", required=True)
    own = forms.CharField(label="Own", error_messages={"required": "Tell us in your own words"})


def _errors(data):
    form = ContactForm(data)
    assert not form.is_valid()
    return {name: errors[0] for name, errors in form.errors.items()}


def test_an_empty_form_asks_for_each_field_by_name():
    assert _errors({}) == {
        "postcode": "Enter your postcode",
        "age": "Enter your age",
        "hours": "Enter hours a week",
        "kind": "Select kind of help",
        "email": "Enter e-mail address",
        "ras": "Enter RAS version",
        "own": "Tell us in your own words",
    }


def test_bad_values_are_explained_in_words_naming_the_field():
    errors = _errors({"postcode": "SW1A 1AA XX", "age": "seventy", "hours": "1.25",
                      "kind": "nonsense", "email": "not-an-address"})  # fmt: skip
    assert errors["postcode"] == "Your postcode must be 8 characters or fewer"
    assert errors["age"] == "Your age must be a whole number, like 10"
    assert errors["hours"] == "Hours a week must have 1 decimal places or fewer"
    assert errors["kind"] == "Select kind of help from the list"
    assert errors["email"] == "Enter e-mail address in the correct format, like name@example.com"
    assert _errors({"age": "131"})["age"] == "Your age must be 130 or less"
    assert _errors({"age": "-1"})["age"] == "Your age must be 0 or more"
    assert _errors({"hours": "x"})["hours"] == "Hours a week must be a number, like 2 or 1.5"


# Django's sign-in and password-reset forms keep their own (already worded) messages; choice's
# forms word theirs through WordedForm.
OWN_WORDS = {"SignInForm", "ThrottledPasswordResetForm"}


def test_every_form_in_the_apps_uses_the_design_systems_messages():
    import importlib

    from opus.choice.forms import WordedForm
    from opus.core.fields import GovukModelForm

    apps = ("budgets", "choice", "commissioning", "core", "directory", "knowledge", "needs",
            "notifications")  # fmt: skip
    for module in (f"opus.{app}.forms" for app in apps):
        forms_module = importlib.import_module(module)
        for name in dir(forms_module):
            form = getattr(forms_module, name)
            if not (isinstance(form, type) and issubclass(form, forms.BaseForm)):
                continue
            if form.__module__ != module or name in OWN_WORDS or form is WordedForm:
                continue
            assert issubclass(form, GovukForm | GovukModelForm | WordedForm), f"{module}.{name}"


@pytest.mark.django_db
def test_a_page_shows_the_field_named_messages_in_the_error_summary(client, cast):
    client.force_login(cast.commissioner)
    response = client.post(
        "/commissioning/plans/new/", {"title": "T" * 201, "area": "999999", "period": "2027/28"}
    )
    page = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in page
    assert "Title must be 200 characters or fewer" in page
    assert "Select area from the list" in page
    assert not any(words in page for words in DJANGO_DEFAULTS)
