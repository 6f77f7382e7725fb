"""Demo world: a synthetic value table, ledgers on the awarded befriending contracts with
evidence from their KPI returns, a funded PB project's ledger, and one measured study."""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path
from typing import Any

from opus.allocation import social_value as services
from opus.allocation.models import Ledger, StudyGroup, StudyWave
from opus.commissioning.models import Contract, KpiReturn
from opus.core.models import Organisation, User
from opus.neighbourhoods.models import Project

DATA = Path(__file__).resolve().parent / "data"
SYNTHETIC = "CC0 1.0: synthetic values made up for the Opus demo, not for real decisions"
SOURCE = "Synthetic: made up for the Opus demo (not the National TOMs, HACT or HM Treasury)"
PRICE_YEAR = 2025
LONELINESS = {
    "code": "SYN-W1", "quantity": Decimal(60), "years": 2, "deadweight": Decimal("0.2"),
    "attribution": Decimal("0.6"), "drop_off": Decimal("0.25"), "discount_rate": Decimal("0.015"),
    "assumptions": "A fifth would have found company anyway; the befriending service is owed "
                   "three fifths (GPs and families the rest); a quarter fades each year.",
}  # fmt: skip


def _tables(council: Organisation, cora: User) -> tuple[Any, Any]:
    model = services.value_model_load(
        owner=council, name="Synthetic value model (demo)", source=SOURCE, licence=SYNTHETIC,
        content=(DATA / "synthetic_value_model.csv").read_bytes(), synthetic=True, by=cora,
    )  # fmt: skip
    deflators = services.deflators_load(
        owner=council, name="Synthetic deflators (demo)", source=SOURCE, licence=SYNTHETIC,
        content=(DATA / "synthetic_deflators.csv").read_bytes(), synthetic=True, by=cora,
    )  # fmt: skip
    return model, deflators


def _contract_ledger(contract: Contract, model: Any, deflators: Any, cora: User) -> Ledger:
    ledger = services.ledger_open(
        subject=contract, owner=contract.award.lot.opportunity.buyer, value_model=model,
        deflators=deflators, price_year=PRICE_YEAR, by=cora,
    )  # fmt: skip
    fields = {k: v for k, v in LONELINESS.items() if k != "code"}
    line = services.line_add(
        ledger=ledger, metric=model.metrics.get(code=LONELINESS["code"]), by=cora, **fields
    )
    returns = KpiReturn.objects.filter(kpi__contract=contract).exclude(submitted_at=None)
    kpi_return = (
        returns.filter(kpi__name__icontains="lonely").order_by("-period_start").first()
        or returns.order_by("-period_start").first()
    )
    if kpi_return is not None:
        services.evidence_record(
            line=line, quantity=Decimal(38), period_start=kpi_return.period_start,
            period_end=kpi_return.period_end, kpi_return=kpi_return, by=cora,
            note="38 older people supported in the period, from the provider's visit records "
                 "behind its KPI return.",
        )  # fmt: skip
    return ledger


def _study(ledger: Ledger, by: User, seed: int) -> None:
    """A waiting-list comparison: 24 users and 20 people waiting, asked before and after."""
    study = services.study_create(
        ledger=ledger, title="Befriending: life satisfaction before and after six months",
        comparison="waiting_list", comparison_note="People waiting for a befriender",
        people=60, years=1, by=by,
    )  # fmt: skip
    rng = random.Random(seed)  # noqa: S311 - made-up demo answers, not security
    for group, n, gain in ((StudyGroup.PARTICIPANT, 24, 1.0), (StudyGroup.COMPARISON, 20, 0.2)):
        for i in range(1, n + 1):
            before = min(max(round(rng.gauss(5.5, 1.4)), 0), 9)
            after = min(max(round(before + gain + rng.gauss(0, 1.0)), 0), 10)
            for wave, score in ((StudyWave.BEFORE, before), (StudyWave.AFTER, after)):
                services.answer_record(
                    study=study, group=group, wave=wave, respondent=f"{group[0].upper()}{i:03d}",
                    score=score, consent=True, by=by,
                )  # fmt: skip


def _pb_ledger(model: Any, cora: User) -> None:
    project = Project.objects.filter(funded=True).order_by("pk").first()
    if project is None:
        return
    ledger = services.ledger_open(
        subject=project, owner=project.process.council, value_model=model, by=cora
    )
    services.line_add(
        ledger=ledger, metric=model.metrics.get(code="SYN-V1"), quantity=Decimal(300), years=1,
        attribution=Decimal("0.8"), assumptions="Volunteers' hours on the project's build days.",
        by=cora,
    )  # fmt: skip


def seed_social_value(seed: int = 2026) -> None:
    cora = User.objects.filter(email="commissioner@demo.opus.test").first()
    contracts = list(
        Contract.objects.select_related("award__lot__opportunity__buyer", "supplier")
        .filter(title__icontains="befriending")
        .order_by("pk")
    )
    if cora is None or not contracts:
        return
    model, deflators = _tables(contracts[0].award.lot.opportunity.buyer, cora)
    ledgers = [_contract_ledger(c, model, deflators, cora) for c in contracts]
    provider = User.objects.filter(
        memberships__organisation=contracts[0].supplier, memberships__role="provider"
    ).first()
    _study(ledgers[0], provider or cora, seed)
    _pb_ledger(model, cora)
