"""OCDS 1.1 publication: a contracting process as releases, compiled records and packages.

A contracting process (a plan, a tender with lots, awards and contracts with their KPIs and
payments) comes in as frozen dataclasses; out come Open Contracting Data Standard 1.1
releases, one per event, dated when the event happened, with the tags of the closed
``releaseTag`` codelist:

======================  ==========================================================
planning                the plan: budget and the reasons for commissioning it
tender                  the opportunity is published (lots, periods, criteria)
tenderAmendment         the published opportunity was changed, with the rationale
tenderUpdate            the deadline passed (numberOfTenderers), or all lots decided
tenderCancellation      the opportunity was withdrawn
award                   an award decision per lot, ``pending`` until it takes effect
awardUpdate             the award took effect (standstill over, confirmed): ``active``
awardCancellation       the award was reversed, with the rationale
contract                the contract with its agreed KPIs (``agreedMetrics``)
contractUpdate          the contract was signed
implementation          a KPI return, or a payment
implementationUpdate    a KPI return fell due and was not made (milestone ``notMet``)
contractTermination     the contract ended (completed, terminated or cancelled)
======================  ==========================================================

Sealed bids: nothing that comes from a bid is in a release dated before the submission
deadline. ``numberOfTenderers`` first appears at the deadline, the tenderers' names with the
first award, and bid prices only as award values. :class:`Process` refuses an award decided
before the deadline.

Sources:

* OCDS 1.1.5 schema and codelists (https://standard.open-contracting.org/1.1/en/schema/),
  and its merging rules (…/schema/merging/): objects merge field by field, ``null`` removes
  a field, arrays of objects with ``id`` merge by ``id``, other arrays (and those marked
  ``wholeListMerge``) are replaced, and ``id``/``date``/``tag`` are omitted when merged.
* Extensions (named in every package): lots (``tender.lots``, ``relatedLot(s)``), party
  scale (``parties.details.scale``: micro, sme, large), metrics (``agreedMetrics`` and
  ``implementation.metrics`` for KPIs), other requirements
  (``tender.otherRequirements.reservedParticipation``), location (``deliveryAddresses``).
* The UK's OCDS profile for the Procurement Act 2023 (Central Digital Platform):
  ``parties.details.vcse`` and ``parties.details.publicServiceMissionOrganization`` (booleans)
  and the award's ``standstillPeriod``; Contracts Finder's ``tender.suitability``
  (``sme``, ``vcse``). The exact paths of the UK fields are **(unverified)** against the
  profile's own schema, which is not among ../shared/standards.

Units and conventions: money is integer pence in, pounds out (``amount`` a JSON number, so
123456 pence is 1234.56 GBP); datetimes must be time-zone aware and are written in UTC
(``2026-03-01T09:30:00Z``). Everything is plain data: no Django here.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property, lru_cache
from typing import Any, NamedTuple, TextIO

Json = dict[str, Any]

VERSION = "1.1"
CURRENCY = "GBP"
COUNTRY = "United Kingdom"
_EXT = "https://raw.githubusercontent.com/open-contracting-extensions/{}/master/extension.json"
EXTENSIONS = tuple(
    _EXT.format(name)
    for name in (
        "ocds_lots_extension",
        "ocds_partyDetails_scale_extension",
        "ocds_metrics_extension",
        "ocds_otherRequirements_extension",
        "ocds_location_extension",
    )
)
# Fields the merging rules treat specially (release-schema.json: omitWhenMerged,
# wholeListMerge).
OMIT_WHEN_MERGED = frozenset({"id", "date", "tag"})
WHOLE_LIST_MERGE = frozenset({"additionalIdentifiers", "additionalClassifications"})
RESERVABLE = frozenset({"sme", "vcse", "publicServiceMissionOrganization"})
SCALES = frozenset({"", "micro", "sme", "large"})


# --- the contracting process ----------------------------------------------------------------


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


# --- small conversions ----------------------------------------------------------------------


@lru_cache(maxsize=8192)
def iso(moment: datetime) -> str:
    """An aware datetime in UTC, to the second: 2026-03-01T09:30:00Z. Naive is refused.

    Cached: a process repeats its few moments in many releases."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes cannot be published; give a time zone")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def value(pence: int) -> Json:
    """An OCDS Value in pounds: 123456 pence → {"amount": 1234.56, "currency": "GBP"}."""
    whole, part = divmod(pence, 100)
    return {"amount": whole if part == 0 else pence / 100, "currency": CURRENCY}


