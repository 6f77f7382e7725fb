"""Who may see a complaint: the complainant (or a Choice Champion holding their consent), the
staff of the body it is with (its handlers), and auditors. Everyone else gets 404.

Staff of a body are its members as provider staff, commissioners or neighbourhood councillors
(`STAFF_ROLES`); a resident who is a member of the council, a champion of a charity or an
administrator is not, for complaints.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from opus.choice.acting import may_act_for
from opus.choice.models import ConsentScope
from opus.core.models import Membership, Organisation, Role, User
from opus.core.roles import has_role
from opus.voice.models import Complaint

STAFF_ROLES = (Role.PROVIDER, Role.COMMISSIONER, Role.COUNCILLOR)


def bodies_of(user: Any) -> QuerySet[Organisation]:
    """The bodies whose complaints `user` handles."""
    if not getattr(user, "is_authenticated", False):
        return Organisation.objects.none()
    return Organisation.objects.filter(
        memberships__user=user, memberships__role__in=STAFF_ROLES
    ).distinct()


def is_staff_of(user: Any, body_id: int) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Membership.objects.filter(
        user=user, organisation_id=body_id, role__in=STAFF_ROLES
    ).exists()


def body_staff(body: Organisation) -> QuerySet[User]:
    """Everyone who handles a body's complaints, oldest account first."""
    return (
        User.objects.filter(
            is_active=True, memberships__organisation=body, memberships__role__in=STAFF_ROLES
        )
        .distinct()
        .order_by("pk")
    )


def is_complainant_side(user: Any, complaint: Complaint) -> bool:
    return may_act_for(user, complaint.complainant_id, ConsentScope.FIND)


def may_see(user: Any, complaint: Complaint) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if is_complainant_side(user, complaint):
        return True
    if is_staff_of(user, complaint.body_id):
        return True
    return has_role(user, Role.AUDITOR)


def get_complaint_for_user(user: Any, complaint_id: int) -> Complaint:
    """The complaint, or 404 for anyone who may not see it (whatever their role)."""
    complaint = (
        Complaint.objects.select_related(
            "complainant", "made_by", "body", "about_service", "forwarded_from__body"
        )
        .filter(pk=complaint_id)
        .first()
    )
    if complaint is None or not may_see(user, complaint):
        raise Http404("Page not found")
    return complaint


def complaints_of(person: User) -> QuerySet[Complaint]:
    return (
        Complaint.objects.filter(complainant=person)
        .select_related("body")
        .prefetch_related("stages")
        .order_by("-received_on", "-pk")
    )


def queue_for(user: Any) -> QuerySet[Complaint]:
    """Complaints at the bodies `user` handles, for their queue."""
    return (
        Complaint.objects.filter(body__in=bodies_of(user))
        .select_related("body", "complainant")
        .prefetch_related("stages__handler")
        .order_by("-received_on", "-pk")
    )
