"""manage.py import_census [TABLE] FILE: a Census 2021 topic summary onto LSOA Areas."""

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opus.core.importers.census import TABLES, CensusImporter


class Command(BaseCommand):
    help = (
        "Import an LSOA-level Census 2021 topic summary CSV as published in the Nomis bulk "
        "downloads (https://www.nomisweb.co.uk/sources/census_2021_bulk, e.g. "
        "census2021-ts007a-lsoa.csv from census2021-ts007a.zip): columns 'date', 'geography', "
        "'geography code', then one per category. TS007 (age by single year) and TS007A (age "
        "in five-year bands) set each LSOA's population in the 19 European Standard Population "
        "bands, split by sex in the proportions already held (else halved); TS021 (ethnic "
        "group) and TS038 (disability) store the detailed categories. The table is detected "
        "from the headers; naming it checks the file is that table. Every LSOA must already "
        "be in Opus (import_imd first). The whole file is checked first: one bad cell and "
        "nothing is imported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "table_or_file",
            metavar="[TABLE] FILE",
            help=f"optionally the table ({', '.join(TABLES)}), then the CSV file",
        )
        parser.add_argument("file", nargs="?", help=argparse.SUPPRESS)
        parser.add_argument(
            "--skip-unknown",
            action="store_true",
            help="pass over (and count) rows whose geography code is not an LSOA in Opus, "
            "instead of refusing the file",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        table, path = options["table_or_file"], options["file"]
        if path is None:
            table, path = None, table
        elif table.upper() not in TABLES:
            raise CommandError(
                f"import_census: '{table}' is not a table Opus reads ({', '.join(TABLES)})"
            )
        importer = CensusImporter(path, table=table, skip_unknown=options["skip_unknown"])
        outcome = importer.run()
        for note in outcome.notes:
            self.stdout.write(note)
        self.stdout.write(importer.summary_line(outcome))
