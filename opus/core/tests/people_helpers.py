"""Reading links out of the outbox, as a person would from their e-mail."""

from __future__ import annotations

import re
from urllib.parse import urlparse

from opus.notifications.models import Notification


def last_notice(address: str, template: str) -> Notification:
    return Notification.objects.filter(address=address, template=template).latest("pk")


def link_in(notice: Notification, contains: str = "/") -> str:
    """The path of the first link in a notice's body that contains `contains`."""
    for url in re.findall(r"https?://\S+", notice.body):
        if contains in url:
            return urlparse(url).path
    raise AssertionError(f"No link with {contains!r} in: {notice.body}")
