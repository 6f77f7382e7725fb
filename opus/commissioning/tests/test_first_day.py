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
