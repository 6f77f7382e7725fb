"""manage.py audit_verify: walk the audit log's hash chain."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from opus.core.audit import audit_verify


class Command(BaseCommand):
    help = (
        "Recompute every audit event's hash from its content and the previous event's hash. "
        "Exits non-zero naming the first event that does not verify."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count, broken = audit_verify()
        if broken is not None:
            raise CommandError(f"audit_verify: event {broken.sequence} fails: {broken.reason}")
        self.stdout.write(f"audit_verify: all {count} events verify")
