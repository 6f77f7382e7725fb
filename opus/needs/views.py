"""Needs pages: assessments, their priorities, indicator results with charts, and uploads."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opus.core import csvsafe
from opus.core.access import get_job_for_user
from opus.core.charts import gradient_chart, interval_bars
from opus.core.check_answers import check_answers_page, confirmed
from opus.core.check_answers import row as answer_row
from opus.core.models import Role
from opus.core.roles import role_required
from opus.needs import services, uploads
from opus.needs.access import (
    agencies_for_uploader,
    assessments_for_user,
    can_edit,
    get_assessment_for_editing,
    get_assessment_for_user,
    get_indicator_for_owner,
    indicators_for_uploader,
    is_owner_staff,
    sees_unsuppressed,
    sees_uploaders,
)
from opus.needs.forms import (
    AssessmentForm,
    DelegationForm,
    IndicatorForm,
    PriorityNoteForm,
    PublishForm,
    UploadForm,
)
from opus.needs.models import Assessment, Dataset, Indicator, IndicatorDelegation, Priority, Result
from opus.needs.presentation import (
    LEVEL_LABELS,
    gradient_rows,
    public_rows,
    sii_line,
    table_rows,
    with_judgements,
)
from opus.needs.uploads import BAND_COLUMNS, UploadError

TONES = {1: "higher", -1: "lower", 0: "similar"}


def more_problems(n: int) -> str:
    return ngettext("and %(n)s more problem", "and %(n)s more problems", n) % {"n": f"{n:,}"}


@require_GET
def assessment_list(request: HttpRequest) -> HttpResponse:
    context = {
        "page_title": "Joint equalities needs assessments",
        "assessments": assessments_for_user(request.user),
        "can_edit": can_edit(request.user),
    }
    return render(request, "needs/assessment_list.html", context)


@require_GET
def indicator_list(request: HttpRequest) -> HttpResponse:
    indicators = Indicator.objects.select_related("source_agency").order_by("name")
    context = {
        "page_title": "Indicators",
        "indicators": indicators,
        "can_edit": can_edit(request.user),
    }
    return render(request, "needs/indicator_list.html", context)


@require_GET
def indicator_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The indicator, its owner, who may upload to it, and every version: who sent it and when."""
    indicator = get_object_or_404(Indicator.objects.select_related("source_agency"), slug=slug)
    owner_staff = is_owner_staff(request.user, indicator)
    return _indicator_page(request, indicator, DelegationForm(indicator=indicator), owner_staff)


def _indicator_page(
    request: HttpRequest, indicator: Indicator, form: DelegationForm, owner_staff: bool
) -> HttpResponse:
    versions = Dataset.objects.filter(indicator=indicator).select_related("agency", "uploaded_by")
    delegations = indicator.delegations.select_related("delegate", "granted_by", "revoked_by")
    context = {
        "page_title": indicator.name,
        "indicator": indicator,
        "versions": versions.defer("table").order_by("-created_at", "-pk")[:200],
        "delegations": delegations if owner_staff else delegations.filter(revoked_at=None),
        "show_people": sees_uploaders(request.user, indicator),
        "owner_staff": owner_staff,
        "form": form,
    }
    status = 400 if form.errors else 200
    return render(request, "needs/indicator_detail.html", context, status=status)


@login_required
@require_POST
def delegation_grant(request: HttpRequest, slug: str) -> HttpResponse:
    indicator = get_indicator_for_owner(request.user, slug)
    form = DelegationForm(request.POST, indicator=indicator)
    if form.is_valid():
        delegate = form.cleaned_data["delegate"]
        try:
            services.delegation_grant(indicator=indicator, delegate=delegate, by=request.user)
        except ValueError as exc:
            form.add_error("delegate", str(exc))
        else:
            message = gettext("%(name)s may now upload data for this indicator")
            messages.success(request, message % {"name": delegate.name})
            return redirect("needs:indicator_detail", slug=indicator.slug)
    return _indicator_page(request, indicator, form, owner_staff=True)


@login_required
@require_POST
def delegation_revoke(request: HttpRequest, slug: str, delegation_id: int) -> HttpResponse:
    indicator = get_indicator_for_owner(request.user, slug)
    delegation = get_object_or_404(
        IndicatorDelegation.objects.select_related("delegate"),
        pk=delegation_id,
        indicator=indicator,
        revoked_at=None,
    )
    services.delegation_revoke(delegation=delegation, by=request.user)
    message = gettext("%(name)s may no longer upload data for this indicator")
    messages.success(request, message % {"name": delegation.delegate.name})
    return redirect("needs:indicator_detail", slug=indicator.slug)


