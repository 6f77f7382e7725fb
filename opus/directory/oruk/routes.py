"""The Open Referral UK 3.0 read API at /api/oruk/, open to anyone, from any origin.

Paths, parameters and the Page envelope follow the standard's openapi.json
(https://openreferraluk.org/specifications/3.0/openapi.json); responses are built in
oruk/schemas.py and checked against the standard's JSON Schemas by the tests. Errors are
RFC 9457 problem+json naming the field, as in the main API.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import operator
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import BadRequest, SuspiciousOperation
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import URLPattern, reverse
from ninja import Field, NinjaAPI, Query
from ninja.errors import HttpError, ValidationError
from pydantic import field_validator

from opus.core.api_input import TextParser, refuse_nul_in_path
from opus.core.models import Organisation, Postcode
from opus.core.pagination import PageParams, per_page_field
from opus.directory.models import (
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from opus.directory.oruk import listing
from opus.directory.oruk import schemas as shapes
from opus.directory.search import matching
from opus.engines.identifiers import normalise_postcode
from opus.engines.matching import distance_km

VERSION = "HSDS-UK-3.0"
PROFILE = "https://openreferraluk.org/specifications/3.0/openapi.json"
SCHEMAS = "https://openreferraluk.org/specifications/3.0/schema/"
PROBLEM = "application/problem+json"
NDJSON = "application/x-ndjson"
PER_PAGE, MAX_PER_PAGE = 50, 200
MAX_PROXIMITY = 100_000  # metres
METRES_PER_DEGREE = 111_320
CHUNK = 200


def _open_to_all(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """ORUK requires `Access-Control-Allow-Origin: *` on every response, errors included."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = "GET, OPTIONS"
            response["Access-Control-Allow-Headers"] = "*"
            response["Access-Control-Max-Age"] = "86400"
        else:
            response = view(request, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return wrapped


class OpenReferralAPI(NinjaAPI):
    """A NinjaAPI whose every URL (docs and openapi.json too) answers any origin."""

    @property
    def urls(self) -> tuple[list[Any], str, str]:
        patterns, app_name, namespace = super().urls
        patterns = refuse_nul_in_path(patterns, _validation_problem)
        opened = [
            URLPattern(p.pattern, _open_to_all(p.callback), p.default_args, p.name)
            if isinstance(p, URLPattern)
            else p
            for p in patterns
        ]
        return opened, app_name, namespace


api = OpenReferralAPI(
    title="Opus — Open Referral UK",
    version=VERSION,
    description="The service directory as Open Referral UK 3.0 (HSDS-UK-3.0): open to "
    "anyone without a key, from any origin.",
    urls_namespace="oruk",
    docs_url="/docs",
    openapi_url="/openapi.json",
    parser=TextParser(),
)


# --- problems ------------------------------------------------------------------------------


class FieldProblem(Exception):
    """A query value we understood but cannot use, such as a postcode we can't place."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def _problem(request: HttpRequest, status: int, title: str, detail: str, **extra: Any) -> Any:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM
    return response


def _invalid(request: HttpRequest, errors: list[dict[str, str]]) -> Any:
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return _problem(request, 422, "Your request has invalid values", detail, errors=errors)


def _field_name(loc: Iterable[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"query", "path"}:
        parts = parts[1:]
    return ".".join(parts) or "request"


@api.exception_handler(ValidationError)
def _validation_problem(request: HttpRequest, exc: ValidationError) -> Any:
    errors = [{"field": _field_name(e.get("loc", [])), "message": e.get("msg", "")}
              for e in exc.errors]  # fmt: skip
    return _invalid(request, errors)


@api.exception_handler(FieldProblem)
def _field_problem(request: HttpRequest, exc: FieldProblem) -> Any:
    return _invalid(request, [{"field": exc.field, "message": exc.message}])


@api.exception_handler(HttpError)
def _http_problem(request: HttpRequest, exc: HttpError) -> Any:
    return _problem(request, exc.status_code, str(exc.message), str(exc.message))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> Any:
    return _problem(request, 404, "Not found", str(exc) or "There is nothing here")


@api.exception_handler(SuspiciousOperation)
@api.exception_handler(BadRequest)
def _bad_request(request: HttpRequest, exc: Exception) -> Any:
    """What Django itself answers 400 (too many fields, ...)."""
    return _problem(request, 400, "Bad request", "The request could not be read")


@api.exception_handler(Exception)
def _server_problem(request: HttpRequest, exc: Exception) -> Any:
    """Anything unhandled: a 500 problem with an incident id, the traceback only in the log."""
    if settings.DEBUG:
        raise exc
    incident = uuid.uuid4().hex[:12]
    logging.getLogger("django.request").error(
        "Internal Server Error: %s (incident %s)", request.path, incident, exc_info=exc,
        extra={"status_code": 500, "request": request},
    )  # fmt: skip
    detail = f"Try again later; if it happens again, quote incident {incident}."
    return _problem(request, 500, "Something went wrong on our side", detail, incident=incident)


# --- parameters ----------------------------------------------------------------------------


class PageQuery(PageParams):
    search: str = Field("", description="Words to find in the name or description.")
    per_page: int = per_page_field(PER_PAGE, MAX_PER_PAGE, "Results")
    format: Literal["json", "ndjson"] = Field(
        "json", description="`ndjson`: every result, one JSON object a line, no pages."
    )


class ServiceQuery(PageQuery):
    taxonomy_term_id: uuid.UUID | None = Field(None, description="Has this taxonomy term.")
    taxonomy_id: uuid.UUID | None = Field(None, description="Has a term of this taxonomy.")
    organization_id: uuid.UUID | None = Field(None, description="Provided by this organisation.")
    modified_after: datetime | None = Field(
        None, description="Changed on or after this date-time (UTC if no offset is given)."
    )
    full: bool = Field(False, description="Fully nested entries.")

    @field_validator("modified_after", mode="before")
    @classmethod
    def _restore_plus(cls, value: Any) -> Any:
        """An unencoded offset such as +01:00 arrives as " 01:00": put the plus back."""
        return re.sub(r" (\d{2}:?\d{2})$", r"+\1", value) if isinstance(value, str) else value

    @field_validator("modified_after")
    @classmethod
    def _in_utc(cls, value: datetime | None) -> datetime | None:
        """In UTC: PostgreSQL refuses offsets past ±15:59, which Python allows."""
        if value is None:
            return None
        try:
            return _aware(value).astimezone(UTC)
        except OverflowError:
            raise ValueError("give a moment between the years 1 and 9999") from None


class ServiceListQuery(ServiceQuery):
    minimal: bool = Field(False, description="Just id, name, status and last_modified.")


class PlaceQuery(ServiceQuery):
    postcode: str = Field("", description="Nearest first from this postcode's centre.")
    proximity: float | None = Field(
        None, gt=0, le=MAX_PROXIMITY, description="Only within this many metres of the postcode."
    )


class OrganizationQuery(PageQuery):
    full: bool = Field(False, description="With organisation identifiers and services.")
    full_service: bool = Field(False, description="With fully nested services.")


class TermQuery(PageQuery):
    taxonomy_id: uuid.UUID | None = Field(None, description="Terms of this taxonomy.")
    parent_id: uuid.UUID | None = Field(None, description="Children of this term.")
    top_only: bool = Field(False, description="Only terms without a parent.")


def _responds(schema: str) -> dict[str, Any]:
    """Document a 200 by the standard's own schema, as its openapi.json does."""
    content = {"application/json": {"schema": {"$ref": f"{SCHEMAS}{schema}.json"}}}
    return {"responses": {200: {"description": "OK", "content": content}}}


# --- listing -------------------------------------------------------------------------------


def _page(query: PageQuery, total: int, contents: list[shapes.Json]) -> shapes.Json:
    """The Page envelope; `size` is the number of entries on this page, as the spec says."""
    total_pages = math.ceil(total / query.per_page)
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": query.page,
        "size": len(contents),
        "first_page": query.page == 1,
        "last_page": query.page >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


def _ndjson(entries: Iterable[shapes.Json]) -> StreamingHttpResponse:
    lines = (json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n" for e in entries)
    return StreamingHttpResponse(lines, content_type=NDJSON)


def _listing(query: PageQuery, rows: QuerySet[Any], shape: Callable[[Any], shapes.Json]) -> Any:
    if query.format == "ndjson":
        return _ndjson(shape(row) for row in rows.iterator(chunk_size=CHUNK))
    start = (query.page - 1) * query.per_page
    page = [shape(row) for row in rows[start : start + query.per_page]]
    short = len(page) < query.per_page and (bool(page) or query.page == 1)  # no need to count
    return _page(query, start + len(page) if short else rows.count(), page)


def _in_order(rows: QuerySet[Any], ids: list[uuid.UUID]) -> list[Any]:
    """The rows with these ids in this order (any deleted meanwhile are skipped)."""
    found = rows.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def _chunks(ids: list[uuid.UUID]) -> Iterator[list[uuid.UUID]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _ordered_listing(
    query: PageQuery, rows: QuerySet[Any], ids: list[uuid.UUID], shape: Callable[[Any], Any]
) -> Any:
    """A listing whose order was worked out in Python (as ids), fetched a page at a time."""
    if query.format == "ndjson":
        return _ndjson(shape(row) for chunk in _chunks(ids) for row in _in_order(rows, chunk))
    start = (query.page - 1) * query.per_page
    page = _in_order(rows, ids[start : start + query.per_page])
    return _page(query, len(ids), [shape(row) for row in page])


def _one(rows: QuerySet[Any], key: str, what: str, field: str = "pk") -> Any:
    """The row with this UUID, or a 404: an id that isn't a UUID names nothing we have."""
    try:
        found = rows.filter(**{field: uuid.UUID(key)}).first()
    except ValueError:
        found = None
    if found is None:
        raise Http404(f"There is no {what} with the id {key!r}")
    return found


# --- services ------------------------------------------------------------------------------


def _words(search: str, *fields: str) -> Q:
    """Case-insensitive text match on any of the fields (full-text search comes later)."""
    return functools.reduce(operator.or_, (Q(**{f"{f}__icontains": search}) for f in fields))


def _tagged(**lookup: Any) -> QuerySet[Any]:
    """Ids of services with a term matching the lookup: a subquery, so no duplicates."""
    return Service.terms.through.objects.filter(**lookup).values("service_id")


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _service_filter(query: ServiceQuery, via: str = "") -> Q:
    """The shared service filters, on services (via="") or through a relation to one."""
    found = Q()
    if query.search:
        found &= matching(query.search, f"{via}id")
    if query.taxonomy_term_id:
        found &= Q(**{f"{via}id__in": _tagged(taxonomyterm_id=query.taxonomy_term_id)})
    if query.taxonomy_id:
        found &= Q(**{f"{via}id__in": _tagged(taxonomyterm__taxonomy_id=query.taxonomy_id)})
    if query.organization_id:
        found &= Q(**{f"{via}organisation__uuid": query.organization_id})
    if query.modified_after:
        found &= Q(**{f"{via}last_modified__gte": _aware(query.modified_after)})
    return found


def _service_prefetches(via: str = "", *, places: bool = True) -> list[Prefetch[Any]]:
    """Everything a fully nested service shows, in one query per array."""
    areas = ServiceArea.objects.select_related("area").only(
        "id", "service", "name", "area__code", "latitude", "longitude", "radius_m"
    )
    lookups: list[Prefetch[Any]] = [
        Prefetch(f"{via}languages"),
        Prefetch(f"{via}cost_options"),
        Prefetch(f"{via}schedules"),
        Prefetch(f"{via}contacts"),
        Prefetch(f"{via}areas", queryset=areas),
        Prefetch(f"{via}terms", queryset=TaxonomyTerm.objects.select_related("taxonomy")),
    ]
    if places:
        at = ServiceAtLocation.objects.select_related("location").order_by("location__name", "id")
        lookups.append(Prefetch(f"{via}at_locations", queryset=at))
    return lookups


def _full_services() -> QuerySet[Service]:
    return Service.objects.select_related("organisation").prefetch_related(*_service_prefetches())


def _service_rows(
    query: ServiceListQuery, *, filtered: bool = True
) -> tuple[QuerySet[Service], Callable[..., Any]]:
    chosen = _service_filter(query) if filtered else Q()
    services = Service.objects.filter(chosen).order_by("name", "id")
    if query.minimal:
        return services.only("id", "name", "status", "last_modified"), shapes.service_minimal
    if query.full:
        return services.select_related("organisation").prefetch_related(
            *_service_prefetches()
        ), shapes.service_full
    return services.select_related("organisation"), shapes.service_summary


@api.get("/", summary="About this API", openapi_extra=_responds("api_details"))
def about(request: HttpRequest) -> dict[str, str]:
    """The version tells the ORUK validator which profile to check this API against."""
    openapi = request.build_absolute_uri(reverse(f"{api.urls_namespace}:openapi-json"))
    return {"version": VERSION, "profile": PROFILE, "openapi_url": openapi}


@api.get("/services", summary="Services", openapi_extra=_responds("service_list"))
def list_services(request: HttpRequest, query: Query[ServiceListQuery]) -> Any:
    if _by_term(query):
        return _term_listing(query)
    rows, shape = _service_rows(query)
    return _listing(query, rows, shape)


def _by_term(query: ServiceListQuery) -> bool:
    """A page of one term's services (with words or not): listing.py answers it quickly."""
    others = query.taxonomy_id or query.organization_id or query.modified_after
    return bool(query.taxonomy_term_id) and not others and query.format == "json"


def _term_listing(query: ServiceListQuery) -> Any:
    assert query.taxonomy_term_id is not None
    start = (query.page - 1) * query.per_page
    ids, total = listing.page(query.taxonomy_term_id, query.search, start, query.per_page)
    rows, shape = _service_rows(query, filtered=False)
    page = [shape(row) for row in _in_order(rows, [uuid.UUID(i) for i in ids])]
    return _page(query, start + len(page) if total is None else total, page)


@api.get("/services/{id}", summary="A service, fully nested", openapi_extra=_responds("service"))
def get_service(request: HttpRequest, id: str) -> shapes.Json:
    return shapes.service_full(_one(_full_services(), id, "service"))


# --- organisations -------------------------------------------------------------------------


def _providers(query: OrganizationQuery | None = None) -> QuerySet[Organisation]:
    """Organisations with services in the directory (HSDS: organisations delivering them)."""
    found = Organisation.objects.filter(Exists(Service.objects.filter(organisation=OuterRef("pk"))))
    if query and query.search:
        found = found.filter(
            Q(name__icontains=query.search) | Q(description__icontains=query.search)
        )
    return found.order_by("name", "uuid")


def _with_services(full_service: bool) -> Callable[[Organisation], shapes.Json]:
    def shape(org: Organisation) -> shapes.Json:
        services = org.services.all()
        if full_service:
            listed = [shapes.service_full(s, organization=False) for s in services]
        else:
            listed = [shapes.service_basic(s) for s in services]
        return {**shapes.organization_full(org), **shapes.compact({"services": listed})}

    return shape


def _organisation_rows(
    rows: QuerySet[Organisation], full: bool, full_service: bool
) -> QuerySet[Organisation]:
    """With their services prefetched, as fully as the caller asked."""
    if full_service:
        services = _full_services().order_by("name", "id")
    elif full:
        services = Service.objects.select_related("organisation").order_by("name", "id")
    else:
        return rows
    return rows.prefetch_related(Prefetch("services", queryset=services))


@api.get("/organizations", summary="Organisations", openapi_extra=_responds("organization_list"))
def list_organizations(request: HttpRequest, query: Query[OrganizationQuery]) -> Any:
    detailed = query.full or query.full_service
    rows = _organisation_rows(_providers(query), query.full, query.full_service)
    shape = _with_services(query.full_service) if detailed else shapes.organization_basic
    return _listing(query, rows, shape)


@api.get(
    "/organizations/{id}",
    summary="An organisation with its services",
    openapi_extra=_responds("organization"),
)
def get_organization(
    request: HttpRequest,
    id: str,
    full_service: bool = False,
) -> shapes.Json:
    org = _one(
        _organisation_rows(_providers(), True, full_service), id, "organisation", field="uuid"
    )
    return _with_services(full_service)(org)


# --- taxonomies ----------------------------------------------------------------------------


@api.get("/taxonomies", summary="Taxonomies", openapi_extra=_responds("taxonomy_list"))
def list_taxonomies(request: HttpRequest, query: Query[PageQuery]) -> Any:
    rows = Taxonomy.objects.order_by("name", "id")
    if query.search:
        rows = rows.filter(_words(query.search, "name", "description"))
    return _listing(query, rows, shapes.taxonomy_basic)


@api.get(
    "/taxonomies/{id}", summary="A taxonomy and its terms", openapi_extra=_responds("taxonomy")
)
def get_taxonomy(request: HttpRequest, id: str) -> shapes.Json:
    terms = Prefetch("terms", queryset=TaxonomyTerm.objects.select_related("taxonomy"))
    return shapes.taxonomy_full(_one(Taxonomy.objects.prefetch_related(terms), id, "taxonomy"))


def _term_rows(query: TermQuery) -> QuerySet[TaxonomyTerm]:
    rows = TaxonomyTerm.objects.select_related("taxonomy").order_by("taxonomy__name", "code", "id")
    if query.search:
        rows = rows.filter(_words(query.search, "name", "code"))
    if query.taxonomy_id:
        rows = rows.filter(taxonomy_id=query.taxonomy_id)
    if query.parent_id:
        rows = rows.filter(parent_id=query.parent_id)
    if query.top_only:
        rows = rows.filter(parent__isnull=True)
    return rows


@api.get("/taxonomy_terms", summary="Taxonomy terms", openapi_extra=_responds("taxonomy_term_list"))
def list_taxonomy_terms(request: HttpRequest, query: Query[TermQuery]) -> Any:
    return _listing(query, _term_rows(query), shapes.taxonomy_term)


@api.get(
    "/taxonomy_terms/{id}", summary="A taxonomy term", openapi_extra=_responds("taxonomy_term")
)
def get_taxonomy_term(request: HttpRequest, id: str) -> shapes.Json:
    term = _one(TaxonomyTerm.objects.select_related("taxonomy"), id, "taxonomy term")
    return shapes.taxonomy_term(term)


# --- services at locations -----------------------------------------------------------------


def _places(full: bool) -> QuerySet[ServiceAtLocation]:
    rows = ServiceAtLocation.objects.select_related("location", "service__organisation")
    if full:
        rows = rows.prefetch_related(*_service_prefetches("service__", places=False))
    return rows.order_by("service__name", "location__name", "id")


def _origin(postcode: str) -> tuple[float, float]:
    """Where a postcode is, or a problem naming `postcode` that says what went wrong."""
    try:
        normalised = normalise_postcode(postcode)
    except ValueError as exc:
        raise FieldProblem("postcode", str(exc)) from None
    found = Postcode.objects.filter(postcode=normalised).first()
    if found is None or found.latitude is None or found.longitude is None:
        raise FieldProblem("postcode", f"We don't know where {normalised} is")
    return found.latitude, found.longitude


def _within_box(origin: tuple[float, float], metres: float) -> Q:
    """A cheap SQL prefilter: the box around the circle the exact distance then trims."""
    lat, lon = origin
    dlat = metres / METRES_PER_DEGREE
    dlon = metres / (METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01))
    return Q(location__latitude__range=(lat - dlat, lat + dlat),
             location__longitude__range=(lon - dlon, lon + dlon))  # fmt: skip


def _nearest(rows: QuerySet[Any], origin: tuple[float, float], metres: float | None) -> list[Any]:
    """Ids nearest first; within `metres` if given, else all, those we can't place last."""
    if metres is not None:
        rows = rows.filter(_within_box(origin, metres))
    scored = []
    for pk, lat, lon in rows.values_list("id", "location__latitude", "location__longitude"):
        far = math.inf if lat is None or lon is None else distance_km(origin, (lat, lon)) * 1000
        if metres is None or far <= metres:
            scored.append((far, str(pk), pk))
    return [pk for _, _, pk in sorted(scored)]


@api.get(
    "/service_at_locations",
    summary="Services at their places",
    openapi_extra=_responds("service_at_location_list"),
)
def list_service_at_locations(request: HttpRequest, query: Query[PlaceQuery]) -> Any:
    shape = shapes.service_at_location_full if query.full else shapes.service_at_location_summary
    rows = _places(query.full).filter(_service_filter(query, via="service__"))
    if not query.postcode:
        if query.proximity is not None:
            raise FieldProblem("postcode", "Give a postcode for proximity to be measured from")
        return _listing(query, rows, shape)
    ids = _nearest(rows, _origin(query.postcode), query.proximity)
    return _ordered_listing(query, rows, ids, shape)


@api.get(
    "/service_at_locations/{id}",
    summary="A service at a place, fully nested",
    openapi_extra=_responds("service_at_location"),
)
def get_service_at_location(request: HttpRequest, id: str) -> shapes.Json:
    return shapes.service_at_location_full(_one(_places(True), id, "service at location"))


@api.get("/{path:rest}", include_in_schema=False)
def nowhere(request: HttpRequest, rest: str) -> None:
    """Unknown paths answer as problems too, with the CORS header, not the site's HTML page."""
    raise Http404(f"There is no /{rest} in this API")
