"""Commissioning records as OCDS: rows turned into the plain inputs of opus/engines/ocds.py.

Rows are read as flat columns, a chunk of opportunities at a time (keyset pages on the
primary key), with one query per related table per chunk — lots, awards and their
suppliers, contracts, KPIs, returns, unsealed bids, consortium members, decisions, plans and
organisations — so the number of queries grows with the number of chunks only, and memory
holds one chunk at a time however many processes there are.

Sealed bids: bids are read only for opportunities whose submission deadline has passed
(their bidders become ``tenderers``, counted at the deadline and named from the first
award); prices appear only as award values. Drafts are never published.

The ocid is the opportunity's own, given when it was created from settings.OCDS_OCID_PREFIX
(read then); :func:`ocid_prefix` reads the same setting now.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from opus.commissioning.models import (
    KPI,
    Award,
    AwardStatus,
    Bid,
    BidStatus,
    CommissioningPlan,
    ConsortiumMember,
    Contract,
    ContractStatus,
    KpiFrequency,
    KpiReturn,
    Lot,
    LotStatus,
    MemberStatus,
    Opportunity,
    OpportunityStatus,
    PlanStatus,
    PriceFormula,
    Procedure,
    Reservation,
    ServiceLevel,
    TieBreak,
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
ORGANISATION_COLUMNS = (
    "id", "uuid", "name", "kind", "charity_number", "company_number", "org_id", "size_band",
    "address", "postcode", "website",
)  # fmt: skip
OPPORTUNITY_COLUMNS = (
    "id", "ocid", "title", "description", "buyer_id", "plan_id", "value_pence", "procedure",
    "reservation", "status", "published_at", "clarification_deadline", "submission_deadline",
    "award_by", "contract_start", "contract_end", "price_weight", "quality_weight",
    "social_value_weight", "price_formula", "tie_break", "updated_at",
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


def page_url_maker() -> Callable[[int], str]:
    """The public page of an opportunity by its key, when the site has one (else no link)."""
    marker = 987654321
    try:
        pattern = site_url(reverse("commissioning:opportunity_detail", args=[marker]))
    except NoReverseMatch:
        return lambda pk: ""
    before, after = pattern.split(str(marker))
    return lambda pk: f"{before}{pk}{after}"


# --- which opportunities ----------------------------------------------------------------------


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
    awards = Award.objects.filter(lot__opportunity=OuterRef("pk")).filter(
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


# --- organisations → parties ------------------------------------------------------------------


def org_id_of(organisation: Any) -> str:
    """Its org-id, or one made from its charity or company number ("" when it has none)."""
    if organisation.org_id:
        return str(organisation.org_id)
    number = organisation.charity_number
    if number:
        if number.startswith("SC"):
            return f"GB-SC-{number}"
        if number.startswith("NI"):
            return f"GB-NIC-{number.removeprefix('NIC')}"
        return f"GB-CHC-{number}"
    return f"GB-COH-{organisation.company_number}" if organisation.company_number else ""


def party_of(organisation: Any) -> ocds.Party:
    """An organisation (a model instance or a row with the same names) as an OCDS party:
    its org-id, the UK flags (VCSE, public-service mutual) and its scale."""
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


# --- reading a chunk --------------------------------------------------------------------------


def _grouped(rows: Iterable[Any], key: str = "parent") -> dict[Any, list[Any]]:
    found: dict[Any, list[Any]] = defaultdict(list)
    for row in rows:
        found[getattr(row, key)].append(row)
    return found


class _Chunk:
    """Every row a chunk of opportunities needs, one query per table, grouped by parent."""

    def __init__(self, rows: list[Any], now: datetime) -> None:
        # Each table is filtered by its parent's keys (an indexed IN list), never through
        # joins back to the opportunity: the cost stays per chunk, however large the tables.
        ids = [row.id for row in rows]
        self.lots = _grouped(
            Lot.objects.filter(opportunity_id__in=ids)
            .order_by("number")
            .values_list("id", "opportunity_id", "number", "title", "description",
                         "value_pence", "status", "updated_at", "area__name", named=True),
            "opportunity_id",
        )  # fmt: skip
        lot_ids = [lot.id for found in self.lots.values() for lot in found]
        self.awards = _grouped(
            Award.objects.filter(lot_id__in=lot_ids, decided_at__lte=now)
            .order_by("decided_at", "pk")
            .values_list("id", "lot_id", "value_pence", "reasons", "status", "decided_at",
                         "standstill_ends", "confirmed_at", "reversed_at", "reversal_reason",
                         named=True),
            "lot_id",
        )  # fmt: skip
        award_ids = [award.id for found in self.awards.values() for award in found]
        self.suppliers = _grouped(
            Award.suppliers.through.objects.filter(award_id__in=award_ids)
            .order_by("pk")
            .values_list("award_id", "organisation_id", named=True),
            "award_id",
        )
        self._read_contracts(award_ids)
        self._read_bids([row.id for row in rows if now >= row.submission_deadline])
        self._read_plans(rows)
        wanted = {row.buyer_id for row in rows}
        wanted |= {s.organisation_id for found in self.suppliers.values() for s in found}
        wanted |= {b.bidder_id for found in self.bids.values() for b in found}
        wanted |= {m.organisation_id for found in self.members.values() for m in found}
        self.organisations = {
            row.id: party_of(row)
            for row in Organisation.objects.filter(pk__in=wanted).values_list(
                *ORGANISATION_COLUMNS, named=True
            )
        }

    def _read_contracts(self, award_ids: list[int]) -> None:
        self.contracts = {
            row.award_id: row
            for row in Contract.objects.filter(award_id__in=award_ids).values_list(
                "id", "award_id", "title", "value_pence", "start_date", "end_date", "status",
                "signed_at", "updated_at", named=True)
        }  # fmt: skip
        self.kpis = _grouped(
            KPI.objects.filter(contract_id__in=[c.id for c in self.contracts.values()])
            .order_by("pk")
            .values_list("id", "contract_id", "name", "measure", "unit", "target", "frequency",
                         named=True),
            "contract_id",
        )  # fmt: skip
        kpi_ids = [kpi.id for found in self.kpis.values() for kpi in found]
        self.returns = _grouped(
            KpiReturn.objects.filter(kpi_id__in=kpi_ids)
            .order_by("period_start", "pk")
            .values_list("id", "kpi_id", "period_start", "period_end", "due_date", "value",
                         "submitted_at", named=True),
            "kpi_id",
        )  # fmt: skip

    def _read_bids(self, unsealed: list[int]) -> None:
        # Only opportunities whose deadline has passed: before it, no bid is read at all.
        self.bids = _grouped(
            Bid.objects.filter(opportunity_id__in=unsealed, status=BidStatus.SUBMITTED)
            .order_by("submitted_at", "pk")
            .values_list("opportunity_id", "bidder_id", "consortium_id", named=True),
            "opportunity_id",
        )
        consortia = {b.consortium_id for found in self.bids.values() for b in found}
        self.members = _grouped(
            ConsortiumMember.objects.filter(
                consortium_id__in=consortia - {None}, status=MemberStatus.CONFIRMED
            )
            .order_by("-is_lead", "pk")
            .values_list("consortium_id", "organisation_id", named=True),
            "consortium_id",
        )

    def _read_plans(self, rows: list[Any]) -> None:
        self.plans = {
            row.id: row
            for row in CommissioningPlan.objects.filter(
                pk__in={r.plan_id for r in rows} - {None}, status=PlanStatus.PUBLISHED
            ).values_list("id", "title", "period", "summary", "published_at", named=True)
        }
        through = Opportunity.decisions.through.objects.filter(
            opportunity_id__in=[r.id for r in rows if r.plan_id in self.plans]
        )
        self.decisions = _grouped(
            through.order_by("servicedecision_id").values_list(
                "opportunity_id", "servicedecision__need", "servicedecision__level",
                "servicedecision__budget_pence", named=True),
            "opportunity_id",
        )  # fmt: skip


# --- rows → engine inputs ---------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def _end_of(day: date) -> datetime:
    """The instant a London calendar day ends (midnight at its close)."""
    return _start_of(day) + timedelta(days=1)


LEVELS = dict(ServiceLevel.choices)
FORMULAS = dict(PriceFormula.choices)
TIE_BREAKS = dict(TieBreak.choices)
FREQUENCIES = dict(KpiFrequency.choices)


def _planning(row: Any, chunk: _Chunk) -> ocds.Planning | None:
    plan = chunk.plans.get(row.plan_id)
    if plan is None or plan.published_at is None:
        return None
    decisions = chunk.decisions.get(row.id, [])
    reasons = [f"{d.servicedecision__need}: {LEVELS[d.servicedecision__level]}" for d in decisions]
    budget = sum(d.servicedecision__budget_pence for d in decisions)
    return ocds.Planning(
        date=plan.published_at,
        rationale="; ".join(reasons) or plan.summary,
        budget_id=f"plan-{plan.id}",
        budget_description=f"{plan.title} ({plan.period})",
        budget_pence=budget or None,
    )


def _criteria(row: Any) -> str:
    return (
        f"Points out of 100: price {row.price_weight}, quality {row.quality_weight}, social "
        f"value {row.social_value_weight}. Price scored as "
        f"{FORMULAS.get(row.price_formula, row.price_formula).lower()}; ties broken by "
        f"{TIE_BREAKS.get(row.tie_break, row.tie_break).lower()}."
    )


def _completed(lots: list[Any], awards: list[Any]) -> datetime | None:
    """When the last lot was decided, once none is still open."""
    if not lots or any(lot.status == LotStatus.ACTIVE for lot in lots):
        return None
    moments = [a.decided_at for a in awards if a.status != AwardStatus.CANCELLED]
    moments += [lot.updated_at for lot in lots if lot.status != LotStatus.AWARDED]
    return max(moments, default=None)


def _tender(row: Any, lots: list[Any], awards: list[Any], **extra: Any) -> ocds.Tender:
    cancelled = row.status == OpportunityStatus.CANCELLED
    return ocds.Tender(
        id=str(row.id),
        title=row.title,
        description=row.description,
        published=row.published_at,
        deadline=row.submission_deadline,
        value_pence=row.value_pence,
        light_touch=row.procedure == Procedure.LIGHT_TOUCH,
        clarification_deadline=row.clarification_deadline,
        award_period=ocds.Period(
            row.submission_deadline, _end_of(row.award_by) if row.award_by else None
        ),
        contract_period=ocds.Period(_start_of(row.contract_start), _end_of(row.contract_end)),
        lots=tuple(
            ocds.Lot(
                str(lot.number), lot.title, lot.description, lot.value_pence, lot.area__name or ""
            )
            for lot in lots
        ),  # fmt: skip
        award_criteria_details=_criteria(row),
        reserved=RESERVED.get(row.reservation, ()),
        # Opportunity has no cancelled_at yet: its last change stands in for the moment.
        cancelled=row.updated_at if cancelled else None,
        complete=None if cancelled else _completed(lots, awards),
        **extra,
    )


def _award(row: Any, lot: Any, chunk: _Chunk, period: ocds.Period) -> ocds.Award:
    return ocds.Award(
        id=str(row.id),
        decided=row.decided_at,
        supplier_keys=tuple(
            chunk.organisations[s.organisation_id].key for s in chunk.suppliers.get(row.id, [])
        ),
        value_pence=row.value_pence,
        lot_ids=(str(lot.number),),
        title=f"Lot {lot.number}: {lot.title}",
        description=row.reasons,
        standstill=ocds.Period(row.decided_at, row.standstill_ends),
        active_from=row.confirmed_at,
        contract_period=period,
        cancelled=row.reversed_at if row.status == AwardStatus.CANCELLED else None,
        cancellation_reason=row.reversal_reason,
    )


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _contract(award: Any, row: Any, chunk: _Chunk) -> ocds.Contract:
    kpis = chunk.kpis.get(row.id, [])
    ended = None
    if row.status == ContractStatus.CANCELLED:
        ended = award.reversed_at or row.updated_at
    elif row.status == ContractStatus.TERMINATED:
        ended = row.updated_at  # no ended_at on Contract yet
    return ocds.Contract(
        id=str(row.id),
        award_id=str(award.id),
        created=row.signed_at,
        value_pence=row.value_pence,
        title=row.title,
        signed=None if row.status == ContractStatus.PENDING else row.signed_at,
        period=ocds.Period(_start_of(row.start_date), _end_of(row.end_date)),
        kpis=tuple(
            ocds.Kpi(
                str(k.id),
                k.name,
                float(k.target),
                k.unit,
                FREQUENCIES.get(k.frequency, k.frequency),
                k.measure,
            )
            for k in kpis
        ),  # fmt: skip
        returns=tuple(
            ocds.KpiReturn(
                id=str(r.id),
                kpi_id=str(r.kpi_id),
                due=_end_of(r.due_date),
                period=ocds.Period(_start_of(r.period_start), _end_of(r.period_end)),
                submitted=r.submitted_at,
                value=_number(r.value),
            )
            for k in kpis
            for r in chunk.returns.get(k.id, [])
        ),  # fmt: skip
        ended=ended,
        end_status=row.status if ended else "terminated",
    )


def _tenderers(row: Any, chunk: _Chunk) -> dict[str, ocds.Party]:
    """Every organisation that bid: bidders and their consortia's confirmed members."""
    found: dict[str, ocds.Party] = {}
    for bid in chunk.bids.get(row.id, []):
        party = chunk.organisations[bid.bidder_id]
        found.setdefault(party.key, party)
        for member in chunk.members.get(bid.consortium_id, []):
            party = chunk.organisations[member.organisation_id]
            found.setdefault(party.key, party)
    return found


