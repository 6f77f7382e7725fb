"""Needs API: indicators, assessments with their priorities, and results (suppressed for most)."""

from datetime import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError, ValidationError

from opus.core.api_auth import TokenAuth
from opus.core.openapi import problems
from opus.needs.access import assessments_for_user, get_assessment_for_user, sees_unsuppressed
from opus.needs.models import Indicator, Result
from opus.needs.presentation import public_rows, table_rows

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


class IndicatorOut(Schema):
    slug: str
    name: str
    definition: str
    method: str
    multiplier: int
    unit: str
    polarity: str
    period: str
    source_agency: str = Field(..., alias="source_agency.slug")
    breakdowns: list[str]


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


class ResultsOut(Schema):
    assessment: int
    indicator: str
    level: str
    unit: str
    suppressed: bool
    rows: list[ResultRow]


@router.get("/indicators", response=list[IndicatorOut], auth=None)
def list_indicators(request: HttpRequest) -> Any:
    return Indicator.objects.select_related("source_agency").order_by("name")


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
        "rows": rows if full else public_rows(rows),
    }
