"""Permission-checked reads: one function per sensitive record, 404 for everyone else."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from opus.core.models import ApiToken, AuditEvent, BackgroundJob, Organisation, Role, User
from opus.core.roles import has_role


def get_organisation_for_editing(user: User, slug: str) -> Organisation:
    """Provider staff may edit their own organisation; administrators any."""
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        raise Http404("No such organisation")
    if has_role(user, Role.ADMIN):
        return organisation
    is_staff_of = organisation.memberships.filter(user=user, role=Role.PROVIDER).exists()
    if not is_staff_of:
        raise Http404("No such organisation")
    return organisation


def get_audit_events_for_user(user: User) -> QuerySet[AuditEvent]:
    """The whole audit log, for auditors and administrators only."""
    if not has_role(user, Role.AUDITOR, Role.ADMIN):
        raise Http404("Page not found")
    return AuditEvent.objects.select_related("actor")


def get_api_token_for_user(user: User, token_id: int) -> ApiToken:
    """A user sees and revokes only their own tokens."""
    token = ApiToken.objects.filter(pk=token_id, user=user).first()
    if token is None:
        raise Http404("No such token")
    return token


def get_job_for_user(user: User, job_id: str) -> BackgroundJob:
    """Whoever started a job sees it; administrators see every job."""
    job = BackgroundJob.objects.filter(pk=job_id).first()
    if job is None:
        raise Http404("No such job")
    if job.requested_by_id != user.pk and not has_role(user, Role.ADMIN):
        raise Http404("No such job")
    return job


# --- Write permissions, checked by the services (None is the system: seeding, imports) -----


def require_admin(by: Any) -> None:
    """Accounts, organisations and roles are made by administrators (or the system)."""
    if by is not None and not has_role(by, Role.ADMIN):
        raise PermissionDenied("Only administrators can do this")


def require_organisation_editor(by: Any, organisation: Organisation) -> None:
    """An organisation's own provider staff change its details; administrators any."""
    if by is None or has_role(by, Role.ADMIN):
        return
    if not organisation.memberships.filter(user=by, role=Role.PROVIDER).exists():
        raise PermissionDenied("Only the organisation's staff can change its details")


def require_token_owner(by: Any, token: ApiToken) -> None:
    if by is not None and by.pk != token.user_id and not has_role(by, Role.ADMIN):
        raise PermissionDenied("Only the token's owner can revoke it")
