"""The loop closed: a contract's KPI returns become needs-indicator data, uploaded as the
commissioner's organisation's, for the contract's area; the next assessment computes with it."""

from datetime import datetime, time, timedelta

import numpy as np
import pytest
from django.utils import timezone

from opus.commissioning import services
from opus.commissioning.errors import CommissioningError
from opus.commissioning.models import BidLot, KpiReturn, Lot
from opus.commissioning.services.contracts import financial_year
from opus.commissioning.tests.test_evaluation import evaluated
from opus.core.models import AuditEvent, Role
from opus.needs import services as needs
from opus.needs.models import Dataset, Method, Polarity
from opus.needs.tests.conftest import world  # noqa: F401  (the fixture: an authority, 20 LSOAs)
from opus.testing import create_member

pytestmark = pytest.mark.django_db


def _indicator(owner, slug="reached"):
    return needs.indicator_create(
        by=None, slug=slug, name="Lonely people reached", definition="Reached by a service",
        numerator_label="Reached", denominator_label="Referred", method=Method.PROPORTION,
        multiplier=100, unit="%", polarity=Polarity.HIGH_IS_GOOD, source_agency=owner,
        period="2026/27",
    )  # fmt: skip


def _award(cast, ward):
    opportunity, bids = evaluated(cast)
    lot = opportunity.lots.get(number=1)
    Lot.objects.filter(pk=lot.pk).update(area=ward)  # a lot for one ward (issue 12, item 6)
    award = services.award_decide(
        lot=lot, bid_lot=BidLot.objects.get(lot=lot, bid=bids[0]), reasons="Best",
        by=cast.commissioner,
    )  # fmt: skip
    return award, bids[0].submitted_by


def _kpis(indicator):
    return [{"name": "Reached", "measure": "Reached ÷ referred", "target": "60",
             "frequency": "quarterly", "indicator": indicator}]  # fmt: skip


def _after(day):
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time(12)))


def _returns(contract):
    return list(KpiReturn.objects.filter(kpi__contract=contract).order_by("period_start"))


def test_a_kpi_may_feed_only_an_indicator_the_commissioners_organisation_may_upload_to(
    cast,
    world,  # noqa: F811
):
    award, _ = _award(cast, world.lsoas[0].parent)
    theirs = _indicator(world.agency)  # owned by Testshire NHS
    with pytest.raises(CommissioningError, match="must own the indicator or hold its delegation"):
        services.contract_sign(
            award=award, kpis=_kpis(theirs), by=cast.commissioner, now=award.standstill_ends
        )
    needs.delegation_grant(indicator=theirs, delegate=cast.council, by=None)
    contract = services.contract_sign(
        award=award, kpis=_kpis(theirs), by=cast.commissioner, now=award.standstill_ends
    )
    assert contract.kpis.get().indicator == theirs


def test_kpi_returns_become_the_commissioners_data_and_the_next_assessment_uses_them(
    cast,
    world,  # noqa: F811
):
    ward = world.lsoas[0].parent
    indicator = _indicator(cast.council)
    award, supplier_staff = _award(cast, ward)
    contract = services.contract_sign(
        award=award, kpis=_kpis(indicator), by=cast.commissioner, now=award.standstill_ends
    )
    first, second = _returns(contract)[:2]
    with pytest.raises(CommissioningError) as missing:
        services.kpi_return_submit(kpi_return=first, value="75", note="", by=supplier_staff,
                                   now=_after(first.period_end))  # fmt: skip
    assert missing.value.field == "numerator" and not Dataset.objects.exists()
    with pytest.raises(CommissioningError, match="cannot be more than"):
        services.kpi_return_submit(kpi_return=first, value="75", note="", by=supplier_staff,
                                   numerator=50, denominator=40,
                                   now=_after(first.period_end))  # fmt: skip
    services.kpi_return_submit(kpi_return=first, value="75", note="", by=supplier_staff,
                               numerator=30, denominator=40,
                               now=_after(first.period_end))  # fmt: skip
    year = financial_year(first.period_end)
    dataset = Dataset.objects.get()
    assert (dataset.agency, dataset.uploaded_by, dataset.period, dataset.version) == (
        cast.council, supplier_staff, year, 1
    )  # fmt: skip
    data = dataset.arrays()
    assert list(data["area_id"]) == [ward.pk] and list(data["breakdown"]) == ["all"]
    assert (data["numerator"][0], data["denominator"][0]) == (30, 40)
    first.refresh_from_db()
    assert first.dataset == dataset
    event = AuditEvent.objects.get(action="kpi_return.submit")
    assert event.summary["indicator_data"]["stored"] is True

    services.kpi_return_submit(kpi_return=second, value="50", note="", by=supplier_staff,
                               numerator=10, denominator=20,
                               now=_after(second.period_end))  # fmt: skip
    newest = Dataset.objects.order_by("-version").first()
    if financial_year(second.period_end) == year:  # the year so far, not the quarter alone
        assert newest.version == 2
        assert (newest.arrays()["numerator"][0], newest.arrays()["denominator"][0]) == (40, 60)

    assessment = needs.assessment_create(
        title="Next year's JENA", area=world.la, period=year, indicators=[indicator],
        partners=[cast.council], by=cast.commissioner,
    )  # fmt: skip
    needs.assessment_compute(assessment.pk, None, repetitions=500)
    wards = assessment.results.get(indicator=indicator, level="ward").arrays()
    row = list(wards["codes"]).index(ward.code)
    stored = Dataset.objects.filter(period=year).order_by("-version").first().arrays()
    assert wards["numerator"][row] == pytest.approx(stored["numerator"][0])
    assert wards["denominator"][row] == pytest.approx(stored["denominator"][0])
    assert wards["value"][row] == pytest.approx(
        100 * stored["numerator"][0] / stored["denominator"][0]
    )
    la = assessment.results.get(indicator=indicator, level="la")
    lsoa = assessment.results.get(indicator=indicator, level="lsoa").arrays()
    in_ward = np.array([area.parent_id == ward.pk for area in world.lsoas])
    codes = [a.code for a in world.lsoas]
    order = [list(lsoa["codes"]).index(c) for c in codes]
    values = lsoa["value"][order]
    assert np.isfinite(values[in_ward]).all() and np.isnan(values[~in_ward]).all()
    assert [s["agency"] for s in la.summary["sources"]] == [cast.council.name]


