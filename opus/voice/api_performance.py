"""Public performance in the API: the same figures as /voice/performance/, as JSON."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Router, Schema

from opus.voice import performance

router = Router(tags=["performance"])


class OrganisationPerformance(Schema):
    organisation_id: int
    name: str
    slug: str
    kind: str
    public_body: bool
    withheld: bool
    complaints_received: int | None
    complaints_decided: int | None
    answered_on_time: int | None
    on_time_rate: float | None
    on_time_lower_95: float | None
    on_time_upper_95: float | None
    funnel_band: int
    median_working_days_to_answer: float | None
    ratings: int | None
    rating_bayesian_average: float | None


class PerformanceOut(Schema):
    as_of: date
    area_on_time_rate: float | None
    complaints_received: int
    complaints_decided: int
    answered_on_time: int
    suppression_threshold: int
    funnel_band_meaning: dict[str, str]
    organisations: list[OrganisationPerformance]


BANDS = {
    "-2": "below the 99.8% limit around the area's rate",
    "-1": "below the 95% limit",
    "0": "within the limits: not different from the area beyond chance",
    "1": "above the 95% limit",
    "2": "above the 99.8% limit",
}


def _organisation(row: performance.BodyRow) -> OrganisationPerformance:
    return OrganisationPerformance(
        organisation_id=row.organisation_id, name=row.name, slug=row.slug, kind=row.kind,
        public_body=row.public_body, withheld=row.withheld, complaints_received=row.received,
        complaints_decided=row.decided, answered_on_time=row.on_time,
        on_time_rate=row.on_time_rate, on_time_lower_95=row.lower, on_time_upper_95=row.upper,
        funnel_band=row.band, median_working_days_to_answer=row.median_days,
        ratings=row.rating_count, rating_bayesian_average=row.rating_average,
    )  # fmt: skip


@router.get("/performance", response=PerformanceOut, auth=None)
def public_performance(request: HttpRequest) -> PerformanceOut:
    """Complaints answered on time per organisation (a proportion 0–1 with Wilson 95% limits),
    its funnel band against the area's rate (95% and 99.8% limits, not a ranking), the median
    working days to a first answer, and ratings; in alphabetical order. Counts below the
    suppression threshold, and rates on fewer decided complaints, are null."""
    found = performance.figures()
    return PerformanceOut(
        as_of=found.as_of, area_on_time_rate=found.target, complaints_received=found.received,
        complaints_decided=found.decided, answered_on_time=found.on_time,
        suppression_threshold=found.threshold, funnel_band_meaning=BANDS,
        organisations=[_organisation(row) for row in found.rows],
    )  # fmt: skip
