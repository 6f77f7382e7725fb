"""What the OpenAPI description says beyond what ninja derives: every problem an operation answers.

Every error the JSON API sends is RFC 9457 `application/problem+json` (opus/api.py: problem).
The codes that follow from how an operation is declared are documented for every operation by
`document_problems`: 400 (a request Django cannot read), 429 (over a rate limit) and 500 for
all, 422 when it takes input, 413 when it takes a body, 401 when it needs a caller, 403 when it
writes as one, 404 when its path names something. Codes that follow from what an operation
does (409 for a reused idempotency key, 401 for a bad token on an open route, 404 for a list
only some roles see) are declared on the route with `problems(...)`.
"""

from __future__ import annotations

from typing import Any

from ninja import Schema

PROBLEM = "application/problem+json"
REF = "#/components/schemas/Problem"

DESCRIPTIONS = {
    400: "The request could not be read (too many fields, a malformed body)",
    401: "Sign in or send a valid token",
    403: "You may not do this",
    404: "There is nothing here, or you may not see it",
    409: "The request conflicts with an earlier one",
    413: "The request is too large",
    422: "Invalid values: `errors` names each field",
    429: "Too many requests: wait the seconds in `Retry-After` (opus/core/ratelimit.py)",
    500: "Something went wrong on our side: quote the `incident`",
}
WRITES = {"post", "put", "patch", "delete"}


class FieldError(Schema):
    field: str
    message: str


class Problem(Schema):
    """An error as RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None
    incident: str | None = None


def problems(*codes: int) -> dict[int, type[Problem]]:
    """Response declarations for a route: `response={200: Out, **problems(409)}`."""
    return dict.fromkeys(codes, Problem)


def idempotent(header: str = "Idempotency-Key") -> dict[str, Any]:
    """`openapi_extra` for a write that a repeated key replays rather than repeats."""
    described = "Your unique key for this operation (1 to 100 characters): sending it again "
    described += "replays the first answer; with a different request it is a 409 conflict."
    schema = {"type": "string", "minLength": 1, "maxLength": 100}
    parameter = {"in": "header", "name": header, "required": True, "schema": schema,
                 "description": described}  # fmt: skip
    return {"parameters": [parameter]}


def expected_codes(method: str, operation: dict[str, Any]) -> set[int]:
    """The codes every operation declared like this one can answer."""
    codes = {400, 429, 500}
    parameters = operation.get("parameters", [])
    if parameters or "requestBody" in operation:
        codes.add(422)
    if "requestBody" in operation:
        codes.add(413)
    if operation.get("security"):
        codes.add(401)
        if method in WRITES:
            codes.add(403)
    if any(p.get("in") == "path" for p in parameters):
        codes.add(404)
    return codes


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the Problem schema and every operation's problem responses to an OpenAPI dict."""
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    field_error = schemas["Problem"].pop("$defs", {}).get("FieldError")
    if field_error:
        schemas["FieldError"] = field_error
    content = {PROBLEM: {"schema": {"$ref": REF}}}
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for code in expected_codes(method, operation):
                responses.setdefault(code, {})
            for code, response in responses.items():
                if int(code) < 400:
                    continue
                response.setdefault("description", DESCRIPTIONS.get(int(code), "A problem"))
                response["content"] = content
    return schema
