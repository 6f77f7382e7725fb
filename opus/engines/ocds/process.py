"""The contracting process as plain data: what the engine publishes, checked on creation.

Frozen dataclasses in, nothing else: money in integer pence, datetimes time-zone aware.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

Json = dict[str, Any]

RESERVABLE = frozenset({"sme", "vcse", "publicServiceMissionOrganization"})
SCALES = frozenset({"", "micro", "sme", "large"})


@dataclass(frozen=True)
class Period:
    """A span of time; either end may be unknown."""

    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class Party:
    """An organisation taking part: the buyer, a bidder, a supplier.

    ``key`` is the party's id in the releases (its org-id when it has one); ``org_id`` is an
    org-id.guide identifier such as GB-CHC-1234567, written as identifier scheme GB-CHC and
    id 1234567. ``scale`` is micro, sme or large ("" for public bodies).
    """

    key: str
    name: str
    org_id: str = ""
    scale: str = ""
    vcse: bool = False
    public_service_mission: bool = False
    street_address: str = ""
    postcode: str = ""
    email: str = ""
    url: str = ""


@dataclass(frozen=True)
class Lot:
    """A separately awardable part of the opportunity; ``area`` names where it is delivered."""

    id: str
    title: str
    description: str = ""
    value_pence: int | None = None
    area: str = ""


@dataclass(frozen=True)
class Amendment:
    """A change to a published tender, with the reason for it."""

    id: str
    date: datetime
    rationale: str
    description: str = ""


@dataclass(frozen=True)
class Planning:
    """The commissioning decision behind the process: when, why, and the budget."""

    date: datetime
    rationale: str = ""
    budget_id: str = ""
    budget_description: str = ""
    budget_pence: int | None = None


@dataclass(frozen=True)
class Tender:
    """The opportunity. ``deadline`` is the submission deadline (tenderPeriod.endDate).

    ``tenderer_keys`` are the parties who bid (counted at the deadline, named from the first
    award); ``complete`` is when every lot was decided (status complete, or unsuccessful when
    nothing was awarded); ``reserved`` holds "sme", "vcse" or
    "publicServiceMissionOrganization" when participation is reserved.
    """

    id: str
    title: str
    published: datetime
    deadline: datetime
    description: str = ""
    value_pence: int | None = None
    light_touch: bool = False
    clarification_deadline: datetime | None = None
    award_period: Period | None = None
    contract_period: Period | None = None
    lots: tuple[Lot, ...] = ()
    award_criteria_details: str = ""
    reserved: tuple[str, ...] = ()
    tenderer_keys: tuple[str, ...] = ()
    amendments: tuple[Amendment, ...] = ()
    cancelled: datetime | None = None
    cancellation_reason: str = ""
    complete: datetime | None = None
    url: str = ""


@dataclass(frozen=True)
class Award:
    """An award decision for some lots (all of them when ``lot_ids`` is empty).

    ``value_pence`` is the winning bid's price; ``standstill`` the pause before the contract;
    ``active_from`` when the award took effect (``pending`` until then; None while it has
    not, e.g. during standstill); ``cancelled`` when it was reversed, with
    ``cancellation_reason``.
    """

    id: str
    decided: datetime
    supplier_keys: tuple[str, ...]
    value_pence: int
    lot_ids: tuple[str, ...] = ()
    title: str = ""
    description: str = ""
    standstill: Period | None = None
    active_from: datetime | None = None
    contract_period: Period | None = None
    cancelled: datetime | None = None
    cancellation_reason: str = ""


@dataclass(frozen=True)
class Kpi:
    """A key performance indicator agreed in the contract: its target and reporting cadence."""

    id: str
    title: str
    target: float | str
    unit: str = ""
    frequency: str = ""
    description: str = ""


@dataclass(frozen=True)
class KpiReturn:
    """A provider's report against a KPI, due at ``due``; ``submitted`` None while not made."""

    id: str
    kpi_id: str
    due: datetime
    period: Period | None = None
    submitted: datetime | None = None
    value: float | str | None = None


@dataclass(frozen=True)
class Payment:
    """Money paid from the buyer to a supplier under the contract, in pence."""

    id: str
    date: datetime
    value_pence: int
    payee_key: str


@dataclass(frozen=True)
class Contract:
    """A contract under an award. ``ended`` with ``end_status`` terminated or cancelled."""

    id: str
    award_id: str
    created: datetime
    value_pence: int
    title: str = ""
    description: str = ""
    signed: datetime | None = None
    period: Period | None = None
    kpis: tuple[Kpi, ...] = ()
    returns: tuple[KpiReturn, ...] = ()
    payments: tuple[Payment, ...] = ()
    ended: datetime | None = None
    end_status: str = "terminated"
    end_reason: str = ""


@dataclass(frozen=True)
class Process:
    """One contracting process, identified by its ``ocid`` (the publisher's prefix + an id)."""

    ocid: str
    buyer_key: str
    parties: tuple[Party, ...]
    tender: Tender
    planning: Planning | None = None
    awards: tuple[Award, ...] = ()
    contracts: tuple[Contract, ...] = ()

    def __post_init__(self) -> None:
        check_process(self)

    @cached_property
    def by_key(self) -> dict[str, Party]:
        """The parties by key (cached: frozen dataclasses allow it through __dict__)."""
        return {party.key: party for party in self.parties}


def check_process(process: Process) -> None:
    """Raise ValueError when the process could not be published as it stands."""
    keys = _unique([p.key for p in process.parties], "party key")
    tender = process.tender
    lots = _unique([lot.id for lot in tender.lots], "lot id")
    _unique([a.id for a in tender.amendments], "amendment id")
    awards = _unique([a.id for a in process.awards], "award id")
    _unique([c.id for c in process.contracts], "contract id")
    _known({process.buyer_key, *tender.tenderer_keys}, keys, "party")
    if tender.deadline < tender.published:
        raise ValueError(f"{process.ocid}: the deadline is before publication")
    for award in process.awards:
        if award.decided < tender.deadline:
            raise ValueError(f"{process.ocid}: award {award.id} was decided before the deadline")
        _known(set(award.supplier_keys), keys, "supplier")
        _known(set(award.lot_ids), lots, "lot")
    for contract in process.contracts:
        _known({contract.award_id}, awards, "award")
        _check_contract(contract, keys)
    if not RESERVABLE.issuperset(tender.reserved):
        raise ValueError(f"{process.ocid}: reserved participation must be among {RESERVABLE}")
    if any(p.scale not in SCALES for p in process.parties):
        raise ValueError(f"{process.ocid}: a party's scale must be micro, sme or large")


def _check_contract(contract: Contract, keys: set[str]) -> None:
    kpis = _unique([k.id for k in contract.kpis], "KPI id")
    _unique([r.id for r in contract.returns], "KPI return id")
    _unique([p.id for p in contract.payments], "payment id")
    _known({r.kpi_id for r in contract.returns}, kpis, "KPI")
    _known({p.payee_key for p in contract.payments}, keys, "payee")
    if contract.end_status not in {"terminated", "cancelled"}:
        raise ValueError(f"contract {contract.id}: end_status is terminated or cancelled")


def _unique(values: list[str], what: str) -> set[str]:
    seen = set(values)
    if len(seen) != len(values) or "" in seen:
        raise ValueError(f"each {what} must be given and unique")
    return seen


def _known(used: set[str], known: set[str], what: str) -> None:
    unknown = used - known
    if unknown:
        raise ValueError(f"unknown {what}: {', '.join(sorted(unknown))}")
