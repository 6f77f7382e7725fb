"""schemathesis over /api/v1: every operation, valid and invalid input, and no server error.

The OpenAPI description is loaded from the application itself through WSGI, and every
operation is called in-process with the values it generates (a bounded number of them, so
the whole test takes well under a minute), signed in with a commissioner's API token.
Any 5xx fails the test, naming the operation and the request that caused it; so does a status
code or content type that the OpenAPI description does not document for the operation.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import content_type_conformance, status_code_conformance

from opus.budgets import services as budgets
from opus.budgets.models import Transaction
from opus.choice import services as choice
from opus.commissioning.tests.helpers import open_opportunity
from opus.core import services
from opus.directory import services as directory
from opus.testing import create_area, create_service

pytestmark = pytest.mark.django_db

# Examples per operation and generation mode: enough to reach the edges of every parameter
# (schemathesis tries boundary values first), few enough that all of /api/v1 runs in seconds.
EXAMPLES = int(os.environ.get("OPUS_FUZZ_EXAMPLES", "10"))  # more for a deeper search by hand
# No 5xx; and every status code and content type answered is the one the description documents.
TODAY = dt.date(2026, 4, 1)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance]
CI_PROFILE = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def app():
    """Django's own WSGI application, in this test's transaction.

    Django closes the database connection at the start and end of every request unless its
    test client makes the request; here the WSGI application is called directly, so the
    closing is switched off as the test client switches it off.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def token(cast):
    _, secret = services.api_token_create(user=cast.commissioner, name="fuzz")
    return secret


@pytest.fixture
def known(cast):
    """Real records for the path parameters, so that requests reach past the 404."""
    area = create_area(code="E01900001")
    service = create_service(organisation=cast.charity)
    directory.service_set_cost(service=service, amount_pence=15_00, unit="hour", option="", by=None)
    budget = budgets.budget_create(
        person=cast.resident, title="Rosa's budget", by=cast.commissioner, needs=["befriending"],
        period_start=TODAY, period_end=TODAY + dt.timedelta(days=364),
        sources=[("social_care", cast.council, 5_000_00)],
    )  # fmt: skip
    booking = choice.booking_request(
        person=cast.resident, service=service, by=cast.resident, units_per_week=Decimal(2),
        start_date=TODAY, message="", needs=["befriending"], circumstances=[],
    )  # fmt: skip
    choice.booking_decide(booking=booking, accept=True, reason="", by=cast.provider)
    booking.refresh_from_db()
    return {
        "code": area.code,
        "slug": cast.charity.slug,
        "budget_id": str(budget.pk),
        "commitment_id": str(booking.commitment.pk),
        "transaction_id": Transaction.objects.filter(budget_id=budget.pk).order_by("id")[0].pk,
        "opportunity_id": open_opportunity(cast).pk,
    }


def _server_errors(operation, mode, headers, path_parameters=None):
    found: list[str] = []

    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    @CI_PROFILE
    def run(case):
        # Each request in a savepoint rolled back after it: the requests stay independent,
        # and one failed statement does not abort the test's transaction on PostgreSQL.
        savepoint = transaction.savepoint()
        try:
            response = case.call(headers=headers)
        finally:
            transaction.savepoint_rollback(savepoint)
        try:
            case.validate_response(response, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as exc:  # FailureGroup is a BaseExceptionGroup
            failed = "; ".join(
                getattr(e, "title", repr(e)) for e in getattr(exc, "exceptions", [exc])
            )
            found.append(
                f"{operation.label} ({mode.value}): {response.status_code} ({failed})\n"
                f"    {case.as_curl_command(headers=headers)}\n"
                f"    {response.text[:300]}"
            )
            raise

    try:
        run()
    except Unsatisfiable:  # nothing to make invalid (no parameters, or free text only)
        assert mode is GenerationMode.NEGATIVE, f"{operation.label}: no valid request"
    except (Exception, BaseExceptionGroup) as exc:  # the last failure found is the shrunk one
        return found[-1:] or [f"{operation.label} ({mode.value}): {exc!r}"]
    return []


def test_no_operation_answers_a_server_error_or_an_undocumented_status(app, token, known):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20, "the API's operations were not all found"
    failures = [
        failure
        for operation in operations
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        for failure in _server_errors(operation, mode, headers)
    ]
    # Again with the path naming real records: the bodies and queries reach the services.
    for operation in operations:
        names = {p.name for p in operation.path_parameters}
        if names and names <= set(known):
            real = {name: known[name] for name in names}
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                failures += _server_errors(operation, mode, headers, real)
    assert not failures, "Server errors:\n" + "\n".join(failures)
