"""Public performance of providers and public bodies, shown fairly (issue 15, item 3).

For every organisation that receives complaints or has rated services, and every council and
neighbourhood council: complaints received, the share answered on time (with Wilson 95%
limits), the median working days to an answer, and its ratings (count and the Bayesian average
matching uses). The area's own on-time rate is the target of a funnel plot
(`engines/funnel.py`), so an organisation is singled out only when its rate is further from the
area's than chance explains; the table is sorted by name, never ranked.

Definitions (stated on the page too):

* A complaint counts at the body that holds it; one forwarded elsewhere counts there instead.
* Its first stage is **decided** once answered, or once its answer is overdue on the day the
  figures are made; it is **on time** when answered on or before its answer's due date (the
  regime's answer day, or where the regime sets none, the day to tell the person why).
* Days to answer are working days after the day of receipt (day 0), in the complaint's nation.

Everything is counted by the database (GROUP BY) or numpy over whole columns: no Python loop
runs per complaint or per rating, so 1,000,000 complaints take about as long as one query.
Counts below the suppression threshold are withheld, and so is a rate or median on fewer
decided complaints than that (`engines/disclosure.py`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from opus.core.models import Organisation, OrganisationKind
from opus.engines import funnel, matching
from opus.engines import working_days as wd
from opus.engines.disclosure import suppress_estimates
from opus.engines.statistics import proportion_many
from opus.voice.models import Complaint, ComplaintStage, ComplaintStatus, ServiceRating

__all__ = ["BodyRow", "Performance", "figures"]

PUBLIC_BODY_KINDS = (OrganisationKind.LOCAL_AUTHORITY, OrganisationKind.NEIGHBOURHOOD_COUNCIL)
INNER, OUTER = funnel.DEFAULT_CONFIDENCES


@dataclass(frozen=True)
class BodyRow:
    """One organisation's published figures; None where withheld or not applicable."""

    organisation_id: int
    name: str
    slug: str
    kind: str
    public_body: bool
    received: int | None
    decided: int | None
    on_time: int | None
    on_time_rate: float | None
    lower: float | None
    upper: float | None
    median_days: float | None
    band: int  # the funnel band (engines/funnel.classify); 0 when not plotted
    rating_count: int | None
    rating_average: float | None
    withheld: bool


@dataclass(frozen=True)
class Performance:
    """The figures for the whole area at one date, rows sorted by name."""

    as_of: date
    rows: list[BodyRow]
    target: float | None  # the area's on-time rate, the funnel's centre line
    received: int
    decided: int
    on_time: int
    threshold: int

    @property
    def plotted(self) -> list[BodyRow]:
        return [r for r in self.rows if r.on_time_rate is not None]

    @property
    def outside(self) -> list[BodyRow]:
        return [r for r in self.plotted if r.band != funnel.WITHIN]


# --------------------------------------------------------------------- reading the database


def _complaint_counts(as_of: date) -> dict[int, tuple[int, int, int]]:
    """(received, decided, on time) of first stages by body, counted by the database."""
    answered = Q(answered_on__isnull=False)
    on_time = answered & (Q(due__isnull=True) | Q(answered_on__lte=F("due")))
    overdue = Q(answered_on__isnull=True, due__lt=as_of)
    rows = (
        ComplaintStage.objects.filter(number=1)
        .exclude(complaint__status=ComplaintStatus.FORWARDED)
        .annotate(due=Coalesce("answer_due", "tell_why_due"))
        .values("complaint__body_id")
        .annotate(
            received=Count("pk"),
            decided=Count("pk", filter=answered | overdue),
            on_time=Count("pk", filter=on_time),
        )
        .values_list("complaint__body_id", "received", "decided", "on_time")
        .order_by()
    )
    return {body: (received, decided, ok) for body, received, decided, ok in rows}


def _day_number(column: str) -> str:
    """SQL for a date column as days since 1970-01-01 (so numpy reads plain integers)."""
    if connection.vendor == "postgresql":
        return f"({column} - DATE '1970-01-01')"
    return f"CAST(julianday({column}) - 2440587.5 AS INTEGER)"


