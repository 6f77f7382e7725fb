"""What a published count shows: per project, the fairness summary and a voter's receipt.

Everything here reads `Result` rows, and only of a process whose results are published: before
then every function answers nothing (the leakage rule), whoever asks.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from opus.engines.money import pounds
from opus.neighbourhoods.models import Ballot, Process, Result
from opus.neighbourhoods.pabulib_export import voter_id


def published_results(process: Process) -> list[Result]:
    if not process.published:
        return []
    return list(process.results.all())


def project_rows(process: Process, result: Result) -> list[dict[str, Any]]:
    titles = dict(process.projects.values_list("pk", "title"))
    return [
        {**row, "title": titles.get(int(row["id"]), row["id"]), "cost_words": pounds(row["cost"])}
        for row in result.projects
    ]


def fairness(process: Process, results: list[Result]) -> list[dict[str, Any]]:
    """Per rule: the share of voters with at least one funded project they supported, and
    winners and money per place."""
    if not results:
        return []
    ballots = list(
        Ballot.objects.filter(process=process, voided_at__isnull=True).values_list(
            "points", flat=True
        )
    )
    places = {p.pk: p.place or "—" for p in process.projects.all()}
    summary = []
    for result in results:
        won = set(result.winners)
        happy = sum(1 for points in ballots if won & {k for k, v in points.items() if v})
        per_place: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for row in result.projects:
            if row["funded"]:
                per_place[places.get(int(row["id"]), "—")][0] += 1
                per_place[places.get(int(row["id"]), "—")][1] += row["cost"]
        summary.append(
            {
                "rule": result.rule,
                "official": result.official,
                "winners": len(won),
                "cost": pounds(result.cost_pence),
                "share": round(100 * happy / len(ballots)) if ballots else 0,
                "places": sorted((k, n, pounds(v)) for k, (n, v) in per_place.items()),
            }
        )
    return summary


def receipt(process: Process, user_id: int, result: Result) -> list[tuple[str, str]]:
    """'Your share helped fund …': project title and the pounds of the voter's share."""
    if not process.published or result.process_id != process.pk:
        return []
    paid = result.receipts.get(voter_id(process, user_id), {})
    titles = dict(process.projects.values_list("pk", "title"))
    return [
        (titles.get(int(p), p), pounds(int(Decimal(amount).to_integral_value())))
        for p, amount in paid.items()
        if Decimal(amount) > 0
    ]
