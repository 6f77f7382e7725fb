"""Core API routes: areas and organisations (open data), the caller, the audit log."""

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError
from ninja.pagination import PaginationBase, paginate

from opus.core.access import get_audit_events_for_user
from opus.core.geography import area_search
from opus.core.models import Area, AreaKind, AuditEvent, Organisation, OrganisationKind, Postcode
from opus.core.openapi import problems
from opus.core.pagination import PageParams, slice_by_keys
from opus.core.roles import user_roles
from opus.engines.identifiers import normalise_postcode

router = Router()


class PagePagination(PaginationBase):
    """Page-number pagination: `page` from 1, `per_page` up to 500."""

    class Input(PageParams):
        pass

    class Output(Schema):
        items: list[Any]
        count: int
        page: int
        per_page: int
        pages: int

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Input, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        count = self._items_count(queryset)
        start = (pagination.page - 1) * pagination.per_page
        return {
            "items": slice_by_keys(queryset, start, start + pagination.per_page),
            "count": count,
            "page": pagination.page,
            "per_page": pagination.per_page,
            "pages": max(1, -(-count // pagination.per_page)),
        }


class AreaOut(Schema):
    code: str
    name: str
    kind: AreaKind
    parent_code: str | None = Field(None, alias="parent.code")
    neighbourhood_code: str | None = Field(None, alias="neighbourhood.code")
    latitude: float | None
    longitude: float | None
    population: int
    imd_score: float | None
    imd_rank: int | None
    imd_decile: int | None


class AreaDetailOut(AreaOut):
    population_male: list[int] = Field(description="19 five-year bands, 0–4 … 90+")
    population_female: list[int] = Field(description="19 five-year bands, 0–4 … 90+")
    imd_domains: dict[str, float]


class AreaFilters(Schema):
    kind: AreaKind | None = None
    parent: str | None = Field(None, description="Code of the parent area")
    decile: int | None = Field(None, ge=1, le=10, description="IMD decile, 1 = most deprived")
    q: str | None = Field(None, max_length=100, description="Code or part of the name")


class OrganisationOut(Schema):
    slug: str
    name: str
    kind: OrganisationKind
    description: str
    charity_number: str
    company_number: str
    org_id: str
    size_band: str
    address: str
    postcode: str
    latitude: float | None
    longitude: float | None
    website: str


class OrganisationFilters(Schema):
    kind: OrganisationKind | None = None
    q: str | None = Field(None, max_length=100)


class PostcodeOut(Schema):
    postcode: str
    latitude: float | None
    longitude: float | None
    lsoa_code: str | None = Field(None, alias="lsoa.code")
    ward_code: str | None = Field(None, alias="lsoa.parent.code")
    local_authority_code: str | None = Field(None, alias="lsoa.parent.parent.code")


class MeOut(Schema):
    email: str
    full_name: str
    roles: list[str]


class AuditEventOut(Schema):
    sequence: int
    created_at: datetime
    actor_label: str
    action: str
    object_type: str
    object_id: str
    object_label: str
    summary: dict[str, Any]
    previous_hash: str
    hash: str


@router.get("/areas", response=list[AreaOut], auth=None, tags=["areas"])
@paginate(PagePagination)
def list_areas(request: HttpRequest, filters: Query[AreaFilters]) -> QuerySet[Area]:
    """Areas with population and deprivation; open data, no sign-in needed."""
    areas = (
        Area.objects.select_related("parent", "neighbourhood")
        .defer(*Area.HEAVY_FIELDS)
        .order_by("code")
    )
    if filters.kind:
        areas = areas.filter(kind=filters.kind)
    if filters.parent:
        areas = areas.filter(parent__code=filters.parent)
    if filters.decile:
        areas = areas.filter(imd_decile=filters.decile)
    if filters.q:
        areas = areas.filter(area_search(filters.q))
    return areas


@router.get("/areas/{code}", response=AreaDetailOut, auth=None, tags=["areas"])
def get_area(request: HttpRequest, code: str) -> Area:
    return get_object_or_404(Area.objects.select_related("parent", "neighbourhood"), code=code)


@router.get("/organisations", response=list[OrganisationOut], auth=None, tags=["organisations"])
@paginate(PagePagination)
def list_organisations(
    request: HttpRequest, filters: Query[OrganisationFilters]
) -> QuerySet[Organisation]:
    organisations = Organisation.objects.order_by("name")
    if filters.kind:
        organisations = organisations.filter(kind=filters.kind)
    if filters.q:
        organisations = organisations.filter(name__icontains=filters.q)
    return organisations


@router.get("/organisations/{slug}", response=OrganisationOut, auth=None, tags=["organisations"])
def get_organisation(request: HttpRequest, slug: str) -> Organisation:
    return get_object_or_404(Organisation, slug=slug)


@router.get("/postcodes/{postcode}", response=PostcodeOut, auth=None, tags=["areas"])
def get_postcode(request: HttpRequest, postcode: str) -> Postcode:
    """Where a postcode is: its coordinates, LSOA, ward and local authority."""
    try:
        normalised = normalise_postcode(postcode)
    except ValueError as exc:
        raise ValidationError([{"loc": ["path", "postcode"], "msg": str(exc)}]) from exc
    return get_object_or_404(
        Postcode.objects.select_related("lsoa__parent__parent"), postcode=normalised
    )


@router.get("/me", response=MeOut, tags=["account"])
def me(request: HttpRequest) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    return {"email": user.email, "full_name": user.full_name, "roles": sorted(user_roles(user))}


@router.get("/audit/events", response={200: list[AuditEventOut], **problems(404)}, tags=["audit"])
@paginate(PagePagination)
def list_audit_events(
    request: HttpRequest, action: str | None = None, object_type: str | None = None
) -> QuerySet[AuditEvent]:
    """The audit log, newest first: auditors and administrators only (404 for others)."""
    events = get_audit_events_for_user(request.auth)  # type: ignore[attr-defined]
    if action:
        events = events.filter(action__startswith=action)
    if object_type:
        events = events.filter(object_type=object_type)
    return events
