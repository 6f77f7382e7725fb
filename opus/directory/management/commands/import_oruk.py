"""manage.py import_oruk PATH [--partial]: an Open Referral UK 3.0 feed into the directory."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opus.directory.importer import import_feed


class Command(BaseCommand):
    help = (
        "Import an Open Referral UK 3.0 (HSDS 3.0) feed of services. PATH is a JSON file, or a "
        "directory whose *.json files are read in name order; each file holds a Page as GET "
        '/services returns it ({"contents": [service, …], …}), one full service as GET '
        "/services/{id} returns it, or a JSON list of services. Services, their organisations "
        "(by ORUK id), locations, languages, cost options (pounds → pence, rounded half up), "
        "schedules, contacts, service areas and taxonomy terms (creating an unknown taxonomy, "
        "such as the LGA's, from the terms given) are created or updated by id; importing the "
        "same feed again changes nothing. Each bad service is reported on stderr as "
        "'import_oruk: FILE, record N (id ID): FIELD: REASON'. Without --partial one bad "
        "service means nothing is imported and the command fails; with --partial the good "
        "services are imported, the bad ones reported, and the command succeeds. A file that "
        "is not JSON (or not in one of these shapes) always stops the import. One audit event "
        "(directory.import_oruk) records the counts, each file's SHA-256 and the rejected ids."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="a JSON file, or a directory of page files (*.json)")
        parser.add_argument(
            "--partial",
            action="store_true",
            help="import the good services even when some are rejected (exit status 0)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        outcome = import_feed(options["path"], partial=options["partial"])
        for line in outcome.rejection_lines():
            self.stderr.write(line)
        if not outcome.written:
            raise CommandError(outcome.refusal_line())
        self.stdout.write(outcome.details_line())
        self.stdout.write(outcome.summary_line())
