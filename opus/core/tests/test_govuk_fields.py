"""GOV.UK's date input: three boxes, messages that name the part that is wrong, dates that
round-trip, and an ISO date under the field's own name still read."""

import datetime as dt
import re

import pytest
from django import forms
from django.template.loader import render_to_string

from opus.core.fields import GovukDateField


class StartForm(forms.Form):
    start = GovukDateField(label="When would you like to start?", noun="Start date")
    until = GovukDateField(label="Until", required=False)


def _errors(data):
    form = StartForm(data)
    assert not form.is_valid()
    return form.errors["start"], form.fields["start"].error_parts


def _boxes(html):
    return dict(re.findall(r'name="([^"]+)" type="text" inputmode="numeric" value="([^"]*)"', html))


def test_three_boxes_make_a_date():
    form = StartForm({"start_day": "7", "start_month": "12", "start_year": "2026"})
    assert form.is_valid() and form.cleaned_data == {"start": dt.date(2026, 12, 7), "until": None}


@pytest.mark.parametrize(
    ("data", "message", "parts"),
    [
        ({}, "Enter start date", ("day", "month", "year")),
        ({"start_day": "7", "start_year": "2026"}, "Start date must include a month", ("month",)),
        ({"start_day": "7"}, "Start date must include a month and year", ("month", "year")),
        ({"start_month": "2", "start_year": "2026"}, "Start date must include a day", ("day",)),
        ({"start_day": "31", "start_month": "2", "start_year": "2026"},
         "Start date must be a real date", ("day",)),
        ({"start_day": "1", "start_month": "13", "start_year": "2026"},
         "Start date must be a real date", ("month",)),
        ({"start_day": "one", "start_month": "1", "start_year": "2026"},
         "Start date must be a real date", ("day",)),
        ({"start_day": "1", "start_month": "1", "start_year": "26"},
         "Year must include 4 numbers", ("year",)),
        ({"start_day": "1", "start_month": "1", "start_year": "99999999999"},
         "Start date must be a real date", ("year",)),
        ({"start_day": "1", "start_month": "1", "start_year": "3000"},
         "Start date must be between 1900 and 2200", ("year",)),
        ({"start": "yesterday"}, "Start date must be a real date", ("day", "month", "year")),
    ],
)  # fmt: skip
def test_messages_name_the_date_and_the_part_that_is_wrong(data, message, parts):
    assert _errors(data) == ([message], parts)


def test_a_pre_filled_date_is_shown_in_the_boxes_and_accepted_back_unchanged():
    form = StartForm(initial={"start": dt.date(2027, 3, 31)})
    sent = _boxes(render_to_string("govuk/form_fields.html", {"form": form}))
    assert sent == {"start_day": "31", "start_month": "3", "start_year": "2027",
                    "until_day": "", "until_month": "", "until_year": ""}  # fmt: skip
    again = StartForm(sent)
    assert again.is_valid() and again.cleaned_data["start"] == dt.date(2027, 3, 31)


def test_an_iso_date_under_the_field_name_is_still_read():
    form = StartForm({"start": "2026-12-07", "start_day": "1", "start_month": "1"})
    assert form.is_valid() and form.cleaned_data["start"] == dt.date(2026, 12, 7)


def test_the_date_input_is_a_fieldset_with_legend_hint_and_the_wrong_box_highlighted():
    form = StartForm({"start_day": "7", "start_year": "2026"})
    form.is_valid()
    html = render_to_string("govuk/field.html", {"field": form["start"]})
    assert '<fieldset class="govuk-fieldset" role="group"' in html
    assert 'govuk-fieldset__legend">When would you like to start?</legend>' in html.replace(
        " govuk-fieldset__legend--s", ""
    )
    assert 'class="govuk-hint"' in html and 'class="govuk-date-input"' in html
    assert "Start date must include a month" in html and "govuk-form-group--error" in html
    highlighted = re.findall(r'class="([^"]*govuk-input--error[^"]*)"[^>]*name="([^"]+)"', html)
    assert [name for _, name in highlighted] == ["start_month"]
    summary = render_to_string("govuk/error_summary.html", {"form": form})
    # The summary links to the first box in error: here the month.
    assert "There is a problem" in summary and 'href="#id_start_1"' in summary


def test_the_consent_page_asks_for_the_last_day_in_three_boxes(client, cast):
    client.force_login(cast.resident)
    page = client.get("/choose/help/").content.decode()
    assert 'name="until_day"' in page and 'name="until_month"' in page
    assert 'name="until_year"' in page and 'type="date"' not in page
    response = client.post(
        "/choose/help/",
        {"champion": cast.champion.pk, "scope": "find", "until_day": "3", "until_year": "2027"},
    )
    page = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in page
    assert "The last day must include a month" in page


@pytest.mark.django_db
def test_every_form_date_is_a_govuk_date():
    import importlib

    apps = ("choice", "budgets", "core", "commissioning", "needs", "directory")
    for module in (f"opus.{app}.forms" for app in apps):
        forms_module = importlib.import_module(module)
        for name in dir(forms_module):
            form = getattr(forms_module, name)
            if isinstance(form, type) and issubclass(form, forms.BaseForm):
                for field_name, field in form.base_fields.items():
                    assert not isinstance(field, forms.DateField), f"{module}.{name}.{field_name}"
