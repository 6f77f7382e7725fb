"""manage.py import_oruk PATH [--partial] [--source NAME] [--report FILE.json]: an Open Referral
UK feed (3.0, or 1.0 as Placecube publishes it) into the directory."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opus.directory.importers.parse import MAX_DEPTH, MAX_FILE_BYTES
from opus.directory.importers.run import import_feed


class Command(BaseCommand):
    help = (
        "Import an Open Referral UK 3.0 (HSDS 3.0) feed of services, or an ORUK 1.0 one as "
        "Placecube publishes it (pc_metadata, pc_targetAudience, attending_type, "
        "deliverable_type, service_taxonomys, regular_schedules). PATH is a JSON file, or a "
        "directory whose *.json files are read in name order; each file holds a Page as GET "
        '/services returns it ({"contents": [service, …], …}), one full service as GET '
        "/services/{id} returns it, or a JSON list of services. Services, their organisations "
        "(by ORUK id), locations, languages, cost options (pounds → pence, rounded half up), "
        "schedules, contacts, service areas and taxonomy terms (creating an unknown taxonomy, "
        "such as the LGA's, from the terms given) are created or updated by id; importing the "
        "same feed again changes nothing. Every record an import creates is remembered as its "
        "source's (--source NAME; by default the name of PATH without .json, so give --source "
        "when a feed's file name changes from one import to the next). An import only creates "
        "records, or updates those its own source created: a service, organisation or location "
        "whose id is already used by a record the source did not create (made in Opus, or "
        "imported from another source), or a service that would belong to an organisation the "
        "source did not create, is a conflict and nothing about it is changed. Each bad or "
        "conflicting service is reported on stderr as "
        "'import_oruk: FILE, record N (id ID): FIELD: REASON'. Without --partial one bad or "
        "conflicting service means nothing is imported and the command fails; with --partial "
        "the good services are imported, the others reported, and the command succeeds. A file "
        f"that is not JSON (or not in one of these shapes), is over {MAX_FILE_BYTES:,} bytes or "
        f"nests more than {MAX_DEPTH} levels always stops the import, also part way through "
        "(each file is streamed a record at a time, and records are checked and written "
        "2,000 at a time in one transaction, so memory does not grow with the feed). One "
        "audit event "
        "(directory.import_oruk) records the source, the counts, each file's SHA-256 and the "
        "rejected and conflicting ids; each change to an organisation's details "
        "(organisation.update) or to a service's organisation (service.update) has its own "
        "event with the values before and after. What can safely be fixed is fixed and "
        "reported as 'import_oruk: FILE, record N (id ID): FIELD: warning: WHAT': a web address "
        "without a scheme gets https://, zero-width characters and surrounding space go, a dot "
        "ending an e-mail domain goes, HTML descriptions keep only paragraphs, lists, links and "
        "emphasis. The feed's last_modified or assured_date (the later) is the service's review "
        "date; a service whose feed gives neither has none. --report FILE.json writes the "
        "counts (records, imported, rejected, warnings, with and without needs) and every "
        "rejection and warning."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="a JSON file, or a directory of page files (*.json)")
        parser.add_argument(
            "--partial",
            action="store_true",
            help="import the good services even when some are rejected or in conflict (exit "
            "status 0)",
        )
        parser.add_argument(
            "--source",
            metavar="NAME",
            help="the feed's source, up to 100 characters (default: PATH's name without "
            ".json); the import changes only records this source created",
        )

        parser.add_argument(
            "--report",
            metavar="FILE.json",
            help="write what the import found and did to this JSON file (also when it is refused)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = Path(options["report"]) if options["report"] else None
        if report is not None and not report.parent.is_dir():
            raise CommandError(f"import_oruk: --report: {report.parent} is not a directory")
        outcome = import_feed(options["path"], partial=options["partial"], source=options["source"])
        for line in outcome.rejection_lines():
            self.stderr.write(line)
        for line in outcome.warning_lines():
            self.stderr.write(line)
        if report is not None:
            report.write_text(json.dumps(outcome.report(), indent=2) + "\n", encoding="utf-8")
        if not outcome.written:
            raise CommandError(outcome.refusal_line())
        self.stdout.write(outcome.details_line())
        self.stdout.write(outcome.summary_line())
