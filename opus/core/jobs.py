"""Background jobs: create one with its task, report progress, finish or fail it."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from opus.core.audit import audit_record
from opus.core.models import BackgroundJob, JobStatus, User


@transaction.atomic
def job_start(
    *, kind: str, title: str, by: User | None, task: Any, **task_kwargs: Any
) -> BackgroundJob:
    """Record the job and enqueue its task in one transaction (the task gets the job's id)."""
    job = BackgroundJob.objects.create(kind=kind, title=title, requested_by=by)
    audit_record(actor=by, action="job.start", target=job, summary={"kind": kind})
    result = task.enqueue(job_id=str(job.pk), **task_kwargs)
    BackgroundJob.objects.filter(pk=job.pk).update(task_result_id=str(result.id))
    job.refresh_from_db()
    return job


def job_progress(job_id: str, done: int, total: int, message: str = "") -> None:
    """Progress is operational, not a change of record: updated in place, not audited."""
    BackgroundJob.objects.filter(pk=job_id).update(
        status=JobStatus.RUNNING, done=done, total=total, message=message[:300]
    )


@transaction.atomic
def job_finish(job_id: str, *, succeeded: bool, message: str, result: dict[str, Any]) -> None:
    job = BackgroundJob.objects.select_for_update().get(pk=job_id)
    job.status = JobStatus.SUCCEEDED if succeeded else JobStatus.FAILED
    job.message, job.result, job.finished_at = message[:300], result, timezone.now()
    if succeeded:
        job.done = job.total
    job.save(update_fields=["status", "message", "result", "finished_at", "done"])
    audit_record(actor=None, action=f"job.{job.status}", target=job, summary={"message": message})
