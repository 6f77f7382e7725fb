"""Public read-only requests read from the replica; writes, transactions and accounts never do.

The `replica` alias is a second connection to the same database here (a test mirror), so these
tests follow the router's choices; reading the same rows through either alias is what a real,
caught-up replica gives.
"""

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory

from opus.core.models import Organisation, User
from opus.core.replica import ReplicaMiddleware, ReplicaRouter
from opus.directory.models import Service
from opus.testing import create_service

router = ReplicaRouter()


@pytest.fixture(autouse=True)
def replica_on(settings):
    settings.OPUS_READ_REPLICA = True


def choices_during(method: str, path: str, probe) -> list:
    seen = []

    def view(request):
        seen.extend(probe())
        return HttpResponse("ok")

    ReplicaMiddleware(view)(getattr(RequestFactory(), method.lower())(path))
    return seen


def test_a_public_directory_page_reads_services_from_the_replica():
    assert choices_during("GET", "/directory/", lambda: [router.db_for_read(Service)]) == [
        "replica"
    ]


def test_open_data_apis_read_from_the_replica():
    for path in ["/api/oruk/services", "/api/v1/ocds/releases", "/api/v1/areas"]:
        assert choices_during("GET", path, lambda: [router.db_for_read(Organisation)]) == [
            "replica"
        ], path


def test_signed_in_pages_and_posts_read_from_the_primary():
    assert choices_during("GET", "/budgets/", lambda: [router.db_for_read(Service)]) == [None]
    assert choices_during("POST", "/directory/", lambda: [router.db_for_read(Service)]) == [None]


def test_after_a_write_the_request_reads_its_own_writes_from_the_primary():
    def probe():
        before = router.db_for_read(Service)
        router.db_for_write(Service)
        return [before, router.db_for_read(Service)]

    assert choices_during("GET", "/directory/", probe) == ["replica", None]


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_stay_on_the_primary():
    def probe():
        outside = router.db_for_read(Service)
        with transaction.atomic():
            inside = router.db_for_read(Service)
        return [outside, inside]

    assert choices_during("GET", "/directory/", probe) == ["replica", None]


def test_accounts_and_sessions_are_always_read_from_the_primary():
    from django.contrib.sessions.models import Session

    probe = lambda: [router.db_for_read(m) for m in (User, Session, Service)]  # noqa: E731
    assert choices_during("GET", "/directory/", probe) == [None, None, "replica"]


def test_nothing_reads_from_the_replica_unless_one_is_configured(settings):
    settings.OPUS_READ_REPLICA = False
    assert choices_during("GET", "/directory/", lambda: [router.db_for_read(Service)]) == [None]


def test_outside_a_request_everything_reads_from_the_primary():
    assert router.db_for_read(Service) is None


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_a_public_page_read_through_the_replica_shows_what_the_primary_holds(client):
    service = create_service(name="Riverside befriending")
    response = client.get("/directory/?q=befriending")
    assert response.status_code == 200
    assert service.name in response.content.decode()


def test_migrations_run_only_on_the_primary():
    assert router.allow_migrate("default", "core") and not router.allow_migrate("replica", "core")