def org_identifier(org_id: str, legal_name: str = "") -> Json:
    """GB-CHC-1234567 → {"scheme": "GB-CHC", "id": "1234567"} (org-id.guide list + id)."""
    country, list_code, local = org_id.split("-", 2)
    found: Json = {"scheme": f"{country}-{list_code}", "id": local}
    if legal_name:
        found["legalName"] = legal_name
    return found


def _period(period: Period | None) -> Json | None:
    if period is None or (period.start is None and period.end is None):
        return None
    found: Json = {}
    if period.start is not None:
        found["startDate"] = iso(period.start)
    if period.end is not None:
        found["endDate"] = iso(period.end)
    return found


def _put(target: Json, key: str, item: Any) -> None:
    """Set a field only when there is something to say (no empty strings, no None)."""
    if item is not None and item != "" and item != []:
        target[key] = item


def _reference(party: Party) -> Json:
    return {"id": party.key, "name": party.name}


# --- parties and their roles ----------------------------------------------------------------


def _party_body(party: Party) -> Json:
    body: Json = {"id": party.key, "name": party.name}
    if party.org_id:
        body["identifier"] = org_identifier(party.org_id, party.name)
    address: Json = {}
    _put(address, "streetAddress", party.street_address)
    _put(address, "postalCode", party.postcode)
    if address:
        body["address"] = {**address, "countryName": COUNTRY}
    contact: Json = {}
    _put(contact, "email", party.email)
    _put(contact, "url", party.url)
    _put(body, "contactPoint", contact or None)
    details: Json = {
        "vcse": party.vcse,
        "publicServiceMissionOrganization": party.public_service_mission,
    }
    _put(details, "scale", party.scale)
    body["details"] = details
    return body


def _awarded(award: Award, moment: datetime) -> bool:
    """Decided by then and not (yet) reversed."""
    return award.decided <= moment and (award.cancelled is None or award.cancelled > moment)


def _first_award(process: Process) -> datetime | None:
    return min((a.decided for a in process.awards), default=None)


def _roles_at(process: Process, moment: datetime) -> dict[str, list[str]]:
    """Each party's roles as known at `moment` (roles replace wholesale when merged)."""
    roles: dict[str, list[str]] = {process.buyer_key: ["buyer", "procuringEntity"]}
    first = _first_award(process)
    if first is not None and first <= moment:
        for key in process.tender.tenderer_keys:
            roles.setdefault(key, []).append("tenderer")
    for award in process.awards:
        if _awarded(award, moment):
            for key in award.supplier_keys:
                _add(roles, key, "supplier")
    for contract in process.contracts:
        for payment in contract.payments:
            if payment.date <= moment:
                _add(roles, process.buyer_key, "payer")
                _add(roles, payment.payee_key, "payee")
    return roles


def _add(roles: dict[str, list[str]], key: str, role: str) -> None:
    held = roles.setdefault(key, [])
    if role not in held:
        held.append(role)


# --- statuses at a moment -------------------------------------------------------------------


def _tender_status(process: Process, moment: datetime) -> str:
    tender = process.tender
    if tender.cancelled is not None and tender.cancelled <= moment:
        return "cancelled"
    if tender.complete is not None and tender.complete <= moment:
        return "complete" if any(_awarded(a, moment) for a in process.awards) else "unsuccessful"
    return "planning" if moment < tender.published else "active"


