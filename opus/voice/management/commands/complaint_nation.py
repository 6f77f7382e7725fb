"""manage.py complaint_nation ORG_SLUG NATION: the nation whose bank holidays a body's complaint
clocks count (England and Wales when never set). New complaints to the body use it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opus.core.models import Organisation
from opus.engines.working_days import NATIONS
from opus.voice.complaints import ComplaintError, complaint_body_set_nation


class Command(BaseCommand):
    help = (
        "Set the nation whose bank holidays count in a body's complaint deadlines: "
        f"one of {', '.join(NATIONS)}."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("organisation", help="The body's slug, as in its page's address")
        parser.add_argument("nation", help=f"One of {', '.join(NATIONS)}")

    def handle(self, *args: Any, **options: Any) -> None:
        body = Organisation.objects.filter(slug=options["organisation"]).first()
        if body is None:
            raise CommandError(f"No organisation {options['organisation']!r}")
        try:
            complaint_body_set_nation(organisation=body, nation=options["nation"], by=None)
        except ComplaintError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"{body.name}: complaint deadlines count {options['nation']} bank holidays"
        )
