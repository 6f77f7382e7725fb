"""Participatory-budgeting blocks for the dashboards: votes open now, and a council's processes."""

from __future__ import annotations

from typing import Any

from django import template

from opus.core.models import Organisation, OrganisationKind, Role
from opus.neighbourhoods.models import Ballot, Phase, Process

register = template.Library()


@register.inclusion_tag("neighbourhoods/pb/_open_votes.html", takes_context=True)
def pb_open_votes(context: Any) -> dict[str, Any]:
    """'Vote in …' for every process open for voting the person has not voted in yet."""
    user = context["request"].user
    voted = Ballot.objects.filter(voter_id=user.pk, voided_at__isnull=True).values("process_id")
    open_now = Process.objects.filter(phase=Phase.VOTING).exclude(pk__in=voted)
    return {"processes": list(open_now.select_related("council")[:10])}


@register.inclusion_tag("neighbourhoods/pb/_council_processes.html", takes_context=True)
def pb_council_processes(context: Any) -> dict[str, Any]:
    """A councillor's councils' PB processes, with where each stands."""
    user = context["request"].user
    councils = user.memberships.filter(role=Role.COUNCILLOR).values("organisation_id")
    found = Process.objects.filter(council_id__in=councils).select_related("council")
    mine = Organisation.objects.filter(
        pk__in=councils, kind=OrganisationKind.NEIGHBOURHOOD_COUNCIL
    ).order_by("name")
    return {"processes": list(found[:20]), "councils": list(mine)}
