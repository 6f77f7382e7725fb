"""Every write in needs: one transaction with its audit event."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from opus.core.audit import audit_record
from opus.core.models import Area, BackgroundJob, Organisation, User
from opus.needs import compute
from opus.needs.models import (
    Assessment,
    AssessmentStatus,
    Dataset,
    Indicator,
    Priority,
    Result,
    pack,
)
from opus.needs.uploads import parse_upload


@transaction.atomic
def indicator_create(*, by: User | None, **fields: Any) -> Indicator:
    indicator = Indicator(**fields)
    indicator.full_clean()
    indicator.save(force_insert=True)
    audit_record(
        actor=by,
        action="indicator.create",
        target=indicator,
        summary={"slug": indicator.slug, "method": indicator.method},
    )
    return indicator


@transaction.atomic
def dataset_upload(
    *,
    indicator: Indicator,
    agency: Organisation,
    period: str,
    content: bytes,
    file_name: str,
    by: User | None,
) -> Dataset:
    """Check the whole file, then store it as the agency's next version (or raise UploadError)."""
    parsed = parse_upload(content, file_name, indicator, period)
    latest = (
        Dataset.objects.select_for_update()
        .filter(indicator=indicator, agency=agency, period=period)
        .order_by("-version")
        .first()
    )
    dataset = Dataset.objects.create(
        indicator=indicator,
        agency=agency,
        period=period,
        version=(latest.version + 1) if latest else 1,
        uploaded_by=by,
        file_name=file_name[:200],
        sha256=parsed.sha256,
        rows=parsed.rows,
        table=pack(parsed.arrays),
    )
    audit_record(
        actor=by,
        action="dataset.upload",
        target=dataset,
        summary={
            "indicator": indicator.slug,
            "agency": agency.slug,
            "period": period,
            "version": dataset.version,
            "rows": parsed.rows,
            "sha256": parsed.sha256,
        },
    )
    return dataset


@transaction.atomic
def assessment_create(
    *,
    title: str,
    area: Area,
    period: str,
    indicators: list[Indicator],
    partners: list[Organisation],
    by: User | None,
) -> Assessment:
    assessment = Assessment.objects.create(title=title, area=area, period=period, created_by=by)
    assessment.indicators.set(indicators)
    assessment.partners.set(partners)
    audit_record(
        actor=by,
        action="assessment.create",
        target=assessment,
        summary={
            "area": area.code,
            "period": period,
            "indicators": sorted(i.slug for i in indicators),
            "partners": sorted(p.slug for p in partners),
        },
    )
    return assessment


def assessment_compute(
    assessment_id: int, job_id: str | None, *, repetitions: int = 100_000
) -> dict[str, Any]:
    """Compute outside any transaction (it is long), then store everything in one."""
    from opus.core.jobs import job_progress

    assessment = Assessment.objects.select_related("area").get(pk=assessment_id)

    def progress(done: int, total: int, message: str) -> None:
        if job_id:
            job_progress(job_id, done, total, message)

    computed = compute.compute(assessment, progress, repetitions=repetitions)
    priorities = compute.priorities(assessment, computed["needs"])
    _store(assessment, computed["results"], priorities)
    return {
        "indicators": computed["indicators"],
        "results": len(computed["results"]),
        "priorities": len(priorities),
    }


@transaction.atomic
def _store(assessment: Assessment, results: list[Result], priorities: list[Priority]) -> None:
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    Result.objects.filter(assessment=assessment).delete()
    Priority.objects.filter(assessment=assessment).delete()
    Result.objects.bulk_create(results, batch_size=200)
    Priority.objects.bulk_create(priorities)
    was_published = assessment.status == AssessmentStatus.PUBLISHED
    assessment.status = AssessmentStatus.PUBLISHED if was_published else AssessmentStatus.COMPUTED
    assessment.computed_at = timezone.now()
    assessment.save(update_fields=["status", "computed_at"])
    audit_record(
        actor=None,
        action="assessment.compute",
        target=assessment,
        summary={"results": len(results), "priorities": [p.label for p in priorities[:10]]},
    )


@transaction.atomic
def assessment_start_computing(*, assessment: Assessment, by: User) -> BackgroundJob:
    from opus.core.jobs import job_start
    from opus.needs.tasks import compute_assessment

    job = job_start(
        kind="needs.compute",
        title=f"Compute {assessment.title}",
        by=by,
        task=compute_assessment,
        assessment_id=assessment.pk,
    )
    Assessment.objects.filter(pk=assessment.pk).update(last_job=job)
    return job


@transaction.atomic
def priority_annotate(*, priority: Priority, note: str, by: User) -> Priority:
    before = priority.note
    priority.note = note
    priority.save(update_fields=["note"])
    audit_record(
        actor=by,
        action="priority.annotate",
        target=priority,
        summary={"before": {"note": before}, "after": {"note": note}},
    )
    return priority


@transaction.atomic
def assessment_publish(*, assessment: Assessment, summary: str, by: User) -> Assessment:
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status not in (AssessmentStatus.COMPUTED, AssessmentStatus.PUBLISHED):
        raise ValueError("Compute the assessment before publishing it")
    assessment.status = AssessmentStatus.PUBLISHED
    assessment.summary = summary
    assessment.published_at = timezone.now()
    assessment.save(update_fields=["status", "summary", "published_at"])
    audit_record(
        actor=by, action="assessment.publish", target=assessment, summary={"summary": summary}
    )
    return assessment
