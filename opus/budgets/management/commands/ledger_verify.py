"""manage.py ledger_verify: reconcile the personal-budgets ledger."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from opus.budgets.verify import ledger_verify


class Command(BaseCommand):
    help = (
        "Check that every stored amount is whole pence within bounds, every ledger transaction "
        "balances, every budget's and commitment's running figures match their entries, no "
        "budget is negative, no idempotency key was used twice, every transaction has its "
        "audit event and every ledger audit event its transaction. Exits non-zero with the "
        "first discrepancy."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--history",
            action="store_true",
            help="also replay every guarded balance in order (proves none ever went below "
            "zero) and check each transaction and its entries against the content digest its "
            "audit event recorded (slower)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()

        def progress(step: str) -> None:
            self.stderr.write(f"ledger_verify: checking {step}…")

        report = ledger_verify(history=options["history"], progress=progress)
        if report.problem is not None:
            raise CommandError(f"ledger_verify: {report.problem}")
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"ledger_verify: {report.transactions:,} transactions, {report.entries:,} entries, "
            f"{report.budgets:,} budgets verify ({seconds:.1f} s)"
        )