def _answered_days(nation: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Body ids, receipt days and answer days (as datetime64) of answered first stages.

    Raw SQL because the ORM would build a `date` object per row; here the database hands back
    day numbers that numpy takes whole. Only model table names are formatted in; values are
    parameters."""
    stage, complaint = ComplaintStage._meta.db_table, Complaint._meta.db_table
    sql = (
        f"SELECT c.body_id, {_day_number('s.received_on')}, {_day_number('s.answered_on')} "  # noqa: S608
        f"FROM {stage} s JOIN {complaint} c ON c.id = s.complaint_id "
        "WHERE s.number = 1 AND s.answered_on IS NOT NULL AND c.status <> %s AND c.nation = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [ComplaintStatus.FORWARDED, nation])
        found = np.array(cursor.fetchall(), dtype=np.int64).reshape(-1, 3)
    days = found[:, 1:].astype("datetime64[D]")
    return found[:, 0], days[:, 0], days[:, 1]


@cache
def _calendar(nation: str) -> np.busdaycalendar:
    years = range(wd.FIRST_YEAR, wd.LAST_YEAR + 1)
    holidays = sorted({day for year in years for day in wd.bank_holidays(year, nation)})
    return np.busdaycalendar(weekmask="1111100", holidays=np.array(holidays, "datetime64[D]"))


def _median_days() -> dict[int, float]:
    """Median working days to a first answer by body (receipt is day 0), over every nation."""
    bodies, waits = [], []
    for nation in wd.NATIONS:
        body, received, answered = _answered_days(nation)
        # working_days_between: working days after the receipt up to and including the answer.
        one = np.timedelta64(1, "D")
        waits.append(np.busday_count(received + one, answered + one, busdaycal=_calendar(nation)))
        bodies.append(body)
    return group_medians(np.concatenate(bodies), np.concatenate(waits))


def group_medians(groups: np.ndarray, values: np.ndarray) -> dict[int, float]:
    """The median of `values` within each group, by sorting once (no loop over groups' rows)."""
    if groups.size == 0:
        return {}
    order = np.lexsort((values, groups))
    groups, values = groups[order], values[order].astype(np.float64)
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    counts = np.diff(np.r_[starts, groups.size])
    middle = (values[starts + (counts - 1) // 2] + values[starts + counts // 2]) / 2
    return dict(zip(groups[starts].tolist(), middle.tolist(), strict=True))


def _ratings() -> dict[int, tuple[int, int]]:
    """(sum, count) of published overall ratings by the organisation providing the service."""
    rows = (
        ServiceRating.objects.filter(rating_count__gt=0)
        .values("service__organisation_id")
        .annotate(total=Sum("rating_sum"), count=Sum("rating_count"))
        .values_list("service__organisation_id", "total", "count")
        .order_by()
    )
    return {org: (int(total), int(count)) for org, total, count in rows}


def _organisations(ids: Iterable[int]) -> list[tuple[int, str, str, str]]:
    wanted = Q(pk__in=list(ids)) | Q(kind__in=PUBLIC_BODY_KINDS)
    return list(
        Organisation.objects.filter(wanted)
        .order_by("name", "pk")
        .values_list("pk", "name", "slug", "kind")
    )


# --------------------------------------------------------------------- the figures


def figures(as_of: date | None = None) -> Performance:
    """The public figures of every organisation at `as_of` (today by default)."""
    as_of = as_of or timezone.localdate()
    counts, medians, ratings = _complaint_counts(as_of), _median_days(), _ratings()
    orgs = _organisations(set(counts) | set(ratings))
    ids = [org[0] for org in orgs]
    received, decided, on_time = (
        np.array([counts.get(i, (0, 0, 0))[k] for i in ids], dtype=np.float64) for k in range(3)
    )
    totals = [int(sum(c[k] for c in counts.values())) for k in range(3)]
    target = totals[2] / totals[1] if totals[1] else None
    threshold = int(settings.OPUS_SUPPRESSION_THRESHOLD)
    columns = _complaint_columns(received, decided, on_time, target, threshold)
    columns["median"] = np.array([medians.get(i, np.nan) for i in ids], dtype=np.float64)
    columns |= _rating_columns([ratings.get(i, (0, 0)) for i in ids], threshold)
    rows = [
        _row(org, {key: column[n] for key, column in columns.items()}) for n, org in enumerate(orgs)
    ]
    return Performance(as_of, rows, target, *totals, threshold=threshold)


def _complaint_columns(
    received: np.ndarray,
    decided: np.ndarray,
    on_time: np.ndarray,
    target: float | None,
    threshold: int,
) -> dict[str, Any]:
    hidden = suppress_estimates(
        received, decided, threshold=threshold, min_denominator=threshold
    ).mask
    some = np.where(decided > 0, decided, np.nan)
    wilson = proportion_many(np.where(decided > 0, on_time, np.nan), some, confidences=(INNER,))
    bands = np.zeros(len(decided), dtype=np.int64)
    if target is not None:
        bands = funnel.classify(wilson["value"], funnel.proportion_limits(target, decided))
    received_hidden = (received > 0) & (received < threshold)
    return {
        "received": np.where(received_hidden, np.nan, received),
        "decided": np.where(hidden, np.nan, decided),
        "on_time": np.where(hidden, np.nan, on_time),
        "rate": np.where(hidden, np.nan, wilson["value"]),
        "lower": np.where(hidden, np.nan, wilson["lower95_0cl"]),
        "upper": np.where(hidden, np.nan, wilson["upper95_0cl"]),
        "band": np.where(hidden, 0, bands),
        "hidden": hidden | received_hidden,
    }


def _rating_columns(pairs: list[tuple[int, int]], threshold: int) -> dict[str, Any]:
    totals = np.array([p[0] for p in pairs], dtype=np.float64)
    count = np.array([p[1] for p in pairs], dtype=np.float64)
    average = matching.bayesian_rating(totals, count)  # type: ignore[arg-type]  # arrays too
    few = count < threshold  # too few people behind an average to publish it
    return {
        "rating_count": np.where((count > 0) & few, np.nan, count),
        "rating_average": np.where(few, np.nan, average),
    }


def _number(value: Any, kind: type = float) -> Any:
    value = float(value)
    return None if np.isnan(value) else kind(value)


def _row(org: tuple[int, str, str, str], c: dict[str, Any]) -> BodyRow:
    pk, name, slug, kind = org
    return BodyRow(
        organisation_id=pk,
        name=name,
        slug=slug,
        kind=kind,
        public_body=kind in PUBLIC_BODY_KINDS,
        received=_number(c["received"], int),
        decided=_number(c["decided"], int),
        on_time=_number(c["on_time"], int),
        on_time_rate=_number(c["rate"]),
        lower=_number(c["lower"]),
        upper=_number(c["upper"]),
        median_days=None if c["hidden"] else _number(c["median"]),
        band=int(c["band"]),
        rating_count=_number(c["rating_count"], int),
        rating_average=_number(c["rating_average"]),
        withheld=bool(c["hidden"]),
    )
