#!/usr/bin/env python3
"""Benchmark for issue 14, PB ballots: 16 concurrent clients casting 20,000 ballots.

In a fresh PostgreSQL database: one neighbourhood with a PB process open for voting (six
projects, approval ballots), 20,000 eligible residents (bulk-inserted, untimed). Sixteen
threads, each with its own database connection, cast every ballot through the real service
(`opus.neighbourhoods.services.ballot_cast`: eligibility by postcode, the ballot's checks, the
insert under the `ballot_once_per_voter` unique constraint and its audit event); every client
also tries again, at once, a share of the voters another client is casting for, so that the
constraint is raced. Reported: ballots per second, refused second ballots, and duplicates in
the table (must be 0). It is a benchmark, not a test: the exit status is 0.

Run from the project root:  .venv/bin/python bench/pb_ballots.py [--ballots N] [--clients N]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402 — bench/common.py: shared by every benchmark
    MARK,
    ROOT,
    django_setup,
    fresh_postgresql,
    report_json,
    subprocess_env,
)

DEFAULT_PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
RETRY_SHARE = 20  # every 20th voter of the next client is also tried by this one


def _world(ballots: int) -> tuple[object, list[object], list[object]]:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    import datetime as dt

    from opus.core.models import Area, AreaKind, OrganisationKind, Postcode, Role, User
    from opus.neighbourhoods import money
    from opus.neighbourhoods import services as pb
    from opus.testing import create_area, create_member, create_organisation

    hood = create_area(kind=AreaKind.NEIGHBOURHOOD, name="Bench", code="E99000009")
    lsoa = create_area(code="E01999009", name="Bench 1", neighbourhood=hood)
    Postcode.objects.create(postcode="BN1 1AA", lsoa=lsoa)
    council = create_organisation(name="LA", kind=OrganisationKind.LOCAL_AUTHORITY)
    parish = create_organisation(
        name="Bench Council", kind=OrganisationKind.NEIGHBOURHOOD_COUNCIL, area=hood
    )
    cora = create_member(Role.COMMISSIONER, council)
    colin = create_member(Role.COUNCILLOR, parish)
    budget = money.neighbourhood_budget_create(
        council=parish, title="Bench", period_start=dt.date(2026, 4, 1),
        period_end=dt.date(2027, 3, 31), by=cora,
    )  # fmt: skip
    money.neighbourhood_budget_fund(
        budget=budget, funder=council, amount=100_000_00, reference="Bench", by=cora
    )
    process = pb.process_create(
        council=parish, budget=budget, title="Bench", amount_pence=50_000_00,
        ballot_type="approval", max_choices=3, by=colin,
    )  # fmt: skip
    projects = [
        pb.project_propose(
            process=process, title=f"P{n}", description="x", cost_pence=5_000_00 * n, by=colin
        )
        for n in range(1, 7)
    ]
    pb.process_advance(process=process, by=colin)
    for project in projects:
        pb.project_review(project=project, feasible=True, by=colin)
    process = pb.process_advance(process=process, by=colin)
    voters = User.objects.bulk_create(
        User(email=f"voter{n}@bench.test", full_name=f"Voter {n}", password="!")  # noqa: S106
        for n in range(ballots)
    )
    del Area
    return process, projects, voters


def stage(ballots: int, clients: int) -> None:
    django_setup()
    from django.db import connection, connections

    from opus.neighbourhoods import services as pb
    from opus.neighbourhoods.models import Ballot

    process, projects, voters = _world(ballots)
    shares = [voters[n::clients] for n in range(clients)]
    accepted = [0] * clients
    refused = [0] * clients
    failures: list[str] = []
    start = threading.Barrier(clients + 1)

    def client(n: int) -> None:
        own = shares[n]
        raced = shares[(n + 1) % clients][::RETRY_SHARE]
        try:
            start.wait()
            for i, voter in enumerate(own):
                tries = [voter] + (
                    [raced[i // RETRY_SHARE]]
                    if i % RETRY_SHARE == 0 and i // RETRY_SHARE < len(raced)
                    else []
                )  # noqa: E501
                for person in tries:
                    chosen = {projects[(i + k) % len(projects)].pk: 1 for k in range(1 + i % 3)}
                    try:
                        pb.ballot_cast(
                            process=process, chosen=chosen, postcode="BN1 1AA", age=30,
                            by=person,
                        )  # fmt: skip
                        accepted[n] += 1
                    except pb.PBError:
                        refused[n] += 1
        except Exception as error:  # noqa: BLE001 — reported with the figures
            failures.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM (SELECT voter_id FROM neighbourhoods_ballot "
            "WHERE voided_at IS NULL GROUP BY process_id, voter_id HAVING COUNT(*) > 1) d"
        )
        duplicates = cursor.fetchone()[0]
    report_json(
        {
            "ballots": Ballot.objects.count(),
            "accepted": sum(accepted),
            "refused_second_ballots": sum(refused),
            "duplicates": duplicates,
            "seconds": round(seconds, 2),
            "ballots_per_second": round(sum(accepted) / seconds, 1),
            "clients": clients,
            "failures": failures[:3],
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--pg-admin", default=DEFAULT_PG_ADMIN)
    parser.add_argument("--stage", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.stage:
        stage(options.ballots, options.clients)
        return
    with fresh_postgresql(options.pg_admin, "pb_ballots") as database_env:
        out = subprocess.run(  # noqa: S603 — this script, with its own arguments
            [sys.executable, __file__, "--stage", "--ballots", str(options.ballots),
             "--clients", str(options.clients)],
            env=subprocess_env(database_env), cwd=ROOT, capture_output=True, text=True,
            check=False,
        )  # fmt: skip
    lines = [line for line in out.stdout.splitlines() if line.startswith(MARK)]
    if not lines:
        print(out.stdout[-2000:], out.stderr[-3000:])
        return
    figures = json.loads(lines[-1][len(MARK) :])
    print(f"PB ballots on PostgreSQL, {figures['clients']} concurrent clients:")
    print(f"  {figures['accepted']:,} ballots in {figures['seconds']} s: "
          f"{figures['ballots_per_second']:,} ballots/s")  # fmt: skip
    print(f"  second ballots refused: {figures['refused_second_ballots']:,}; "
          f"duplicates in the table: {figures['duplicates']}"
          f" ({'OK' if figures['duplicates'] == 0 else 'MISS'})")  # fmt: skip
    if figures["failures"]:
        print("  failures:", figures["failures"])


if __name__ == "__main__":
    main()
