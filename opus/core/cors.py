"""Open data may be read from any web page: CORS on the open-data APIs' GETs, as ORUK has.

Only reads of what is published anyway (OCDS, 360Giving grants, areas, organisations, the needs
assessments, allocation runs, public performance, PB results) get `Access-Control-Allow-Origin: *`;
nothing that takes a token or writes does, so no other site can act for a signed-in person.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

OPEN_DATA = (
    "/api/v1/ocds/",
    "/api/v1/grants",
    "/api/v1/areas",
    "/api/v1/organisations",
    "/api/v1/postcodes/",
    "/api/v1/needs/",
    "/api/v1/contracts",
    "/api/v1/opportunities",
    "/api/v1/allocation/runs",
    "/api/v1/voice/performance",
    "/api/v1/pb/processes",
    "/api/v1/feedback/services/",
)


class OpenDataCorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(OPEN_DATA):
            return self.get_response(request)
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response["Access-Control-Allow-Headers"] = "Accept, Accept-Language"
            response["Access-Control-Max-Age"] = "86400"
        else:
            response = self.get_response(request)
        if request.method in ("GET", "HEAD", "OPTIONS"):
            response["Access-Control-Allow-Origin"] = "*"
        return response
