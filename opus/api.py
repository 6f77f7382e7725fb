"""The JSON API at /api/v1: django-ninja, errors as RFC 9457 problem+json naming the field."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.security import django_auth

from opus.allocation.api_runs import router as allocation_runs_router
from opus.budgets.api import router as budgets_router
from opus.commissioning.api import router as commissioning_router
from opus.commissioning.ocds_api import router as ocds_router
from opus.core.api import router as core_router
from opus.core.api_auth import TokenAuth
from opus.core.api_input import TextParser, refuse_nul_in_path
from opus.core.openapi import PROBLEM, Problem, document_problems, problems
from opus.directory.api import router as directory_router
from opus.needs.api import router as needs_router
from opus.neighbourhoods.api import router as pb_router
from opus.neighbourhoods.api_grants import router as grants_router
from opus.voice.api_feedback import router as feedback_router
from opus.voice.api_performance import router as performance_router

__all__ = ["PROBLEM", "Problem", "api", "problem", "problems"]
logger = logging.getLogger("django.request")


class OpusAPI(NinjaAPI):
    """The API, whose OpenAPI description documents every problem each operation can answer."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_problems(schema)
        return schema

    @property
    def urls(self) -> tuple[list[Any], str, str]:
        patterns, app_name, namespace = super().urls
        return refuse_nul_in_path(patterns, _validation_problem), app_name, namespace


api = OpusAPI(
    title="Opus API",
    version="1",
    description="Open public services: areas, organisations and the records of the cycle. "
    "Authenticate machine clients with `Authorization: Bearer <token>` "
    "(create tokens on your account page).",
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=[TokenAuth(), django_auth],
    parser=TextParser(),
)


def problem(
    request: HttpRequest, status: int, title: str, detail: str, **extra: Any
) -> HttpResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM
    return response


def _field_name(loc: list[Any] | tuple[Any, ...]) -> str:
    # ninja prefixes the location with where it came from: body, query, path, form.
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "form", "header", "cookie"}:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] in {"payload", "data", "filters"}:
        parts = parts[1:]
    return ".".join(parts) or "request"


@api.exception_handler(ValidationError)
def _validation_problem(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"field": _field_name(e.get("loc", [])), "message": e.get("msg", "")} for e in exc.errors
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem(request, 422, "Your request has invalid values", detail, errors=errors)


@api.exception_handler(AuthenticationError)
def _auth_problem(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = problem(request, 401, "Sign in or send a token", "Authentication is required")
    response["WWW-Authenticate"] = 'Bearer realm="opus"'
    return response


@api.exception_handler(HttpError)
def _http_problem(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, ValidationError):  # the parser's, wrapped by ninja as a 400
        return _validation_problem(request, exc.__cause__)
    return problem(request, exc.status_code, str(exc.message), str(exc.message))


@api.exception_handler(PermissionDenied)
def _forbidden_problem(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return problem(request, 403, "Forbidden", str(exc) or "You may not do this")


@api.exception_handler(Http404)
def _not_found_problem(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem(request, 404, "Not found", "There is nothing here, or you may not see it")


@api.exception_handler(RequestDataTooBig)
def _too_large_problem(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    # Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) bounds every body; the bid route reads
    # up to its stated 10 MB of documents itself (opus/commissioning/api.py).
    detail = gettext("The request body is larger than this operation accepts")
    return problem(request, 413, gettext("The request is too large"), detail)


@api.exception_handler(SuspiciousOperation)
@api.exception_handler(BadRequest)
@api.exception_handler(MultiPartParserError)
def _bad_request_problem(request: HttpRequest, exc: Exception) -> HttpResponse:
    # What Django itself answers 400 (too many fields, a malformed multipart body, ...).
    detail = gettext("The request could not be read")
    return problem(request, 400, gettext("Bad request"), detail)


@api.exception_handler(Exception)
def _server_problem(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Anything unhandled: a 500 problem with an incident id, the traceback only in the log."""
    if settings.DEBUG:
        raise exc  # the developer's technical page
    incident = uuid.uuid4().hex[:12]
    logger.error(
        "Internal Server Error: %s (incident %s)",
        request.path,
        incident,
        exc_info=exc,
        extra={"status_code": 500, "request": request},
    )
    return problem(
        request,
        500,
        gettext("Something went wrong on our side"),
        gettext("Try again later; if it happens again, quote incident %(incident)s.")
        % {"incident": incident},
        incident=incident,
    )


api.add_router("/", core_router)
api.add_router("/needs", needs_router)
api.add_router("/", directory_router)
api.add_router("/budgets", budgets_router)
api.add_router("/", commissioning_router)
api.add_router("/ocds", ocds_router)
api.add_router("/", grants_router)
api.add_router("/feedback", feedback_router)
api.add_router("/voice", performance_router)
api.add_router("/pb", pb_router)
api.add_router("/allocation", allocation_runs_router)
