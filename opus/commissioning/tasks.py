"""Commissioning background tasks: thin, they take ids and call services."""

from __future__ import annotations

from django_tasks import task


@task()
def send_opportunity_alerts(opportunity_id: int) -> int:
    from opus.commissioning.services import alerts_send

    return alerts_send(opportunity_id=opportunity_id)
