"""Liveness and readiness, for the proxy or orchestrator in front of the web processes.

`/healthz` says only that this process answers: a database outage must not get healthy web
processes restarted. `/readyz` says whether this process can do its work: the database answers,
every migration in the code is applied, and the task queue (the database backend's table, or
Redis under RQ) accepts work; 503 with the failing part named otherwise, so traffic goes elsewhere
during a deploy until migrations have run.
"""

from __future__ import annotations

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.utils.module_loading import import_string
from django.views.decorators.http import require_GET
from django_tasks_db.backend import DatabaseBackend
from django_tasks_rq.backend import RQBackend


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _database() -> str:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return "unavailable"
    return "ok"


def _migrations() -> str:
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        return "unavailable"
    return "ok" if not plan else f"{len(plan)} not applied"


def _task_queue() -> str:
    backend = import_string(settings.TASKS["default"]["BACKEND"])
    try:
        if issubclass(backend, RQBackend):
            import django_rq

            django_rq.get_connection("default").ping()
        elif issubclass(backend, DatabaseBackend):
            from django_tasks_db.models import DBTaskResult

            DBTaskResult.objects.exists()
    except Exception:  # noqa: BLE001 - any failure to reach the queue means not ready
        return "unavailable"
    return "ok"


@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database()}
    if checks["database"] == "ok":
        checks["migrations"] = _migrations()
        checks["task_queue"] = _task_queue()
    ready = all(value == "ok" for value in checks.values())
    body = {"status": "ok" if ready else "error", **checks}
    return JsonResponse(body, status=200 if ready else 503)
