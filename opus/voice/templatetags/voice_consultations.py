"""Consultations on dashboards: `{% your_consultations %}` (the resident's), and
`{% consultations_to_run %}` (staff of a public body)."""

from __future__ import annotations

from typing import Any

from django import template

from opus.voice.consultations import bodies_run_by
from opus.voice.models import Consultation, ConsultationStatus, Response

register = template.Library()


@register.inclusion_tag("voice/consultations/_yours.html", takes_context=True)
def your_consultations(context: Any) -> dict[str, Any]:
    """The consultations this person responded to, where each is, and how many are open."""
    user = context["request"].user
    mine = (
        Response.objects.filter(respondent=user)
        .select_related("consultation__body")
        .order_by("-created_at")[:10]
    )
    published = Consultation.objects.filter(status=ConsultationStatus.PUBLISHED)
    return {
        "responses": list(mine),
        "open_count": sum(
            1 for c in published.only("opens_on", "closes_on", "status") if c.is_open()
        ),
    }


@register.inclusion_tag("voice/consultations/_to_run.html", takes_context=True)
def consultations_to_run(context: Any) -> dict[str, Any]:
    """Consultations of the bodies this person works for: closed ones waiting for
    "you said, we did" first."""
    bodies = bodies_run_by(context["request"].user)
    found = Consultation.objects.filter(body__in=bodies).exclude(
        status=ConsultationStatus.CONCLUDED
    )
    return {"runs": bodies.exists(), "items": list(found.select_related("body")[:10])}
