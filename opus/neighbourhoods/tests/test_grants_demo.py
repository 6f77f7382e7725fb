"""The demo's small grants: a round per council with a budget, awards paid through the ledger
(one with a monitoring return), one declined, one waiting in Old Town; all in the 360Giving
output."""

from __future__ import annotations

import json

from django.core.management import call_command

from opus.neighbourhoods.demo_grants import seed_grants
from opus.neighbourhoods.models.grants import GrantApplication, GrantStatus, MonitoringReturn
from opus.neighbourhoods.tests.conftest import parish_budget


def test_the_demo_awards_pays_and_publishes_grants(cast, tmp_path, capsys):
    parish_budget(cast)
    made = seed_grants()
    assert made == {"rounds": 1, "awarded": 3, "waiting": 0}
    statuses = sorted(GrantApplication.objects.values_list("status", flat=True))
    assert statuses == sorted(
        [GrantStatus.PAID, GrantStatus.PAID, GrantStatus.AWARDED, GrantStatus.DECLINED]
    )
    assert MonitoringReturn.objects.count() == 1
    call_command("ledger_verify", "--history")
    out = tmp_path / "grants.json"
    call_command("export_360giving", "--out", str(out), "--quiet")
    assert len(json.loads(out.read_text())["grants"]) == 3


def test_the_demo_world_has_grants_awarded_published_and_one_waiting(demo_world, client):
    from opus.neighbourhoods.demo import OLD_TOWN

    awarded = GrantApplication.objects.filter(status__in=(GrantStatus.AWARDED, GrantStatus.PAID))
    assert awarded.count() >= 6
    assert GrantApplication.objects.filter(
        status=GrantStatus.SUBMITTED, round__council__slug=OLD_TOWN
    ).exists()
    body = client.get("/api/v1/grants").json()
    assert body["total"] == awarded.count()