def test_a_return_for_a_kpi_without_an_indicator_stores_no_data(cast, world):  # noqa: F811
    award, supplier_staff = _award(cast, world.lsoas[0].parent)
    kpis = [{"name": "Visits", "measure": "Visits", "target": "95", "frequency": "quarterly"}]
    contract = services.contract_sign(
        award=award, kpis=kpis, by=cast.commissioner, now=award.standstill_ends
    )
    first = _returns(contract)[0]
    services.kpi_return_submit(kpi_return=first, value="97", note="", by=supplier_staff,
                               now=_after(first.period_end))  # fmt: skip
    assert not Dataset.objects.exists()


def test_the_supplier_sends_the_counts_on_the_contract_page(client, cast, world):  # noqa: F811
    indicator = _indicator(cast.council)
    award, supplier_staff = _award(cast, world.lsoas[0].parent)
    contract = services.contract_sign(
        award=award, kpis=_kpis(indicator), by=cast.commissioner, now=award.standstill_ends
    )
    client.force_login(supplier_staff)
    page = client.get(contract.get_absolute_url()).content.decode()
    assert 'name="numerator"' in page and "Lonely people reached" in page
    first = _returns(contract)[0]
    del_staff = create_member(Role.PROVIDER, cast.parish)  # not the supplier
    client.force_login(del_staff)
    response = client.post(f"/commissioning/returns/{first.pk}/", {"value": "75"})
    assert response.status_code in (403, 404) and not Dataset.objects.exists()


def test_the_api_return_carries_the_counts_too(client, cast, world):  # noqa: F811
    import json

    from opus.core.services import api_token_create

    indicator = _indicator(cast.council)
    award, supplier_staff = _award(cast, world.lsoas[0].parent)
    contract = services.contract_sign(
        award=award, kpis=_kpis(indicator), by=cast.commissioner, now=award.standstill_ends
    )
    first = _returns(contract)[0]
    KpiReturn.objects.filter(pk=first.pk).update(
        period_start=first.period_start - timedelta(days=400),
        period_end=timezone.localdate() - timedelta(days=1),
    )
    _, secret = api_token_create(user=supplier_staff, name="machine")
    send = lambda body: client.post(  # noqa: E731
        f"/api/v1/kpi-returns/{first.pk}", json.dumps(body), content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )  # fmt: skip
    missing = send({"value": "75"})
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "numerator"
    assert send({"value": "75", "numerator": 30, "denominator": 40}).status_code == 200
    assert Dataset.objects.get().agency == cast.council


def test_the_contract_form_offers_only_indicators_the_buyer_may_upload_to(client, cast, world):  # noqa: F811
    ours, theirs = _indicator(cast.council, "ours"), _indicator(world.agency, "theirs")
    award, _ = _award(cast, world.lsoas[0].parent)
    client.force_login(cast.commissioner)
    page = client.get(f"/commissioning/awards/{award.pk}/contract/").content.decode()
    assert f'value="{ours.pk}"' in page and f'value="{theirs.pk}"' not in page
