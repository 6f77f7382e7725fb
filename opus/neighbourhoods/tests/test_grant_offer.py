"""When a moratorium starts the neighbourhood council is offered a small-grant round for a
feasibility study; a councillor opens it from the offer, prefilled, and the offer keeps it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from opus.core.models import AuditEvent
from opus.neighbourhoods import assets, grants
from opus.neighbourhoods.models import GrantRound
from opus.neighbourhoods.tests.test_assets import listed

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def offer(cast, hood_budget):
    asset = listed(cast)
    notice = assets.disposal_notice_record(asset=asset, notice_date=TODAY, by=cast.commissioner)
    return notice.grant_offer


def _form(budget, **changes):
    data = {
        "title": "Feasibility study: The Red Lion", "description": "", "budget": str(budget.pk),
        "ceiling": "5000.00", "opens_on_day": str(TODAY.day), "opens_on_month": str(TODAY.month),
        "opens_on_year": str(TODAY.year),
        "closes_on_day": "1", "closes_on_month": "1", "closes_on_year": str(TODAY.year + 1),
    }  # fmt: skip
    data.update(changes)
    return data


def test_the_round_form_is_prefilled_for_a_feasibility_study(client, cast, offer):
    client.force_login(cast.councillor)
    url = reverse("neighbourhoods:grant_offer_open", args=[cast.parish.slug, offer.pk])
    body = client.get(url).content.decode()
    assert "Feasibility study: The Red Lion" in body
    assert 'value="5000' in body
    end = offer.notice.moratorium_end
    assert f'value="{end.day}"' in body and f'value="{end.year}"' in body
    council_page = reverse("neighbourhoods:asset_council", args=[cast.parish.slug])
    assert url in client.get(council_page).content.decode()


def test_a_councillor_opens_the_round_and_the_offer_records_it_once(
    client, cast, offer, hood_budget
):
    client.force_login(cast.councillor)
    url = reverse("neighbourhoods:grant_offer_open", args=[cast.parish.slug, offer.pk])
    response = client.post(url, _form(hood_budget))
    assert response.status_code == 302
    offer.refresh_from_db()
    grant_round = GrantRound.objects.get()
    assert offer.grant_round == grant_round
    assert grant_round.ceiling_pence == 5_000_00 and grant_round.opens_on == TODAY
    assert grant_round.council == cast.parish
    assert AuditEvent.objects.filter(action="grant_round.from_offer").exists()
    page = client.get(reverse("neighbourhoods:asset_council", args=[cast.parish.slug]))
    assert "Round opened: Feasibility study: The Red Lion" in page.content.decode()
    again = client.post(url, _form(hood_budget))
    assert again.status_code == 302 and GrantRound.objects.count() == 1
    with pytest.raises(grants.GrantError, match="already"):
        grants.grant_round_from_offer(
            offer=offer, budget=hood_budget, title="x", ceiling_pence=100, opens_on=TODAY,
            closes_on=TODAY, by=cast.councillor,
        )  # fmt: skip


def test_bad_answers_open_nothing_and_the_offer_stays_open(client, cast, offer, hood_budget):
    client.force_login(cast.councillor)
    url = reverse("neighbourhoods:grant_offer_open", args=[cast.parish.slug, offer.pk])
    closes_before = _form(hood_budget, closes_on_year=str(TODAY.year - 1))
    body = client.post(url, closes_before).content.decode()
    assert "There is a problem" in body and "must close on or after" in body
    too_much = client.post(url, _form(hood_budget, ceiling="999999999")).content.decode()
    assert "There is a problem" in too_much
    offer.refresh_from_db()
    assert offer.grant_round is None and not GrantRound.objects.exists()


def test_only_the_councils_councillors_take_up_the_offer(
    client, cast, offer, hood_budget, other_councillor
):
    url = reverse("neighbourhoods:grant_offer_open", args=[cast.parish.slug, offer.pk])
    for outsider in (other_councillor, cast.resident, cast.commissioner):
        client.force_login(outsider)
        assert client.post(url, _form(hood_budget)).status_code == 404
    with pytest.raises(PermissionDenied):
        grants.grant_round_from_offer(
            offer=offer, budget=hood_budget, title="x", ceiling_pence=100, opens_on=TODAY,
            closes_on=TODAY + dt.timedelta(days=1), by=other_councillor,
        )  # fmt: skip
    assert not GrantRound.objects.exists()
