"""What a ledger can be opened for: contracts, awarded grants and funded PB projects."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from opus.allocation.social_value import SocialValueError
from opus.commissioning.models import Contract
from opus.neighbourhoods.models import GrantApplication, GrantStatus, Project

KINDS: dict[str, Any] = {"contract": Contract, "grant": GrantApplication, "pb": Project}
MAX_CHOICES = 300


def open_subjects() -> list[tuple[str, str]]:
    """Choices "kind:pk" for everything that has no ledger yet, newest first."""
    contracts = Contract.objects.filter(social_value_ledger=None).order_by("-pk")
    grants = GrantApplication.objects.filter(
        social_value_ledger=None, status__in=[GrantStatus.AWARDED, GrantStatus.PAID]
    ).order_by("-pk")
    projects = Project.objects.filter(social_value_ledger=None, funded=True).order_by("-pk")
    return (
        [
            (f"contract:{c.pk}", _("Contract: %(t)s") % {"t": c.title})
            for c in contracts[:MAX_CHOICES]
        ]
        + [(f"grant:{g.pk}", _("Grant: %(t)s") % {"t": g.title}) for g in grants[:MAX_CHOICES]]
        + [(f"pb:{p.pk}", _("PB project: %(t)s") % {"t": p.title}) for p in projects[:MAX_CHOICES]]
    )


def subject_of(key: str) -> Any:
    """The contract, grant or project a "kind:pk" choice names, or a refusal on the field."""
    kind, _sep, pk = key.partition(":")
    model = KINDS.get(kind)
    subject = model.objects.filter(pk=pk).first() if model and pk.isdigit() else None
    if subject is None:
        raise SocialValueError(_("Choose a contract, grant or PB project"), "subject")
    return subject
