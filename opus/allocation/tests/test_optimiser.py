"""The optimiser page: commissioners share a budget by need and read what holds it back."""

import pytest
from django.urls import reverse

from opus.core.models import AreaKind
from opus.testing import create_area

URL = reverse("allocation:optimiser")
RUN = {"level": "neighbourhood", "services": ["social-activity", "housing"], "budget": "110000"}


@pytest.fixture
def hoods(cast):
    for name, population in (("Ashby", 1000), ("Brook", 3000)):
        create_area(name=name, kind=AreaKind.NEIGHBOURHOOD, population=population)
    return cast


@pytest.mark.parametrize("role", ["resident", "champion", "provider", "councillor", "auditor"])
def test_only_commissioners_and_administrators_see_the_optimiser(client, hoods, role):
    client.force_login(getattr(hoods, role))
    assert client.get(URL).status_code == 404


def test_a_stranger_is_not_found_and_anyone_signed_out_is_sent_to_sign_in(client, hoods):
    assert client.get(URL).status_code == 302
    client.force_login(hoods.stranger)
    assert client.get(URL).status_code == 404


@pytest.mark.parametrize("role", ["commissioner", "admin"])
def test_a_run_shares_the_whole_budget_and_says_what_binds(client, hoods, role):
    client.force_login(getattr(hoods, role))
    page = client.get(URL, {**RUN, "area_cap": "60000"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "Another £1,000 in the budget of £110,000 would add" in text
    assert "Raising Brook&#x27;s cap of £60,000 by £1,000 would add" in text
    assert text.count('class="govuk-table__row"') == 3  # the head and two areas


def test_floors_above_the_budget_are_explained_and_nothing_is_shared(client, hoods):
    client.force_login(hoods.commissioner)
    text = client.get(URL, {**RUN, "area_floor": "60000"}).content.decode()
    assert "These floors and caps cannot all be met" in text
    assert "The areas&#x27; floors add up to £120,000, more than the budget of £110,000." in text
    assert "govuk-table__row" not in text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"budget": "0"}, "Enter a budget of more than £0"),
        ({"budget": "99999999999"}, "10000000000"),
        ({"services": []}, "govuk-error-message"),
        ({"area_cap": "-1"}, "govuk-error-message"),
    ],
)
def test_bad_input_shows_the_error_summary_and_runs_nothing(client, hoods, change, message):
    client.force_login(hoods.commissioner)
    text = client.get(URL, {**RUN, **change}).content.decode()
    assert "There is a problem" in text and message in text.replace(",", "")
    assert "What holds the answer back" not in text


def test_the_sharing_downloads_as_csv_in_pounds(client, hoods):
    client.force_login(hoods.commissioner)
    response = client.get(URL, {**RUN, "format": "csv"})
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "area_code,area,Social activity,Housing,total,benefit"
    totals = [float(line.split(",")[4]) for line in lines[1:]]
    assert sum(totals) == pytest.approx(110_000)
