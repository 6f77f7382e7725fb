"""Who sees which assessment and which figures.

Published assessments are public, but only as suppressed, aggregated figures.
Drafts are for commissioners and administrators. Partner agencies upload data
for the agencies they belong to.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from opus.core.models import Organisation, Role
from opus.core.roles import has_role
from opus.needs.models import Assessment, AssessmentStatus

EDITORS = (Role.COMMISSIONER, Role.ADMIN)
UPLOADER_ROLES = (Role.COMMISSIONER, Role.PROVIDER, Role.ADMIN)


def can_edit(user: Any) -> bool:
    return has_role(user, *EDITORS)


def sees_unsuppressed(user: Any) -> bool:
    """Commissioners work with the full figures; everyone else sees published, suppressed ones."""
    return has_role(user, *EDITORS)


def assessments_for_user(user: Any) -> QuerySet[Assessment]:
    assessments = Assessment.objects.select_related("area")
    if can_edit(user):
        return assessments
    return assessments.filter(status=AssessmentStatus.PUBLISHED)


def get_assessment_for_user(user: Any, assessment_id: int) -> Assessment:
    assessment = assessments_for_user(user).filter(pk=assessment_id).first()
    if assessment is None:
        raise Http404("No such assessment")
    return assessment


def get_assessment_for_editing(user: Any, assessment_id: int) -> Assessment:
    if not can_edit(user):
        raise Http404("No such assessment")
    return get_assessment_for_user(user, assessment_id)


def agencies_for_uploader(user: Any) -> QuerySet[Organisation]:
    """The organisations a user may upload data for: those they work for (not as a resident)."""
    if not getattr(user, "is_authenticated", False):
        return Organisation.objects.none()
    return Organisation.objects.filter(
        memberships__user=user, memberships__role__in=UPLOADER_ROLES
    ).distinct()


def require_editor(by: Any) -> None:
    """The services' check: commissioners and administrators, or the system (None)."""
    if by is not None and not can_edit(by):
        raise PermissionDenied("Only commissioners can do this")
