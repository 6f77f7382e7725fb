"""Core background tasks: thin, they take ids and call services."""

from __future__ import annotations

from django_tasks import task

from opus.core.audit import audit_verify, publish_heads
from opus.core.jobs import job_finish, job_progress


@task()
def verify_audit_chain(job_id: str) -> dict[str, object]:
    """Walk the audit chain, reporting progress to the job's page."""
    job_progress(job_id, 0, 0, "Starting")
    checked, broken = audit_verify(
        progress=lambda done, total: job_progress(
            job_id, done, total, f"{done:,} of {total:,} checked"
        )
    )
    if broken is None:
        result: dict[str, object] = {"checked": checked, "broken_at": None}
        job_finish(job_id, succeeded=True, message=f"All {checked:,} events verify", result=result)
    else:
        result = {"checked": checked, "broken_at": broken.sequence, "reason": broken.reason}
        where = f"Event {broken.sequence} fails: " if broken.sequence else ""
        message = f"{where}{broken.reason}"
        job_finish(job_id, succeeded=False, message=message, result=result)
    return result


@task()
def publish_audit_heads() -> dict[str, object]:
    """Record every audit chain's head in the log (see manage.py publish_audit_heads)."""
    event = publish_heads()
    return {"sequence": event.sequence, "chains": event.summary["chains"]}


@task()
def apply_retention() -> int:
    """Erase resident accounts past the retention schedule (opus/core/retention.py)."""
    from opus.core.personal_data import apply_retention as erase_due

    return erase_due()
