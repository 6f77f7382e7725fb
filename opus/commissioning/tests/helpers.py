"""Builders for commissioning tests: an opportunity with two lots, providers, bids."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.utils import timezone

from opus.commissioning import services
from opus.commissioning.models import Opportunity, ValueTable
from opus.core.models import OrganisationKind, Role, User
from opus.testing import create_member, create_organisation

TABLE = Path(__file__).resolve().parents[1] / "data" / "illustrative_value_table.csv"


def value_table(cast: Any) -> ValueTable:
    return services.value_table_load(
        owner=cast.council,
        name="Illustrative",
        source="Made up for tests",
        content=TABLE.read_bytes(),
        illustrative=True,
        by=cast.commissioner,
    )


def opportunity_fields(cast: Any, table: ValueTable | None, now: datetime) -> dict[str, Any]:
    deadline = now + timedelta(days=14)
    return {
        "buyer": cast.council,
        "title": "Befriending for older people",
        "description": "Weekly befriending visits and phone calls.",
        "value_pence": 9_000_000,
        "procedure": "light_touch",
        "lots": [
            {"title": "North", "value_pence": 5_000_000},
            {"title": "South", "value_pence": 4_000_000},
        ],
        "questions": [
            {"text": "How will you reach isolated people?", "weight": 30},
            {"text": "How will you involve volunteers?", "weight": 20},
        ],
        "price_weight": 40,
        "quality_weight": 50,
        "social_value_weight": 10,
        "value_table": table,
        "clarification_deadline": deadline - timedelta(days=4),
        "submission_deadline": deadline,
        "contract_start": (deadline + timedelta(days=45)).date(),
        "contract_end": (deadline + timedelta(days=45 + 365)).date(),
    }


def open_opportunity(cast: Any, *, now: datetime | None = None, **overrides: Any) -> Opportunity:
    """A published opportunity; with `now` in the past its deadline may already have passed."""
    now = now or timezone.now()
    table = overrides.pop("table", None) or value_table(cast)
    fields = {**opportunity_fields(cast, table, now), **overrides}
    opportunity = services.opportunity_create(by=cast.commissioner, now=now, **fields)
    return services.opportunity_publish(opportunity=opportunity, by=cast.commissioner, now=now)


def provider(name: str, kind: str = OrganisationKind.CHARITY) -> tuple[Any, User]:
    organisation = create_organisation(
        name=name, kind=kind, email=f"{name.split()[0].lower()}@example.test"
    )
    user = create_member(Role.PROVIDER, organisation, full_name=f"Staff of {name}")
    return organisation, user


def bid(
    opportunity: Opportunity,
    organisation: Any,
    user: User,
    *,
    prices: tuple[int, ...] = (4_000_000,),
    now: datetime | None = None,
    consortium: Any = None,
    social: list[dict[str, Any]] | None = None,
    answers: dict[int, str] | None = None,
) -> Any:
    return services.bid_submit(
        opportunity=opportunity,
        bidder=organisation,
        consortium=consortium,
        by=user,
        now=now,
        lots=[{"lot": i, "price_pence": p} for i, p in enumerate(prices, start=1)],
        answers=answers
        or {1: "We visit every week.", 2: "Volunteers are trained and paid expenses."},
        social_value=social if social is not None else [{"measure": "ILL-S1", "quantity": "100"}],
        declaration=True,
    )


def closed_opportunity_with_bids(cast: Any, count: int = 2) -> tuple[Opportunity, list[Any]]:
    """Published 30 days ago, deadline 10 days ago, bids sent before it (the clock set back)."""
    past = timezone.now() - timedelta(days=30)
    opportunity = open_opportunity(cast, now=past)
    bids = []
    for i in range(count):
        organisation, user = provider(f"Bidder {i + 1} Trust")
        bids.append(
            bid(
                opportunity,
                organisation,
                user,
                prices=(4_000_000 + i * 500_000, 3_000_000),
                now=past + timedelta(days=2 + i),
            )
        )
    return opportunity, bids
