"""Builders for social value tests: the synthetic tables, a signed contract and its ledger."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from opus.allocation import social_value as services
from opus.allocation.models import Ledger, ValueModel
from opus.commissioning import services as commissioning
from opus.commissioning.models import BidLot, Contract

DATA = Path(__file__).resolve().parents[1] / "data"
LICENCE = "CC0 1.0 (synthetic)"


def value_model(cast: Any) -> ValueModel:
    return services.value_model_load(
        owner=cast.council, name="Synthetic", source="Made up for tests", licence=LICENCE,
        content=(DATA / "synthetic_value_model.csv").read_bytes(), synthetic=True,
        by=cast.commissioner,
    )  # fmt: skip


def signed_contract(cast: Any) -> tuple[Contract, list[Any]]:
    """An evaluated opportunity's lot 1 awarded to the first bid and signed."""
    from opus.commissioning.tests.test_evaluation import evaluated

    opportunity, bids = evaluated(cast)
    lot = opportunity.lots.get(number=1)
    award = commissioning.award_decide(
        lot=lot, bid_lot=BidLot.objects.get(lot=lot, bid=bids[0]), reasons="Best",
        by=cast.commissioner,
    )  # fmt: skip
    kpis = [{"name": "Reached", "measure": "People reached", "target": "60",
             "frequency": "quarterly"}]  # fmt: skip
    contract = commissioning.contract_sign(
        award=award, kpis=kpis, by=cast.commissioner, now=award.standstill_ends
    )
    return contract, bids


def contract_ledger(cast: Any, contract: Contract, model: ValueModel | None = None) -> Ledger:
    return services.ledger_open(
        subject=contract, owner=cast.council, value_model=model or value_model(cast),
        by=cast.commissioner,
    )  # fmt: skip


def social_value_world(w: SimpleNamespace) -> None:
    """The write matrix's part: a ledger on its signed contract with a line and a study."""
    cast = w.cast
    w.sv_ledger = contract_ledger(cast, w.contract)
    services.line_add(
        ledger=w.sv_ledger, metric=w.sv_ledger.value_model.metrics.get(code="SYN-W1"),
        quantity=Decimal(10), years=1, by=cast.commissioner,
    )  # fmt: skip
    w.sv_study = services.study_create(
        ledger=w.sv_ledger, title="Before and after", comparison="waiting_list", people=10,
        by=cast.commissioner,
    )  # fmt: skip
