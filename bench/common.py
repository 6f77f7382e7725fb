"""What every benchmark needs: fresh databases, a clean environment, Django in a child."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MARK = "BENCH-JSON "
# Settings the caller may have set that must not redirect a benchmark's databases or mode.
SCRUBBED_ENV = {"DATABASE_URL", "SQLITE_PATH", "OPUS_ENV", "DEBUG", "ALLOWED_HOSTS"}


class BenchError(Exception):
    """Something went wrong that makes the figures meaningless."""


def subprocess_env(database_env: dict[str, str], **extra: str) -> dict[str, str]:
    """The caller's environment without database or mode settings, plus the bench's own."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in SCRUBBED_ENV and key.removesuffix("_FILE") not in SCRUBBED_ENV
    }
    env.update(DEBUG="false", PYTHONUNBUFFERED="1", **extra, **database_env)
    env["DJANGO_SETTINGS_MODULE"] = "opus.settings"
    return env


@contextlib.contextmanager
def fresh_sqlite() -> Iterator[dict[str, str]]:
    """A new SQLite file in a temporary folder, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="opus-bench-") as folder:
        yield {"SQLITE_PATH": str(Path(folder) / "opus.sqlite3")}


def postgresql_version(admin_url: str) -> str:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        server = conn.execute("SHOW server_version").fetchone()
    return server[0] if server else "?"


@contextlib.contextmanager
def fresh_postgresql(admin_url: str, label: str) -> Iterator[dict[str, str]]:
    """A new database opus_bench_<label>_<pid>, dropped afterwards even when the run fails."""
    from urllib.parse import urlparse

    import psycopg
    from psycopg import sql

    name = f"opus_bench_{label}_{os.getpid()}"
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(drop)
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield {"DATABASE_URL": urlparse(admin_url)._replace(path=f"/{name}").geturl()}
    finally:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(drop)


def django_setup() -> None:
    """In a stage's child process: Django for the database its environment names."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opus.settings")
    import django

    django.setup()


def report_json(data: dict[str, Any]) -> None:
    """A stage's report, one marked line of JSON on stdout for the driver to read."""
    print(MARK + json.dumps(data), flush=True)
