"""A PB process as a Pabulib election (pabulib.org/format), for the frozen ballot file, the
`export_pabulib` command and the public download once results are published.

Voter ids are pseudonymous: an HMAC-SHA-256 of the user id with the process's own secret,
so the file cannot be joined to anyone's account, nor two processes' files to each other.
Costs are written in whole pounds; `votes`/`score` columns are not written before results.
"""

from __future__ import annotations

import hashlib
import hmac

from opus.engines.pabulib import Election
from opus.neighbourhoods.models import Ballot, BallotType, Process, ProjectStatus

VOTE_TYPES = {
    BallotType.APPROVAL: "approval",
    BallotType.KNAPSACK: "approval",
    BallotType.CUMULATIVE: "cumulative",
}


def voter_id(process: Process, user_id: int) -> str:
    digest = hmac.new(process.voter_secret.encode(), str(user_id).encode(), hashlib.sha256)
    return digest.hexdigest()[:16]


def _pounds(pence: int) -> str:
    return str(pence // 100) if pence % 100 == 0 else f"{pence / 100:.2f}"


def process_election(process: Process) -> Election:
    projects = process.projects.filter(status=ProjectStatus.FEASIBLE).order_by("pk")
    ballots = (
        Ballot.objects.filter(process=process, voided_at__isnull=True)
        .order_by("pk")
        .values_list("voter_id", "points", "channel", "lsoa__code")
    )
    meta = {
        "description": process.title,
        "country": "United Kingdom",
        "unit": process.area.name,
        "instance": str(process.pk),
        "num_projects": str(projects.count()),
        "num_votes": str(len(ballots)),
        "budget": _pounds(process.amount_pence),
        "currency": "GBP",
        "vote_type": VOTE_TYPES[BallotType(process.ballot_type)],
        "rule": "equalshares" if process.rule == "equal-shares" else "greedy",
        "min_length": str(process.min_choices),
    }
    if process.max_choices is not None:
        meta["max_length"] = str(process.max_choices)
    if process.ballot_type == BallotType.CUMULATIVE:
        meta["max_sum_points"] = str(process.points)
    if process.ballot_type == BallotType.KNAPSACK:
        meta["comment"] = "knapsack ballots: each voter's projects cost no more than the budget"
    rows = []
    for user_id, points, channel, lsoa in ballots:
        row = {
            "voter_id": voter_id(process, user_id),
            "vote": ",".join(points),
            "voting_method": channel,
            "lsoa": lsoa or "",
        }
        if process.ballot_type == BallotType.CUMULATIVE:
            row["points"] = ",".join(str(v) for v in points.values())
        rows.append(row)
    return Election(
        meta=meta,
        projects=[
            {"project_id": str(p.pk), "cost": _pounds(p.cost_pence), "name": p.title}
            for p in projects
        ],
        votes=rows,
    )
