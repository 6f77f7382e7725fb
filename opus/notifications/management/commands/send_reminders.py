"""manage.py send_reminders [--today YYYY-MM-DD] [--dry-run]: the reminders that come from dates."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from opus.notifications import reminders

EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


def _day(value: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"send_reminders: --today {value!r} is not a date; give it as YYYY-MM-DD"
        ) from None
    if not EARLIEST <= day <= LATEST:
        raise CommandError(
            f"send_reminders: --today must be from {EARLIEST:%Y-%m-%d} to {LATEST:%Y-%m-%d}"
        )
    return day


class Command(BaseCommand):
    help = (
        "Send the reminders that come from dates, each once only: a Choice Champion's consent "
        f"ending within {reminders.CONSENT_NOTICE_DAYS} days (to the resident and the "
        f"champion); a KPI return due within {reminders.KPI_DUE_DAYS} days (to the provider's "
        "staff) and overdue the day after (to them and the contract's commissioners); a "
        f"support plan review due within {reminders.PLAN_NOTICE_DAYS} days (to the resident "
        "and whoever wrote the plan with them). Run it once a day; running it again, or on two "
        "machines, tells no one twice. Prints how many were sent of each kind; a progress bar "
        "goes to stderr."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today", metavar="YYYY-MM-DD",
            help="the day to send reminders for (default: today, London time)",
        )  # fmt: skip
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would be sent, send nothing"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")

    def handle(self, *args: Any, **options: Any) -> None:
        today = _day(options["today"]) if options["today"] else None
        show = not options["no_progress"] and options["verbosity"] > 0

        def progress(found: list[reminders.Due]) -> Any:
            return tqdm(found, desc="send_reminders", unit=" reminders", file=sys.stderr,
                        disable=not show, mininterval=0.5)  # fmt: skip

        counts = reminders.send_reminders(today, dry_run=options["dry_run"], progress=progress)
        verb = "would send" if options["dry_run"] else "sent"
        parts = [f"{reminders.KINDS[kind]}: {count}" for kind, count in counts.items()]
        self.stdout.write(f"send_reminders ({verb}): " + "; ".join(parts))
