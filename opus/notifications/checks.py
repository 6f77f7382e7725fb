"""A deployment check: production notices must reach people, not the server's console."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Warning, register


@register(deploy=True)
def notices_reach_people(app_configs: Any, **kwargs: Any) -> list[Warning]:
    if settings.OPUS_NOTIFY_API_KEY:
        return []
    if settings.EMAIL_BACKEND.endswith((".console.EmailBackend", ".dummy.EmailBackend",
                                        ".locmem.EmailBackend")):  # fmt: skip
        return [
            Warning(
                "Notifications would be written to the console, not sent",
                hint="Set OPUS_NOTIFY_API_KEY (GOV.UK Notify) or an EMAIL_BACKEND that sends.",
                id="opus.notifications.W001",
            )
        ]
    return []
