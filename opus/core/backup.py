"""Backups of the whole database in one file, and restoring them only when it is safe.

A backup file is a short text header (a magic line, then one JSON line) followed by the payload:
SQLite's own online backup of the database file, or `pg_dump`'s custom format. The header says
which database made it, which migrations were applied (the *version*), and the payload's length
and SHA-256, so that a truncated or altered file, one from another version of Opus or one for the
other database is refused before anything is touched. Restoring over a database that holds any
Opus rows needs `force`.

After a restore the caller runs `audit_verify` and `ledger_verify` (the commands do), so a
restored database is known to be whole, not merely loaded.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, BinaryIO

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

MAGIC = b"OPUS-BACKUP\n"
FORMAT = 1
CHUNK = 1 << 20
OPUS_APPS = "opus."

Progress = Callable[[int, int], None]


class BackupError(Exception):
    """A backup that cannot be made or restored; the message says why, in words."""


@dataclass(frozen=True)
class Header:
    format: int
    vendor: str
    created: str
    migrations: list[str]
    payload_bytes: int
    payload_sha256: str


def _migrations(using: str) -> list[str]:
    applied = MigrationRecorder(connections[using]).applied_migrations()
    return sorted(f"{app}.{name}" for app, name in applied)


def _known_migrations(using: str) -> set[str]:
    loader = MigrationLoader(connections[using], ignore_no_migrations=True)
    return {f"{app}.{name}" for app, name in loader.graph.nodes}


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_environment(using: str) -> tuple[list[str], dict[str, str]]:
    """The libpq options and environment for this alias (the password never on a command line)."""
    settings = connections[using].settings_dict
    env = {**os.environ}
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    options = [
        f"--host={settings.get('HOST') or '127.0.0.1'}",
        f"--port={settings.get('PORT') or 5432}",
        f"--username={settings.get('USER') or 'postgres'}",
        f"--dbname={settings['NAME']}",
    ]
    return options, env


def _run(command: list[str], env: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is needed for PostgreSQL backups and was not found")
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise BackupError(f"{command[0]} failed: {last}")


def _dump(using: str, payload: Path, progress: Progress | None) -> None:
    connection = connections[using]
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(payload)
        try:
            step = (lambda _s, left, total: progress(total - left, total)) if progress else None
            connection.connection.backup(target, pages=1024, progress=step)
        finally:
            target.close()
    elif connection.vendor == "postgresql":
        options, env = _pg_environment(using)
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                *options,
                "-f",
                str(payload),
            ],
            env,
        )
    else:
        raise BackupError(f"backups of {connection.vendor} databases are not supported")


def backup(out: Path, *, using: str = DEFAULT_DB_ALIAS, progress: Progress | None = None) -> Header:
    """Write the whole database to `out` (a new file); returns what its header says."""
    if out.exists():
        raise BackupError(f"{out} exists already; choose another name")
    with tempfile.TemporaryDirectory(dir=out.parent) as work:
        payload = Path(work) / "payload"
        _dump(using, payload, progress)
        header = Header(
            format=FORMAT,
            vendor=connections[using].vendor,
            created=timezone.now().isoformat(timespec="seconds"),
            migrations=_migrations(using),
            payload_bytes=payload.stat().st_size,
            payload_sha256=_hash_file(payload),
        )
        partial = Path(work) / "backup"
        with partial.open("wb") as stream, payload.open("rb") as source:
            stream.write(MAGIC + json.dumps(asdict(header)).encode() + b"\n")
            shutil.copyfileobj(source, stream, CHUNK)
        partial.replace(out)  # a backup file is whole or absent
    return header


def _read_header(stream: BinaryIO, path: Path) -> Header:
    if stream.read(len(MAGIC)) != MAGIC:
        raise BackupError(f"{path} is not an Opus backup")
    try:
        fields: dict[str, Any] = json.loads(stream.readline(1 << 20))
        header = Header(**fields)
    except (ValueError, TypeError):
        raise BackupError(f"{path} has a damaged header") from None
    if header.format != FORMAT:
        raise BackupError(f"{path} is in backup format {header.format}; this Opus reads {FORMAT}")
    return header


def inspect(path: Path) -> Header:
    """The header of a whole, unaltered backup file, or BackupError saying what is wrong."""
    if not path.is_file():
        raise BackupError(f"{path} does not exist")
    with path.open("rb") as stream:
        header = _read_header(stream, path)
        start = stream.tell()
    size = path.stat().st_size - start
    if size != header.payload_bytes:
        raise BackupError(
            f"{path} is truncated or padded: {size:,} bytes of data where the header says "
            f"{header.payload_bytes:,}"
        )
    with path.open("rb") as stream:
        stream.seek(start)
        digest = hashlib.sha256()
        for block in iter(lambda: stream.read(CHUNK), b""):
            digest.update(block)
    if digest.hexdigest() != header.payload_sha256:
        raise BackupError(f"{path} has been altered: its data does not match its checksum")
    return header


def _check_version(header: Header, using: str) -> None:
    known, theirs = _known_migrations(using), set(header.migrations)
    newer, older = sorted(theirs - known), sorted(known - theirs)
    if newer:
        raise BackupError(
            f"the backup is from a newer version of Opus ({len(newer)} migrations unknown here, "
            f"first {newer[0]}); restore it with that version"
        )
    if older:
        raise BackupError(
            f"the backup is from an older version of Opus ({len(older)} migrations it lacks, "
            f"first {older[0]}); restore it with that version, then upgrade"
        )


def holds_data(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether any Opus table in the database has a row (a fresh database has none)."""
    tables = set(connections[using].introspection.table_names())
    for model in apps.get_models():
        if model.__module__.startswith(OPUS_APPS) and model._meta.db_table in tables:
            if model._meta.managed and model._default_manager.using(using).exists():
                return True
    return False


@contextmanager
def _payload(path: Path) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as work, path.open("rb") as stream:
        _read_header(stream, path)
        out = Path(work) / "payload"
        with out.open("wb") as target:
            shutil.copyfileobj(stream, target, CHUNK)
        yield out


def restore(
    path: Path,
    *,
    force: bool = False,
    using: str = DEFAULT_DB_ALIAS,
    progress: Progress | None = None,
) -> Header:
    """Replace the database with the backup's; nothing is touched unless every check passes."""
    header = inspect(path)
    connection = connections[using]
    if header.vendor != connection.vendor:
        raise BackupError(
            f"{path} is a {header.vendor} backup; this database is {connection.vendor}"
        )
    _check_version(header, using)
    if holds_data(using) and not force:
        raise BackupError("the database holds data; restoring would replace it all (use --force)")
    with _payload(path) as payload:
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            source = sqlite3.connect(payload)
            try:
                step = (lambda _s, left, total: progress(total - left, total)) if progress else None
                source.backup(connection.connection, pages=1024, progress=step)
            finally:
                source.close()
        else:
            connection.close()
            options, env = _pg_environment(using)
            _run(
                ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
                 "--single-transaction", "--exit-on-error", *options, str(payload)],
                env,
            )  # fmt: skip
    return header
