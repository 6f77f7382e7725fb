"""manage.py export_pabulib PROCESS_ID --out FILE: a PB process's ballots as a Pabulib file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opus.engines import pabulib
from opus.neighbourhoods.models import Process
from opus.neighbourhoods.pabulib_export import process_election


class Command(BaseCommand):
    help = (
        "Write a participatory-budgeting process's ballots in the Pabulib format (.pb), voter "
        "ids pseudonymous. Only once its results are published."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("process_id", type=int, help="The process's number")
        parser.add_argument("--out", required=True, help="The file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        process = Process.objects.select_related("area").filter(pk=options["process_id"]).first()
        # The same answer for a process that does not exist and one not yet published.
        if process is None or not process.published:
            raise CommandError(f"No published PB process {options['process_id']}")
        text = pabulib.write(process_election(process))
        try:
            Path(options["out"]).write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Cannot write {options['out']}: {error.strerror}") from None
        self.stdout.write(f"Wrote {options['out']}")