def _lot_statuses(process: Process, moment: datetime) -> list[Json]:
    tender_status = _tender_status(process, moment)
    won = {
        lot
        for award in process.awards
        if _awarded(award, moment)
        for lot in (award.lot_ids or [lot.id for lot in process.tender.lots])
    }
    found = []
    for lot in process.tender.lots:
        if tender_status == "cancelled":
            status = "cancelled"
        elif lot.id in won:
            status = "complete"
        else:
            status = "unsuccessful" if tender_status in {"complete", "unsuccessful"} else "active"
        found.append({"id": lot.id, "status": status})
    return found


def _award_status(award: Award, moment: datetime) -> str:
    if award.cancelled is not None and award.cancelled <= moment:
        return "cancelled"
    if award.active_from is not None and award.active_from <= moment:
        return "active"
    return "pending"


def _contract_status(contract: Contract, moment: datetime) -> str:
    if contract.ended is not None and contract.ended <= moment:
        return contract.end_status
    return "active" if contract.signed is not None and contract.signed <= moment else "pending"


# --- release sections -----------------------------------------------------------------------


def _tender_head(process: Process, moment: datetime) -> Json:
    head: Json = {"id": process.tender.id, "status": _tender_status(process, moment)}
    _put(head, "lots", _lot_statuses(process, moment))
    return head


def _lot_body(lot: Lot) -> Json:
    body: Json = {"id": lot.id, "title": lot.title}
    _put(body, "description", lot.description)
    if lot.value_pence is not None:
        body["value"] = value(lot.value_pence)
    return body


def _lot_item(lot: Lot) -> Json:
    item: Json = {"id": lot.id, "description": lot.title, "relatedLot": lot.id}
    if lot.area:
        item["deliveryAddresses"] = [{"region": lot.area, "countryName": COUNTRY}]
    return item


def _tender_body(process: Process, moment: datetime) -> Json:
    tender = process.tender
    body = _tender_head(process, moment)
    for lot, status in zip(tender.lots, body.get("lots", []), strict=True):
        status.update(_lot_body(lot))
    body.update(
        title=tender.title,
        procuringEntity=_reference(_party(process, process.buyer_key)),
        mainProcurementCategory="services",
        procurementMethod="open",
        procurementMethodDetails=(
            "Light-touch procedure: no pre-qualification questionnaire"
            if tender.light_touch
            else "Open procedure"
        ),
        awardCriteria="ratedCriteria",
        submissionMethod=["electronicSubmission"],
        tenderPeriod=_period(Period(tender.published, tender.deadline)),
        suitability={"sme": "sme" in tender.reserved, "vcse": "vcse" in tender.reserved},
    )
    _put(body, "description", tender.description)
    if tender.value_pence is not None:
        body["value"] = value(tender.value_pence)
    _put(body, "awardCriteriaDetails", tender.award_criteria_details)
    if tender.clarification_deadline is not None:
        body["enquiryPeriod"] = _period(Period(tender.published, tender.clarification_deadline))
    _put(body, "awardPeriod", _period(tender.award_period))
    _put(body, "contractPeriod", _period(tender.contract_period))
    _put(body, "items", [_lot_item(lot) for lot in tender.lots])
    if "publicServiceMissionOrganization" in tender.reserved:
        body["otherRequirements"] = {"reservedParticipation": ["publicServiceMissionOrganization"]}
    if tender.url:
        body["documents"] = [
            {
                "id": "notice",
                "documentType": "tenderNotice",
                "title": tender.title,
                "url": tender.url,
            }
        ]
    _put(body, "amendments", [_amendment(a) for a in tender.amendments if a.date <= moment])
    return body


def _amendment(amendment: Amendment) -> Json:
    body: Json = {"id": amendment.id, "date": iso(amendment.date), "rationale": amendment.rationale}
    _put(body, "description", amendment.description)
    return body


