"""Every write to the register of assets of community value: permission-checked, one transaction
with its audit event and its notices.

Who may do what:
- **nominate**: staff (provider role) of a community group, charity, social enterprise or mutual,
  or a councillor of a neighbourhood council, on behalf of that organisation;
- **decide, record an owner's review, a disposal notice or an exempt disposal**: an officer
  (commissioner) of the listing authority, or an administrator;
- **ask to be treated as a potential bidder**: a community group (as for nominating), or an
  officer recording a written request that came by post.

Every date comes from `opus/engines/community_assets.py` under the regime in force on the day
of the event, and is stored, so a running clock never moves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from opus.core.audit import audit_record
from opus.core.models import Membership, Organisation, OrganisationKind, Role, User
from opus.core.roles import has_role
from opus.engines import community_assets as rules
from opus.neighbourhoods.models.assets import (
    AcvStatus,
    BidderRequest,
    CommunityAsset,
    DisposalNotice,
    ExemptDisposal,
    GrantRoundOffer,
    PublicAsset,
)
from opus.notifications.services import notify, site_link

GROUP_ROLES = (Role.PROVIDER, Role.COUNCILLOR)
COMMUNITY_KINDS = {
    OrganisationKind.CHARITY,
    OrganisationKind.COMMUNITY_GROUP,
    OrganisationKind.SOCIAL_ENTERPRISE,
    OrganisationKind.MUTUAL,
    OrganisationKind.NEIGHBOURHOOD_COUNCIL,
}
MAX_TEXT = 5_000


def configured_regimes() -> tuple[rules.Regime, ...]:
    """The engine's regimes and any set in settings.OPUS_ACV_REGIMES: a list of mappings such as
    {"code": "community-right-to-buy", "effective_from": "2027-04-01", "full": "12 months"}
    (see `rules.regime_from_mapping`), so a new regime or period needs no change of code."""
    extra = getattr(settings, "OPUS_ACV_REGIMES", None) or ()
    return (*rules.REGIMES, *(rules.regime_from_mapping(config) for config in extra))


def regime_for(code: str, on: dt.date) -> rules.Regime:
    return rules.regime_for(code, on, configured_regimes())


class AssetError(ValueError):
    """A change the rules refuse; `field` names the form field it is about, when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# --- Who may act ---------------------------------------------------------------------------


def group_organisations(user: Any) -> list[Organisation]:
    """The community organisations a user may nominate or ask to bid for."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Organisation.objects.filter(
            memberships__user=user,
            memberships__role__in=GROUP_ROLES,
            kind__in=COMMUNITY_KINDS,
        )
        .distinct()
        .order_by("name")
    )


def acts_for(user: Any, organisation: Organisation) -> bool:
    return any(o.pk == organisation.pk for o in group_organisations(user))


def is_officer(user: Any, asset: CommunityAsset) -> bool:
    """An administrator, or a commissioner of the asset's listing authority."""
    if not getattr(user, "is_authenticated", False):
        return False
    if has_role(user, Role.ADMIN):
        return True
    return Membership.objects.filter(
        user=user, organisation_id=asset.listing_authority_id, role=Role.COMMISSIONER
    ).exists()


def _officer(user: User, asset: CommunityAsset) -> None:
    if not is_officer(user, asset):
        raise PermissionDenied("Only the listing authority's officers may record this")


def _today() -> dt.date:
    return timezone.localdate()


def _not_future(day: dt.date, field: str, noun: str) -> None:
    if day > _today():
        raise AssetError(_("%(noun)s cannot be in the future") % {"noun": noun}, field)


