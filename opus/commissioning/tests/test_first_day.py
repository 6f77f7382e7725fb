"""Defects a first day found in commissioning (issue 12, item 6)."""

import re
from html import unescape

import pytest

from opus.commissioning import services
from opus.commissioning.models import BidLot, KpiReturn
from opus.commissioning.tests.test_evaluation import evaluated

pytestmark = pytest.mark.django_db

KPIS = [{"name": "Visits", "measure": "Visits made", "target": "95", "frequency": "quarterly"}]


def signed_contract(cast):
    """Lot 1 of an evaluated opportunity awarded to the first bidder and signed."""
    opportunity, bids = evaluated(cast)
    lot = opportunity.lots.get(number=1)
    award = services.award_decide(
        lot=lot, bid_lot=BidLot.objects.get(lot=lot, bid=bids[0]), reasons="Best",
        by=cast.commissioner,
    )  # fmt: skip
    contract = services.contract_sign(
        award=award, kpis=KPIS, by=cast.commissioner, now=award.standstill_ends
    )
    return opportunity, bids, contract


def test_a_providers_kpi_list_names_the_contract(client, cast):
    opportunity, bids, contract = signed_contract(cast)
    client.force_login(bids[0].submitted_by)
    page = client.get("/commissioning/provider/").content.decode()
    lot = contract.award.lot
    returns = unescape(page)[unescape(page).index("KPI returns to make") :]
    returns = returns[: returns.index("</ul>")]
    assert opportunity.title in returns and f"lot {lot.number}: {lot.title}" in returns
    row = KpiReturn.objects.filter(kpi__contract=contract).first()
    form = client.post(f"/commissioning/returns/{row.pk}/", {}).content.decode()
    assert contract.title in unescape(form)


def test_the_bidders_document_is_on_the_evaluation_page_once_opened(client, cast):
    from datetime import timedelta

    from django.utils import timezone

    from opus.commissioning.tests.helpers import open_opportunity, provider

    past = timezone.now() - timedelta(days=30)
    opportunity = open_opportunity(cast, now=past)
    organisation, user = provider("Hearth Trust")
    services.bid_submit(
        opportunity=opportunity, bidder=organisation, by=user, now=past + timedelta(days=2),
        lots=[{"lot": 1, "price_pence": 4_000_000}],
        answers={1: "We visit every week.", 2: "Volunteers are trained."},
        social_value=[], declaration=True,
        documents=[{"name": "Method statement.pdf", "content_type": "application/pdf",
                    "data": b"%PDF-1.4 our method"}],
    )  # fmt: skip
    url = f"/commissioning/opportunities/{opportunity.pk}/evaluation/"
    client.force_login(cast.commissioner)
    assert "Method statement.pdf" not in client.get(url).content.decode()  # sealed
    services.bids_open(opportunity=opportunity, by=cast.commissioner)
    page = client.get(url).content.decode()
    assert "Method statement.pdf" in page
    link = re.search(r'href="([^"]+/documents/[^"]+)"', page).group(1)
    download = client.get(link)
    assert download.status_code == 200 and download.content == b"%PDF-1.4 our method"
    assert download["Content-Disposition"].startswith("attachment")
    client.force_login(user)  # the bidder is not on the panel
    assert client.get(link).status_code in (403, 404)


def test_a_lot_can_be_for_a_neighbourhood_shown_on_the_page_and_in_ocds(client, cast, settings):
    from datetime import timedelta

    settings.OPUS_SOCIAL_VALUE_MIN_WEIGHT = 0  # about lot areas: this tender scores no social value

    from django.utils import timezone

    from opus.commissioning import ocds
    from opus.commissioning.models import Opportunity
    from opus.core.models import AreaKind
    from opus.testing import create_area

    northvale = create_area(name="Northvale Central", kind=AreaKind.NEIGHBOURHOOD)
    client.force_login(cast.commissioner)
    deadline = timezone.localtime() + timedelta(days=20)
    form = {
        "title": "Befriending by neighbourhood", "description": "Weekly visits",
        "procedure": "light_touch", "standstill_days": 8,
        "clarification_deadline": (deadline - timedelta(days=3)).strftime("%Y-%m-%d %H:%M"),
        "submission_deadline": deadline.strftime("%Y-%m-%d %H:%M"),
        "contract_start": (deadline + timedelta(days=30)).date(),
        "contract_end": (deadline + timedelta(days=400)).date(),
        "price_weight": 40, "quality_weight": 60, "social_value_weight": 0,
        "price_formula": "lowest_ratio", "abnormally_low_percent": 70,
        "tie_break": "quality_then_price",
        "lot_1_title": "Northvale", "lot_1_value": "50000", "lot_1_area": northvale.pk,
        "lot_2_title": "Everywhere else", "lot_2_value": "40000",
        "question_1_text": "How will you reach people?", "question_1_weight": 60,
    }  # fmt: skip
    page = client.get("/commissioning/opportunities/new/").content.decode()
    assert 'name="lot_1_area"' in page and "Northvale Central" in page
    response = client.post("/commissioning/opportunities/new/", form)
    assert response.status_code == 302, response.content.decode()[-3000:]
    opportunity = Opportunity.objects.get()
    lots = list(opportunity.lots.order_by("number"))
    assert lots[0].area == northvale and lots[1].area is None
    services.opportunity_publish(opportunity=opportunity, by=cast.commissioner)
    page = client.get(f"/commissioning/opportunities/{opportunity.pk}/").content.decode()
    assert "Northvale Central" in page
    record = ocds.record_of(opportunity.ocid, now=timezone.now())
    items = record["compiledRelease"]["tender"]["items"]
    assert {"region": "Northvale Central", "countryName": "United Kingdom"} in [
        a for item in items for a in item.get("deliveryAddresses", [])
    ]


def test_a_lot_area_must_be_a_neighbourhood_or_ward(client, cast):
    from opus.core.models import AreaKind
    from opus.testing import create_area

    small = create_area(name="A small area", kind=AreaKind.LSOA)
    client.force_login(cast.commissioner)
    page = client.get("/commissioning/opportunities/new/").content.decode()
    assert "A small area" not in page
    response = client.post("/commissioning/opportunities/new/", {"lot_1_area": small.pk})
    assert "Choose a neighbourhood or ward from the list" in response.content.decode()
