"""manage.py export_360giving --out FILE: awarded small grants as a 360Giving package."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from opus.neighbourhoods.threesixty import package_chunks, published_grants


class Command(BaseCommand):
    help = (
        "Write every awarded small grant as a 360Giving Data Standard 1.4.3 package (JSON): "
        "recipients by org-id, the funding council, beneficiary places by LSOA and ward code, "
        "nothing about individuals."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, help="The JSON file to write")
        parser.add_argument("--quiet", action="store_true", help="No progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        total = published_grants().count()
        partial = out.with_name(out.name + ".part")
        bar = tqdm(total=total, unit="grant", disable=options["quiet"], file=self.stderr._out)
        try:
            with partial.open("w", encoding="utf-8") as handle:
                for piece in package_chunks(progress=bar.update):
                    handle.write(piece)
            os.replace(partial, out)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise CommandError(f"Cannot write {out}: {error.strerror}") from None
        finally:
            bar.close()
        self.stdout.write(f"Wrote {total} grants to {out}")
