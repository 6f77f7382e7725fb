"""Read-only API for participatory budgeting: processes, and results once published.

A process's count is not in any answer before its results are published (the leakage rule):
its results route answers 404, the same as for a process that does not exist."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate

from opus.core.api import PagePagination
from opus.core.openapi import problems
from opus.neighbourhoods.models import Process, ProjectStatus

router = Router(tags=["participatory budgeting"])


class ProjectOut(Schema):
    id: int
    title: str
    place: str
    cost_pence: int
    status: str


class ProcessOut(Schema):
    id: int
    title: str
    council: str
    area_code: str
    phase: str
    ballot_type: str
    rule: str
    amount_pence: int
    ballots_sha256: str | None
    tie_order: list[str]
    results_published_at: datetime | None

    @staticmethod
    def resolve_council(obj: Process) -> str:
        return obj.council.name

    @staticmethod
    def resolve_area_code(obj: Process) -> str:
        return obj.area.code

    @staticmethod
    def resolve_ballots_sha256(obj: Process) -> str | None:
        return obj.ballots_sha256 or None


class ResultOut(Schema):
    rule: str
    official: bool
    variant: dict[str, Any]
    winners: list[str]
    cost_pence: int
    projects: list[dict[str, Any]]
    ballots_sha256: str


class ProcessDetailOut(ProcessOut):
    projects: list[ProjectOut]

    @staticmethod
    def resolve_projects(obj: Process) -> list[Any]:
        return list(obj.projects.exclude(status=ProjectStatus.PROPOSED).order_by("pk"))


@router.get("/processes", response=list[ProcessOut], auth=None)
@paginate(PagePagination)
def process_list(request: HttpRequest, **kwargs: Any) -> QuerySet[Process]:
    """Every PB process, newest first, with its phase and, once closed, the published hash of
    its ballot file and its tie order."""
    return Process.objects.select_related("council", "area").order_by("-created_at", "-id")


@router.get("/processes/{process_id}", response={200: ProcessDetailOut, **problems(404)}, auth=None)
def process_detail(request: HttpRequest, process_id: int) -> Process:
    return get_object_or_404(Process.objects.select_related("council", "area"), pk=process_id)


@router.get(
    "/processes/{process_id}/results", response={200: list[ResultOut], **problems(404)}, auth=None
)
def process_results(request: HttpRequest, process_id: int) -> list[Any]:
    """The published count by each rule (the process's own one official), per project its
    votes, cost, effective support and why it won or lost. 404 until published."""
    process = Process.objects.filter(pk=process_id).first()
    if process is None or not process.published:
        raise Http404("Not found")
    return list(process.results.all())
