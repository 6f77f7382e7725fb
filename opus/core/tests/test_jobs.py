"""Background jobs: the audit chain is verified by the worker, with progress on a page."""

import pytest

from opus.core.models import AuditEvent, BackgroundJob, JobStatus
from opus.testing import allow_audit_tampering

pytestmark = pytest.mark.django_db


def test_an_auditor_verifies_the_chain_in_the_background(client, cast):
    client.force_login(cast.auditor)
    response = client.post("/audit/verify/")
    job = BackgroundJob.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == JobStatus.SUCCEEDED and job.result["broken_at"] is None
    assert job.result["checked"] == AuditEvent.objects.count() - 1  # its own finish event is later
    page = client.get(response["Location"]).content.decode()
    assert "Finished" in page and 'value="100"' in page
    assert AuditEvent.objects.filter(action="job.start", object_id=str(job.pk)).exists()


def test_a_broken_chain_fails_the_job_and_names_the_event(client, cast):
    allow_audit_tampering()
    victim = AuditEvent.objects.order_by("sequence")[1]  # numbers come from a sequence on PG
    AuditEvent.objects.filter(pk=victim.pk).update(action="forged")
    client.force_login(cast.auditor)
    client.post("/audit/verify/")
    job = BackgroundJob.objects.get()
    assert job.status == JobStatus.FAILED and job.result["broken_at"] == victim.sequence
    assert f"Event {victim.sequence} fails" in client.get(f"/jobs/{job.pk}/").content.decode()


def test_only_whoever_started_a_job_sees_it(client, cast):
    client.force_login(cast.auditor)
    client.post("/audit/verify/")
    job = BackgroundJob.objects.get()
    for user in (cast.stranger, cast.resident, cast.commissioner):
        client.force_login(user)
        assert client.get(f"/jobs/{job.pk}/").status_code == 404
    client.force_login(cast.admin)
    assert client.get(f"/jobs/{job.pk}/").status_code == 200


def test_others_cannot_start_verification(client, cast):
    client.force_login(cast.provider)
    assert client.post("/audit/verify/").status_code == 404
    assert not BackgroundJob.objects.exists()
