"""The demo world's neighbourhood money and participatory budgeting (synthetic).

Every neighbourhood council gets a budget for this financial year funded from the published
plan's neighbourhood-level decision (shared between the councils); Old Town, Colin
Councillor's council, also has a community-fund grant. Old Town has one PB process finished
(1,500 ballots, 200 of them keyed from paper, counted both ways with a visible difference,
published and in delivery) and one open for voting that Rosa Resident can vote in. The
ballots and their voters are bulk-inserted with one audit event describing the load; every
step that moves money or decides something goes through the services.
"""

from __future__ import annotations

import datetime as dt
import random

from django.test import override_settings
from django.utils import timezone

from opus.budgets.models import Budget
from opus.commissioning.models import ServiceDecision
from opus.core.audit import audit_record
from opus.core.models import Area, Organisation, OrganisationKind, Postcode, User
from opus.neighbourhoods import money
from opus.neighbourhoods import services as pb
from opus.neighbourhoods.models import Ballot, Channel, Process, Project

OLD_TOWN = "old-town-neighbourhood-council"
BALLOTS, PAPER = 1_500, 200
# title, place, cost in pounds
FINISHED_PROJECTS = [
    ("Resurface the Green Road play park", "Green Road", 20_000),
    ("Lights on the riverside path", "Riverside path", 14_000),
    ("Community fridge at the library", "Library", 5_000),
    ("Friday night youth club", "Community centre", 8_000),
    ("Benches and planters on Market Street", "Market Street", 6_000),
    ("Repair café", "Community centre", 3_000),
    ("Accessible toilet at the community centre", "Community centre", 12_000),
    ("Wildflower verges", "School Lane", 4_000),
]
# Share of voters, the projects (by position above) each group approves.
GROUPS = [(0.55, (0, 1, 4)), (0.25, (2, 3, 5)), (0.15, (6, 7, 2)), (0.05, (0, 6))]
OPEN_PROJECTS = [
    ("Defibrillator outside the post office", "High Street", 2_500),
    ("Street party kit to borrow", "Community centre", 1_500),
    ("Safer crossing by the school", "School Lane", 9_000),
    ("Outdoor gym on the green", "The Green", 7_000),
]


def _year() -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    start = dt.date(today.year if today.month >= 4 else today.year - 1, 4, 1)
    return start, dt.date(start.year + 1, 3, 31)


def _budgets(cora: User) -> dict[int, Budget]:
    councils = list(
        Organisation.objects.filter(
            kind=OrganisationKind.NEIGHBOURHOOD_COUNCIL, area__isnull=False
        ).order_by("slug")
    )
    decision = (
        ServiceDecision.objects.filter(level="neighbourhood", plan__status="published")
        .order_by("pk")
        .first()
    )
    start, end = _year()
    made = {}
    for n, council in enumerate(councils):
        budget = money.neighbourhood_budget_create(
            council=council,
            title=f"{council.area.name} neighbourhood budget {start:%Y}/{end:%y}",
            period_start=start,
            period_end=end,
            by=cora,
        )
        if decision is not None and decision.budget_pence:
            share = decision.budget_pence // len(councils)
            if n == len(councils) - 1:
                share = decision.budget_pence - share * (len(councils) - 1)
            money.neighbourhood_budget_fund(budget=budget, decision=decision, amount=share, by=cora)
        made[council.pk] = budget
    return made


def _voters(area: Area, rng: random.Random) -> list[tuple[User, Area]]:
    lsoas = list(Area.objects.filter(neighbourhood=area).order_by("code"))
    users = User.objects.bulk_create(
        User(
            email=f"pb.voter{n:04d}@demo.opus.test",
            full_name=f"Old Town voter {n}",
            password="!",  # noqa: S106 — an unusable password: these people cannot sign in
        )
        for n in range(1, BALLOTS + 1)
    )
    return [(user, rng.choice(lsoas)) for user in users]


