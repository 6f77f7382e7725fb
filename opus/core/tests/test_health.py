"""/healthz answers while the process lives; /readyz only when it can do its work."""

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_asking_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_checks_the_database_migrations_and_task_queue(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "migrations": "ok",
        "task_queue": "ok",
    }


def test_readyz_is_not_ready_while_a_migration_is_unapplied(client):
    MigrationRecorder(connection).record_unapplied("core", "0013_periodic_runs")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["migrations"] == "1 not applied"


def test_readyz_is_not_ready_when_the_task_queue_cannot_be_reached(client, settings):
    settings.TASKS = {"default": {"BACKEND": "opus.core.rq_backend.OnCommitRQBackend"}}
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/0"}}
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["task_queue"] == "unavailable"
