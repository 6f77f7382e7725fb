"""Needs API: indicators, assessments with their priorities, and results (suppressed for most)."""

from datetime import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import ngettext
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError, ValidationError

from opus.core.api_auth import TokenAuth
from opus.core.models import Organisation
from opus.core.openapi import PROBLEM, problems
from opus.needs import services
from opus.needs.access import (
    assessments_for_user,
    get_assessment_for_user,
    sees_unsuppressed,
)
from opus.needs.models import Dataset, Indicator, Result
from opus.needs.presentation import public_rows, table_rows
from opus.needs.uploads import UploadError

router = Router(tags=["needs"])
LEVELS = ("lsoa", "ward", "neighbourhood", "la", "decile", "trend")


def caller(request: HttpRequest) -> Any:
    """The signed-in user (session) or the bearer token's user; anonymous otherwise."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        user = TokenAuth().authenticate(request, header[7:].strip())
        if user is None:
            raise HttpError(401, "That token is not valid")
        return user
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else AnonymousUser()


class SourceOut(Schema):
    """A version of an indicator's data: the organisation that uploaded it, and when."""

    agency: str
    agency_name: str
    version: int
    period: str
    uploaded_at: datetime


class IndicatorOut(Schema):
    slug: str
    name: str
    definition: str
    method: str
    multiplier: int
    unit: str
    polarity: str
    period: str
    owner: str = Field(..., alias="source_agency.slug")
    sources: list[SourceOut]
    breakdowns: list[str]

    @staticmethod
    def resolve_sources(obj: Indicator) -> list[dict[str, Any]]:
        """The newest version from each organisation for the indicator's period."""
        newest: dict[int, Dataset] = {}
        for dataset in obj.datasets.all():  # prefetched, newest first
            if dataset.period == obj.period and dataset.agency_id not in newest:
                newest[dataset.agency_id] = dataset
        return [_source(d) for d in newest.values()]


def _source(dataset: Dataset) -> dict[str, Any]:
    return {
        "agency": dataset.agency.slug,
        "agency_name": dataset.agency.name,
        "version": dataset.version,
        "period": dataset.period,
        "uploaded_at": dataset.created_at,
    }


class PriorityOut(Schema):
    rank: int
    indicator: str = Field(..., alias="indicator.slug")
    group: str
    label: str
    people_affected: float
    gap: float | None
    sii: float | None
    note: str


class AssessmentOut(Schema):
    id: int
    title: str
    area_code: str = Field(..., alias="area.code")
    period: str
    status: str
    computed_at: datetime | None
    published_at: datetime | None
    summary: str


class AssessmentDetailOut(AssessmentOut):
    indicators: list[str]
    priorities: list[PriorityOut]

    @staticmethod
    def resolve_indicators(obj: Any) -> list[str]:
        return sorted(obj.indicators.values_list("slug", flat=True))

    @staticmethod
    def resolve_priorities(obj: Any) -> list[Any]:
        return list(obj.priorities.select_related("indicator"))


class ResultRow(Schema):
    code: str
    name: str
    value: float | None = None
    lower: float | None = None
    upper: float | None = None
    lower_998: float | None = None
    upper_998: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    vs_parent: int | None = None
    vs_parent_998: int | None = None
    vs_benchmark: int | None = None
    vs_benchmark_998: int | None = None
    suppressed: bool = False


class ResultSourceOut(Schema):
    agency: str
    version: int
    period: str
    uploaded_at: str


class ResultsOut(Schema):
    assessment: int
    indicator: str
    level: str
    unit: str
    suppressed: bool
    sources: list[ResultSourceOut]
    rows: list[ResultRow]


@router.get("/indicators", response=list[IndicatorOut], auth=None)
def list_indicators(request: HttpRequest) -> Any:
    versions = Dataset.objects.select_related("agency").defer("table").order_by("-created_at")
    return (
        Indicator.objects.select_related("source_agency")
        .prefetch_related(Prefetch("datasets", queryset=versions))
        .order_by("name")
    )


