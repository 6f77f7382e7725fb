"""A neighbourhood council's business: its clerk, meetings with agendas, decisions and minutes,
and councillors' declarations of interest. Agendas and minutes are public once published;
declarations are public from the moment they are made."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opus.core.audit import audit_record
from opus.core.models import Organisation, OrganisationKind, Role, User
from opus.core.roles import has_role
from opus.neighbourhoods import money
from opus.neighbourhoods.models import Clerk, Declaration, Meeting, MeetingDecision
from opus.neighbourhoods.services import PBError, is_officer

MAX_VOTES = 1000


def _require_officer(council_id: int, by: User) -> None:
    if not is_officer(by, council_id):
        raise PermissionDenied(_("Only this neighbourhood council's officers can do this"))


@transaction.atomic
def clerk_appoint(*, council: Organisation, user: User, by: User) -> Clerk:
    if not (money.is_councillor_of(by, council.pk) or has_role(by, Role.ADMIN)):
        raise PermissionDenied(_("Only the council's councillors appoint its clerk"))
    if council.kind != OrganisationKind.NEIGHBOURHOOD_COUNCIL:
        raise PBError(_("Only a neighbourhood council has a clerk"), "council")
    clerk, _made = Clerk.objects.get_or_create(council=council, user=user)
    audit_record(actor=by, action="council.clerk_appoint", target=clerk, summary={"user": user.pk})
    return clerk


@transaction.atomic
def meeting_create(
    *, council: Organisation, held_on: dt.date, title: str, agenda: str, by: User
) -> Meeting:
    _require_officer(council.pk, by)
    if not title.strip():
        raise PBError(_("Enter the meeting's title"), "title")
    meeting = Meeting.objects.create(
        council=council, held_on=held_on, title=title.strip()[:200], agenda=agenda.strip(),
        created_by=by,
    )  # fmt: skip
    audit_record(
        actor=by, action="council.meeting_create", target=meeting, summary={"title": title}
    )
    return meeting


@transaction.atomic
def meeting_decide(
    *, meeting: Meeting, text: str, votes_for: int, votes_against: int, abstentions: int, by: User
) -> MeetingDecision:
    _require_officer(meeting.council_id, by)
    if not text.strip():
        raise PBError(_("Write what was decided"), "text")
    if any(not 0 <= n <= MAX_VOTES for n in (votes_for, votes_against, abstentions)):
        raise PBError(_("Enter the votes as whole numbers from 0 to 1,000"), "votes_for")
    decision = MeetingDecision.objects.create(
        meeting=meeting, text=text.strip(), votes_for=votes_for, votes_against=votes_against,
        abstentions=abstentions,
    )  # fmt: skip
    audit_record(actor=by, action="council.decision", target=decision, summary={"text": text[:300]})
    return decision


@transaction.atomic
def minutes_publish(*, meeting: Meeting, minutes: str, by: User) -> Meeting:
    _require_officer(meeting.council_id, by)
    if not minutes.strip():
        raise PBError(_("Write the minutes"), "minutes")
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    meeting.minutes, meeting.published_at = minutes.strip(), timezone.now()
    meeting.save(update_fields=["minutes", "published_at"])
    audit_record(actor=by, action="council.minutes_publish", target=meeting, summary={})
    return meeting


@transaction.atomic
def interest_declare(
    *, council: Organisation, item: str, interest: str, by: User, meeting: Meeting | None = None
) -> Declaration:
    """A councillor declares an interest (in a meeting's item, a PB project, a grant)."""
    if not money.is_councillor_of(by, council.pk):
        raise PermissionDenied(_("Only the council's councillors declare interests here"))
    if not item.strip() or not interest.strip():
        raise PBError(_("Say what the interest is in and what it is"), "interest")
    if meeting is not None and meeting.council_id != council.pk:
        raise PBError(_("Select one of this council's meetings"), "meeting")
    declaration = Declaration.objects.create(
        council=council, meeting=meeting, councillor=by, item=item.strip()[:300],
        interest=interest.strip(),
    )  # fmt: skip
    audit_record(
        actor=by,
        action="council.interest_declare",
        target=declaration,
        summary={"item": item[:300]},
    )
    return declaration
