"""manage.py import_imd FILE: the English Indices of Deprivation File 7 into LSOA Areas."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from opus.core.importers.imd import ImdImporter


class Command(BaseCommand):
    help = (
        "Import the English Indices of Deprivation 'File 7: all ranks, deciles and scores for "
        "the indices of deprivation, and population denominators' (CSV), published by the "
        "Ministry of Housing, Communities and Local Government at "
        "https://www.gov.uk/government/statistics/english-indices-of-deprivation-2019 "
        "(IoD2019, LSOA 2011 codes; the IoD2025 File 7 is read too). Creates or updates one "
        "LSOA Area per row with its IMD score, rank, decile and seven domain scores, and the "
        "local authority Area of each district; a new or parentless LSOA is put under its "
        "local authority, one already under a ward keeps its ward. The whole file is checked "
        "first: one bad cell and nothing is imported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the File 7 CSV, e.g. File_7_-_All_IoD2019_Scores_….csv")

    def handle(self, *args: Any, **options: Any) -> None:
        importer = ImdImporter(options["file"])
        outcome = importer.run()
        for note in outcome.notes:
            self.stdout.write(note)
        self.stdout.write(importer.summary_line(outcome))
