"""Commissioning records as OCDS: rows turned into the plain inputs of opus/engines/ocds.py.

Queries are bounded per chunk of opportunities, however many there are: one query for the
opportunities (with their buyer and plan) and one per related table (lots, awards, their
suppliers, contracts' KPIs and returns, live bids and consortium members, decisions),
iterated with ``.iterator(chunk_size=…)`` so that memory holds one chunk at a time.

Sealed bids: bids are read only for opportunities whose submission deadline has passed
(their bidders become ``tenderers``, counted at the deadline and named from the first
award); prices appear only as award values. Drafts are never published.

The ocid is the opportunity's own, given when it was created from settings.OCDS_OCID_PREFIX
(read then); :func:`ocid_prefix` reads the same setting now, for the package metadata.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from opus.commissioning.models import (
    KPI,
    Award,
    AwardStatus,
    Bid,
    BidStatus,
    ConsortiumMember,
    Contract,
    ContractStatus,
    KpiReturn,
    Lot,
    LotStatus,
    MemberStatus,
    Opportunity,
    OpportunityStatus,
    PlanStatus,
    Procedure,
    Reservation,
    ServiceDecision,
)
from opus.core.models import PUBLIC_KINDS, Organisation, OrganisationKind
from opus.engines import ocds

log = logging.getLogger(__name__)

CHUNK = 500
DEFAULT_OCID_PREFIX = "ocds-xxxxxx"  # OCP's placeholder: register a real prefix to publish
VCSE_KINDS = {
    OrganisationKind.CHARITY,
    OrganisationKind.COMMUNITY_GROUP,
    OrganisationKind.SOCIAL_ENTERPRISE,
}
SCALE = {"micro": "micro", "small": "sme", "medium": "sme", "large": "large"}
RESERVED = {
    Reservation.VCSE_SME: ("sme", "vcse"),
    Reservation.MUTUAL: ("publicServiceMissionOrganization",),
}
ORGANISATION_FIELDS = (
    "id", "uuid", "name", "kind", "charity_number", "company_number", "org_id", "size_band",
    "address", "postcode", "website",
)  # fmt: skip
OPPORTUNITY_FIELDS = (
    "id", "ocid", "title", "description", "buyer", "plan", "value_pence", "procedure",
    "reservation", "status", "published_at", "clarification_deadline", "submission_deadline",
    "award_by", "contract_start", "contract_end", "price_weight", "quality_weight",
    "social_value_weight", "price_formula", "tie_break", "updated_at",
)  # fmt: skip
PLAN_FIELDS = (
    "plan__id", "plan__title", "plan__period", "plan__summary", "plan__status",
    "plan__published_at",
)  # fmt: skip


# --- settings, read at call time ------------------------------------------------------------


def ocid_prefix() -> str:
    """The publisher's registered OCDS prefix (settings.OCDS_OCID_PREFIX)."""
    return str(getattr(settings, "OCDS_OCID_PREFIX", DEFAULT_OCID_PREFIX))


def publisher() -> ocds.Publisher:
    """Who publishes: settings.OCDS_PUBLISHER_NAME, else the site's name, at the site's URL."""
    name = getattr(settings, "OCDS_PUBLISHER_NAME", "") or settings.SITE_NAME
    return ocds.Publisher(name=str(name), uri=str(settings.SITE_URL).rstrip("/") + "/")


def site_url(path: str) -> str:
    return str(settings.SITE_URL).rstrip("/") + path


# --- which opportunities, read how ----------------------------------------------------------


def public_opportunities() -> QuerySet[Opportunity]:
    """Every opportunity that has been published (whatever became of it), oldest first."""
    return (
        Opportunity.objects.exclude(status=OpportunityStatus.DRAFT)
        .filter(published_at__isnull=False)
        .order_by("pk")
    )


def changed_since(opportunities: QuerySet[Opportunity], since: datetime) -> QuerySet[Opportunity]:
    """Those that may have a release dated at or after `since`: a row changed since, or a
    moment passed since (the deadline, a standstill's end, a KPI return falling due)."""
    by_opportunity = {"lot__opportunity": OuterRef("pk")}
    awards = Award.objects.filter(**by_opportunity).filter(
        Q(updated_at__gte=since) | Q(standstill_ends__gte=since)
    )
    contracts = Contract.objects.filter(
        award__lot__opportunity=OuterRef("pk"), updated_at__gte=since
    )
    returns = KpiReturn.objects.filter(
        kpi__contract__award__lot__opportunity=OuterRef("pk")
    ).filter(
        Q(updated_at__gte=since) | Q(due_date__gte=timezone.localdate(since) - timedelta(days=1))
    )
    return opportunities.filter(
        Q(updated_at__gte=since)
        | Q(published_at__gte=since)
        | Q(submission_deadline__gte=since)
        | Q(plan__published_at__gte=since)
        | Exists(awards)
        | Exists(contracts)
        | Exists(returns)
    )


