"""Defects a first day found in commissioning (issue 12, item 6)."""

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
