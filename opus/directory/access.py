"""Who may change which service: its provider's staff, and administrators."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from opus.core.models import Membership, Organisation, Role
from opus.core.roles import has_role
from opus.directory.models import Service


def organisations_for_provider(user: Any) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        memberships__user=user, memberships__role=Role.PROVIDER
    ).distinct()


def get_service_for_editing(user: Any, service_id: Any) -> Service:
    service = Service.objects.select_related("organisation").filter(pk=service_id).first()
    if service is None:
        raise Http404("No such service")
    if has_role(user, Role.ADMIN):
        return service
    if not service.organisation.memberships.filter(user=user, role=Role.PROVIDER).exists():
        raise Http404("No such service")
    return service


def require_editor(by: Any, organisation_id: Any) -> None:
    """The services' check: the provider's own staff, administrators, or the system (None)."""
    if by is None or has_role(by, Role.ADMIN):
        return
    staff = Membership.objects.filter(user=by, organisation_id=organisation_id, role=Role.PROVIDER)
    if not staff.exists():
        raise PermissionDenied("Only the provider's staff can change its services")