def _organisations(prefix: str) -> list[str]:
    return [f"{prefix}{field}" for field in ORGANISATION_FIELDS]


def with_everything(
    opportunities: QuerySet[Opportunity], *, now: datetime
) -> QuerySet[Opportunity]:
    """The related rows OCDS needs, one query per table per chunk; bids only once unsealed."""
    bids = (
        Bid.objects.filter(status=BidStatus.SUBMITTED, opportunity__submission_deadline__lte=now)
        .select_related("bidder", "consortium")
        .only("id", "opportunity_id", "submitted_at", "consortium__id", *_organisations("bidder__"))
        .order_by("submitted_at", "pk")
    )
    members = (
        ConsortiumMember.objects.filter(status=MemberStatus.CONFIRMED)
        .select_related("organisation")
        .only("id", "consortium_id", "is_lead", *_organisations("organisation__"))
        .order_by("-is_lead", "pk")
    )
    awards = (
        Award.objects.filter(decided_at__lte=now)
        .select_related("contract")
        .order_by("decided_at", "pk")
    )
    lots = Lot.objects.select_related("area").only(
        "id", "opportunity_id", "number", "title", "description", "value_pence", "status",
        "updated_at", "area__id", "area__name",
    ).order_by("number")  # fmt: skip
    return (
        opportunities.select_related("buyer", "plan")
        .only(*OPPORTUNITY_FIELDS, *_organisations("buyer__"), *PLAN_FIELDS)
        .prefetch_related(
            Prefetch("lots", queryset=lots),
            Prefetch("lots__awards", queryset=awards),
            Prefetch(
                "lots__awards__suppliers", queryset=Organisation.objects.only(*ORGANISATION_FIELDS)
            ),
            Prefetch("lots__awards__contract__kpis", queryset=KPI.objects.order_by("pk")),
            Prefetch(
                "lots__awards__contract__kpis__returns",
                queryset=KpiReturn.objects.order_by("period_start", "pk"),
            ),
            Prefetch("bids", queryset=bids),
            Prefetch("bids__consortium__members", queryset=members),
            Prefetch("decisions", queryset=ServiceDecision.objects.order_by("pk")),
        )
    )


# --- rows → engine inputs -------------------------------------------------------------------


def org_id_of(organisation: Organisation) -> str:
    """Its org-id, or one made from its charity or company number ("" when it has none)."""
    if organisation.org_id:
        return organisation.org_id
    number = organisation.charity_number
    if number:
        if number.startswith("SC"):
            return f"GB-SC-{number}"
        return (
            f"GB-NIC-{number.removeprefix('NIC')}"
            if number.startswith("NI")
            else (f"GB-CHC-{number}")
        )
    return f"GB-COH-{organisation.company_number}" if organisation.company_number else ""


def party_of(organisation: Organisation) -> ocds.Party:
    """An organisation as an OCDS party: org-id, UK flags (VCSE, mutual) and scale."""
    org_id = org_id_of(organisation)
    public = organisation.kind in PUBLIC_KINDS
    return ocds.Party(
        key=org_id or f"opus-organisation-{organisation.uuid}",
        name=organisation.name,
        org_id=org_id,
        scale="" if public else SCALE.get(organisation.size_band, ""),
        vcse=organisation.kind in VCSE_KINDS,
        public_service_mission=organisation.kind == OrganisationKind.MUTUAL,
        street_address=organisation.address,
        postcode=organisation.postcode,
        url=organisation.website,
    )


def _start_of(day: Any) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def _end_of(day: Any) -> datetime:
    """The instant a London calendar day ends (midnight at its close)."""
    return _start_of(day) + timedelta(days=1)


class _Parties:
    """The parties of one process, keyed as the engine keys them."""

    def __init__(self) -> None:
        self.found: dict[str, ocds.Party] = {}

    def key(self, organisation: Organisation) -> str:
        party = party_of(organisation)
        self.found.setdefault(party.key, party)
        return party.key


