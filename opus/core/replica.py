"""Reads that scale out: public, read-only requests read from a replica when one is configured.

With `DATABASE_REPLICA_URL` set, the `replica` alias is that server; otherwise it is the primary
under another name (tests use it so). A request may read from the replica only when all of these
hold, decided once by `ReplicaMiddleware` and checked again on every query by `ReplicaRouter`:

* it is a GET or HEAD to a public, read-only part of the site (the directory, ORUK, OCDS, needs
  and open data pages and APIs: `PUBLIC_READS`);
* no write has happened in this request (after one, every read goes to the primary, so the
  request sees what it wrote);
* the query is not inside a transaction (`atomic` blocks read what they will write against);
* the model is not one whose freshness matters to the person (accounts, sessions, sign-in
  throttling, tokens, task results): those always read from the primary, as replication lags.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
PUBLIC_READS = (
    "/directory/",
    "/api/oruk/",
    "/api/v1/ocds",
    "/api/v1/directory",
    "/api/v1/areas",
    "/api/v1/organisations",
    "/api/v1/needs",
    "/needs/",
    "/commissioning/ocds",
    "/open-data/",
)
PRIMARY_ONLY_APPS = {"auth", "sessions", "axes", "otp_totp", "otp_static", "django_tasks_db"}
PRIMARY_ONLY_MODELS = {"core.user", "core.apitoken", "core.membership", "core.backgroundjob"}

_may_read_replica: ContextVar[bool] = ContextVar("may_read_replica", default=False)


def _primary_only(model: type[Any]) -> bool:
    meta = model._meta
    return meta.app_label in PRIMARY_ONLY_APPS or meta.label_lower in PRIMARY_ONLY_MODELS


class ReplicaRouter:
    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        if not (_may_read_replica.get() and settings.OPUS_READ_REPLICA):
            return None
        if _primary_only(model) or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None
        return REPLICA

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        _may_read_replica.set(False)  # read your own writes for the rest of the request
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # one database, copied: objects from either alias are the same rows

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


class ReplicaMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        public_read = request.method in ("GET", "HEAD") and request.path.startswith(PUBLIC_READS)
        token = _may_read_replica.set(public_read)
        try:
            return self.get_response(request)
        finally:
            _may_read_replica.reset(token)
