"""Pages of the register of public and community assets: public lists and downloads, an asset's
page with its clocks, and the officers' and groups' forms."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from opus.core import csvsafe
from opus.core.models import Organisation, OrganisationKind, Role
from opus.core.pagination import KeysFirstPaginator
from opus.core.refusals import attempt
from opus.core.roles import role_required
from opus.engines import community_assets as rules
from opus.neighbourhoods import assets as services
from opus.neighbourhoods.forms_assets import (
    BidderForm,
    DecisionForm,
    ExemptForm,
    NominationForm,
    NoticeForm,
    ReviewDecisionForm,
    ReviewRequestForm,
)
from opus.neighbourhoods.models.assets import (
    AcvStatus,
    CommunityAsset,
    GrantRoundOffer,
    PublicAsset,
)

PAGE_SIZE = 25
OFFICER_ROLES = (Role.COMMISSIONER, Role.ADMIN)

# The planning.data.gov.uk "asset-of-community-value" dataset's fields, in its order
# (https://www.planning.data.gov.uk/dataset/asset-of-community-value and its specification).
PLANNING_DATA_FIELDS = (
    "reference",
    "name",
    "description",
    "organisation",
    "address-text",
    "uprn",
    "point",
    "start-date",
    "end-date",
    "entry-date",
    "notes",
)
PUBLISHED = (AcvStatus.LISTED, AcvStatus.REMOVED)


def _page(request: HttpRequest, query: QuerySet[Any]) -> tuple[Any, str]:
    page_obj = KeysFirstPaginator(query, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return page_obj, (f"{params.urlencode()}&" if params else "")


def _councils() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind=OrganisationKind.NEIGHBOURHOOD_COUNCIL).order_by("name")


@require_GET
def asset_register(request: HttpRequest) -> HttpResponse:
    """Assets of community value, with filters by status, neighbourhood and words."""
    query = CommunityAsset.objects.select_related("neighbourhood_council", "listing_authority")
    status = request.GET.get("status", "")
    council = request.GET.get("neighbourhood", "")
    words = request.GET.get("q", "").strip()[:100]
    if status in AcvStatus.values:
        query = query.filter(status=status)
    if council:
        query = query.filter(neighbourhood_council__slug=council)
    if words:
        query = query.filter(
            Q(name__icontains=words)
            | Q(address_text__icontains=words)
            | Q(postcode__icontains=words)
        )
    page_obj, without_page = _page(request, query.order_by("name", "pk"))
    today = timezone.localdate()
    for asset in page_obj.object_list:
        latest = asset.notices.order_by("-notice_date", "-pk").first()
        asset.moratorium = None
        if latest is not None and today <= latest.moratorium_end:
            asset.moratorium = latest
    return render(
        request,
        "neighbourhoods/assets/register.html",
        {
            "page_title": _("Assets of community value"),
            "page_obj": page_obj,
            "query_without_page": without_page,
            "statuses": AcvStatus.choices,
            "councils": _councils(),
            "chosen": {"status": status, "neighbourhood": council, "q": words},
            "can_nominate": bool(services.group_organisations(request.user)),
            "convention": rules.COUNTING_CONVENTION,
        },
    )


@require_GET
def land_register(request: HttpRequest) -> HttpResponse:
    """Public land and buildings, with filters by owner, surplus and words."""
    query = PublicAsset.objects.select_related("owner")
    owner = request.GET.get("owner", "")
    surplus = request.GET.get("surplus", "")
    words = request.GET.get("q", "").strip()[:100]
    if owner:
        query = query.filter(owner__slug=owner)
    if surplus in ("yes", "no"):
        query = query.filter(surplus=surplus == "yes")
    if words:
        query = query.filter(
            Q(name__icontains=words)
            | Q(street_name__icontains=words)
            | Q(postcode__icontains=words)
        )
    page_obj, without_page = _page(request, query.order_by("name", "pk"))
    owners = Organisation.objects.filter(public_assets__isnull=False).distinct().order_by("name")
    return render(
        request,
        "neighbourhoods/assets/land.html",
        {
            "page_title": _("Public land and buildings"),
            "page_obj": page_obj,
            "query_without_page": without_page,
            "owners": owners,
            "chosen": {"owner": owner, "surplus": surplus, "q": words},
        },
    )


def _asset(reference: str) -> CommunityAsset:
    return get_object_or_404(
        CommunityAsset.objects.select_related(
            "nominator", "listing_authority", "neighbourhood_council", "public_asset"
        ),
        reference=reference,
    )


@require_GET
def asset_detail(request: HttpRequest, reference: str) -> HttpResponse:
    asset = _asset(reference)
    today = timezone.localdate()
    notices = []
    for notice in asset.notices.prefetch_related("bidder_requests__group"):
        requests = list(notice.bidder_requests.all())
        clocks = rules.Clocks(
            notice_date=notice.notice_date,
            interim_end=notice.interim_end,
            full_end=notice.full_end,
            protected_end=notice.protected_end,
            request_date=requests[0].made_on if requests else None,
        )
        notices.append({"notice": notice, "requests": requests, "phase": clocks.phase(today)})
    exemptions = [
        {"record": e, "label": services.exemption_label(asset, e.exemption)}
        for e in asset.exemptions.all()
    ]
    latest = notices[0] if notices else None
    return render(
        request,
        "neighbourhoods/assets/detail.html",
        {
            "page_title": asset.name,
            "asset": asset,
            "regime": services.regime_for(asset.regime, asset.nominated_on),
            "notices": notices,
            "latest": latest,
            "exemptions": exemptions,
            "today": today,
            "convention": rules.COUNTING_CONVENTION,
            "is_officer": services.is_officer(request.user, asset),
            "can_ask_to_bid": bool(services.group_organisations(request.user))
            and latest is not None
            and latest["phase"] == "interim",
        },
    )


@require_GET
def asset_council(request: HttpRequest, slug: str) -> HttpResponse:
    """A neighbourhood council's assets and the small-grant offers made when moratoria started."""
    council = get_object_or_404(_councils(), slug=slug)
    return render(
        request,
        "neighbourhoods/assets/council.html",
        {
            "page_title": _("Community assets in %(council)s") % {"council": council.name},
            "council": council,
            "assets": CommunityAsset.objects.filter(neighbourhood_council=council).order_by("name"),
            "offers": GrantRoundOffer.objects.filter(neighbourhood_council=council)
            .select_related("notice__asset")
            .order_by("-offered_on", "-pk"),
            "convention": rules.COUNTING_CONVENTION,
        },
    )