def _finished(colin: User, rosa: User, council: Organisation, budget: Budget, seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 — a reproducible synthetic world, not a secret
    process = pb.process_create(
        council=council,
        budget=budget,
        title="Old Town decides 2026",
        description="Residents proposed 8 projects; 1,500 voted (200 on paper).",
        amount_pence=40_000_00,
        ballot_type="approval",
        max_choices=3,
        min_age=11,
        by=colin,
    )
    projects = [
        pb.project_propose(
            process=process,
            title=title,
            description=f"{title} (synthetic).",
            place=place,
            cost_pence=cost * 100,
            by=rosa,
        )  # fmt: skip
        for title, place, cost in FINISHED_PROJECTS
    ]
    pb.process_advance(process=process, by=colin)
    for project in projects:
        pb.project_review(project=project, feasible=True, by=colin)
    pb.process_advance(process=process, by=colin)
    rows, paper = [], 0
    for user, lsoa in _voters(council.area, rng):
        share, chosen = rng.choices(GROUPS, weights=[g[0] for g in GROUPS])[0]
        on_paper = paper < PAPER and rng.random() < 0.15
        paper += on_paper
        rows.append(
            Ballot(
                process=process,
                voter=user,
                channel=Channel.PAPER if on_paper else Channel.ONLINE,
                paper_number=paper if on_paper else None,
                keyed_by=colin if on_paper else None,
                points={str(projects[i].pk): 1 for i in sorted(chosen)},
                lsoa=lsoa,
            )
        )
    Ballot.objects.bulk_create(rows, batch_size=500)
    audit_record(
        actor=None,
        action="demo.pb_ballots",
        target=process,
        summary={"ballots": len(rows), "paper": paper, "synthetic": True},
    )
    process = pb.process_close(process=process, by=colin)
    pb.process_count(process=process, by=colin)
    process = pb.process_publish(process=process, by=colin)
    pb.process_advance(process=process, by=colin)
    funded = list(Project.objects.filter(process=process, funded=True).order_by("pk"))
    if funded:
        pb.project_progress(
            project=funded[0], progress=60, milestone="Contractor on site", by=colin
        )
        pb.project_pay(
            project=funded[0],
            amount=funded[0].cost_pence // 2,
            reference="OT-PB-0001",
            by=colin,
        )


def _open(colin: User, rosa: User, council: Organisation, budget: Budget) -> Process:
    postcode = (
        Postcode.objects.filter(lsoa__neighbourhood=council.area).order_by("postcode").first()
    )
    hint = f" To try it, vote with the postcode {postcode.postcode}." if postcode else ""
    process = pb.process_create(
        council=council,
        budget=budget,
        title="Old Town decides 2027",
        description="Choose up to two projects." + hint,
        amount_pence=12_000_00,
        ballot_type="approval",
        max_choices=2,
        by=colin,
    )
    projects = [
        pb.project_propose(
            process=process,
            title=title,
            description=f"{title} (synthetic).",
            place=place,
            cost_pence=cost * 100,
            by=rosa,
        )  # fmt: skip
        for title, place, cost in OPEN_PROJECTS
    ]
    pb.process_advance(process=process, by=colin)
    for project in projects:
        pb.project_review(project=project, feasible=True, by=colin)
    pb.process_advance(process=process, by=colin)
    return process


@override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend")
def seed_neighbourhoods(seed: int = 2026) -> None:
    cora = User.objects.filter(email="commissioner@demo.opus.test").first()
    colin = User.objects.filter(email="councillor@demo.opus.test").first()
    rosa = User.objects.filter(email="resident@demo.opus.test").first()
    if cora is None or colin is None or rosa is None:
        return
    budgets = _budgets(cora)
    council = Organisation.objects.filter(slug=OLD_TOWN).first()
    if council is None or council.pk not in budgets:
        return
    budget = budgets[council.pk]
    money.neighbourhood_budget_fund(
        budget=budget,
        funder=Organisation.objects.get(slug="northvale-council"),
        amount=20_000_00,
        reference="Northvale community fund (synthetic)",
        by=cora,
    )
    _finished(colin, rosa, council, budget, seed)
    _open(colin, rosa, council, budget)
