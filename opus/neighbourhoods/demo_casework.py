"""The demo world's councillors' casework (synthetic): residents raise issues with Old Town's
neighbourhood council and its councillor moves them on, so the councillor's dashboard and the
resident's page show cases new, in progress, referred to the county council, answered and
closed. Everything goes through the services, so the audit log and the notices hold it all."""

from __future__ import annotations

from typing import Any

from opus.core.models import Membership, Organisation, OrganisationKind, Role
from opus.neighbourhoods import casework
from opus.neighbourhoods.demo import OLD_TOWN
from opus.neighbourhoods.models import Case

CASES = [
    ("Street light out on Mill Lane", "The light by number 12 has been out for three weeks."),
    ("Bus shelter glass broken", "The shelter on the High Street has had broken glass since May."),
    ("Overgrown path to the school", "Brambles block half of the path; children walk in the road."),
    ("Fly-tipping behind the shops", "Mattresses and bags have been dumped by the garages."),
    ("Bench for the green", "Older neighbours would like a bench by the pond."),
]  # fmt: skip
# How far each case goes, in order: new, in progress, referred, answered, closed.
STEPS = ["new", "start", "refer", "answer", "close"]


def seed_casework(seed: int = 0, council_slug: str = OLD_TOWN) -> dict[str, Any]:
    """A case in each state for the council's councillor; returns counts made by status."""
    council = Organisation.objects.filter(
        slug=council_slug, kind=OrganisationKind.NEIGHBOURHOOD_COUNCIL
    ).first()
    made: dict[str, Any] = {}
    if council is None or Case.objects.filter(council=council).exists():
        return made
    councillor = (
        Membership.objects.filter(organisation=council, role=Role.COUNCILLOR)
        .select_related("user")
        .order_by("user__email")
        .first()
    )
    residents = [
        m.user
        for m in Membership.objects.filter(role=Role.RESIDENT)
        .select_related("user")
        .order_by("user__email")[:5]
    ]
    if councillor is None or not residents:
        return made
    body = Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY).order_by("pk").first()
    for i, ((subject, details), step) in enumerate(zip(CASES, STEPS, strict=True)):
        resident = residents[i % len(residents)]
        case = casework.case_raise(
            council=council, resident=resident, subject=subject, details=details, by=resident
        )
        by = councillor.user
        if step != "new":
            case = casework.case_start(case=case, by=by)
        if step == "refer" and body is not None:
            case = casework.case_refer(
                case=case, body=body, note="Please send the highways team to look.", by=by
            )
        if step in ("answer", "close"):
            case = casework.case_answer(
                case=case, answer="The county council will clear it by the end of the month.",
                by=by,
            )  # fmt: skip
        if step == "close":
            case = casework.case_close(case=case, by=resident)
        made[case.status] = made.get(case.status, 0) + 1
    return made