def _award_body(process: Process, award: Award, moment: datetime) -> Json:
    body: Json = {
        "id": award.id,
        "status": _award_status(award, moment),
        "date": iso(award.decided),
        "value": value(award.value_pence),
        "suppliers": [_reference(_party(process, key)) for key in award.supplier_keys],
    }
    _put(body, "title", award.title)
    _put(body, "description", award.description)
    _put(body, "relatedLots", list(award.lot_ids))
    _put(body, "contractPeriod", _period(award.contract_period))
    _put(body, "standstillPeriod", _period(award.standstill))
    return body


def _agreed_metric(kpi: Kpi) -> Json:
    target: Json = {"id": "target", "measure": kpi.target}
    if kpi.unit:
        target["unit"] = {"name": kpi.unit}
    body: Json = {"id": kpi.id, "title": kpi.title, "observations": [target]}
    description = ". ".join(part for part in (kpi.description, kpi.frequency) if part)
    _put(body, "description", description)
    return body


def _reporting(contract: Contract, kpi_return: KpiReturn, moment: datetime) -> Json:
    kpi = next(k for k in contract.kpis if k.id == kpi_return.kpi_id)
    made = kpi_return.submitted is not None and kpi_return.submitted <= moment
    status = "met" if made else ("notMet" if kpi_return.due <= moment else "scheduled")
    body: Json = {
        "id": kpi_return.id,
        "title": f"{kpi.title}: return",
        "type": "reporting",
        "dueDate": iso(kpi_return.due),
        "status": status,
    }
    if made and kpi_return.submitted is not None:
        body["dateMet"] = iso(kpi_return.submitted)
    return body


def _observation(contract: Contract, kpi_return: KpiReturn) -> Json:
    kpi = next(k for k in contract.kpis if k.id == kpi_return.kpi_id)
    observation: Json = {"id": kpi_return.id}
    _put(observation, "period", _period(kpi_return.period))
    _put(observation, "measure", kpi_return.value)
    if kpi.unit:
        observation["unit"] = {"name": kpi.unit}
    return {"id": kpi.id, "title": kpi.title, "observations": [observation]}


def _contract_head(contract: Contract, moment: datetime) -> Json:
    return {
        "id": contract.id,
        "awardID": contract.award_id,
        "status": _contract_status(contract, moment),
    }


def _contract_body(contract: Contract, moment: datetime) -> Json:
    body = _contract_head(contract, moment)
    body["value"] = value(contract.value_pence)
    _put(body, "title", contract.title)
    _put(body, "description", contract.description)
    _put(body, "period", _period(contract.period))
    if contract.signed is not None and contract.signed <= moment:
        body["dateSigned"] = iso(contract.signed)
    _put(body, "agreedMetrics", [_agreed_metric(k) for k in contract.kpis])
    milestones = [_reporting(contract, r, moment) for r in contract.returns]
    if milestones:
        body["implementation"] = {"milestones": milestones}
    return body


def _transaction(process: Process, payment: Payment) -> Json:
    return {
        "id": payment.id,
        "date": iso(payment.date),
        "value": value(payment.value_pence),
        "payer": _reference(_party(process, process.buyer_key)),
        "payee": _reference(_party(process, payment.payee_key)),
    }


def _party(process: Process, key: str) -> Party:
    return process.by_key[key]


# --- events → releases ----------------------------------------------------------------------


class Event(NamedTuple):
    """Something that happened, and the release sections that say so."""

    moment: datetime
    rank: int
    suffix: str
    tag: str
    sections: Callable[[datetime], Json]


