"""Ideas and inspiration: what people with similar needs chose, never fewer than ten a figure."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from opus.choice.models import ChoiceRecord
from opus.directory.models import Service

MINIMUM_PEOPLE = 10  # a figure resting on fewer people could point at someone


def ideas_for(needs: list[str], limit: int = 5) -> list[dict[str, Any]]:
    """Services chosen by at least MINIMUM_PEOPLE different people who shared one of these needs."""
    wanted = set(needs)
    people: dict[Any, set[int]] = defaultdict(set)
    for service_id, person_id, chosen_needs in ChoiceRecord.objects.values_list(
        "service_id", "person_id", "needs"
    ).iterator():
        if wanted & set(chosen_needs or []):
            people[service_id].add(person_id)
    popular = sorted(
        ((len(who), sid) for sid, who in people.items() if len(who) >= MINIMUM_PEOPLE),
        key=lambda pair: (-pair[0], str(pair[1])),
    )[:limit]
    names = dict(
        Service.objects.filter(pk__in=[sid for _, sid in popular]).values_list("pk", "name")
    )
    return [{"service_id": sid, "name": names.get(sid, ""), "people": n} for n, sid in popular]
