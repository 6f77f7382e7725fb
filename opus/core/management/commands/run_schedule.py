"""manage.py run_schedule: enqueue the periodic jobs (opus/core/schedule.py) when they fall due."""

import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from opus.core.schedule import SCHEDULE, run_due


class Command(BaseCommand):
    help = (
        "Every minute, enqueue each periodic job whose period has come (notifications every "
        "5 minutes, reminders daily at 07:00, audit heads at 02:00, retention at 03:00) for "
        "the task worker to run. Safe to run on several machines at once: each period is "
        "enqueued once. --once checks a single time and stops (for cron)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="check once, then stop")
        parser.add_argument(
            "--interval", type=int, default=60, help="seconds between checks (10 to 3600)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        interval = options["interval"]
        if not 10 <= interval <= 3600:
            self.stderr.write("run_schedule: --interval must be between 10 and 3600 seconds")
            raise SystemExit(2)
        stopping = False

        def stop(*_: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        names = ", ".join(entry.name for entry in SCHEDULE)
        self.stdout.write(f"run_schedule: {names}")
        while True:
            for name, slot in run_due():
                self.stdout.write(f"run_schedule: enqueued {name} for {slot}")
            if options["once"]:
                return
            for _ in range(interval):
                if stopping:
                    return
                time.sleep(1)
