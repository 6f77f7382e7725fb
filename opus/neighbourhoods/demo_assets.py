"""The demo world's register of assets (synthetic): some of the council's land and buildings,
and assets of community value at every stage, one in its interim moratorium today.

Called by the demo builder after the organisations and people exist; dates are relative to
today and worked by the rules engine. Like every bulk load it writes one audit event.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from opus.core.audit import audit_record
from opus.core.models import Area, AreaKind, Organisation
from opus.engines import community_assets as rules
from opus.neighbourhoods.assets import _next_reference
from opus.neighbourhoods.models.assets import (
    AcvStatus,
    BidderRequest,
    CommunityAsset,
    DisposalNotice,
    GrantRoundOffer,
    PublicAsset,
    Tenure,
)

COUNCIL = "northvale-council"

# reference, name, street, use, tenure, surplus, condition
LAND = [
    ("NV-L001", "Northvale Town Hall", "Market Place", "Office", Tenure.FREEHOLD, False, "Good"),
    ("NV-L002", "Former Mill Lane Depot", "Mill Lane", "Depot", Tenure.FREEHOLD, True, "Poor"),
    ("NV-L003", "Old Town Community Centre", "Green Road", "Community centre", Tenure.LEASEHOLD,
     False, "Fair"),
    ("NV-L004", "Harbourside Library", "Quay Street", "Library", Tenure.FREEHOLD, False, "Fair"),
    ("NV-L005", "Brook Field Allotments", "Brook Lane", "Allotments", Tenure.FREEHOLD, False, ""),
    ("NV-L006", "Former Weald Primary School", "School Lane", "Vacant school", Tenure.FREEHOLD,
     True, "Poor"),
]  # fmt: skip


def _council(name: str) -> Organisation | None:
    slug = f"{name.lower().replace(' ', '-')}-neighbourhood-council"
    return Organisation.objects.filter(slug=slug).first()


def _group(slug: str, fallback: Organisation) -> Organisation:
    return Organisation.objects.filter(slug=slug).first() or fallback


def seed_asset_register(seed: int = 0) -> dict[str, Any]:
    """Make the demo register; returns what it made (counts and the moratorium's reference)."""
    council = Organisation.objects.filter(slug=COUNCIL).first()
    if council is None:
        return {"public_assets": 0, "acvs": 0}
    today = timezone.localdate()
    regime = rules.regime_for(rules.DEFAULT_REGIME, today)
    lsoas = list(Area.objects.filter(kind=AreaKind.LSOA).order_by("code")[:50])

    def place(i: int) -> dict[str, Any]:
        if not lsoas:
            return {}
        area = lsoas[(seed + i * 7) % len(lsoas)]
        return {"lsoa": area, "latitude": area.latitude, "longitude": area.longitude}

    land = {}
    for i, (ref, name, street, use, tenure, surplus, condition) in enumerate(LAND):
        land[ref] = PublicAsset.objects.create(
            owner=council, reference=ref, name=name, street_name=street, town="Northvale",
            use=use, tenure=tenure, surplus=surplus, condition=condition,
            occupied_by_owner=not surplus, source="Demo world (synthetic)",
            import_source="demo", **place(i),
        )  # fmt: skip

    def acv(name: str, address: str, nominator: Organisation, neighbourhood: str, *,
            nominated_days_ago: int, listed_days_ago: int | None = None, listed: bool = True,
            public: PublicAsset | None = None, owner: str = "Private owner",
            reasons: str, i: int = 0) -> CommunityAsset:  # fmt: skip
        nominated_on = today - dt.timedelta(days=nominated_days_ago)
        fields: dict[str, Any] = {
            "reference": _next_reference(), "name": name, "address_text": address,
            "owner_name": owner, "listing_authority": council,
            "neighbourhood_council": _council(neighbourhood), "regime": regime.code,
            "nominator": nominator, "nominated_on": nominated_on, "reasons": reasons,
            "decision_due": rules.decision_due(regime, nominated_on), "public_asset": public,
            **place(i + 10),
        }  # fmt: skip
        if listed_days_ago is not None:
            decided = today - dt.timedelta(days=listed_days_ago)
            fields.update(decided_on=decided)
            if listed:
                fields.update(
                    status=AcvStatus.LISTED,
                    decision_reasons="Its main use furthers the community's social wellbeing.",
                    listed_until=rules.listing_end(regime, decided),
                    review_request_end=rules.review_request_end(regime, decided),
                )
            else:
                fields.update(
                    status=AcvStatus.NOT_LISTED,
                    decision_reasons="Its main use is ancillary to a shop, not a community use.",
                )
        return CommunityAsset.objects.create(**fields)

    walkers = _group("old-town-walking-group", council)
    kitchen = _group("harbour-community-kitchen", council)
    pub = acv(
        "The Old Town Arms", "4 Castle Street, Old Town, Northvale", walkers, "Old Town",
        nominated_days_ago=460, listed_days_ago=420, owner="Vale Inns Ltd", i=1,
        reasons="The only pub left in Old Town: darts and quiz teams, the walking group's base.",
    )  # fmt: skip
    hall = acv(
        "Riverside Community Hall", "Green Road, Riverside, Northvale",
        _council("Riverside") or council, "Riverside", nominated_days_ago=300,
        listed_days_ago=260, public=land["NV-L003"], owner="Northvale Council", i=2,
        reasons="Home of the lunch club, the toddler group and the residents' association.",
    )  # fmt: skip
    library = acv(
        "Harbourside Library", "Quay Street, Harbourside, Northvale", kitchen, "Harbourside",
        nominated_days_ago=500, listed_days_ago=470, public=land["NV-L004"],
        owner="Northvale Council", i=3,
        reasons="Homework club, job clubs and the only free computers in Harbourside.",
    )  # fmt: skip
    acv(
        "Weald Playing Field", "School Lane, Weald, Northvale", _council("Weald") or council,
        "Weald", nominated_days_ago=12, owner="Weald Estates", i=4,
        reasons="Village football, the summer fair and bonfire night.",
    )  # fmt: skip
    acv(
        "North Vale Post Office", "1 Station Road, North Vale", walkers, "North Vale",
        nominated_days_ago=120, listed_days_ago=80, listed=False, owner="Private owner", i=5,
        reasons="Post office counter used by older residents.",
    )  # fmt: skip
    del hall

    # The pub: its owner's notice came 10 days ago, so its interim moratorium runs today.
    pub_notice_on = today - dt.timedelta(days=10)
    clocks = rules.clocks(regime, pub_notice_on)
    notice = DisposalNotice.objects.create(
        asset=pub, notice_date=pub_notice_on, regime=regime.code, interim_end=clocks.interim_end,
        protected_end=clocks.protected_end,
    )  # fmt: skip
    if pub.neighbourhood_council is not None:
        GrantRoundOffer.objects.create(
            notice=notice, neighbourhood_council=pub.neighbourhood_council, offered_on=today
        )
    # The library: a notice 60 days ago, and the kitchen asked to bid in time: full moratorium.
    library_notice_on = today - dt.timedelta(days=60)
    asked_on = library_notice_on + dt.timedelta(days=20)
    clocks = rules.clocks(regime, library_notice_on, request_date=asked_on)
    notice = DisposalNotice.objects.create(
        asset=library, notice_date=library_notice_on, regime=regime.code,
        interim_end=clocks.interim_end, full_end=clocks.full_end,
        protected_end=clocks.protected_end,
    )  # fmt: skip
    BidderRequest.objects.create(notice=notice, group=kitchen, made_on=asked_on)
    if library.neighbourhood_council is not None:
        GrantRoundOffer.objects.create(
            notice=notice, neighbourhood_council=library.neighbourhood_council,
            offered_on=library_notice_on,
        )  # fmt: skip

    made = {
        "public_assets": len(land),
        "acvs": CommunityAsset.objects.count(),
        "in_interim_moratorium": pub.reference,
    }
    audit_record(
        actor=None,
        action="demo.assets",
        object_type="system",
        object_id="assets",
        summary={**made, "synthetic": True},
    )
    return made
