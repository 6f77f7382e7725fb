"""The optimiser for the hard cases: a budget shared across areas × services by HiGHS.

Reads the areas of a level and, for each chosen kind of service, the people in need in each
area (the monitor's ``people_in_need``: the assessment's indicator, else the population), builds
the problem for ``engines/optimise_shares.py`` and turns its duals into sentences.

The model: an area's need weight for a service is its prevalence (people in need per head)
over the average, so money where need is concentrated counts for more; the benefit curve has
three slices per 1,000 people in need (the first pounds do the most good, then less, then
little), so an area with more people in need can use more before returns fall.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opus.allocation import monitor
from opus.core.models import Area
from opus.directory.taxonomy import TERMS
from opus.engines import optimise_shares as engine

# Slices per 1,000 people in need: (width in pence, benefit per £1,000).
CURVE = ((20_000_00, 3.0), (30_000_00, 1.5), (50_000_00, 0.5))
MAX_SERVICES = 10


@dataclass(frozen=True)
class Choice:
    """What the commissioner chose: pence and areas, floors and caps (None: none)."""

    level: str
    services: tuple[str, ...]
    budget_pence: int
    area_floor: int | None = None
    area_cap: int | None = None
    service_floor: int | None = None
    service_cap: int | None = None


def service_choices() -> list[tuple[str, str]]:
    return [(code, name) for code, (name, _children) in TERMS.items()]


def _need(choice: Choice, areas: list[Area]) -> tuple[np.ndarray, np.ndarray]:
    """Need weights and slice scales, areas × services."""
    population = np.array([max(a.population, 1) for a in areas], dtype=np.float64)
    columns = []
    for code in choice.services:
        slug = monitor.KIND_INDICATORS.get(code, "")
        counts = monitor.people_in_need(slug, choice.level) if slug else {}
        columns.append([counts.get(a.pk, float(a.population)) for a in areas])
    people = np.array(columns, dtype=np.float64).T
    prevalence = people / population[:, None]
    average = prevalence.mean(axis=0, keepdims=True)
    weight = np.where(average > 0, prevalence / np.where(average > 0, average, 1), 0.0)
    return weight, people / 1000


def problem(choice: Choice) -> tuple[engine.Problem, list[Area]]:
    areas = list(Area.objects.filter(kind=monitor.LEVELS[choice.level]).order_by("code"))
    names = dict(service_choices())
    weight, scale = _need(choice, areas)
    curve = engine.Curve(tuple(w for w, _ in CURVE), tuple(s for _, s in CURVE))
    count, services = len(areas), len(choice.services)
    built = engine.Problem(
        budget_pence=choice.budget_pence,
        areas=tuple(a.name for a in areas),
        services=tuple(names[c] for c in choice.services),
        need=weight,
        curves=(curve,) * services,
        scale=scale,
        area_floors=(choice.area_floor,) * count if choice.area_floor else None,
        area_caps=(choice.area_cap,) * count if choice.area_cap else None,
        service_floors=(choice.service_floor,) * services if choice.service_floor else None,
        service_caps=(choice.service_cap,) * services if choice.service_cap else None,
    )
    return built, areas


def _pounds(pence: int) -> str:
    return f"£{pence / 100:,.0f}"


SENTENCES = {
    engine.BUDGET: gettext_lazy(
        "Another £1,000 in the budget of %(limit)s would add %(gain)s units of benefit."
    ),
    engine.AREA_CAP: gettext_lazy(
        "Raising %(name)s's cap of %(limit)s by £1,000 would add %(gain)s units of benefit."
    ),
    engine.AREA_FLOOR: gettext_lazy(
        "Lowering %(name)s's floor of %(limit)s by £1,000 would add %(gain)s units of benefit."
    ),
}
SENTENCES[engine.SERVICE_CAP] = SENTENCES[engine.AREA_CAP]
SENTENCES[engine.SERVICE_FLOOR] = SENTENCES[engine.AREA_FLOOR]


def binding_sentence(binding: engine.Binding) -> str:
    """What relaxing one binding constraint by £1,000 would buy, in words."""
    return str(SENTENCES[binding.kind]) % {
        "name": binding.name, "limit": _pounds(binding.limit_pence),
        "gain": f"{binding.gain_per_1000:,.2f}",
    }  # fmt: skip


ABOVE_BUDGET = gettext_lazy("%(name)s add up to %(needed)s, more than the budget of %(available)s.")
ABOVE_CAP = gettext_lazy("%(name)s's floor of %(needed)s is above its cap of %(available)s.")
ABOVE_USE = gettext_lazy(
    "%(name)s's floor of %(needed)s is more than its curves can use (%(available)s)."
)
REASONS = {
    "area floors above the budget": ABOVE_BUDGET,
    "service floors above the budget": ABOVE_BUDGET,
    "area floor above its cap": ABOVE_CAP,
    "service floor above its cap": ABOVE_CAP,
    "area floor above what its services can use": ABOVE_USE,
    "service floor above what its areas can use": ABOVE_USE,
}
FLOOR_NAMES = {
    "area floors above the budget": gettext_lazy("The areas' floors"),
    "service floors above the budget": gettext_lazy("The services' floors"),
}


def reason_sentence(reason: engine.Reason) -> str:
    """Why no sharing exists, in words."""
    template = REASONS.get(reason.kind)
    if template is None:
        return _("The floors and caps cannot all be met at once: lower a floor or raise a cap.")
    return str(template) % {
        "name": FLOOR_NAMES.get(reason.kind, reason.name), "needed": _pounds(reason.needed_pence),
        "available": _pounds(reason.available_pence),
    }  # fmt: skip


def run(choice: Choice) -> dict[str, Any]:
    """Solve, and give the page what it shows: rows, totals, sentences; or the reasons."""
    built, areas = problem(choice)
    try:
        shares = engine.optimise(built)
    except engine.InfeasibleShares as refused:
        return {"reasons": [reason_sentence(r) for r in refused.reasons]}
    rows = [
        {
            "code": area.code,
            "name": area.name,
            "pence": [int(p) for p in shares.pence[i]],
            "total": int(shares.pence[i].sum()),
            "benefit": float(shares.benefit[i].sum()),
        }
        for i, area in enumerate(areas)
    ]
    return {
        "services": built.services,
        "rows": rows,
        "objective": shares.objective,
        "unspent_pence": shares.unspent_pence,
        "binding": [binding_sentence(b) for b in shares.binding[:10]],
        "more_binding": max(len(shares.binding) - 10, 0),
    }