@role_required(Role.COMMISSIONER, Role.ADMIN)
@require_http_methods(["GET", "POST"])
def indicator_new(request: HttpRequest) -> HttpResponse:
    form = IndicatorForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.indicator_create(by=request.user, **form.cleaned_data)
        messages.success(request, f"Indicator '{form.cleaned_data['name']}' added")
        return redirect("needs:indicator_list")
    context = {"page_title": "Add an indicator", "form": form}
    return render(request, "needs/indicator_new.html", context, status=400 if form.errors else 200)


@role_required(Role.COMMISSIONER, Role.ADMIN)
@require_http_methods(["GET", "POST"])
def assessment_new(request: HttpRequest) -> HttpResponse:
    form = AssessmentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        assessment = services.assessment_create(by=request.user, **form.cleaned_data)
        messages.success(request, "The assessment has been created")
        return redirect(assessment)
    context = {"page_title": "New needs assessment", "form": form}
    return render(request, "needs/assessment_new.html", context, status=400 if form.errors else 200)


def _with_sources(assessment: Assessment) -> list[Indicator]:
    """The assessment's indicators, each with the organisations whose versions it used."""
    summaries = Result.objects.filter(assessment=assessment, level="la").values_list(
        "indicator_id", "summary"
    )
    sources = {pk: source_names(summary) for pk, summary in summaries}
    indicators = list(assessment.indicators.order_by("name"))
    for indicator in indicators:
        indicator.source_names = sources.get(indicator.pk, "")  # type: ignore[attr-defined]
    return indicators


def source_names(summary: dict[str, Any]) -> str:
    """The organisations that uploaded the versions a result was computed from."""
    return ", ".join(sorted({s["agency"] for s in summary.get("sources", [])}))


def _priorities(assessment: Assessment) -> list[Priority]:
    return list(assessment.priorities.select_related("indicator"))


