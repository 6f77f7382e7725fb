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

The complaints' first stages are read in one query as columns of day numbers and counted by
numpy over whole columns (bincount, busday_count, one sort for the medians); ratings are
summed by the database (GROUP BY). No Python loop runs per complaint or per rating.
Counts below the suppression threshold are withheld, and so is a rate or median on fewer
decided complaints than that (`engines/disclosure.py`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import Q, Sum
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


NO_DAY = -(10**6)  # a missing date, as a day number far before any real one
UNIX_EPOCH = np.datetime64("1970-01-01", "D")


def _day_number(column: str) -> str:
    """SQL for a date column as days since 1970-01-01 (NO_DAY when null), so numpy reads
    plain integers instead of a `date` object per row."""
    if connection.vendor == "postgresql":
        return f"COALESCE({column} - DATE '1970-01-01', {NO_DAY})"
    return f"COALESCE(CAST(julianday({column}) - 2440587.5 AS INTEGER), {NO_DAY})"


def _first_stages() -> np.ndarray:
    """One row per complaint's first stage (forwarded ones left out): body id, nation index
    (in `working_days.NATIONS`), receipt, due and answer days. One query, read whole.

    Raw SQL because the ORM would build objects per row; only model table names and fixed
    expressions are formatted in, and values are parameters."""
    stage, complaint = ComplaintStage._meta.db_table, Complaint._meta.db_table
    nation = (
        "CASE c.nation "
        + " ".join(f"WHEN '{code}' THEN {n}" for n, code in enumerate(wd.NATIONS))
        + " ELSE 0 END"
    )
    due = _day_number("COALESCE(s.answer_due, s.tell_why_due)")
    sql = (
        f"SELECT c.body_id, {nation}, {_day_number('s.received_on')}, {due}, "  # noqa: S608
        f"{_day_number('s.answered_on')} FROM {stage} s JOIN {complaint} c "
        "ON c.id = s.complaint_id WHERE s.number = 1 AND c.status <> %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [ComplaintStatus.FORWARDED])
        rows = cursor.fetchall()
    # fromiter over the flattened tuples: a third of np.array's time on a million rows.
    flat = np.fromiter(itertools.chain.from_iterable(rows), dtype=np.int64, count=len(rows) * 5)
    return flat.reshape(-1, 5)


def _complaint_figures(as_of: date) -> tuple[dict[int, tuple[int, int, int]], dict[int, float]]:
    """(received, decided, on time) and the median working days to answer, by body."""
    rows = _first_stages()
    body, nation, received, due, answered = rows.T
    today = int((np.datetime64(as_of, "D") - UNIX_EPOCH).astype(np.int64))
    is_answered, has_due = answered != NO_DAY, due != NO_DAY
    on_time = is_answered & (~has_due | (answered <= due))
    decided = is_answered | (has_due & (due < today))
    bodies, index = np.unique(body, return_inverse=True)
    sums = [
        np.bincount(index, weights=w, minlength=bodies.size)
        for w in (None, decided * 1.0, on_time * 1.0)
    ]
    counts = {int(b): (int(r), int(d), int(o)) for b, r, d, o in zip(bodies, *sums, strict=True)}
    waits = np.zeros(rows.shape[0], dtype=np.int64)
    for n, code in enumerate(wd.NATIONS):
        chosen = is_answered & (nation == n)
        start = (received[chosen] + 1).astype("datetime64[D]")
        end = (answered[chosen] + 1).astype("datetime64[D]")
        # working_days_between: the working days after receipt up to and including the answer.
        waits[chosen] = np.busday_count(start, end, busdaycal=_calendar(code))
    return counts, group_medians(body[is_answered], waits[is_answered])


@cache
def _calendar(nation: str) -> np.busdaycalendar:
    years = range(wd.FIRST_YEAR, wd.LAST_YEAR + 1)
    holidays = sorted({day for year in years for day in wd.bank_holidays(year, nation)})
    return np.busdaycalendar(weekmask="1111100", holidays=np.array(holidays, "datetime64[D]"))


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
    (counts, medians), ratings = _complaint_figures(as_of), _ratings()
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
