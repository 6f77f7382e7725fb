"""OCDS 1.1 publication: release packages and compiled records of every contracting process.

Open data: anyone may read it, without signing in. Pages are of contracting processes
(opportunities, oldest first); each page's package holds all their releases and names the
next and previous pages in ``links``, as OCDS APIs do.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router
from pydantic import field_validator

from opus.commissioning import ocds as publication
from opus.commissioning.models import Opportunity
from opus.core.pagination import PageParams, per_page_field
from opus.engines import ocds

router = Router(tags=["ocds"])
JSON = "application/json"


class ReleaseQuery(PageParams):
    per_page: int = per_page_field(50, 200, "Contracting processes")
    updated_since: datetime | None = Field(
        None,
        description="Only releases dated at or after this moment, with its time zone "
        "(e.g. 2026-03-01T00:00:00Z)",
    )

    @field_validator("updated_since")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("give the time zone too, e.g. 2026-03-01T00:00:00Z")
        try:  # in UTC: PostgreSQL refuses offsets past ±15:59, which Python allows
            return value.astimezone(UTC)
        except OverflowError:
            raise ValueError("give a moment between the years 1 and 9999") from None


def _page_link(request: HttpRequest, query: ReleaseQuery, page: int) -> str:
    params = {"page": page, "per_page": query.per_page}
    if query.updated_since is not None:
        params["updated_since"] = ocds.iso(query.updated_since)
    return request.build_absolute_uri(request.path) + "?" + urlencode(params)


def _json(document: object) -> HttpResponse:
    return HttpResponse(ocds.dumps(document), content_type=JSON)


@router.get("/releases", auth=None, summary="A release package of contracting processes")
def list_releases(request: HttpRequest, query: Query[ReleaseQuery]) -> HttpResponse:
    """Every OCDS release of a page of contracting processes (planning, tender, award,
    contract, implementation and their updates), newest data as of now. With
    `updated_since`, only the releases dated then or later, of the processes that have any."""
    now = timezone.now()
    rows = publication.public_opportunities()
    if query.updated_since is not None:
        rows = publication.changed_since(rows, query.updated_since)
    start = (query.page - 1) * query.per_page
    keys = list(rows.values_list("pk", flat=True)[start : start + query.per_page + 1])
    page_rows = Opportunity.objects.filter(pk__in=keys[: query.per_page]).order_by("pk")
    found = publication.releases(
        publication.processes(page_rows, now=now), now=now, since=query.updated_since
    )
    links = {}
    if len(keys) > query.per_page:
        links["next"] = _page_link(request, query, query.page + 1)
    if query.page > 1:
        links["prev"] = _page_link(request, query, query.page - 1)
    package = ocds.release_package(
        found,
        uri=request.build_absolute_uri(),
        publisher=publication.publisher(),
        published=now,
    )
    return _json(package | ({"links": links} if links else {}))


@router.get("/records/{ocid}", auth=None, summary="The record of one contracting process")
def get_record(request: HttpRequest, ocid: str) -> HttpResponse:
    """A record package: every release of the process and the compiled release (its
    current state, by the OCDS merge rules). 404 when there is no such public process."""
    now = timezone.now()
    found = publication.record_of(ocid, now=now)
    if found is None:
        raise Http404
    package = ocds.record_package(
        [found], uri=request.build_absolute_uri(), publisher=publication.publisher(), published=now
    )
    return _json(package)
