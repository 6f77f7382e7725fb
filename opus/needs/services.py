"""Every write in needs: one transaction with its audit event."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from opus.core.audit import audit_record
from opus.core.models import Area, BackgroundJob, Organisation, User
from opus.needs import compute, uploads
from opus.needs.access import (
    agencies_for_uploader,
    agency_may_upload,
    is_owner_staff,
    require_editor,
)
from opus.needs.models import (
    Assessment,
    AssessmentStatus,
    Dataset,
    Indicator,
    IndicatorDelegation,
    PendingUpload,
    Priority,
    Result,
    pack,
)
from opus.needs.uploads import (
    ParsedUpload,
    UploadError,
    parse_upload,
    safe_file_name,
)

UPLOAD_JOB = "needs.upload"


@transaction.atomic
def indicator_create(*, by: User | None, **fields: Any) -> Indicator:
    require_editor(by)
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
    _check_uploader(by, indicator, agency)
    parsed = parse_upload(content, file_name, indicator, period)
    return _dataset_store(
        indicator=indicator, agency=agency, period=period, file_name=file_name, by=by, parsed=parsed
    )


def _check_uploader(by: User | None, indicator: Indicator, agency: Organisation) -> None:
    """Staff of an agency upload for it (None is the system itself: the demo world, tests),
    and only to an indicator the agency owns or has been delegated."""
    if by is not None and not agencies_for_uploader(by).filter(pk=agency.pk).exists():
        raise PermissionDenied(gettext("You may upload data only for an organisation you work for"))
    if not agency_may_upload(indicator, agency):
        message = gettext(
            "%(agency)s may not upload data for %(indicator)s: it belongs to %(owner)s, "
            "who has not delegated it to them"
        )
        raise PermissionDenied(
            message
            % {"agency": agency.name, "indicator": indicator.name, "owner": indicator.source_agency}
        )


@transaction.atomic
def _dataset_store(
    *,
    indicator: Indicator,
    agency: Organisation,
    period: str,
    file_name: str,
    by: User | None,
    parsed: ParsedUpload,
    source: dict[str, Any] | None = None,
) -> Dataset:
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
        file_name=safe_file_name(file_name),
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
            **({"source": source} if source else {}),
        },
    )
    return dataset


def dataset_store_figures(
    *,
    indicator: Indicator,
    agency: Organisation,
    period: str,
    rows: list[tuple[Area, int, int]],
    file_name: str,
    by: User | None,
    source: dict[str, Any],
) -> Dataset:
    """Store counts that came from elsewhere in Opus (a KPI return) as the agency's next version.

    `rows` are (area, numerator, denominator) for everyone; the agency must own the indicator
    or hold its delegation, as for a file. `by` is the person whose act this is; `source` goes
    into the audit event (what the figures came from).
    """
    if not agency_may_upload(indicator, agency):
        raise PermissionDenied(gettext("That organisation may not upload data for this indicator"))
    parsed = uploads.parsed_from_counts(indicator, rows)
    return _dataset_store(
        indicator=indicator,
        agency=agency,
        period=period,
        file_name=file_name,
        by=by,
        parsed=parsed,
        source=source,
    )


@transaction.atomic
def delegation_grant(
    *, indicator: Indicator, delegate: Organisation, by: User | None
) -> IndicatorDelegation:
    """The owner's staff let another organisation upload the indicator's data."""
    if by is not None and not is_owner_staff(by, indicator):
        raise PermissionDenied(gettext("Only the indicator's owner can delegate it"))
    if delegate.pk == indicator.source_agency_id:
        raise ValueError(gettext("The owner can already upload to its own indicator"))
    active = IndicatorDelegation.objects.select_for_update().filter(
        indicator=indicator, delegate=delegate, revoked_at__isnull=True
    )
    if active.exists():
        raise ValueError(gettext("%(name)s already has this delegation") % {"name": delegate.name})
    delegation = IndicatorDelegation.objects.create(
        indicator=indicator, owner=indicator.source_agency, delegate=delegate, granted_by=by
    )
    audit_record(
        actor=by,
        action="indicator.delegate",
        target=delegation,
        summary={"indicator": indicator.slug, "owner": indicator.source_agency.slug,
                 "delegate": delegate.slug},
    )  # fmt: skip
    return delegation


@transaction.atomic
def delegation_revoke(*, delegation: IndicatorDelegation, by: User | None) -> IndicatorDelegation:
    delegation = (
        IndicatorDelegation.objects.select_for_update()
        .select_related("indicator", "delegate")
        .get(pk=delegation.pk)
    )
    if by is not None and not is_owner_staff(by, delegation.indicator):
        raise PermissionDenied(gettext("Only the indicator's owner can revoke its delegations"))
    if delegation.revoked_at is not None:
        raise ValueError(gettext("This delegation has already been revoked"))
    delegation.revoked_at, delegation.revoked_by = timezone.now(), by
    delegation.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        actor=by,
        action="indicator.delegation_revoke",
        target=delegation,
        summary={"indicator": delegation.indicator.slug, "delegate": delegation.delegate.slug},
    )
    return delegation


def inline_upload_limit() -> int:
    """Files up to this size are checked while the page waits; larger ones by the worker."""
    return int(getattr(settings, "OPUS_NEEDS_INLINE_UPLOAD_BYTES", 1024 * 1024))


@transaction.atomic
def dataset_upload_start(
    *,
    indicator: Indicator,
    agency: Organisation,
    period: str,
    content: bytes,
    file_name: str,
    by: User | None,
) -> BackgroundJob:
    """Keep a large file for the worker and start the job that checks and stores it."""
    from opus.core.jobs import job_start
    from opus.needs.tasks import check_upload

    _check_uploader(by, indicator, agency)
    if len(content) > uploads.MAX_UPLOAD_BYTES:
        message = gettext("%(file)s: the file must be smaller than %(most)s MB")
        most = uploads.MAX_UPLOAD_BYTES // 2**20
        raise UploadError(message % {"file": safe_file_name(file_name), "most": most})
    pending = PendingUpload.objects.create(
        indicator=indicator,
        agency=agency,
        period=period,
        file_name=safe_file_name(file_name),
        content=content,
        uploaded_by=by,
    )
    return job_start(
        kind=UPLOAD_JOB,
        title=gettext("Check and store %(file)s") % {"file": pending.file_name},
        by=by,
        task=check_upload,
        pending_id=pending.pk,
    )


def dataset_upload_pending(pending_id: int, job_id: str | None) -> dict[str, Any]:
    """The worker's half: check the kept file (outside any transaction), store it, forget it.

    Returns {"dataset", "version", "rows"}, or {"errors", "problems", "more"}: every bad cell
    up to uploads.MAX_ERRORS (each by row, column, value and what is wrong) and how many more.
    """
    from opus.core.jobs import job_progress

    pending = PendingUpload.objects.select_related("indicator", "agency", "uploaded_by").get(
        pk=pending_id
    )

    def progress(done: int, total: int, message: str) -> None:
        if job_id:
            job_progress(job_id, done, total, message)

    try:
        _check_uploader(pending.uploaded_by, pending.indicator, pending.agency)
        content = bytes(pending.content)
        parsed = parse_upload(
            content, pending.file_name, pending.indicator, pending.period, progress
        )
        dataset = _dataset_store(
            indicator=pending.indicator,
            agency=pending.agency,
            period=pending.period,
            file_name=pending.file_name,
            by=pending.uploaded_by,
            parsed=parsed,
        )
    except UploadError as exc:
        return {
            "errors": exc.errors,
            "problems": exc.problems_as_dicts(),
            "more": exc.more,
            "file_name": pending.file_name,
        }
    except PermissionDenied as exc:
        return {"errors": [str(exc)], "problems": [], "more": 0, "file_name": pending.file_name}
    finally:
        PendingUpload.objects.filter(pk=pending_id).delete()
    return {
        "dataset": dataset.pk,
        "version": dataset.version,
        "rows": dataset.rows,
        "file_name": pending.file_name,
    }


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
    require_editor(by)
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
        "warnings": computed["warnings"],
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

    require_editor(by)
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
    require_editor(by)
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
    require_editor(by)
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