def _process(row: Any, chunk: _Chunk, now: datetime, page_url: str) -> ocds.Process:
    lots = chunk.lots.get(row.id, [])
    by_lot = [(award, lot) for lot in lots for award in chunk.awards.get(lot.id, [])]
    buyer = chunk.organisations[row.buyer_id]
    parties = {buyer.key: buyer}
    if now >= row.submission_deadline:
        parties.update(_tenderers(row, chunk))
    tenderers = tuple(key for key in parties if key != buyer.key)
    for award, _ in by_lot:
        for supplier in chunk.suppliers.get(award.id, []):
            party = chunk.organisations[supplier.organisation_id]
            parties.setdefault(party.key, party)
    period = ocds.Period(_start_of(row.contract_start), _end_of(row.contract_end))
    awards = [award for award, _ in by_lot]
    return ocds.Process(
        ocid=row.ocid,
        buyer_key=buyer.key,
        parties=tuple(parties.values()),
        planning=_planning(row, chunk),
        tender=_tender(row, lots, awards, tenderer_keys=tenderers, url=page_url),
        awards=tuple(_award(award, lot, chunk, period) for award, lot in by_lot),
        contracts=tuple(
            _contract(award, chunk.contracts[award.id], chunk)
            for award in awards
            if award.id in chunk.contracts
        ),
    )


def processes(
    opportunities: QuerySet[Opportunity], *, now: datetime, chunk_size: int = CHUNK
) -> Iterator[ocds.Process]:
    """Engine processes, oldest first, a chunk of rows at a time; one that can't be published
    is skipped (and logged) rather than stopping the rest."""
    page_url = page_url_maker()
    last = 0
    while True:
        rows = list(
            opportunities.filter(pk__gt=last)
            .order_by("pk")
            .values_list(*OPPORTUNITY_COLUMNS, named=True)[:chunk_size]
        )
        if not rows:
            return
        last = rows[-1].id
        chunk = _Chunk(rows, now)
        for row in rows:
            try:
                yield _process(row, chunk, now, page_url(row.id))
            except ValueError as exc:
                log.warning("OCDS: %s left out: %s", row.ocid, exc)


# --- releases and records -------------------------------------------------------------------


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
