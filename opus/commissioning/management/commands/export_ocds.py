"""manage.py export_ocds --out FILE: every published contracting process as OCDS 1.1."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from opus.commissioning import ocds as publication
from opus.engines import ocds

BUFFER = 1 << 20
MAX_CHUNK = 5_000  # keeps each IN list well inside SQLite's 32,766 parameters


class Command(BaseCommand):
    help = (
        "Write one OCDS 1.1 release package (JSON) holding every release of every published "
        "contracting process: planning, tender, award, contract and implementation, with "
        "their updates, amendments and cancellations, as they stand now. The file is written "
        "as it is read, a chunk of processes at a time, so memory does not grow with the "
        "number of processes; it appears under its name only once complete. Nothing from a "
        "sealed bid is included before the deadline. A progress bar goes to stderr."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--out", required=True, metavar="FILE", help="where to write the package (.json)"
        )
        parser.add_argument(
            "--chunk-size",
            type=int,
            default=publication.CHUNK,
            help=f"processes read per batch of queries (default {publication.CHUNK}, at most "
            f"{MAX_CHUNK:,})",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")

    def handle(self, *args: Any, **options: Any) -> None:
        target = Path(options["out"])
        if not 1 <= options["chunk_size"] <= MAX_CHUNK:
            raise CommandError(f"export_ocds: --chunk-size must be from 1 to {MAX_CHUNK:,}")
        if target.is_dir():
            raise CommandError(f"export_ocds: {target} is a folder; give a file name")
        show = not options["no_progress"] and options["verbosity"] > 0
        with _temporary_beside(target) as (stream, temporary):
            now = timezone.now()
            rows = publication.public_opportunities()
            total = rows.count()
            with tqdm(
                total=total, desc="export_ocds", unit=" processes", unit_scale=True,
                file=sys.stderr, disable=not show, mininterval=0.5,
            ) as bar:  # fmt: skip
                seen = _Counted(
                    publication.processes(rows, now=now, chunk_size=options["chunk_size"]), bar
                )
                count = ocds.write_release_package(
                    stream,
                    publication.releases(seen, now=now),
                    uri=publication.site_url(f"/api/v1/ocds/releases#export-{ocds.iso(now)}"),
                    publisher=publication.publisher(),
                    published=now,
                )
            stream.close()
            temporary.chmod(0o644)  # open data: readable by all, like any published file
            _replace(temporary, target)
        self.stdout.write(
            f"export_ocds: {count} releases of {seen.count} contracting processes written to "
            f"{target}"
            + (f" ({total - seen.count} left out: see the log)" if seen.count < total else "")
        )


class _Counted:
    """The processes as they pass, counted and shown on the progress bar."""

    def __init__(self, found: Iterator[Any], bar: tqdm[Any]) -> None:
        self.found, self.bar, self.count = found, bar, 0

    def __iter__(self) -> Iterator[Any]:
        for process in self.found:
            self.count += 1
            self.bar.update(1)
            yield process


@contextlib.contextmanager
def _temporary_beside(target: Path) -> Iterator[tuple[Any, Path]]:
    """A new file in the target's folder, removed unless it was moved into place."""
    try:
        handle, name = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".part"
        )
    except OSError as exc:
        raise CommandError(f"export_ocds: cannot write {target}: {exc.strerror}") from exc
    temporary = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", buffering=BUFFER) as stream:
            yield stream, temporary
    finally:
        temporary.unlink(missing_ok=True)


def _replace(temporary: Path, target: Path) -> None:
    try:
        os.replace(temporary, target)
    except OSError as exc:
        raise CommandError(f"export_ocds: cannot write {target}: {exc.strerror}") from exc
