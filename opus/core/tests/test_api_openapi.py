"""The OpenAPI description documents every status code each operation can answer."""

import pytest

from opus.core.openapi import PROBLEM

WRITES = {"post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def document():
    from opus.api import api

    return api.get_openapi_schema()


def _operations(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            yield f"{method.upper()} {path}", method, operation


def _codes(operation):
    return {int(code) for code in operation["responses"]}


def test_every_operation_documents_the_codes_it_can_answer(document):
    missing = {}
    for label, method, operation in _operations(document):
        codes = _codes(operation)
        parameters = operation.get("parameters", [])
        expected = {400, 500}
        if not any(200 <= code < 300 for code in codes):
            missing[label] = "a success code"
            continue
        if parameters or "requestBody" in operation:
            expected.add(422)
        if "requestBody" in operation:
            expected.add(413)
        if operation.get("security"):
            expected.add(401)
            if method in WRITES:
                expected.add(403)
        if any(p["in"] == "path" for p in parameters):
            expected.add(404)
        if expected - codes:
            missing[label] = sorted(expected - codes)
    assert not missing


def test_every_problem_is_documented_as_problem_json(document):
    assert {"title", "status", "detail"} <= set(
        document["components"]["schemas"]["Problem"]["properties"]
    )
    for label, _, operation in _operations(document):
        for code, response in operation["responses"].items():
            if int(code) >= 400:
                assert response["description"], (label, code)
                schema = response["content"][PROBLEM]["schema"]
                assert schema == {"$ref": "#/components/schemas/Problem"}, (label, code)


@pytest.mark.parametrize(
    "label, code",
    [
        ("POST /api/v1/budgets/{budget_id}/allocations", 409),
        ("POST /api/v1/budgets/commitments/{commitment_id}/invoices", 409),
        ("POST /api/v1/opportunities/{opportunity_id}/bids", 413),
        ("GET /api/v1/needs/assessments", 401),
        ("GET /api/v1/opportunities/{opportunity_id}", 401),
        ("GET /api/v1/audit/events", 404),
    ],
)
def test_codes_that_follow_from_what_a_route_does_are_declared_on_it(document, label, code):
    operations = {label: operation for label, _, operation in _operations(document)}
    assert code in _codes(operations[label])
