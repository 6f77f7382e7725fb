"""Events → releases: one release per thing that happened, dated when it happened."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import NamedTuple

from opus.engines.ocds.process import Award, Contract, Json, KpiReturn, Payment, Process
from opus.engines.ocds.sections import (
    award_body,
    award_status,
    contract_body,
    contract_head,
    iso,
    observation,
    party,
    party_body,
    put,
    reference,
    reporting,
    roles_at,
    tender_body,
    tender_head,
    transaction,
    value,
)


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
        put(body, "rationale", planning.rationale)
        if planning.budget_pence is not None:
            budget: Json = {"id": planning.budget_id or "budget"}
            put(budget, "description", planning.budget_description)
            budget["amount"] = value(planning.budget_pence)
            body["budget"] = budget
        head = {"id": tender.id, "title": tender.title, "status": "planning"}
        return {"planning": body, "tender": head}

    yield Event(min(planning.date, tender.published), 0, "planning", "planning", sections)


def _tender_events(process: Process) -> Iterator[Event]:
    tender = process.tender

    def full(moment: datetime) -> Json:
        return {"tender": tender_body(process, moment)}

    def counted(moment: datetime) -> Json:
        head = tender_head(process, moment)
        head["numberOfTenderers"] = len(tender.tenderer_keys)
        return {"tender": head}

    def head(moment: datetime) -> Json:
        return {"tender": tender_head(process, moment)}

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
        tender = tender_head(process, moment)
        tender["numberOfTenderers"] = len(process.tender.tenderer_keys)
        tender["tenderers"] = [reference(party(process, k)) for k in process.tender.tenderer_keys]
        return {"tender": tender, "awards": [award_body(process, award, moment)]}

    def changed(moment: datetime) -> Json:
        body: Json = {"id": award.id, "status": award_status(award, moment)}
        if award.cancelled is not None and award.cancelled <= moment:
            body["amendments"] = [
                {
                    "id": f"{award.id}-cancellation",
                    "date": iso(award.cancelled),
                    "rationale": award.cancellation_reason or "The award was reversed",
                }
            ]
        return {"tender": tender_head(process, moment), "awards": [body]}

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
        return {"contracts": [contract_body(contract, moment)]}

    def signed(moment: datetime) -> Json:
        body = contract_head(contract, moment)
        put(body, "dateSigned", iso(contract.signed) if contract.signed else None)
        return {"contracts": [body]}

    def ended(moment: datetime) -> Json:
        body = contract_head(contract, moment)
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
        body = contract_head(contract, moment)
        body["implementation"] = parts
        return {"contracts": [body]}

    for kpi_return in contract.returns:

        def reported(moment: datetime, r: KpiReturn = kpi_return) -> Json:
            return implementation(
                moment,
                milestones=[reporting(contract, r, moment)],
                metrics=[observation(contract, r)],
            )

        def missed(moment: datetime, r: KpiReturn = kpi_return) -> Json:
            return implementation(moment, milestones=[reporting(contract, r, moment)])

        if kpi_return.submitted is None or kpi_return.submitted > kpi_return.due:
            tag = "implementationUpdate"
            suffix = f"contract-{contract.id}-return-{kpi_return.id}-missed"
            yield Event(kpi_return.due, 11, suffix, tag, missed)
        if kpi_return.submitted is not None:
            suffix = f"contract-{contract.id}-return-{kpi_return.id}"
            yield Event(kpi_return.submitted, 12, suffix, "implementation", reported)
    for payment in contract.payments:

        def paid(moment: datetime, p: Payment = payment) -> Json:
            return implementation(moment, transactions=[transaction(process, p)])

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
    parties = {p.key: party_body(p) for p in process.parties}
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
            "buyer": reference(party(process, process.buyer_key)),
            "parties": [
                {**parties[key], "roles": roles}
                for key, roles in roles_at(process, event.moment).items()
            ],
        }
        release.update(event.sections(event.moment))
        built.append(release)
    return built
