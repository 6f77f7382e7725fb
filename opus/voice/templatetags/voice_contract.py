"""Feedback beside a contract's KPIs: `{% contract_feedback contract %}`.

What residents said about the supplier's services, in figures: how each rating dimension
averages (the weakest named first: the theme to raise at the contract meeting), how many
stories wait for the provider's reply, and the changes the people who gave the feedback
confirmed. No names: the stories themselves are on the services' pages.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Avg, Count, Q

from opus.voice.models import RATING_DIMENSIONS, ChangeBadge, Feedback, FeedbackStatus

register = template.Library()


@register.inclusion_tag("voice/feedback/_contract.html")
def contract_feedback(contract: Any) -> dict[str, Any]:
    published = Feedback.objects.filter(
        service__organisation_id=contract.supplier_id, status=FeedbackStatus.PUBLISHED
    )
    found = published.aggregate(
        count=Count("pk"),
        unanswered=Count("pk", filter=Q(reply="")),
        made=Count("pk", filter=Q(badge=ChangeBadge.MADE, badge_confirmed=True)),
        planned=Count("pk", filter=Q(badge=ChangeBadge.PLANNED, badge_confirmed=True)),
        **{key: Avg(key) for key, _label in RATING_DIMENSIONS},
    )
    averages = [
        (str(label), round(found[key], 1)) for key, label in RATING_DIMENSIONS if found[key]
    ]
    return {
        "supplier": contract.supplier,
        "count": found["count"],
        "unanswered": found["unanswered"],
        "made": found["made"],
        "planned": found["planned"],
        "averages": sorted(averages, key=lambda pair: pair[1]),
    }
