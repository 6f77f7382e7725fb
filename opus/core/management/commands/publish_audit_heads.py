"""manage.py publish_audit_heads: record every audit chain's head in the log (run on a schedule)."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from opus.core.audit import publish_heads


class Command(BaseCommand):
    help = (
        "Write an audit.heads event recording every audit chain's last position and hash. Run "
        "it on a schedule (hourly, say); the auditor's audit log page lists the heads and offers "
        "them as CSV and JSON for keeping outside Opus."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        event = publish_heads()
        chains = event.summary["chains"]
        heads = ngettext("%(n)d chain's head", "%(n)d chains' heads", chains) % {"n": chains}
        self.stdout.write(f"publish_audit_heads: event {event.sequence} records {heads}")