# --- Downloads -------------------------------------------------------------------------------


def _record(asset: CommunityAsset) -> dict[str, str]:
    """One asset in the planning.data asset-of-community-value fields."""
    today = timezone.localdate()
    end = None
    if asset.status == AcvStatus.REMOVED:
        end = asset.review_decided_on
    elif asset.listed_until and asset.listed_until < today:
        end = asset.listed_until
    point = ""
    if asset.latitude is not None and asset.longitude is not None:
        point = f"POINT ({asset.longitude:.6f} {asset.latitude:.6f})"
    notes = f"Nominated by {asset.nominator.name}; listed until {asset.listed_until.isoformat()}"
    if asset.status == AcvStatus.REMOVED:
        notes = f"Removed from the list on review: {asset.review_reasons}"
    return {
        "reference": asset.reference,
        "name": asset.name,
        "description": asset.description,
        "organisation": asset.listing_authority.org_id or asset.listing_authority.slug,
        "address-text": asset.address_text,
        "uprn": asset.uprn,
        "point": point,
        "start-date": asset.decided_on.isoformat() if asset.decided_on else "",
        "end-date": end.isoformat() if end else "",
        "entry-date": asset.decided_on.isoformat() if asset.decided_on else "",
        "notes": notes,
    }


def _published() -> QuerySet[CommunityAsset]:
    return (
        CommunityAsset.objects.filter(status__in=PUBLISHED)
        .select_related("listing_authority", "nominator")
        .order_by("reference")
    )


@require_GET
def asset_csv(request: HttpRequest) -> HttpResponse:
    response = csvsafe.download("asset-of-community-value.csv")
    writer = csvsafe.DictWriter(response, fieldnames=PLANNING_DATA_FIELDS)
    writer.writeheader()
    for asset in _published().iterator(chunk_size=500):
        writer.writerow(_record(asset))
    return response


@require_GET
def asset_json(request: HttpRequest) -> HttpResponse:
    entities = [_record(a) for a in _published().iterator(chunk_size=500)]
    body = json.dumps({"entities": entities, "count": len(entities)}, ensure_ascii=False)
    return HttpResponse(body, content_type="application/json")


# --- Forms -----------------------------------------------------------------------------------


def _form_page(
    request: HttpRequest, form: Any, title: str, asset: CommunityAsset | None, intro: str = ""
) -> HttpResponse:
    return render(
        request,
        "neighbourhoods/assets/form.html",
        {
            "page_title": title,
            "form": form,
            "asset": asset,
            "intro": intro,
            "convention": rules.COUNTING_CONVENTION,
        },
        status=400 if form.errors else 200,
    )


def _attempt(form: Any, action: Any) -> Any:
    """Run a service; its refusal goes into the form's error summary, nothing changed."""
    return attempt(form, action, services.AssetError, denied_is_missing=False)


def _officer_asset(request: HttpRequest, reference: str) -> CommunityAsset:
    asset = _asset(reference)
    if not services.is_officer(request.user, asset):
        raise Http404("Page not found")
    return asset


