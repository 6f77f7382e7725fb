"""Needs background tasks: thin, they take ids and call services."""

from __future__ import annotations

from django.utils.translation import gettext, ngettext
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
    if result.get("warnings"):
        message += ". " + "; ".join(result["warnings"])
    job_finish(job_id, succeeded=True, message=message, result=result)
    return result


@task()
def check_upload(job_id: str, pending_id: int) -> dict[str, object]:
    from opus.needs.services import dataset_upload_pending

    try:
        result = dataset_upload_pending(pending_id, job_id)
    except Exception as exc:
        message = gettext("The upload could not be checked: %(why)s") % {"why": exc}
        job_finish(job_id, succeeded=False, message=message, result={"errors": []})
        raise
    errors = result.get("errors")
    if errors:
        message = ngettext(
            "Nothing was stored: %(n)s problem found in %(file)s",
            "Nothing was stored: %(n)s problems found in %(file)s",
            len(errors),
        ) % {"n": len(errors), "file": result["file_name"]}
        job_finish(job_id, succeeded=False, message=message, result=result)
        return result
    message = gettext("Uploaded %(rows)s rows as version %(version)s") % {
        "rows": f"{result['rows']:,}",
        "version": result["version"],
    }
    job_finish(job_id, succeeded=True, message=message, result=result)
    return result
