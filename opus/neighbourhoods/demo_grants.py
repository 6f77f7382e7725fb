"""The demo world's small grants (synthetic): every neighbourhood council with a budget opens
a round; local charities and community groups apply; councillors award most (paid through the
council's ledger, some with a monitoring return) and decline one; in Old Town one application
waits for Colin Councillor to decide. Everything goes through the services, so the ledger,
the audit log and the 360Giving output hold it all."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from opus.budgets.models import Budget
from opus.core.models import Membership, Organisation, OrganisationKind, Role, User
from opus.neighbourhoods import grants
from opus.neighbourhoods.demo import OLD_TOWN

PROJECTS = [
    ("Lunch club for older neighbours", "A weekly hot lunch at the community centre.", 750_00),
    ("Homework club", "Two evenings a week of help with homework and a snack.", 600_00),
    ("Allotment tools to share", "A shed of tools anyone on the allotments can borrow.", 400_00),
    ("Dementia-friendly cinema", "Monthly relaxed screenings with tea afterwards.", 900_00),
]  # fmt: skip


def _councillor(council: Organisation) -> User | None:
    member = (
        Membership.objects.filter(organisation=council, role=Role.COUNCILLOR)
        .select_related("user")
        .order_by("user__email")
        .first()
    )
    return member.user if member else None


def _groups() -> list[tuple[Organisation, User]]:
    found = []
    rows = (
        Membership.objects.filter(organisation__kind__in=grants.APPLYING_KINDS)
        .select_related("organisation", "user")
        .order_by("organisation__name", "user__email")
    )
    seen: set[int] = set()
    for m in rows:
        if m.organisation_id not in seen:
            seen.add(m.organisation_id)
            found.append((m.organisation, m.user))
    return found


def seed_grants(seed: int = 0) -> dict[str, Any]:
    """Rounds, applications, decisions, payments and returns; returns counts made."""
    today = timezone.localdate()
    groups = _groups()
    made = {"rounds": 0, "awarded": 0, "waiting": 0}
    if not groups:
        return made
    councils = Organisation.objects.filter(
        kind=OrganisationKind.NEIGHBOURHOOD_COUNCIL, area__isnull=False
    ).order_by("name")
    for c, council in enumerate(councils):
        budget = Budget.objects.filter(organisation=council).order_by("-period_start").first()
        officer = _councillor(council)
        places = list(council.area.lsoas.order_by("code")[:4]) if council.area else []  # type: ignore[union-attr]
        if budget is None or officer is None or not places or budget.available_pence < 3_000_00:
            continue
        grant_round = grants.grant_round_open(
            council=council,
            budget=budget,
            title=f"{council.name} small grants {today.year}",
            description="Up to £1,000 for local groups' projects.",
            ceiling_pence=1_000_00,
            opens_on=today - dt.timedelta(days=60),
            closes_on=today + dt.timedelta(days=30),
            by=officer,
        )
        made["rounds"] += 1
        for i, (title, description, amount) in enumerate(PROJECTS):
            group, member = groups[(seed + c * len(PROJECTS) + i) % len(groups)]
            application = grants.grant_apply(
                grant_round=grant_round,
                group=group,
                title=title,
                description=description,
                amount_pence=amount,
                place=places[i % len(places)],
                by=member,
                today=today - dt.timedelta(days=50 - i),
            )
            waiting = i == len(PROJECTS) - 1
            if waiting and council.slug == OLD_TOWN:
                made["waiting"] += 1
                continue
            award = i != 2
            if grants.conflicted(officer, application):
                continue
            grants.grant_decide(
                application=application,
                award=award,
                reason="Meets the round's aims" if award else "Already funded from elsewhere",
                by=officer,
                today=today - dt.timedelta(days=30 - i),
            )
            if not award:
                continue
            made["awarded"] += 1
            if i == 0 or i == 3:
                grants.grant_pay(
                    application=application,
                    reference=f"GRANT-{grant_round.pk}-{application.pk}",
                    by=officer,
                    today=today - dt.timedelta(days=20),
                )
                if i == 0:
                    grants.grant_monitor(
                        application=application,
                        spent_pence=amount - 25_00,
                        people_reached=40 + c,
                        summary="Weekly lunches ran all term; a waiting list has started.",
                        by=member,
                    )
    return made
