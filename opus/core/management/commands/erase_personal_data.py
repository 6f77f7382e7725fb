"""manage.py erase_personal_data --email EMAIL --reason TEXT: erasure by pseudonym, on request."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opus.core import personal_data
from opus.core.models import User
from opus.core.retention import SCHEDULE


class Command(BaseCommand):
    help = (
        "Replace what identifies a person (name, e-mail address, mobile number, the notices sent "
        "to them) with a pseudonym and switch their account off. Records the retention schedule "
        "keeps stay, no longer naming them; the ledger and the audit chain still verify. "
        "Audited. --retention instead erases every resident account whose time is up."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", help="the person's e-mail address")
        parser.add_argument("--reason", default="", help="why (for example: request of 1 May)")
        parser.add_argument(
            "--retention", action="store_true", help="erase every account past its retention"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["retention"]:
            erased = personal_data.apply_retention()
            self.stdout.write(f"erase_personal_data: {erased} accounts past retention erased")
            return
        if not options["email"]:
            raise CommandError("erase_personal_data: give --email EMAIL (or --retention)")
        person = User.objects.filter(email__iexact=options["email"].strip()).first()
        if person is None:
            raise CommandError(
                f"erase_personal_data: no account has the e-mail address {options['email']}"
            )
        try:
            kept = personal_data.holds(person)
            pseudonym = personal_data.erase(person, by=None, reason=options["reason"])
        except personal_data.PersonalDataError as error:
            raise CommandError(f"erase_personal_data: {error}") from None
        names = {entry.key: str(entry.what) for entry in SCHEDULE}
        self.stdout.write(f"erase_personal_data: now {pseudonym}; kept without the name:")
        for key in kept:
            self.stdout.write(f"  - {names[key]}")