def _planning(opportunity: Opportunity) -> ocds.Planning | None:
    plan = opportunity.plan
    if plan is None or plan.status != PlanStatus.PUBLISHED or plan.published_at is None:
        return None
    decisions = list(opportunity.decisions.all())
    reasons = [f"{d.need}: {d.get_level_display()}" for d in decisions]
    return ocds.Planning(
        date=plan.published_at,
        rationale="; ".join(reasons) or plan.summary,
        budget_id=f"plan-{plan.pk}",
        budget_description=f"{plan.title} ({plan.period})",
        budget_pence=sum(d.budget_pence for d in decisions) or None,
    )


def _tenderers(opportunity: Opportunity, parties: _Parties) -> tuple[str, ...]:
    keys: list[str] = []
    for bid in opportunity.bids.all():
        keys.append(parties.key(bid.bidder))
        if bid.consortium_id is not None:
            keys += [parties.key(m.organisation) for m in bid.consortium.members.all()]
    return tuple(dict.fromkeys(keys))


def _criteria(opportunity: Opportunity) -> str:
    return (
        f"Points out of 100: price {opportunity.price_weight}, quality "
        f"{opportunity.quality_weight}, social value {opportunity.social_value_weight}. "
        f"Price scored as {opportunity.get_price_formula_display().lower()}; ties broken by "
        f"{opportunity.get_tie_break_display().lower()}."
    )


def _completed(lots: list[Lot], awards: list[Award]) -> datetime | None:
    """When the last lot was decided, once none is still open."""
    if not lots or any(lot.status == LotStatus.ACTIVE for lot in lots):
        return None
    moments = [a.decided_at for a in awards if a.status != AwardStatus.CANCELLED]
    moments += [lot.updated_at for lot in lots if lot.status != LotStatus.AWARDED]
    return max(moments, default=None)


def _tender(opportunity: Opportunity, lots: list[Lot], awards: list[Any], **extra: Any) -> Any:
    cancelled = opportunity.status == OpportunityStatus.CANCELLED
    award_by = opportunity.award_by
    return ocds.Tender(
        id=str(opportunity.pk),
        title=opportunity.title,
        description=opportunity.description,
        published=opportunity.published_at,
        deadline=opportunity.submission_deadline,
        value_pence=opportunity.value_pence,
        light_touch=opportunity.procedure == Procedure.LIGHT_TOUCH,
        clarification_deadline=opportunity.clarification_deadline,
        award_period=ocds.Period(
            opportunity.submission_deadline, _end_of(award_by) if award_by else None
        ),
        contract_period=ocds.Period(
            _start_of(opportunity.contract_start), _end_of(opportunity.contract_end)
        ),
        lots=tuple(
            ocds.Lot(
                str(lot.number),
                lot.title,
                lot.description,
                lot.value_pence,
                lot.area.name if lot.area else "",
            )
            for lot in lots
        ),  # fmt: skip
        award_criteria_details=_criteria(opportunity),
        reserved=RESERVED.get(opportunity.reservation, ()),
        cancelled=_cancelled_at(opportunity) if cancelled else None,
        cancellation_reason=getattr(opportunity, "cancellation_reason", ""),
        complete=None if cancelled else _completed(lots, awards),
        **extra,
    )


def _cancelled_at(opportunity: Opportunity) -> datetime:
    # Opportunity has no cancelled_at yet: its last change stands in for the moment.
    return getattr(opportunity, "cancelled_at", None) or opportunity.updated_at


def _award(award: Award, lot: Lot, opportunity: Opportunity, parties: _Parties) -> ocds.Award:
    return ocds.Award(
        id=str(award.pk),
        decided=award.decided_at,
        supplier_keys=tuple(parties.key(o) for o in award.suppliers.all()),
        value_pence=award.value_pence,
        lot_ids=(str(lot.number),),
        title=f"Lot {lot.number}: {lot.title}",
        description=award.reasons,
        standstill=ocds.Period(award.decided_at, award.standstill_ends),
        active_from=award.confirmed_at,
        contract_period=ocds.Period(
            _start_of(opportunity.contract_start), _end_of(opportunity.contract_end)
        ),
        cancelled=award.reversed_at if award.status == AwardStatus.CANCELLED else None,
        cancellation_reason=award.reversal_reason,
    )


