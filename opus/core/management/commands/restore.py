"""manage.py restore FILE: replace the database with a backup's, then verify it."""

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from opus.core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Replace the database with the backup in FILE, then run audit_verify and ledger_verify. "
        "Refuses, changing nothing, a file that is not a whole Opus backup, one made by another "
        "version of Opus or for the other database, and — without --force — any database that "
        "already holds data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="a file made by manage.py backup")
        parser.add_argument(
            "--force", action="store_true", help="replace a database that holds data"
        )
        parser.add_argument("--database", default="default", help="the database alias")

    def handle(self, *args: Any, **options: Any) -> None:
        with tqdm(total=0, unit="page", desc="restore", disable=options["verbosity"] < 1) as bar:

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            try:
                header = restore(
                    options["file"],
                    force=options["force"],
                    using=options["database"],
                    progress=progress,
                )
            except BackupError as error:
                raise CommandError(f"restore: {error}") from None
        self.stdout.write(f"restore: {options['file']} (made {header.created}) restored; verifying")
        call_command("audit_verify", stdout=self.stdout)
        call_command("ledger_verify", stdout=self.stdout)
