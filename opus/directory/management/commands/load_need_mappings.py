"""manage.py load_need_mappings FILE.csv: a council's own rows mapping feed terms to needs."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opus.directory.needs_mapping import (
    COLUMNS,
    MAX_FILE_ROWS,
    MappingFileError,
    need_mappings_load,
    read_rows,
)

MAX_BYTES = 5_000_000


class Command(BaseCommand):
    help = (
        "Load a council's mapping of feed taxonomy terms to Opus's needs from a CSV file with "
        f"the columns {', '.join(COLUMNS)} (lines starting with # are notes). scheme names the "
        "classification as feeds name their taxonomy (esdServiceTypes, Open Eligibility, "
        "ORUK deliverable type, or the council's own); code and/or label name the term "
        "(compared without case or extra spaces); need is an Opus need code (befriending, "
        "benefits-advice, …); match is exact, or related (used only when no exact row maps a "
        "service's terms). The file's rows replace the council's earlier rows and the shipped "
        "rows (opus/directory/data/need_mappings/) for the same scheme and code (or label when "
        "the code is blank). Every bad row is reported on stderr as "
        "'load_need_mappings: FILE row N: PROBLEM' and then nothing is loaded. New rows apply "
        "from the next import. One audit event (directory.need_mappings_load) records the load."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=f"a CSV file (up to {MAX_FILE_ROWS:,} rows)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            if path.stat().st_size > MAX_BYTES:
                raise CommandError(f"load_need_mappings: {path} is over {MAX_BYTES:,} bytes")
            text = path.read_text(encoding="utf-8-sig")
        except OSError as error:
            raise CommandError(
                f"load_need_mappings: cannot read {path}: {error.strerror}"
            ) from None
        except UnicodeDecodeError:
            raise CommandError(f"load_need_mappings: {path} is not UTF-8 text") from None
        try:
            rows = read_rows(text, name=path.name)
        except MappingFileError as error:
            for line in error.lines:
                self.stderr.write(f"load_need_mappings: {line}")
            raise CommandError(
                f"load_need_mappings: {len(error.lines)} problem(s) in {path}; nothing was loaded"
            ) from None
        if not rows:
            raise CommandError(f"load_need_mappings: {path} has no rows")
        count = need_mappings_load(rows=rows, file=str(path))
        self.stdout.write(f"load_need_mappings: {count} rows loaded from {path}")
