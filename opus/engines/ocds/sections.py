"""The pieces of a release: dates, money and identifiers, parties with their roles at a
moment, the statuses things had then, and the tender, award and contract sections."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from opus.engines.ocds.process import (
    Amendment,
    Award,
    Contract,
    Json,
    Kpi,
    KpiReturn,
    Lot,
    Party,
    Payment,
    Period,
    Process,
)

CURRENCY = "GBP"
COUNTRY = "United Kingdom"


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


def put(target: Json, key: str, item: Any) -> None:
    """Set a field only when there is something to say (no empty strings, no None)."""
    if item is not None and item != "" and item != []:
        target[key] = item


def reference(party: Party) -> Json:
    return {"id": party.key, "name": party.name}


# --- parties and their roles ----------------------------------------------------------------


def party_body(party: Party) -> Json:
    body: Json = {"id": party.key, "name": party.name}
    if party.org_id:
        body["identifier"] = org_identifier(party.org_id, party.name)
    address: Json = {}
    put(address, "streetAddress", party.street_address)
    put(address, "postalCode", party.postcode)
    if address:
        body["address"] = {**address, "countryName": COUNTRY}
    contact: Json = {}
    put(contact, "email", party.email)
    put(contact, "url", party.url)
    put(body, "contactPoint", contact or None)
    details: Json = {
        "vcse": party.vcse,
        "publicServiceMissionOrganization": party.public_service_mission,
    }
    put(details, "scale", party.scale)
    body["details"] = details
    return body


def _awarded(award: Award, moment: datetime) -> bool:
    """Decided by then and not (yet) reversed."""
    return award.decided <= moment and (award.cancelled is None or award.cancelled > moment)


def _first_award(process: Process) -> datetime | None:
    return min((a.decided for a in process.awards), default=None)


def roles_at(process: Process, moment: datetime) -> dict[str, list[str]]:
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


def award_status(award: Award, moment: datetime) -> str:
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


def tender_head(process: Process, moment: datetime) -> Json:
    head: Json = {"id": process.tender.id, "status": _tender_status(process, moment)}
    put(head, "lots", _lot_statuses(process, moment))
    return head


def _lot_body(lot: Lot) -> Json:
    body: Json = {"id": lot.id, "title": lot.title}
    put(body, "description", lot.description)
    if lot.value_pence is not None:
        body["value"] = value(lot.value_pence)
    return body


def _lot_item(lot: Lot) -> Json:
    item: Json = {"id": lot.id, "description": lot.title, "relatedLot": lot.id}
    if lot.area:
        item["deliveryAddresses"] = [{"region": lot.area, "countryName": COUNTRY}]
    return item


def tender_body(process: Process, moment: datetime) -> Json:
    tender = process.tender
    body = tender_head(process, moment)
    for lot, status in zip(tender.lots, body.get("lots", []), strict=True):
        status.update(_lot_body(lot))
    body.update(
        title=tender.title,
        procuringEntity=reference(party(process, process.buyer_key)),
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
    put(body, "description", tender.description)
    if tender.value_pence is not None:
        body["value"] = value(tender.value_pence)
    put(body, "awardCriteriaDetails", tender.award_criteria_details)
    if tender.clarification_deadline is not None:
        body["enquiryPeriod"] = _period(Period(tender.published, tender.clarification_deadline))
    put(body, "awardPeriod", _period(tender.award_period))
    put(body, "contractPeriod", _period(tender.contract_period))
    put(body, "items", [_lot_item(lot) for lot in tender.lots])
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
    put(body, "amendments", [_amendment(a) for a in tender.amendments if a.date <= moment])
    return body


def _amendment(amendment: Amendment) -> Json:
    body: Json = {"id": amendment.id, "date": iso(amendment.date), "rationale": amendment.rationale}
    put(body, "description", amendment.description)
    return body


def award_body(process: Process, award: Award, moment: datetime) -> Json:
    body: Json = {
        "id": award.id,
        "status": award_status(award, moment),
        "date": iso(award.decided),
        "value": value(award.value_pence),
        "suppliers": [reference(party(process, key)) for key in award.supplier_keys],
    }
    put(body, "title", award.title)
    put(body, "description", award.description)
    put(body, "relatedLots", list(award.lot_ids))
    put(body, "contractPeriod", _period(award.contract_period))
    put(body, "standstillPeriod", _period(award.standstill))
    return body


def _agreed_metric(kpi: Kpi) -> Json:
    target: Json = {"id": "target", "measure": kpi.target}
    if kpi.unit:
        target["unit"] = {"name": kpi.unit}
    body: Json = {"id": kpi.id, "title": kpi.title, "observations": [target]}
    description = ". ".join(part for part in (kpi.description, kpi.frequency) if part)
    put(body, "description", description)
    return body


def reporting(contract: Contract, kpi_return: KpiReturn, moment: datetime) -> Json:
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


def observation(contract: Contract, kpi_return: KpiReturn) -> Json:
    kpi = next(k for k in contract.kpis if k.id == kpi_return.kpi_id)
    observation: Json = {"id": kpi_return.id}
    put(observation, "period", _period(kpi_return.period))
    put(observation, "measure", kpi_return.value)
    if kpi.unit:
        observation["unit"] = {"name": kpi.unit}
    return {"id": kpi.id, "title": kpi.title, "observations": [observation]}


def contract_head(contract: Contract, moment: datetime) -> Json:
    return {
        "id": contract.id,
        "awardID": contract.award_id,
        "status": _contract_status(contract, moment),
    }


def contract_body(contract: Contract, moment: datetime) -> Json:
    body = contract_head(contract, moment)
    body["value"] = value(contract.value_pence)
    put(body, "title", contract.title)
    put(body, "description", contract.description)
    put(body, "period", _period(contract.period))
    if contract.signed is not None and contract.signed <= moment:
        body["dateSigned"] = iso(contract.signed)
    put(body, "agreedMetrics", [_agreed_metric(k) for k in contract.kpis])
    milestones = [reporting(contract, r, moment) for r in contract.returns]
    if milestones:
        body["implementation"] = {"milestones": milestones}
    return body


def transaction(process: Process, payment: Payment) -> Json:
    return {
        "id": payment.id,
        "date": iso(payment.date),
        "value": value(payment.value_pence),
        "payer": reference(party(process, process.buyer_key)),
        "payee": reference(party(process, payment.payee_key)),
    }


def party(process: Process, key: str) -> Party:
    return process.by_key[key]
