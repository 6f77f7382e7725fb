"""manage.py snapshot_monitor: keep this month's postcode-lottery figures (run it monthly)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from opus.allocation import monitor


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--on must be a date like 2026-12-31, not {text!r}") from None


class Command(BaseCommand):
    help = (
        "Work out the postcode-lottery monitor's figures (need-adjusted variation of spend and "
        "access by service kind, with bootstrap intervals and funnel limits) as they stand "
        "today, or on --on, and keep them as that month's snapshot (replacing an earlier one)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--on", help="The day to take the figures on (YYYY-MM-DD); today")
        parser.add_argument(
            "--level", choices=sorted(monitor.LEVELS), default="neighbourhood",
            help="The areas compared (default: neighbourhoods)",
        )  # fmt: skip
        parser.add_argument(
            "--draws", type=int, default=monitor.DEFAULT_DRAWS,
            help="Bootstrap draws for the intervals, 0 to 10,000 (default 1,000)",
        )  # fmt: skip
        parser.add_argument("--quiet", action="store_true", help="No progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        on = _day(options["on"]) if options["on"] else timezone.localdate()
        if on > timezone.localdate():
            raise CommandError("--on cannot be in the future")
        bar = tqdm(total=1, unit="snapshot", disable=options["quiet"], file=self.stderr._out)
        try:
            snapshot = monitor.snapshot_take(
                on=on, by=None, level=options["level"], draws=options["draws"]
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        finally:
            bar.update(1)
            bar.close()
        kinds = len(snapshot.figures["kinds"])
        self.stdout.write(f"Kept the {snapshot.period} snapshot: {kinds} service kinds")
