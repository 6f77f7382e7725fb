"""Ledgers: evaluation reads what each bid committed; contracts carry it on with evidence."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from opus.allocation import social_value as services
from opus.allocation.models import Ledger, LedgerEvidence, LedgerLine
from opus.allocation.social_value import SocialValueError
from opus.allocation.tests.social_value_helpers import (
    DATA,
    LICENCE,
    contract_ledger,
    signed_contract,
    value_model,
)
from opus.commissioning import services as commissioning
from opus.commissioning.models import BidLot, KpiReturn
from opus.core.models import AuditEvent

pytestmark = pytest.mark.django_db

WORKED = {"quantity": Decimal(200), "years": 3, "deadweight": Decimal("0.2"),
          "attribution": Decimal("0.5"), "drop_off": Decimal("0.25"),
          "discount_rate": Decimal("0.015")}  # fmt: skip


def test_evaluation_scores_social_value_from_each_bids_ledger(cast):
    contract, bids = signed_contract(cast)
    ledgers = {b.pk: Ledger.objects.get(bid=b) for b in bids}
    for bid in bids:  # the helpers' bids commit 100 hours at £10: £1,000
        assert [x.value_pence for x in ledgers[bid.pk].lines.all()] == [100_000]
        assert BidLot.objects.filter(bid=bid).first().social_value_pence == 100_000
    assert AuditEvent.objects.filter(action="social_value.ledger_from_bid").count() == 2


def test_a_ledger_with_a_lower_committed_value_scores_lower(cast):
    from opus.commissioning.tests.test_evaluation import evaluated

    opportunity, bids = evaluated(cast)
    line = LedgerLine.objects.get(ledger__bid=bids[1])
    LedgerLine.objects.filter(pk=line.pk).update(value_pence=40_000)  # as if revalued lower
    commissioning.evaluation_compute(opportunity=opportunity, by=cast.commissioner)
    first, second = (BidLot.objects.filter(bid=b).first() for b in bids)
    assert second.social_value_pence == 40_000 and first.social_value_pence == 100_000
    assert second.social_value_score < first.social_value_score


def test_the_contracts_ledger_carries_the_bids_commitments(cast):
    contract, bids = signed_contract(cast)
    ledger = contract_ledger(cast, contract)
    assert ledger.bid_id == bids[0].pk and ledger.contract_id == contract.pk
    assert ledger.lines.count() == 1
    with pytest.raises(SocialValueError, match="already has"):
        contract_ledger(cast, contract)


def test_a_wellby_commitment_is_valued_by_the_issues_worked_example(cast):
    contract, _ = signed_contract(cast)
    ledger = contract_ledger(cast, contract)
    metric = ledger.value_model.metrics.get(code="SYN-W1")  # +0.3 per person
    line = services.line_add(ledger=ledger, metric=metric, by=cast.commissioner, **WORKED)
    assert line.wellbys == Decimal("55.500") and line.value_pence == 71_289_301


def test_uprated_prices_follow_the_deflator_table(cast):
    contract, _ = signed_contract(cast)
    deflators = services.deflators_load(
        owner=cast.council, name="D", source="Made up", licence=LICENCE,
        content=(DATA / "synthetic_deflators.csv").read_bytes(), by=cast.commissioner,
    )  # fmt: skip
    ledger = services.ledger_open(
        subject=contract,
        owner=cast.council,
        value_model=value_model(cast),
        deflators=deflators,
        price_year=2025,
        by=cast.commissioner,
    )
    metric = ledger.value_model.metrics.get(code="SYN-W1")
    line = services.line_add(ledger=ledger, metric=metric, quantity=Decimal(10), years=1,
                             by=cast.commissioner)  # fmt: skip
    assert line.value_pence == 3 * 1_300_000 * 123 // 100  # 3 WELLBYs × £13,000 × 1.23


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("deadweight", Decimal("1.5")),
        ("attribution", Decimal(-1)),
        ("discount_rate", Decimal("0.3")),
        ("quantity", Decimal(-5)),
        ("years", 51),
    ],
)
def test_a_commitment_out_of_bounds_is_refused_and_nothing_is_kept(cast, field, value):
    contract, _ = signed_contract(cast)
    ledger = contract_ledger(cast, contract)
    before = LedgerLine.objects.count()
    with pytest.raises(SocialValueError) as refused:
        services.line_add(ledger=ledger, metric=ledger.value_model.metrics.get(code="SYN-W1"),
                          by=cast.commissioner, **{**WORKED, field: value})  # fmt: skip
    assert refused.value.field == field and LedgerLine.objects.count() == before


def test_the_supplier_records_evidence_against_its_kpi_return(cast):
    contract, bids = signed_contract(cast)
    ledger = contract_ledger(cast, contract)
    line = ledger.lines.get()
    kpi_return = KpiReturn.objects.filter(kpi__contract=contract).first()
    supplier = bids[0].submitted_by
    services.evidence_record(line=line, quantity=Decimal(40), period_start=date(2026, 1, 1),
                             period_end=date(2026, 3, 31), note="Timesheets",
                             kpi_return=kpi_return, by=supplier)  # fmt: skip
    assert LedgerEvidence.objects.get().kpi_return == kpi_return
    for outsider in (cast.provider, cast.resident, cast.councillor, cast.stranger):
        with pytest.raises(PermissionDenied):
            services.evidence_record(
                line=line,
                quantity=Decimal(1),
                period_start=date(2026, 1, 1),
                period_end=date(2026, 1, 2),
                note="x",
                by=outsider,
            )
    assert LedgerEvidence.objects.count() == 1


@pytest.mark.parametrize("role", ["resident", "provider", "councillor", "auditor", "stranger"])
def test_only_commissioning_staff_open_ledgers_and_add_commitments(cast, role):
    contract, _ = signed_contract(cast)
    ledger = contract_ledger(cast, contract)
    with pytest.raises(PermissionDenied):
        services.line_add(ledger=ledger, metric=ledger.value_model.metrics.get(code="SYN-W1"),
                          by=getattr(cast, role), **WORKED)  # fmt: skip


def test_the_ledger_page_shows_commitments_evidence_a_chart_with_its_table_and_a_csv(client, cast):
    contract, bids = signed_contract(cast)
    ledger = contract_ledger(cast, contract)
    services.line_add(ledger=ledger, metric=ledger.value_model.metrics.get(code="SYN-W1"),
                      by=cast.commissioner, **WORKED)  # fmt: skip
    client.force_login(bids[0].submitted_by)
    response = client.post(f"/allocation/social-value/ledgers/{ledger.pk}/evidence/new/", {
        "line": ledger.lines.first().pk, "quantity": "50", "period_start_day": "1",
        "period_start_month": "1", "period_start_year": "2026", "period_end_day": "31",
        "period_end_month": "3", "period_end_year": "2026", "note": "Volunteer timesheets",
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[-2000:]
    client.logout()
    page = client.get(f"/allocation/social-value/ledgers/{ledger.pk}/").content.decode()
    assert "£712,893.01" in page and "55.5" in page and "Volunteer timesheets" in page
    assert "opus-chart" in page and "deadweight 20%" in page and "£500<" in page
    assert "£713,893.01" in page  # with the bid's £1,000 of volunteering
    download = client.get(f"/allocation/social-value/ledgers/{ledger.pk}/ledger.csv")
    assert download["Content-Type"].startswith("text/csv") and b"712893.01" in download.content


def test_a_bids_ledger_before_award_is_not_public(client, cast):
    from opus.commissioning.tests.test_evaluation import evaluated

    _, bids = evaluated(cast)
    ledger = Ledger.objects.get(bid=bids[0])
    for user in (cast.resident, cast.stranger, cast.provider):
        client.force_login(user)
        assert client.get(f"/allocation/social-value/ledgers/{ledger.pk}/").status_code == 404
    client.force_login(cast.commissioner)
    assert client.get(f"/allocation/social-value/ledgers/{ledger.pk}/").status_code == 200


def test_a_commissioner_opens_a_ledger_for_a_contract_through_the_page(client, cast):
    contract, _ = signed_contract(cast)
    model = value_model(cast)
    client.force_login(cast.commissioner)
    url = "/allocation/social-value/ledgers/new/"
    assert f"contract:{contract.pk}" in client.get(url).content.decode()
    response = client.post(url, {"subject": f"contract:{contract.pk}", "value_model": model.pk,
                                 "price_year": "2024"})  # fmt: skip
    assert "Choose a deflator table" in response.content.decode()
    response = client.post(url, {"subject": f"contract:{contract.pk}", "value_model": model.pk,
                                 "price_year": "2019"})  # fmt: skip
    assert (
        response.status_code == 302 and Ledger.objects.get(contract=contract).value_model == model
    )
