"""GET /api/v1/grants: awarded small grants as a 360Giving package, a page at a time.

Open data: anyone may read it without signing in. Each page is a valid 360Giving package of
that page's grants; `links` names the next and previous pages (as 360Giving's API guidance and
OCDS APIs do) and `total` the number of grants.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from opus.core.pagination import PageParams, per_page_field
from opus.neighbourhoods import threesixty

router = Router(tags=["grants"])


class GrantQuery(PageParams):
    per_page: int = per_page_field(100, 500, "Grants")


def _page_link(request: HttpRequest, query: GrantQuery, page: int) -> str:
    params = urlencode({"page": page, "per_page": query.per_page})
    return request.build_absolute_uri(request.path) + "?" + params


@router.get("/grants", auth=None, summary="Awarded small grants (360Giving 1.4.3)")
def list_grants(request: HttpRequest, query: Query[GrantQuery]) -> HttpResponse:
    """A 360Giving package of a page of awarded small grants, newest decision first."""
    rows = threesixty.published_grants()
    start = (query.page - 1) * query.per_page
    keys = list(rows.values_list("pk", flat=True)[start : start + query.per_page + 1])
    found = {g.pk: g for g in rows.filter(pk__in=keys[: query.per_page])}
    package = threesixty.package_meta()
    package["grants"] = [threesixty.grant_data(found[k]) for k in keys[: query.per_page]]
    links: dict[str, str] = {}
    if len(keys) > query.per_page:
        links["next"] = _page_link(request, query, query.page + 1)
    if query.page > 1:
        links["prev"] = _page_link(request, query, query.page - 1)
    package["links"] = links
    package["total"] = rows.count()
    response = HttpResponse(
        json.dumps(package, ensure_ascii=False), content_type="application/json"
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response