@role_required(Role.PROVIDER, Role.COUNCILLOR)
@require_http_methods(["GET", "POST"])
def asset_nominate(request: HttpRequest) -> HttpResponse:
    organisations = services.group_organisations(request.user)
    if not organisations:
        raise Http404("Page not found")
    form = NominationForm(
        request.POST if request.method == "POST" else None,
        organisations=organisations,
        initial={"nominated_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        asset = _attempt(form, lambda: services.acv_nominate(by=request.user, **form.cleaned_data))
        if asset is not None:
            messages.success(request, _("Your nomination has been sent to the council"))
            return redirect(asset)
    return _form_page(request, form, _("Nominate an asset of community value"), None)


@role_required(*OFFICER_ROLES)
@require_http_methods(["GET", "POST"])
def asset_decide(request: HttpRequest, reference: str) -> HttpResponse:
    asset = _officer_asset(request, reference)
    form = DecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = _attempt(
            form,
            lambda: services.acv_decide(
                asset=asset,
                listed=data["decision"] == "listed",
                reasons=data["reasons"],
                decided_on=data["decided_on"],
                by=request.user,
            ),
        )
        if done is not None:
            messages.success(request, _("The decision has been recorded"))
            return redirect(asset)
    return _form_page(request, form, _("Decide the nomination"), asset)


@role_required(*OFFICER_ROLES)
@require_http_methods(["GET", "POST"])
def asset_review(request: HttpRequest, reference: str) -> HttpResponse:
    asset = _officer_asset(request, reference)
    data_in = request.POST if request.method == "POST" else None
    if asset.review_requested_on is None:
        form: Any = ReviewRequestForm(data_in)
        if data_in is not None and form.is_valid():
            done = _attempt(
                form,
                lambda: services.acv_review_request(
                    asset=asset, requested_on=form.cleaned_data["requested_on"], by=request.user
                ),
            )
            if done is not None:
                messages.success(request, _("The owner's request for a review has been recorded"))
                return redirect(asset)
        return _form_page(request, form, _("Record the owner's request for a review"), asset)
    form = ReviewDecisionForm(data_in)
    if data_in is not None and form.is_valid():
        data = form.cleaned_data
        done = _attempt(
            form,
            lambda: services.acv_review_decide(
                asset=asset,
                upheld=data["outcome"] == "upheld",
                reasons=data["reasons"],
                decided_on=data["decided_on"],
                by=request.user,
            ),
        )
        if done is not None:
            messages.success(request, _("The review's outcome has been recorded"))
            return redirect(asset)
    return _form_page(request, form, _("Record the outcome of the review"), asset)


@role_required(*OFFICER_ROLES)
@require_http_methods(["GET", "POST"])
def asset_notice(request: HttpRequest, reference: str) -> HttpResponse:
    asset = _officer_asset(request, reference)
    form = NoticeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        done = _attempt(
            form,
            lambda: services.disposal_notice_record(
                asset=asset, notice_date=form.cleaned_data["notice_date"], by=request.user
            ),
        )
        if done is not None:
            messages.success(request, _("The notice has been recorded and its clocks started"))
            return redirect(asset)
    return _form_page(request, form, _("Record the owner's notice of an intended disposal"), asset)


@role_required(Role.PROVIDER, Role.COUNCILLOR, *OFFICER_ROLES)
@require_http_methods(["GET", "POST"])
def asset_bidder(request: HttpRequest, reference: str) -> HttpResponse:
    asset = _asset(reference)
    notice = asset.notices.order_by("-notice_date", "-pk").first()
    officer = services.is_officer(request.user, asset)
    mine = services.group_organisations(request.user)
    if notice is None or not (officer or mine):
        raise Http404("Page not found")
    groups = (
        Organisation.objects.filter(kind__in=services.COMMUNITY_KINDS)
        if officer
        else Organisation.objects.filter(pk__in=[o.pk for o in mine])
    ).order_by("name")
    form = BidderForm(request.POST if request.method == "POST" else None, groups=groups)
    if request.method == "POST" and form.is_valid():
        try:
            done = _attempt(
                form,
                lambda: services.bidder_request_record(
                    notice=notice,
                    group=form.cleaned_data["group"],
                    made_on=form.cleaned_data["made_on"],
                    by=request.user,
                ),
            )
        except PermissionDenied:
            raise Http404("Page not found") from None
        if done is not None:
            messages.success(request, _("The request to be treated as a bidder has been recorded"))
            return redirect(asset)
    intro = _("The interim moratorium ends on %(day)s; a request must be made by then.") % {
        "day": notice.interim_end.strftime("%-d %B %Y")
    }
    return _form_page(request, form, _("Ask to be treated as a potential bidder"), asset, intro)


@role_required(*OFFICER_ROLES)
@require_http_methods(["GET", "POST"])
def asset_exempt(request: HttpRequest, reference: str) -> HttpResponse:
    asset = _officer_asset(request, reference)
    regime = services.regime_for(asset.regime, asset.nominated_on)
    choices = [(e.code, f"{e.label} ({e.source})") for e in regime.exemptions]
    form = ExemptForm(request.POST if request.method == "POST" else None, choices=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = _attempt(
            form,
            lambda: services.exempt_disposal_record(
                asset=asset,
                exemption=data["exemption"],
                reason=data["reason"],
                disposal_date=data["disposal_date"],
                by=request.user,
            ),
        )
        if done is not None:
            messages.success(request, _("The exempt disposal has been recorded"))
            return redirect(asset)
    return _form_page(request, form, _("Record an exempt disposal"), asset)
