"""manage.py audit_verify: walk the audit log's hash chains and check each ends at its head."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from opus.core.audit import audit_verify


class Command(BaseCommand):
    help = (
        "Recompute every audit event's hash from its content and the previous event's hash, "
        "and check every chain ends at its recorded head (so removing the newest events is "
        "found). Exits non-zero naming the first event that does not verify."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count, broken = audit_verify()
        if broken is not None:
            where = f"event {broken.sequence} fails: " if broken.sequence else ""
            raise CommandError(f"audit_verify: {where}{broken.reason}")
        self.stdout.write(
            f"audit_verify: all {count} events verify and every chain ends at its head"
        )