def _text(value: str, field: str, noun: str, *, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise AssetError(_("Enter %(noun)s") % {"noun": noun}, field)
    if len(text) > MAX_TEXT:
        raise AssetError(
            _("%(noun)s must be %(n)s characters or fewer") % {"noun": noun, "n": MAX_TEXT}, field
        )
    return text


# --- Who is told ---------------------------------------------------------------------------


def _day(day: dt.date | None) -> str:
    return date_format(day, "j F Y") if day else ""


def _unique(people: Iterable[User | str]) -> list[User | str]:
    seen: set[str] = set()
    found: list[User | str] = []
    for person in people:
        key = f"user:{person.pk}" if isinstance(person, User) else f"email:{person.lower()}"
        if person and key not in seen:
            seen.add(key)
            found.append(person)
    return found


def _staff(organisation: Organisation | None, *roles: str) -> list[User | str]:
    if organisation is None:
        return []
    query = User.objects.filter(memberships__organisation=organisation, is_active=True)
    if roles:
        query = query.filter(memberships__role__in=roles)
    people: list[User | str] = list(query.distinct().order_by("pk"))
    return people or ([organisation.email] if organisation.email else [])


def nominator_recipients(asset: CommunityAsset) -> list[User | str]:
    person = asset.nominated_by
    if person is not None and person.is_active:
        return [person]
    return [asset.nominator.email] if asset.nominator.email else []


def owner_recipients(asset: CommunityAsset) -> list[User | str]:
    return _unique([*_staff(asset.owner_organisation), asset.owner_email])


def council_recipients(asset: CommunityAsset) -> list[User | str]:
    return _staff(asset.neighbourhood_council, Role.COUNCILLOR)


def _tell(asset: CommunityAsset, template: str, event: str, extra: dict[str, Any]) -> None:
    """Tell the nominator, the owner and the neighbourhood council, each once."""
    base = {
        "asset": asset.name,
        "reference": asset.reference,
        "address": asset.address_text,
        "link": site_link(reverse("neighbourhoods:asset_detail", args=[asset.reference])),
        "convention": rules.COUNTING_CONVENTION,
        **extra,
    }
    told: set[str] = set()
    for audience, people in (
        ("nominator", nominator_recipients(asset)),
        ("owner", owner_recipients(asset)),
        ("council", council_recipients(asset)),
    ):
        for person in people:
            key = f"user:{person.pk}" if isinstance(person, User) else f"email:{person.lower()}"
            if key in told:
                continue
            told.add(key)
            notify(
                recipient=person,
                template=template,
                context={**base, "audience": audience},
                event=event,
                target=asset,
            )


# --- Nomination and decision ---------------------------------------------------------------


def _next_reference() -> str:
    last = CommunityAsset.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    n = last + 1
    while CommunityAsset.objects.filter(reference=f"ACV-{n:06d}").exists():
        n += 1
    return f"ACV-{n:06d}"


def acv_nominate(
    *,
    nominator: Organisation,
    name: str,
    address_text: str,
    owner_name: str,
    listing_authority: Organisation,
    reasons: str,
    nominated_on: dt.date,
    by: User,
    description: str = "",
    postcode: str = "",
    uprn: str = "",
    owner_email: str = "",
    owner_organisation: Organisation | None = None,
    neighbourhood_council: Organisation | None = None,
    public_asset: PublicAsset | None = None,
    regime: str = rules.DEFAULT_REGIME,
) -> CommunityAsset:
    """A community group's or neighbourhood council's nomination, with its decision date."""
    if not acts_for(by, nominator):
        raise PermissionDenied("You may nominate only for a community organisation you work for")
    if listing_authority.kind != OrganisationKind.LOCAL_AUTHORITY:
        raise AssetError(_("Choose the local authority to decide"), "listing_authority")
    if (
        neighbourhood_council is not None
        and neighbourhood_council.kind != OrganisationKind.NEIGHBOURHOOD_COUNCIL
    ):
        raise AssetError(_("Choose a neighbourhood council"), "neighbourhood_council")
    _not_future(nominated_on, "nominated_on", _("The date of the nomination"))
    try:
        chosen = regime_for(regime, nominated_on)
    except rules.AssetRuleError as exc:
        raise AssetError(str(exc), "nominated_on") from None
    with transaction.atomic():
        asset = CommunityAsset.objects.create(
            reference=_next_reference(),
            name=_text(name, "name", _("the name of the asset"))[:300],
            description=_text(description, "description", _("a description"), required=False),
            address_text=_text(address_text, "address_text", _("the address"))[:400],
            postcode=(postcode or "").strip().upper()[:8],
            uprn=(uprn or "").strip()[:12],
            lsoa=public_asset.lsoa if public_asset else None,
            latitude=public_asset.latitude if public_asset else None,
            longitude=public_asset.longitude if public_asset else None,
            public_asset=public_asset,
            owner_name=_text(owner_name, "owner_name", _("the owner's name"))[:200],
            owner_email=(owner_email or "").strip(),
            owner_organisation=owner_organisation,
            listing_authority=listing_authority,
            neighbourhood_council=neighbourhood_council,
            regime=chosen.code,
            nominator=nominator,
            nominated_by=by,
            nominated_on=nominated_on,
            reasons=_text(reasons, "reasons", _("why the asset is of community value")),
            decision_due=rules.decision_due(chosen, nominated_on),
        )
        audit_record(
            actor=by,
            action="acv.nominate",
            target=asset,
            summary={
                "reference": asset.reference,
                "nominator": nominator.slug,
                "nominated_on": nominated_on.isoformat(),
                "decision_due": asset.decision_due.isoformat(),
                "regime": chosen.code,
            },
        )
        _tell(
            asset,
            "acv_nominated",
            "acv.nominate",
            {"nominator": nominator.name, "due": _day(asset.decision_due)},
        )
    return asset


def acv_decide(
    *, asset: CommunityAsset, listed: bool, reasons: str, decided_on: dt.date, by: User
) -> CommunityAsset:
    """The listing authority's decision: listed (for the regime's listing period) or not."""
    _officer(by, asset)
    with transaction.atomic():
        asset = CommunityAsset.objects.select_for_update().get(pk=asset.pk)
        if asset.status != AcvStatus.NOMINATED:
            raise AssetError(_("This nomination has already been decided"))
        if decided_on < asset.nominated_on:
            raise AssetError(_("The decision cannot come before the nomination"), "decided_on")
        _not_future(decided_on, "decided_on", _("The date of the decision"))
        asset.decision_reasons = _text(reasons, "reasons", _("the reasons for the decision"))
        asset.decided_on = decided_on
        regime = regime_for(asset.regime, asset.nominated_on)
        if listed:
            asset.status = AcvStatus.LISTED
            asset.listed_until = rules.listing_end(regime, decided_on)
            asset.review_request_end = rules.review_request_end(regime, decided_on)
        else:
            asset.status = AcvStatus.NOT_LISTED
        asset.save()
        audit_record(
            actor=by,
            action="acv.decide",
            target=asset,
            summary={
                "reference": asset.reference,
                "status": asset.status,
                "decided_on": decided_on.isoformat(),
                "listed_until": asset.listed_until.isoformat() if asset.listed_until else None,
                "late": decided_on > asset.decision_due,
            },
        )
        _tell(
            asset,
            "acv_decided",
            "acv.decide",
            {
                "listed": listed,
                "reasons": asset.decision_reasons,
                "until": _day(asset.listed_until),
                "review_by": _day(asset.review_request_end),
            },
        )
    return asset


def acv_review_request(*, asset: CommunityAsset, requested_on: dt.date, by: User) -> CommunityAsset:
    """Record the owner's request for a review of the listing (within the regime's period)."""
    _officer(by, asset)
    with transaction.atomic():
        asset = CommunityAsset.objects.select_for_update().get(pk=asset.pk)
        if asset.status != AcvStatus.LISTED or asset.review_requested_on is not None:
            raise AssetError(_("Only a listed asset not already under review can be reviewed"))
        assert asset.decided_on is not None and asset.review_request_end is not None
        if requested_on < asset.decided_on:
            raise AssetError(_("The request cannot come before the listing"), "requested_on")
        if requested_on > asset.review_request_end:
            raise AssetError(
                _("The owner had until %(day)s to ask for a review")
                % {"day": _day(asset.review_request_end)},
                "requested_on",
            )
        _not_future(requested_on, "requested_on", _("The date of the request"))
        regime = regime_for(asset.regime, asset.nominated_on)
        asset.review_requested_on = requested_on
        asset.review_due = rules.review_due(regime, requested_on)
        asset.save()
        audit_record(
            actor=by,
            action="acv.review_request",
            target=asset,
            summary={"requested_on": requested_on.isoformat(), "due": asset.review_due.isoformat()},
        )
    return asset


def acv_review_decide(
    *, asset: CommunityAsset, upheld: bool, reasons: str, decided_on: dt.date, by: User
) -> CommunityAsset:
    """The review's outcome: the listing upheld, or the asset removed from the list."""
    _officer(by, asset)
    with transaction.atomic():
        asset = CommunityAsset.objects.select_for_update().get(pk=asset.pk)
        if asset.review_requested_on is None or asset.review_decided_on is not None:
            raise AssetError(_("There is no review waiting for a decision"))
        if decided_on < asset.review_requested_on:
            raise AssetError(_("The review cannot end before it was asked for"), "decided_on")
        _not_future(decided_on, "decided_on", _("The date of the review decision"))
        asset.review_reasons = _text(reasons, "reasons", _("the reasons for the review decision"))
        asset.review_decided_on = decided_on
        asset.review_upheld = upheld
        if not upheld:
            asset.status = AcvStatus.REMOVED
        asset.save()
        audit_record(
            actor=by,
            action="acv.review_decide",
            target=asset,
            summary={"upheld": upheld, "decided_on": decided_on.isoformat()},
        )
        _tell(
            asset,
            "acv_reviewed",
            "acv.review",
            {"upheld": upheld, "reasons": asset.review_reasons},
        )
    return asset


# --- Disposal: notices, bidders, exemptions ------------------------------------------------


def _listed_on(asset: CommunityAsset, day: dt.date, field: str) -> None:
    if asset.status != AcvStatus.LISTED:
        raise AssetError(_("Only a listed asset has a moratorium"))
    assert asset.decided_on is not None and asset.listed_until is not None
    if not asset.decided_on <= day <= asset.listed_until:
        raise AssetError(
            _("The date must fall while the asset is listed (%(start)s to %(end)s)")
            % {"start": _day(asset.decided_on), "end": _day(asset.listed_until)},
            field,
        )


def disposal_notice_record(
    *, asset: CommunityAsset, notice_date: dt.date, by: User
) -> DisposalNotice:
    """The owner's notice of an intended disposal: starts the interim moratorium and the
    protected period, tells everyone, and offers the neighbourhood council a small-grant round
    for a feasibility study."""
    _officer(by, asset)
    with transaction.atomic():
        asset = CommunityAsset.objects.select_for_update().get(pk=asset.pk)
        _listed_on(asset, notice_date, "notice_date")
        _not_future(notice_date, "notice_date", _("The date of the notice"))
        regime = regime_for(asset.regime, notice_date)
        previous = asset.notices.order_by("-notice_date").first()
        if not rules.new_notice_allowed(
            regime, previous.notice_date if previous else None, notice_date
        ):
            assert previous is not None
            raise AssetError(
                _(
                    "The protected period of the notice of %(then)s runs until %(end)s: "
                    "a new notice inside it starts no new moratorium"
                )
                % {"then": _day(previous.notice_date), "end": _day(previous.protected_end)},
                "notice_date",
            )
        clocks = rules.clocks(regime, notice_date)
        notice = DisposalNotice.objects.create(
            asset=asset,
            notice_date=notice_date,
            regime=regime.code,
            interim_end=clocks.interim_end,
            protected_end=clocks.protected_end,
            recorded_by=by,
        )
        offer = None
        if asset.neighbourhood_council is not None:
            offer = GrantRoundOffer.objects.create(
                notice=notice,
                neighbourhood_council=asset.neighbourhood_council,
                offered_on=_today(),
            )
        audit_record(
            actor=by,
            action="acv.disposal_notice",
            target=asset,
            summary={
                "notice_date": notice_date.isoformat(),
                "interim_end": clocks.interim_end.isoformat(),
                "protected_end": clocks.protected_end.isoformat(),
                "regime": regime.code,
                "grant_offer": offer is not None,
            },
        )
        _tell(
            asset,
            "acv_disposal_notice",
            "acv.disposal_notice",
            {
                "notice_date": _day(notice_date),
                "interim_end": _day(clocks.interim_end),
                "full_end": _day(rules.period_end(notice_date, regime.full)),
                "full_period": regime.full.words(),
                "interim_period": regime.interim.words(),
                "protected_end": _day(clocks.protected_end),
                "grant_offer": offer is not None,
                "council_link": site_link(
                    reverse("neighbourhoods:asset_council", args=[asset.neighbourhood_council.slug])
                )
                if asset.neighbourhood_council
                else "",
            },
        )
    return notice


def bidder_request_record(
    *, notice: DisposalNotice, group: Organisation, made_on: dt.date, by: User
) -> BidderRequest:
    """A community interest group's written request to be treated as a potential bidder: made
    within the interim moratorium, it extends the moratorium to the full one."""
    asset = notice.asset
    if not (acts_for(by, group) or is_officer(by, asset)):
        raise PermissionDenied("You may ask only for a community organisation you work for")
    if group.kind not in COMMUNITY_KINDS:
        raise AssetError(_("Only a community interest group may ask to bid"), "group")
    _not_future(made_on, "made_on", _("The date of the request"))
    with transaction.atomic():
        notice = DisposalNotice.objects.select_for_update().get(pk=notice.pk)
        regime = regime_for(notice.regime, notice.notice_date)
        try:
            clocks = rules.clocks(regime, notice.notice_date, request_date=made_on)
        except rules.AssetRuleError:
            raise AssetError(
                _(
                    "A request must be made between the notice of %(notice)s and the end of "
                    "the interim moratorium on %(end)s"
                )
                % {"notice": _day(notice.notice_date), "end": _day(notice.interim_end)},
                "made_on",
            ) from None
        try:
            with transaction.atomic():
                request = BidderRequest.objects.create(
                    notice=notice, group=group, made_on=made_on, recorded_by=by
                )
        except IntegrityError:
            raise AssetError(_("This group has already asked to be treated as a bidder")) from None
        started = notice.full_end is None
        if started:
            notice.full_end = clocks.full_end
            notice.save(update_fields=["full_end"])
        audit_record(
            actor=by,
            action="acv.bidder_request",
            target=asset,
            summary={
                "group": group.slug,
                "made_on": made_on.isoformat(),
                "full_end": notice.full_end.isoformat() if notice.full_end else None,
                "started_full_moratorium": started,
            },
        )
        _tell(
            asset,
            "acv_bidder_request",
            "acv.bidder_request",
            {
                "group": group.name,
                "full_end": _day(notice.full_end),
                "protected_end": _day(notice.protected_end),
            },  # fmt: skip
        )
    return request


def exempt_disposal_record(
    *, asset: CommunityAsset, exemption: str, reason: str, disposal_date: dt.date, by: User
) -> ExemptDisposal:
    """A disposal the moratorium does not apply to, with the exemption and the reason."""
    _officer(by, asset)
    with transaction.atomic():
        asset = CommunityAsset.objects.select_for_update().get(pk=asset.pk)
        _listed_on(asset, disposal_date, "disposal_date")
        _not_future(disposal_date, "disposal_date", _("The date of the disposal"))
        regime = regime_for(asset.regime, disposal_date)
        try:
            chosen = regime.exemption(exemption)
        except rules.AssetRuleError:
            raise AssetError(_("Choose the exemption that applies"), "exemption") from None
        record = ExemptDisposal.objects.create(
            asset=asset,
            exemption=chosen.code,
            reason=_text(reason, "reason", _("why the disposal is exempt")),
            disposal_date=disposal_date,
            recorded_by=by,
        )
        audit_record(
            actor=by,
            action="acv.exempt_disposal",
            target=asset,
            summary={"exemption": chosen.code, "disposal_date": disposal_date.isoformat()},
        )
        _tell(
            asset,
            "acv_exempt_disposal",
            "acv.exempt_disposal",
            {"exemption": chosen.label, "reason": record.reason, "day": _day(disposal_date)},
        )
    return record


def exemption_label(asset: CommunityAsset, code: str) -> str:
    try:
        return regime_for(asset.regime, asset.nominated_on).exemption(code).label
    except rules.AssetRuleError:
        return code
