"""Whose choice this is: the signed-in resident, or the resident a champion acts for.

A champion acts for a resident only with that resident's active consent of the right
scope; while acting, every page says so, and every time they open the resident's
records an audit event says who looked at what.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone

from opus.choice.models import Consent, ConsentScope
from opus.core.audit import audit_record
from opus.core.models import Role, User
from opus.core.roles import has_role

SESSION_KEY = "opus_acting_for"
SCOPES_ALLOWING = {
    ConsentScope.FIND: {ConsentScope.FIND, ConsentScope.CHOOSE},
    ConsentScope.CHOOSE: {ConsentScope.CHOOSE},
}


@dataclass(frozen=True)
class Acting:
    person: User
    by: User

    @property
    def assisted(self) -> bool:
        return self.person.pk != self.by.pk


def active_consent(champion: User, person_id: int, scope: str) -> Consent | None:
    now = timezone.now()
    return (
        Consent.objects.filter(
            champion=champion,
            person_id=person_id,
            scope__in=SCOPES_ALLOWING[scope],
            withdrawn_at__isnull=True,
            starts_at__lte=now,
            expires_at__gt=now,
        )
        .select_related("person")
        .first()
    )


def may_act_for(user: Any, person_id: Any, scope: str = ConsentScope.CHOOSE) -> bool:
    """Whether `user` may write for the person: the person themselves, or a Choice Champion
    holding their active consent of a scope that allows it (view-only consent never does)."""
    if not getattr(user, "is_authenticated", False) or person_id is None:
        return False
    if user.pk == person_id:
        return True
    return has_role(user, Role.CHAMPION) and active_consent(user, person_id, scope) is not None


def require_acting(user: Any, person_id: Any, scope: str = ConsentScope.CHOOSE) -> None:
    """The service layer's gate for writes on a resident's behalf (PermissionDenied if not)."""
    if not may_act_for(user, person_id, scope):
        raise PermissionDenied("You may not do this for this person")


def acting_for(request: HttpRequest, scope: str = ConsentScope.FIND) -> Acting:
    """The person this request acts for, or 404 when it may not act for anyone."""
    user: Any = request.user
    if not user.is_authenticated:
        raise Http404("Sign in first")
    person_id = request.session.get(SESSION_KEY)
    if person_id and has_role(user, Role.CHAMPION):
        consent = active_consent(user, person_id, scope)
        if consent is None:
            raise Http404("You do not have this resident's consent for that")
        return Acting(consent.person, user)
    if has_role(user, Role.RESIDENT):
        return Acting(user, user)
    raise Http404("Only residents, and Choice Champions acting for them, can do this")


def may_open(request: HttpRequest, scope: str = ConsentScope.FIND) -> bool:
    """Whether this request acts for someone with `scope`: pages show a link to the shortlist,
    bookings or a choosing button only when it would open (never a link that answers 404)."""
    try:
        acting_for(request, scope)
    except Http404:
        return False
    return True


@transaction.atomic
def record_view(acting: Acting, what: str) -> None:
    """Someone else opened a resident's records: say who, and what, in the audit log."""
    if acting.assisted:
        audit_record(
            actor=acting.by, action="resident.view", target=acting.person, summary={"what": what}
        )


@transaction.atomic
def start_acting(request: HttpRequest, person_id: int) -> User:
    consent = active_consent(request.user, person_id, ConsentScope.FIND)  # type: ignore[arg-type]
    if consent is None:
        raise Http404("No consent")
    request.session[SESSION_KEY] = person_id
    audit_record(
        actor=request.user,
        action="acting.start",
        target=consent.person,  # type: ignore[arg-type]
        summary={"consent": consent.pk, "scope": consent.scope},
    )
    return consent.person


@transaction.atomic
def stop_acting(request: HttpRequest) -> None:
    person_id = request.session.pop(SESSION_KEY, None)
    if person_id:
        audit_record(
            actor=request.user,
            action="acting.stop",
            object_type="core.user",  # type: ignore[arg-type]
            object_id=str(person_id),
            summary={},
        )


def acting_banner(request: HttpRequest) -> dict[str, Any]:
    """For every page: whose behalf the signed-in champion acts on, if anyone's."""
    person_id = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if not person_id or not getattr(request.user, "is_authenticated", False):
        return {}
    person = User.objects.filter(pk=person_id).only("full_name").first()
    return {"acting_for": person} if person else {}