def _planning_events(process: Process) -> Iterator[Event]:
    planning, tender = process.planning, process.tender
    if planning is None:
        return

    def sections(moment: datetime) -> Json:
        body: Json = {}
        _put(body, "rationale", planning.rationale)
        if planning.budget_pence is not None:
            budget: Json = {"id": planning.budget_id or "budget"}
            _put(budget, "description", planning.budget_description)
            budget["amount"] = value(planning.budget_pence)
            body["budget"] = budget
        head = {"id": tender.id, "title": tender.title, "status": "planning"}
        return {"planning": body, "tender": head}

    yield Event(min(planning.date, tender.published), 0, "planning", "planning", sections)


def _tender_events(process: Process) -> Iterator[Event]:
    tender = process.tender

    def full(moment: datetime) -> Json:
        return {"tender": _tender_body(process, moment)}

    def counted(moment: datetime) -> Json:
        head = _tender_head(process, moment)
        head["numberOfTenderers"] = len(tender.tenderer_keys)
        return {"tender": head}

    def head(moment: datetime) -> Json:
        return {"tender": _tender_head(process, moment)}

    yield Event(tender.published, 1, "tender", "tender", full)
    for amendment in tender.amendments:
        yield Event(amendment.date, 2, f"amendment-{amendment.id}", "tenderAmendment", full)
    if tender.cancelled is None or tender.cancelled > tender.deadline:
        yield Event(tender.deadline, 3, "tender-closed", "tenderUpdate", counted)
    if tender.cancelled is not None:
        yield Event(tender.cancelled, 4, "tender-cancelled", "tenderCancellation", head)
    elif tender.complete is not None:
        yield Event(tender.complete, 8, "tender-complete", "tenderUpdate", head)


def _award_events(process: Process, award: Award) -> Iterator[Event]:
    def decided(moment: datetime) -> Json:
        tender = _tender_head(process, moment)
        tender["numberOfTenderers"] = len(process.tender.tenderer_keys)
        tender["tenderers"] = [_reference(_party(process, k)) for k in process.tender.tenderer_keys]
        return {"tender": tender, "awards": [_award_body(process, award, moment)]}

    def changed(moment: datetime) -> Json:
        body: Json = {"id": award.id, "status": _award_status(award, moment)}
        if award.cancelled is not None and award.cancelled <= moment:
            body["amendments"] = [
                {
                    "id": f"{award.id}-cancellation",
                    "date": iso(award.cancelled),
                    "rationale": award.cancellation_reason or "The award was reversed",
                }
            ]
        return {"tender": _tender_head(process, moment), "awards": [body]}

    yield Event(award.decided, 5, f"award-{award.id}", "award", decided)
    took_effect = award.active_from
    if took_effect is not None and took_effect > award.decided:
        if award.cancelled is None or award.cancelled > took_effect:
            yield Event(took_effect, 6, f"award-{award.id}-active", "awardUpdate", changed)
    if award.cancelled is not None:
        suffix = f"award-{award.id}-cancelled"
        yield Event(award.cancelled, 7, suffix, "awardCancellation", changed)


def _contract_events(process: Process, contract: Contract) -> Iterator[Event]:
    def created(moment: datetime) -> Json:
        return {"contracts": [_contract_body(contract, moment)]}

    def signed(moment: datetime) -> Json:
        body = _contract_head(contract, moment)
        _put(body, "dateSigned", iso(contract.signed) if contract.signed else None)
        return {"contracts": [body]}

    def ended(moment: datetime) -> Json:
        body = _contract_head(contract, moment)
        body["amendments"] = [
            {
                "id": f"{contract.id}-end",
                "date": iso(moment),
                "rationale": contract.end_reason or f"The contract was {contract.end_status}",
            }
        ]
        return {"contracts": [body]}

    yield Event(contract.created, 9, f"contract-{contract.id}", "contract", created)
    if contract.signed is not None and contract.signed > contract.created:
        yield Event(contract.signed, 10, f"contract-{contract.id}-signed", "contractUpdate", signed)
    yield from _implementation_events(process, contract)
    if contract.ended is not None:
        tag = "contractTermination"
        yield Event(contract.ended, 13, f"contract-{contract.id}-ended", tag, ended)


