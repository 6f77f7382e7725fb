"""Needs background tasks: thin, they take ids and call services."""

from __future__ import annotations

from django_tasks import task

from opus.core.jobs import job_finish


@task()
def compute_assessment(job_id: str, assessment_id: int) -> dict[str, object]:
    from opus.needs.services import assessment_compute

    try:
        result = assessment_compute(assessment_id, job_id)
    except ValueError as exc:
        job_finish(job_id, succeeded=False, message=str(exc), result={})
        raise
    message = f"{result['indicators']} indicators computed; {result['priorities']} needs ranked"
    job_finish(job_id, succeeded=True, message=message, result=result)
    return result