@router.get("/assessments", response={200: list[AssessmentOut], **problems(401)}, auth=None)
def list_assessments(request: HttpRequest) -> Any:
    """Published assessments for everyone; drafts too for commissioners."""
    return assessments_for_user(caller(request))


@router.get(
    "/assessments/{assessment_id}",
    response={200: AssessmentDetailOut, **problems(401)},
    auth=None,
)
def get_assessment(request: HttpRequest, assessment_id: int) -> Any:
    return get_assessment_for_user(caller(request), assessment_id)


@router.get(
    "/assessments/{assessment_id}/results",
    response={200: ResultsOut, **problems(401)},
    auth=None,
)
def get_results(
    request: HttpRequest, assessment_id: int, indicator: str, level: str = "ward"
) -> Any:
    """One indicator's results at one level (lsoa, ward, neighbourhood, la, decile)."""
    if level not in LEVELS:
        raise ValidationError(
            [{"loc": ["query", "level"], "msg": f"level must be one of {', '.join(LEVELS)}"}]
        )
    user = caller(request)
    assessment = get_assessment_for_user(user, assessment_id)
    result = (
        Result.objects.select_related("indicator")
        .filter(assessment=assessment, indicator__slug=indicator, level=level)
        .first()
    )
    if result is None:
        raise HttpError(404, "No results for that indicator and level")
    full = sees_unsuppressed(user)
    rows = table_rows(result)
    return {
        "assessment": assessment.pk,
        "indicator": indicator,
        "level": level,
        "unit": result.indicator.unit,
        "suppressed": not full,
        "sources": [
            {k: s.get(k) for k in ("agency", "version", "period", "uploaded_at")}
            for s in result.summary.get("sources", [])
        ],
        "rows": rows if full else public_rows(rows),
    }


class DatasetIn(Schema):
    agency: str = Field(..., max_length=80, description="The uploading organisation's slug")
    period: str = Field(..., min_length=1, max_length=20)
    file_name: str = Field("upload.csv", max_length=200)
    content: str = Field(..., description="The CSV file's text, in the layout of the upload page")


class DatasetOut(Schema):
    id: int
    indicator: str = Field(..., alias="indicator.slug")
    agency: str = Field(..., alias="agency.slug")
    period: str
    version: int
    rows: int
    uploaded_at: datetime = Field(..., alias="created_at")


@router.post(
    "/indicators/{slug}/datasets",
    response={201: DatasetOut, **problems(401, 403, 404, 413, 422)},
)
def upload_dataset(request: HttpRequest, slug: str, payload: DatasetIn) -> Any:
    """Upload a version of an indicator's data as an organisation you work for.

    The organisation must own the indicator or hold its delegation. A file with bad cells is
    refused whole (422): `errors` lists every bad cell up to 100 (row, column, value,
    message) and `more` counts the rest."""
    indicator = get_object_or_404(Indicator, slug=slug)
    agency = Organisation.objects.filter(slug=payload.agency).first()
    if agency is None:
        raise ValidationError(
            [{"loc": ["body", "agency"], "msg": "Name an organisation you work for"}]
        )
    try:
        dataset = services.dataset_upload(
            indicator=indicator,
            agency=agency,
            period=payload.period.strip(),
            content=payload.content.encode(),
            file_name=payload.file_name,
            by=request.user,
        )
    except UploadError as exc:
        errors = [{"field": "content", **p} for p in exc.problems_as_dicts()]
        detail = ngettext(
            "Nothing was stored: %(n)s bad cell", "Nothing was stored: %(n)s bad cells", exc.total
        ) % {"n": exc.total}
        body = {"type": "about:blank", "title": "The file has bad cells", "status": 422,
                "detail": detail, "errors": errors, "more": exc.more}  # fmt: skip
        return JsonResponse(body, status=422, content_type=PROBLEM)
    return Status(201, dataset)