def _implementation_events(process: Process, contract: Contract) -> Iterator[Event]:
    def implementation(moment: datetime, **parts: list[Json]) -> Json:
        body = _contract_head(contract, moment)
        body["implementation"] = parts
        return {"contracts": [body]}

    for kpi_return in contract.returns:

        def reported(moment: datetime, r: KpiReturn = kpi_return) -> Json:
            return implementation(
                moment,
                milestones=[_reporting(contract, r, moment)],
                metrics=[_observation(contract, r)],
            )

        def missed(moment: datetime, r: KpiReturn = kpi_return) -> Json:
            return implementation(moment, milestones=[_reporting(contract, r, moment)])

        if kpi_return.submitted is None or kpi_return.submitted > kpi_return.due:
            tag = "implementationUpdate"
            suffix = f"contract-{contract.id}-return-{kpi_return.id}-missed"
            yield Event(kpi_return.due, 11, suffix, tag, missed)
        if kpi_return.submitted is not None:
            suffix = f"contract-{contract.id}-return-{kpi_return.id}"
            yield Event(kpi_return.submitted, 12, suffix, "implementation", reported)
    for payment in contract.payments:

        def paid(moment: datetime, p: Payment = payment) -> Json:
            return implementation(moment, transactions=[_transaction(process, p)])

        suffix = f"contract-{contract.id}-payment-{payment.id}"
        yield Event(payment.date, 12, suffix, "implementation", paid)


def events(process: Process) -> list[Event]:
    """Every event of the process, in the order they happened (ties in lifecycle order)."""
    found = [*_planning_events(process), *_tender_events(process)]
    for award in process.awards:
        found.extend(_award_events(process, award))
    for contract in process.contracts:
        found.extend(_contract_events(process, contract))
    found.sort(key=lambda e: (e.moment, e.rank, e.suffix))
    return found


def releases(process: Process, *, as_of: datetime) -> list[Json]:
    """The OCDS releases of the process up to and including `as_of`, oldest first.

    Release ids are ``<ocid>-<event>`` (e.g. ``…-award-17-active``), stable however often
    the releases are rebuilt. Every release names all parties known at its date, with their
    roles as they stood then, so that merging (which replaces ``roles`` wholesale) keeps the
    latest roles.
    """
    iso(as_of)
    parties = {p.key: _party_body(p) for p in process.parties}
    built = []
    for event in events(process):
        if event.moment > as_of:
            break
        release: Json = {
            "ocid": process.ocid,
            "id": f"{process.ocid}-{event.suffix}",
            "date": iso(event.moment),
            "tag": [event.tag],
            "initiationType": "tender",
            "language": "en",
            "buyer": _reference(_party(process, process.buyer_key)),
            "parties": [
                {**parties[key], "roles": roles}
                for key, roles in _roles_at(process, event.moment).items()
            ],
        }
        release.update(event.sections(event.moment))
        built.append(release)
    return built


# --- merging: releases → a compiled release and a record ------------------------------------


def _identified(items: list[Any]) -> bool:
    return all(isinstance(item, dict) and "id" in item for item in items)


def _merge_into(target: Json, source: Mapping[str, Any]) -> None:
    for key, item in source.items():
        if item is None:
            target.pop(key, None)
        elif isinstance(item, dict):
            current = target.get(key)
            if not isinstance(current, dict):
                current = target[key] = {}
            _merge_into(current, item)
        elif isinstance(item, list) and item and key not in WHOLE_LIST_MERGE and _identified(item):
            _merge_list(target, key, item)
        else:
            target[key] = copy.deepcopy(item)


def _merge_list(target: Json, key: str, items: list[Json]) -> None:
    current = target.get(key)
    if not isinstance(current, list) or not _identified(current):
        current = target[key] = []
    by_id = {str(existing["id"]): existing for existing in current}
    for item in items:
        existing = by_id.get(str(item["id"]))
        if existing is None:
            existing = by_id[str(item["id"])] = {}
            current.append(existing)
        _merge_into(existing, item)


