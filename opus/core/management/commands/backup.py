"""manage.py backup --out FILE: the whole database in one checked file (opus/core/backup.py)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from opus.core.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Write the whole database to FILE: SQLite through its online backup (the site may keep "
        "running), PostgreSQL through pg_dump's custom format. The file records the database, "
        "the version (migrations applied) and a checksum, so `restore` can refuse a damaged or "
        "mismatched one. Schedule it (cron or a systemd timer) and keep copies off the machine."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, type=Path, help="the new backup file")
        parser.add_argument("--database", default="default", help="the database alias")

    def handle(self, *args: Any, **options: Any) -> None:
        with tqdm(total=0, unit="page", desc="backup", disable=options["verbosity"] < 1) as bar:

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            try:
                header = backup(options["out"], using=options["database"], progress=progress)
            except BackupError as error:
                raise CommandError(f"backup: {error}") from None
        self.stdout.write(
            f"backup: {options['out']} ({header.vendor}, {header.payload_bytes:,} bytes, "
            f"{len(header.migrations)} migrations)"
        )
