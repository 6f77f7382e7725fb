"""Small grants' pages: a group applies, a councillor checks the award and confirms it, pays,
the group sends its monitoring return; bad input keeps what was typed; others get 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from opus.neighbourhoods import grants
from opus.neighbourhoods.models.grants import GrantApplication, GrantStatus


@pytest.fixture
def grant_round(cast, hood_budget):
    today = timezone.localdate()
    return grants.grant_round_open(
        council=cast.parish, budget=hood_budget, title="Vale small grants",
        ceiling_pence=1_000_00, opens_on=today - dt.timedelta(days=5),
        closes_on=today + dt.timedelta(days=30), by=cast.councillor,
    )  # fmt: skip


def test_a_group_applies_and_a_councillor_awards_after_checking(cast, client, grant_round, hood):
    client.force_login(cast.provider)
    listing = client.get("/neighbourhoods/grants/").content.decode()
    assert f"/neighbourhoods/grants/rounds/{grant_round.pk}/apply/" in listing
    url = f"/neighbourhoods/grants/rounds/{grant_round.pk}/apply/"
    form = {"group": str(cast.charity.pk), "title": "Lunch club", "description": "Lunches",
            "amount": "750", "place": str(hood.lsoas.first().pk)}  # fmt: skip
    response = client.post(url, form)
    application = GrantApplication.objects.get()
    assert response.status_code == 302 and application.amount_pence == 750_00

    client.force_login(cast.councillor)
    decide = f"/neighbourhoods/grants/{application.pk}/decide/"
    answer = {"decision": "award", "amount": "", "reason": "Good for the Vale"}
    check = client.post(decide, answer).content.decode()
    assert "Confirm and award the grant" in check and "£750" in check
    application.refresh_from_db()
    assert application.status == GrantStatus.SUBMITTED  # nothing yet
    assert client.post(decide, {**answer, "confirm": "yes"}).status_code == 302
    application.refresh_from_db()
    assert application.status == GrantStatus.AWARDED and application.commitment is not None

    pay = client.post(f"/neighbourhoods/grants/{application.pk}/pay/", {"reference": "B-1"})
    assert pay.status_code == 302
    client.force_login(cast.provider)
    client.post(
        f"/neighbourhoods/grants/{application.pk}/monitor/",
        {"spent": "700", "people_reached": "25", "summary": "Twelve lunches"},
    )
    application.refresh_from_db()
    assert application.status == GrantStatus.PAID and application.monitoring.people_reached == 25


def test_an_amount_over_the_ceiling_shows_the_error_and_keeps_what_was_typed(
    cast, client, grant_round, hood
):
    client.force_login(cast.provider)
    response = client.post(
        f"/neighbourhoods/grants/rounds/{grant_round.pk}/apply/",
        {
            "group": str(cast.charity.pk),
            "title": "Big plan",
            "description": "A lot",
            "amount": "5000",
            "place": str(hood.pk),
        },  # fmt: skip
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and "£1,000 or less" in page
    assert "Big plan" in page
    assert not GrantApplication.objects.exists()


def test_a_conflicted_councillor_is_told_and_nothing_changes(cast, client, grant_round, hood):
    application = grants.grant_apply(
        grant_round=grant_round, group=cast.charity, title="Lunch club", description="x",
        amount_pence=100_00, place=hood, by=cast.provider,
    )  # fmt: skip
    client.force_login(cast.councillor)
    client.post(
        f"/neighbourhoods/grants/{application.pk}/declare/", {"interest": "I volunteer there"}
    )
    response = client.post(
        f"/neighbourhoods/grants/{application.pk}/decide/",
        {"decision": "decline", "reason": "No"},
    )
    assert "another councillor must decide" in response.content.decode()
    application.refresh_from_db()
    assert application.status == GrantStatus.SUBMITTED


def test_people_outside_the_group_cannot_apply(cast, client, grant_round):
    for person in (cast.resident, cast.commissioner, cast.stranger):
        client.force_login(person)
        url = f"/neighbourhoods/grants/rounds/{grant_round.pk}/apply/"
        assert client.get(url).status_code == 404
