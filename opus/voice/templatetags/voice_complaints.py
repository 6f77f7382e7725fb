"""Complaints' learning beside a contract's KPIs: `{% contract_complaints contract %}`.

Counts and learning only, never who complained: the commissioner reads what the provider
learnt from complaints to it, not the complaints themselves (those stay private).
"""

from __future__ import annotations

from typing import Any

from django import template

from opus.voice.models import ComplaintStage, Outcome

register = template.Library()


@register.inclusion_tag("voice/complaints/_contract.html")
def contract_complaints(contract: Any) -> dict[str, Any]:
    stages = list(
        ComplaintStage.objects.filter(complaint__body_id=contract.supplier_id)
        .only("number", "answered_on", "answer_due", "outcome", "learning", "complaint_id")
        .order_by("-answered_on", "-pk")
    )
    answered = [s for s in stages if s.answered_on]
    on_time = [s for s in answered if s.answer_due is None or s.answered_on <= s.answer_due]
    outcomes = [(label, sum(s.outcome == value for s in answered)) for value, label in
                Outcome.choices]  # fmt: skip
    return {
        "supplier": contract.supplier,
        "received": len({s.complaint_id for s in stages}),
        "answered": len(answered),
        "on_time": len(on_time),
        "outcomes": outcomes,
        "learning": [s for s in answered if s.learning][:20],
    }
