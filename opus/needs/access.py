"""Who sees which assessment and which figures.

Published assessments are public, but only as suppressed, aggregated figures.
Drafts are for commissioners and administrators. An indicator belongs to its source agency:
only that agency's staff, or staff of an organisation it has delegated to (and not revoked),
upload its data.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from opus.core.models import Organisation, Role
from opus.core.roles import has_role
from opus.needs.models import Assessment, AssessmentStatus, Indicator, IndicatorDelegation

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


def agencies_allowed_for(indicator: Indicator) -> QuerySet[Organisation]:
    """The indicator's owner and the organisations it delegates to (delegations not revoked)."""
    delegated = IndicatorDelegation.objects.filter(indicator=indicator, revoked_at__isnull=True)
    return Organisation.objects.filter(
        Q(pk=indicator.source_agency_id) | Q(pk__in=delegated.values("delegate_id"))
    )


def agency_may_upload(indicator: Indicator, agency: Organisation) -> bool:
    return agencies_allowed_for(indicator).filter(pk=agency.pk).exists()


def indicators_for_agency(agency: Organisation) -> QuerySet[Indicator]:
    """The indicators an organisation owns or holds a delegation of (not revoked)."""
    delegated = IndicatorDelegation.objects.filter(delegate=agency, revoked_at__isnull=True)
    return Indicator.objects.filter(
        Q(source_agency=agency) | Q(pk__in=delegated.values("indicator_id"))
    )


def indicators_for_uploader(user: Any) -> QuerySet[Indicator]:
    """The indicators a user may upload to: owned by, or delegated to, an agency they work for."""
    agencies = agencies_for_uploader(user)
    delegated = IndicatorDelegation.objects.filter(
        delegate__in=agencies, revoked_at__isnull=True
    ).values("indicator_id")
    return Indicator.objects.filter(Q(source_agency__in=agencies) | Q(pk__in=delegated))


def is_owner_staff(user: Any, indicator: Indicator) -> bool:
    """Staff of the indicator's owner: they grant and revoke its delegations."""
    return agencies_for_uploader(user).filter(pk=indicator.source_agency_id).exists()


def get_indicator_for_owner(user: Any, slug: str) -> Indicator:
    indicator = Indicator.objects.select_related("source_agency").filter(slug=slug).first()
    if indicator is None or not is_owner_staff(user, indicator):
        raise Http404("No such indicator")
    return indicator


def sees_uploaders(user: Any, indicator: Indicator) -> bool:
    """Who may see the person behind each version: officers, and the indicator's own agencies."""
    if has_role(user, Role.COMMISSIONER, Role.ADMIN, Role.AUDITOR):
        return True
    allowed = agencies_allowed_for(indicator).values("pk")
    return agencies_for_uploader(user).filter(pk__in=allowed).exists()