def _when(release: Mapping[str, Any]) -> datetime:
    return datetime.fromisoformat(str(release["date"]))


def compile_release(releases: Sequence[Mapping[str, Any]]) -> Json:
    """The compiled release: the latest value of every field, by the OCDS 1.1 merge rules.

    Releases are merged oldest first (a stable sort on ``date``, so releases of the same
    moment merge in the order given). ``tag`` is ["compiled"], ``date`` the newest release's,
    ``id`` ``<ocid>-<date>``.
    """
    if not releases:
        raise ValueError("a record needs at least one release")
    ordered = sorted(releases, key=_when)
    merged: Json = {}
    for release in ordered:
        _merge_into(merged, {k: v for k, v in release.items() if k not in OMIT_WHEN_MERGED})
    newest = ordered[-1]
    ocid = str(newest["ocid"])
    head: Json = {
        "ocid": ocid,
        "id": f"{ocid}-{newest['date']}",
        "date": newest["date"],
        "tag": ["compiled"],
    }
    return head | {k: v for k, v in merged.items() if k not in head}


def record(releases: Sequence[Mapping[str, Any]]) -> Json:
    """An OCDS record: the releases (embedded, oldest first) and their compiled release."""
    ordered = sorted(releases, key=_when)
    return {
        "ocid": ordered[0]["ocid"] if ordered else "",
        "releases": list(ordered),
        "compiledRelease": compile_release(ordered),
    }


# --- packages -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Publisher:
    """Who publishes the data, for the package metadata."""

    name: str
    uri: str = ""
    scheme: str = ""
    uid: str = ""
    license: str = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"

    def as_json(self) -> Json:
        body: Json = {"name": self.name}
        _put(body, "scheme", self.scheme)
        _put(body, "uid", self.uid)
        _put(body, "uri", self.uri)
        return body


def package_head(*, uri: str, publisher: Publisher, published: datetime) -> Json:
    """The metadata every package carries (uri, version, publisher, licence, extensions)."""
    return {
        "uri": uri,
        "version": VERSION,
        "extensions": list(EXTENSIONS),
        "publisher": publisher.as_json(),
        "license": publisher.license,
        "publishedDate": iso(published),
    }


def release_package(
    releases: Iterable[Json], *, uri: str, publisher: Publisher, published: datetime
) -> Json:
    """A release package held in memory (for a page of an API)."""
    return package_head(uri=uri, publisher=publisher, published=published) | {
        "releases": list(releases)
    }


def record_package(
    records: Iterable[Json], *, uri: str, publisher: Publisher, published: datetime
) -> Json:
    """A record package held in memory."""
    return package_head(uri=uri, publisher=publisher, published=published) | {
        "records": list(records)
    }


_encode = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), allow_nan=False, check_circular=False
).encode


def dumps(document: Any) -> str:
    """Compact JSON (UTF-8 text, no NaN), as every package is written."""
    return _encode(document)


def write_release_package(
    stream: TextIO,
    releases: Iterable[Json],
    *,
    uri: str,
    publisher: Publisher,
    published: datetime,
    extra: Mapping[str, Any] | None = None,
) -> int:
    """Write a release package to `stream` one release at a time; return how many.

    Memory stays flat however many releases there are: the package's head is written
    first, then each release as it comes, then the closing brackets. The result parses to
    the same document as :func:`release_package` would build. `extra` adds package fields
    (e.g. ``links`` for the next page).
    """
    head = package_head(uri=uri, publisher=publisher, published=published) | dict(extra or {})
    stream.write(dumps(head)[:-1] + ',"releases":[')
    count = 0
    for release in releases:
        stream.write(("," if count else "") + _encode(release))
        count += 1
    stream.write("]}")
    return count
