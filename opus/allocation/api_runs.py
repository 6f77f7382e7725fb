"""GET /api/v1/allocation/runs (+ /{id}): published allocation runs as open data.

Anyone may read them without signing in; drafts do not exist here. Amounts are in pounds as
decimal strings, each run with its formula's terms and the SHA-256 of its inputs and formula.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Query, Router

from opus.allocation.models import AllocationRun, RunStatus
from opus.allocation.runs_present import run_json
from opus.core.pagination import PageParams, per_page_field

router = Router(tags=["allocation"])


class RunQuery(PageParams):
    per_page: int = per_page_field(20, 100, "Allocation runs")


def _published() -> Any:
    return AllocationRun.objects.filter(status=RunStatus.PUBLISHED).select_related("formula")


@router.get("/runs", auth=None, summary="Published allocation runs")
def list_runs(request: HttpRequest, query: Query[RunQuery]) -> dict[str, Any]:
    """Published runs, newest first: what each shares, between which areas, and its fingerprint."""
    runs = _published().order_by("-published_at", "-pk")
    start = (query.page - 1) * query.per_page
    page = list(runs[start : start + query.per_page])
    return {
        "total": runs.count(),
        "page": query.page,
        "runs": [
            {
                "id": run.pk,
                "title": run.title,
                "period": run.period,
                "level": run.level,
                "total_pounds": f"{run.total_pence // 100}.{run.total_pence % 100:02d}",
                "published_at": run.published_at.isoformat() if run.published_at else None,
                "input_hash_sha256": run.input_hash,
                "url": request.build_absolute_uri(f"{request.path.rstrip('/')}/{run.pk}"),
            }
            for run in page
        ],
    }


@router.get("/runs/{run_id}", auth=None, summary="One published allocation run, area by area")
def get_run(request: HttpRequest, run_id: int) -> dict[str, Any]:
    """The run, its formula's terms and, for each area, target, allocation and waterfall steps."""
    run = _published().filter(pk=run_id).first() if 0 < run_id < 2**31 else None
    if run is None:
        raise Http404("No published allocation run with this id")
    return run_json(run)
