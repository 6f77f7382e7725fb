"""Co-design beside a commissioning plan's decision (the plan's page)."""

from __future__ import annotations

from typing import Any

from django import template

from opus.voice.consultations import runs_codesign
from opus.voice.models import CodesignGroup

register = template.Library()


@register.inclusion_tag("voice/consultations/_codesign_panel.html", takes_context=True)
def codesign_for(context: Any, decision: Any) -> dict[str, Any]:
    """The decision's co-design groups with their recommendations and responses."""
    request = context.get("request")
    groups = CodesignGroup.objects.filter(decision=decision).prefetch_related(
        "recommendations", "members", "meetings"
    )
    return {
        "decision": decision,
        "groups": list(groups),
        "runs": runs_codesign(getattr(request, "user", None), decision),
    }
