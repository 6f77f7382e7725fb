"""manage.py export_personal_data --email EMAIL --out FILE.zip (a subject access request)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opus.core import personal_data
from opus.core.audit import audit_record
from opus.core.models import User


class Command(BaseCommand):
    help = (
        "Write everything Opus holds about the person with this e-mail address to a ZIP: their "
        "account and one JSON file a record type, with a readable summary (what the person "
        "downloads themselves from /account/my-data/). The export is recorded in the audit log."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True, help="the person's e-mail address")
        parser.add_argument("--out", required=True, type=Path, help="the ZIP file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        person = User.objects.filter(email__iexact=options["email"].strip()).first()
        if person is None:
            raise CommandError(
                f"export_personal_data: no account has the e-mail address {options['email']}"
            )
        out: Path = options["out"]
        if out.exists():
            raise CommandError(f"export_personal_data: {out} exists already; choose another name")
        out.write_bytes(personal_data.export_zip(person))
        audit_record(actor=None, action="personal_data.export", target=person, summary={})
        self.stdout.write(f"export_personal_data: {out} ({out.stat().st_size:,} bytes)")
