"""manage.py import_postcodes FILE: the ONSPD or NSPL CSV into Postcodes."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from opus.core.importers.postcodes import PostcodeImporter


class Command(BaseCommand):
    help = (
        "Import the ONS Postcode Directory (ONSPD) or the National Statistics Postcode Lookup "
        "(NSPL) CSV, published by ONS on the Open Geography Portal "
        "(https://geoportal.statistics.gov.uk/, Postcodes). Reads pcds (or pcd/pcd7, "
        "pcd2/pcd8), doterm, lat, long and the LSOA (lsoa21cd, lsoa21, else lsoa11cd/lsoa11). "
        "Live postcodes (empty doterm) are created or updated, with their LSOA when Opus has "
        "it; terminated ones are passed over and counted. The file is checked whole first (one "
        "bad cell and nothing is imported), then written in batches of 5,000 with a progress "
        "bar on stderr."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the ONSPD or NSPL CSV, e.g. NSPL_FEB_2025_UK.csv")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")

    def handle(self, *args: Any, **options: Any) -> None:
        importer = PostcodeImporter(options["file"], progress=not options["no_progress"])
        outcome = importer.run()
        for note in outcome.notes:
            self.stdout.write(note)
        self.stdout.write(importer.summary_line(outcome))