def _contract(award: Award, contract: Contract) -> ocds.Contract:
    kpis = list(contract.kpis.all())
    ended = None
    if contract.status == ContractStatus.CANCELLED:
        ended = award.reversed_at or contract.updated_at
    elif contract.status == ContractStatus.TERMINATED:
        ended = contract.updated_at  # no ended_at on Contract yet
    return ocds.Contract(
        id=str(contract.pk),
        award_id=str(award.pk),
        created=contract.signed_at,
        value_pence=contract.value_pence,
        title=contract.title,
        signed=None if contract.status == ContractStatus.PENDING else contract.signed_at,
        period=ocds.Period(_start_of(contract.start_date), _end_of(contract.end_date)),
        kpis=tuple(
            ocds.Kpi(
                str(k.pk), k.name, float(k.target), k.unit, k.get_frequency_display(), k.measure
            )
            for k in kpis
        ),  # fmt: skip
        returns=tuple(_return(r) for k in kpis for r in k.returns.all()),
        ended=ended,
        end_status=contract.status if ended else "terminated",
    )


def _return(row: KpiReturn) -> ocds.KpiReturn:
    return ocds.KpiReturn(
        id=str(row.pk),
        kpi_id=str(row.kpi_id),
        due=_end_of(row.due_date),
        period=ocds.Period(_start_of(row.period_start), _end_of(row.period_end)),
        submitted=row.submitted_at,
        value=None if row.value is None else float(row.value),
    )


def process_of(opportunity: Opportunity, *, now: datetime, page_url: str = "") -> ocds.Process:
    """One opportunity (read by :func:`with_everything`) as an engine Process."""
    parties = _Parties()
    buyer = parties.key(opportunity.buyer)
    lots = list(opportunity.lots.all())
    by_lot = [(award, lot) for lot in lots for award in lot.awards.all()]
    unsealed = now >= opportunity.submission_deadline
    tenderers = _tenderers(opportunity, parties) if unsealed else ()
    awards = tuple(_award(award, lot, opportunity, parties) for award, lot in by_lot)
    contracts = tuple(
        _contract(award, award.contract) for award, _ in by_lot if _has_contract(award)
    )
    tender = _tender(
        opportunity, lots, [a for a, _ in by_lot], tenderer_keys=tenderers, url=page_url
    )
    return ocds.Process(
        ocid=opportunity.ocid,
        buyer_key=buyer,
        parties=tuple(parties.found.values()),
        planning=_planning(opportunity),
        tender=tender,
        awards=awards,
        contracts=contracts,
    )


def _has_contract(award: Award) -> bool:
    try:
        award.contract  # noqa: B018 - select_related filled it, or it raises
    except Contract.DoesNotExist:
        return False
    return True


def page_url_maker() -> Callable[[Opportunity], str]:
    """The public page of an opportunity, when the site has one (else no link)."""
    try:
        reverse("commissioning:opportunity_detail", args=[1])
    except NoReverseMatch:
        return lambda opportunity: ""
    return lambda opportunity: site_url(opportunity.get_absolute_url())


# --- releases and records -------------------------------------------------------------------


def processes(
    opportunities: QuerySet[Opportunity], *, now: datetime, chunk_size: int = CHUNK
) -> Iterator[ocds.Process]:
    """Engine processes, a chunk of rows at a time; one that can't be published is skipped
    (and logged) rather than stopping the rest."""
    url = page_url_maker()
    rows = with_everything(opportunities, now=now).iterator(chunk_size=chunk_size)
    for opportunity in rows:
        try:
            yield process_of(opportunity, now=now, page_url=url(opportunity))
        except ValueError as exc:
            log.warning("OCDS: %s left out: %s", opportunity.ocid, exc)


def releases(
    found: Iterable[ocds.Process], *, now: datetime, since: datetime | None = None
) -> Iterator[dict[str, Any]]:
    """Every release of the processes up to `now`; with `since`, only those dated then or
    later (dates are all written in UTC the same way, so they compare as text)."""
    after = ocds.iso(since) if since is not None else ""
    for process in found:
        for release in ocds.releases(process, as_of=now):
            if release["date"] >= after:
                yield release


def record_of(ocid: str, *, now: datetime) -> dict[str, Any] | None:
    """The record of one public contracting process, or None when there is none to show."""
    found = list(processes(public_opportunities().filter(ocid=ocid), now=now))
    if not found:
        return None
    published = ocds.releases(found[0], as_of=now)
    return ocds.record(published) if published else None