@require_GET
def assessment_detail(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = get_assessment_for_user(request.user, assessment_id)
    context = {
        "page_title": assessment.title,
        "assessment": assessment,
        "priorities": _priorities(assessment),
        "indicators": _with_sources(assessment),
        "partners": assessment.partners.order_by("name"),
        "can_edit": can_edit(request.user),
        "publish_form": PublishForm(initial={"summary": assessment.summary}),
        "job": assessment.last_job,
    }
    return render(request, "needs/assessment_detail.html", context)


@role_required(Role.COMMISSIONER, Role.ADMIN)
@require_POST
def assessment_compute(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = get_assessment_for_editing(request.user, assessment_id)
    job = services.assessment_start_computing(assessment=assessment, by=request.user)
    return redirect(job)


def _check_publish(request: HttpRequest, assessment: Assessment, summary: str) -> HttpResponse:
    here = assessment.get_absolute_url()
    rows = [
        answer_row(gettext("Assessment"), assessment.title),
        answer_row(gettext("Area"), assessment.area.name),
        answer_row(gettext("Period"), assessment.period),
        answer_row(gettext("Indicators"), str(assessment.indicators.count())),
        answer_row(gettext("Priorities"), str(assessment.priorities.count())),
        answer_row(gettext("Summary"), summary or gettext("None"), f"{here}#id_summary",
            gettext("the summary")),
    ]  # fmt: skip
    return check_answers_page(
        request,
        caption=assessment.title,
        heading=gettext("Check the assessment before you publish it"),
        rows=rows,
        warning=gettext(
            "Once published, the results are public (small numbers hidden) and commissioners "
            "can base service decisions on its priorities. It cannot be unpublished."
        ),
        action=reverse("needs:assessment_publish", args=[assessment.pk]),
        hidden=[("summary", summary)],
        button=gettext("Confirm and publish the assessment"),
        back_url=here,
    )


@role_required(Role.COMMISSIONER, Role.ADMIN)
@require_POST
def assessment_publish(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = get_assessment_for_editing(request.user, assessment_id)
    form = PublishForm(request.POST)
    if form.is_valid() and not confirmed(request) and assessment.published_at is None:
        return _check_publish(request, assessment, form.cleaned_data["summary"])
    if form.is_valid():
        try:
            services.assessment_publish(
                assessment=assessment, summary=form.cleaned_data["summary"], by=request.user
            )
        except ValueError as exc:
            form.add_error("summary", str(exc))
    if form.errors:
        context = {
            "page_title": assessment.title,
            "assessment": assessment,
            "publish_form": form,
            "priorities": _priorities(assessment),
            "can_edit": True,
            "job": assessment.last_job,
            "indicators": assessment.indicators.order_by("name"),
            "form": form,
        }
        return render(request, "needs/assessment_detail.html", context, status=400)
    messages.success(request, "The assessment is published")
    return redirect(assessment)


@role_required(Role.COMMISSIONER, Role.ADMIN)
@require_POST
def priority_note(request: HttpRequest, assessment_id: int, priority_id: int) -> HttpResponse:
    assessment = get_assessment_for_editing(request.user, assessment_id)
    priority = get_object_or_404(Priority, pk=priority_id, assessment=assessment)
    form = PriorityNoteForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, gettext("The note was not saved: it must be under 2,000 characters")
        )
        return redirect(assessment)
    services.priority_annotate(priority=priority, note=form.cleaned_data["note"], by=request.user)
    messages.success(request, f"Note saved on priority {priority.rank}")
    return redirect(f"{assessment.get_absolute_url()}#priority-{priority.rank}")


def _result(assessment: Assessment, slug: str, level: str) -> tuple[Indicator, Result]:
    indicator = get_object_or_404(assessment.indicators, slug=slug)
    result = Result.objects.filter(assessment=assessment, indicator=indicator, level=level).first()
    if result is None:
        raise Http404("No results at that level")
    return indicator, result


def _rows(request: HttpRequest, result: Result) -> list[dict[str, Any]]:
    rows = table_rows(result)
    return rows if sees_unsuppressed(request.user) else public_rows(rows)


@require_GET
def indicator_result(request: HttpRequest, assessment_id: int, slug: str) -> HttpResponse:
    assessment = get_assessment_for_user(request.user, assessment_id)
    level = request.GET.get("level", "ward")
    if level not in LEVEL_LABELS:
        level = "ward"
    indicator, result = _result(assessment, slug, level)
    rows = with_judgements(_rows(request, result), indicator.high_is_bad)
    sort = request.GET.get("sort", "")
    if sort == "value":
        rows.sort(key=lambda r: _worst_first(r, indicator.high_is_bad))
    authority = _rows(request, _result(assessment, slug, "la")[1])
    reference = authority[0]["value"] if len(authority) == 1 else None
    chart_rows = [{**r, "label": r["name"], "tone": _tone(r)} for r in rows]
    context = {
        "page_title": f"{indicator.name} — {assessment.title}",
        "assessment": assessment,
        "indicator": indicator,
        "level": level,
        "levels": LEVEL_LABELS,
        "rows": rows,
        "authority": authority,
        "chart": interval_bars(chart_rows, reference),
        "benchmark": result.summary.get("benchmark"),
        "sources": result.summary.get("sources", []),
        **_gradient_context(request, assessment, indicator),
        "breakdowns": _breakdowns(request, assessment, indicator),
        "suppressed": not sees_unsuppressed(request.user),
        "sort": sort,
        "trend": _trend_context(request, assessment, indicator),
    }
    return render(request, "needs/indicator_result.html", context)


def _worst_first(row: dict[str, Any], high_is_bad: bool) -> tuple[int, float]:
    value = row["value"]
    if value is None:
        return (1, 0.0)
    return (0, -value if high_is_bad else value)


def _trend_context(request: HttpRequest, assessment: Assessment, indicator: Indicator) -> Any:
    result = Result.objects.filter(
        assessment=assessment, indicator=indicator, level="trend"
    ).first()
    if result is None:
        return None
    rows = _rows(request, result)
    chart = gradient_chart(
        [r["value"] for r in rows], [r["lower"] for r in rows], [r["upper"] for r in rows], None
    )
    for column, row in zip(chart["columns"], rows, strict=True):
        column["label"] = row["code"]
    return {"rows": rows, "chart": chart}


def _tone(row: dict[str, Any]) -> str:
    if row["value"] is None:
        return "none"
    return {"Worse": "worse", "Better": "better"}.get(row.get("vs_parent_label", ""), "similar")


def _gradient_context(
    request: HttpRequest, assessment: Assessment, indicator: Indicator
) -> dict[str, Any]:
    result = Result.objects.filter(
        assessment=assessment, indicator=indicator, level="decile"
    ).first()
    if result is None:
        return {"gradient": None}
    code = assessment.area.code
    rows = gradient_rows(result, code, public=not sees_unsuppressed(request.user))
    sii = result.summary.get("sii", {}).get(code, {})
    line = sii_line(sii, indicator.high_is_bad)
    chart = gradient_chart(
        [r["value"] for r in rows], [r["lower"] for r in rows], [r["upper"] for r in rows], line
    )
    return {"gradient": {"rows": rows, "chart": chart, "sii": sii}}


def _breakdowns(
    request: HttpRequest, assessment: Assessment, indicator: Indicator
) -> list[dict[str, Any]]:
    found = Result.objects.filter(
        assessment=assessment, indicator=indicator, level__startswith="breakdown:"
    )
    return [
        {"kind": r.level.split(":", 1)[1].replace("_", " ").capitalize(), "rows": _rows(request, r)}
        for r in found.order_by("level")
    ]


@require_GET
def indicator_download(
    request: HttpRequest, assessment_id: int, slug: str, level: str, fmt: str
) -> HttpResponse:
    if fmt not in ("csv", "json"):
        raise Http404("Downloads are CSV or JSON")
    assessment = get_assessment_for_user(request.user, assessment_id)
    indicator, result = _result(assessment, slug, level)
    rows = _rows(request, result)
    name = f"{assessment.pk}-{indicator.slug}-{level.replace(':', '-')}"
    source = source_names(result.summary)
    if fmt == "json":
        response = JsonResponse(
            {
                "assessment": assessment.title,
                "indicator": indicator.slug,
                "level": level,
                "unit": indicator.unit,
                "sources": _public_sources(result.summary),
                "rows": rows,
            }
        )
    else:
        rows = [{**row, "source": source} for row in rows]
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        writer = csvsafe.DictWriter(response, fieldnames=list(rows[0]) if rows else ["code"])
        writer.writeheader()
        writer.writerows(rows)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _public_sources(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """Each version used: organisation, version, period and when (never the person)."""
    keys = ("agency", "version", "period", "uploaded_at")
    return [{k: s.get(k) for k in keys} for s in summary.get("sources", [])]


class _SizeLimit(FileUploadHandler):
    """Stops reading an upload past the size limit, before any of it is kept in memory or on disk.

    The rest of the body is read and dropped, so the page can still answer with the error.
    """

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit, self.received, self.announced = limit, 0, 0

    def handle_raw_input(
        self, input_data: Any, meta: Any, content_length: int, boundary: Any, encoding: Any = None
    ) -> None:
        self.announced = content_length

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        if self.announced > self.limit + 2**20:  # the form's other fields are far smaller
            self._stop()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self._stop()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None

    def _stop(self) -> None:
        self.request.needs_upload_too_large = True  # type: ignore[attr-defined]
        raise StopUpload(connection_reset=False)


@csrf_exempt  # checked below, once the size limit is in place: the check reads the body
@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    agencies = agencies_for_uploader(request.user)
    if not agencies.exists():
        raise Http404("Page not found")
    request.upload_handlers.insert(0, _SizeLimit(request, uploads.MAX_UPLOAD_BYTES))
    return _upload(request, agencies)


@csrf_protect
def _upload(request: HttpRequest, agencies: Any) -> HttpResponse:
    form = UploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        agencies=agencies,
        indicators=indicators_for_uploader(request.user),
        too_large=getattr(request, "needs_upload_too_large", False),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        arguments = {
            "indicator": data["indicator"],
            "agency": data["agency"],
            "period": data["period"].strip(),
            "content": data["file"].read(),
            "file_name": data["file"].name,
            "by": request.user,
        }
        try:
            if data["file"].size > services.inline_upload_limit():
                job = services.dataset_upload_start(**arguments)
                return redirect("needs:upload_job", job_id=job.pk)
            dataset = services.dataset_upload(**arguments)
        except UploadError as exc:
            for error in exc.errors:
                form.add_error("file", error)
            if exc.more:
                form.add_error("file", more_problems(exc.more))
        except PermissionDenied as exc:
            form.add_error("agency", str(exc))
        else:
            messages.success(
                request, f"Uploaded {dataset.rows:,} rows as version {dataset.version}"
            )
            return redirect("needs:upload")
    context = {
        "page_title": "Upload indicator data",
        "form": form,
        "band_columns": BAND_COLUMNS,
        "max_count": f"{uploads.MAX_COUNT:,}",
        "max_cell": uploads.MAX_CELL_CHARS,
        "max_group": uploads.MAX_GROUP_CHARS,
        "max_mb": uploads.MAX_UPLOAD_BYTES // 2**20,
        "inline_mb": f"{services.inline_upload_limit() / 2**20:g}",
        "max_errors": uploads.MAX_ERRORS,
    }
    return render(request, "needs/upload.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def upload_job(request: HttpRequest, job_id: str) -> HttpResponse:
    """A large upload being checked by the worker: its progress, then its result or its errors."""
    job = get_job_for_user(request.user, str(job_id))
    if job.kind != services.UPLOAD_JOB:
        raise Http404("No such upload")
    result = job.result if isinstance(job.result, dict) else {}
    errors = list(result.get("errors", []))
    if result.get("more"):
        errors.append(more_problems(result["more"]))
    context = {"page_title": job.title, "job": job, "errors": errors}
    return render(request, "needs/upload_job.html", context)
