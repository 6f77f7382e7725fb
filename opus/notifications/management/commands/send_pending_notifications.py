"""manage.py send_pending_notifications: send every notice that is due (run on a schedule)."""

from typing import Any

from django.core.management.base import BaseCommand

from opus.notifications.models import Notification, Status
from opus.notifications.services import send_pending


class Command(BaseCommand):
    help = (
        "Send every notification that is due: retries after a failure, and any whose task was "
        "lost. Run it every few minutes. A notice that still fails after its last attempt is "
        "marked failed and listed for administrators at /notifications/failed/."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_pending()
        failed = Notification.objects.filter(status=Status.FAILED).count()
        self.stdout.write(f"send_pending_notifications: {sent} sent; {failed} failed in all")
