"""The postcode-lottery monitor: does where you live decide what you get?

For each service kind (a family of the needs taxonomy) and area this reads need, spend and
access as plain arrays, hands them to ``engines/variation.py`` and stores the month's figures
as a ``MonitorSnapshot`` (``snapshot_take``, run monthly by ``manage.py snapshot_monitor``).

* **Need**: people in need in each area, the numerator of the indicator that measures the kind
  in the newest published needs assessment (``KIND_INDICATORS``); without one, the population.
* **Spend**: personal budgets for the kind's needs (a budget for several kinds is split evenly
  between them). "Every service" adds neighbourhood councils' budgets, awarded small grants
  and funded participatory-budgeting projects, and counts everyone as in need (spend per head).
* **Access**: people holding a personal budget for the kind, active on the day.

Money placed in a larger area than the level's (a ward when the level is neighbourhoods) is
shared over its small areas by population, as ``engines/per_head.py`` does for grants.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from django.db import transaction
from django.utils.translation import gettext as _

from opus.allocation.models import MonitorSnapshot
from opus.budgets.models import Budget
from opus.core.audit import audit_record
from opus.core.models import Area, AreaKind, User
from opus.directory.taxonomy import TERMS
from opus.engines import variation
from opus.needs.models import Assessment, AssessmentStatus, Result
from opus.neighbourhoods.models import GrantApplication, GrantStatus, Project

ALL = "all"
LEVELS = {"neighbourhood": AreaKind.NEIGHBOURHOOD, "ward": AreaKind.WARD}
DEFAULT_DRAWS = 1000
# The indicator whose numerator counts the people in need of each kind of service.
KIND_INDICATORS = {
    "daily-living": "social-care-contacts",
    "personal-care": "social-care-contacts",
    "social-activity": "loneliness",
    "carers-support": "unpaid-carers",
    "mental-wellbeing": "depression",
    "employment": "neet",
    "housing": "homelessness",
    "health": "physical-inactivity",
}
FAMILY = {code: family for family, (_, children) in TERMS.items() for code in [family, *children]}


@dataclass
class _Kind:
    code: str
    name: str
    spend: np.ndarray
    people: list[set[int]]
    indicator: str = ""
    in_need: np.ndarray = field(default_factory=lambda: np.zeros(0))


class _Geography:
    """The level's areas, and how money placed anywhere is shared among them by population."""

    def __init__(self, level: str) -> None:
        self.areas = list(
            Area.objects.filter(kind=LEVELS[level]).only("code", "name", "population")
        )
        self.row = {area.pk: i for i, area in enumerate(self.areas)}
        self.population = np.array([a.population for a in self.areas], dtype=np.float64)
        self.inside: dict[int, list[tuple[int, int]]] = defaultdict(list)
        lsoas = Area.objects.filter(kind=AreaKind.LSOA).values_list(
            "pk", "population", "parent_id", "parent__parent_id", "neighbourhood_id"
        )
        for pk, population, ward, authority, hood in lsoas:
            home = self.row.get(hood if level == "neighbourhood" else ward)
            if home is None:
                continue
            for place in (pk, ward, authority, hood):
                if place is not None:
                    self.inside[place].append((home, population))

    def shares(self, place: int | None) -> list[tuple[int, float]]:
        """(area row, fraction) for money placed at ``place``; empty when outside every area."""
        if place in self.row:
            return [(self.row[place], 1.0)]
        inside = self.inside.get(place or 0, [])
        total = sum(p for _, p in inside)
        weights: dict[int, float] = defaultdict(float)
        for home, population in inside:
            weights[home] += population / total if total else 1 / len(inside)
        return list(weights.items())

    def home(self, place: int | None) -> int | None:
        """The area a person with a budget placed at ``place`` counts in (the largest share)."""
        shares = self.shares(place)
        return max(shares, key=lambda s: s[1])[0] if shares else None


def _newest_assessment() -> Assessment | None:
    return (
        Assessment.objects.filter(status=AssessmentStatus.PUBLISHED)
        .order_by("-published_at", "-pk")
        .first()
    )


def _need(
    assessment: Assessment | None, slug: str, level: str, geo: _Geography
) -> np.ndarray | None:
    """People in need per area (the indicator's numerator), or None when there is no result."""
    if assessment is None:
        return None
    result = Result.objects.filter(assessment=assessment, indicator__slug=slug, level=level).first()
    if result is None:
        return None
    data = result.arrays()
    by_code = dict(zip(data["codes"].tolist(), data["numerator"].tolist(), strict=True))
    values = [by_code.get(area.code) for area in geo.areas]
    if any(v is None or not np.isfinite(v) for v in values):
        return None
    return np.array(values, dtype=np.float64)


def people_in_need(slug: str, level: str = "neighbourhood") -> dict[int, float]:
    """Area id → people in need by the indicator's numerator in the newest published
    assessment (the population where there is none)."""
    geo = _Geography(level)
    need = _need(_newest_assessment(), slug, level, geo)
    counts = need if need is not None else geo.population
    return {area.pk: float(count) for area, count in zip(geo.areas, counts, strict=True)}


def _active_budgets(
    on: dt.date,
) -> Iterable[tuple[int | None, int | None, int | None, list[str], int]]:
    return Budget.objects.filter(period_start__lte=on, period_end__gte=on).values_list(
        "person_id", "organisation_id", "area_id", "needs", "allocated_pence"
    )


def _place_money(kind: _Kind, geo: _Geography, place: int | None, pence: float) -> None:
    for row, share in geo.shares(place):
        kind.spend[row] += pence * share


def _add_budgets(kinds: dict[str, _Kind], geo: _Geography, on: dt.date) -> None:
    everyone = kinds[ALL]
    for person, _organisation, place, needs, pence in _active_budgets(on):
        _place_money(everyone, geo, place, pence)
        families = sorted({FAMILY[code] for code in needs or [] if code in FAMILY})
        home = geo.home(place)
        if person is not None and home is not None:
            everyone.people[home].add(person)
        for family in families:
            _place_money(kinds[family], geo, place, pence / len(families))
            if person is not None and home is not None:
                kinds[family].people[home].add(person)


def _add_community_money(kind: _Kind, geo: _Geography, on: dt.date) -> None:
    """Awarded small grants and funded PB projects (the PB process's area when none given)."""
    grants = GrantApplication.objects.filter(
        status__in=(GrantStatus.AWARDED, GrantStatus.PAID), decided_on__lte=on
    ).values_list("place_id", "awarded_pence")
    for place, pence in grants:
        _place_money(kind, geo, place, pence or 0)
    projects = Project.objects.filter(funded=True, created_at__date__lte=on).values_list(
        "area_id", "process__area_id", "cost_pence"
    )
    for place, process_place, pence in projects:
        _place_money(kind, geo, place or process_place, pence)


def gather(
    on: dt.date, level: str = "neighbourhood"
) -> tuple[_Geography, list[_Kind], Assessment | None]:
    """Need, spend and access per area for every service kind with any spend, and for all."""
    geo = _Geography(level)
    size = len(geo.areas)

    def empty(code: str, name: str) -> _Kind:
        return _Kind(code, name, np.zeros(size), [set() for _ in range(size)])

    kinds = {ALL: empty(ALL, _("Every service"))}
    kinds |= {code: empty(code, name) for code, (name, _children) in TERMS.items()}
    _add_budgets(kinds, geo, on)
    _add_community_money(kinds[ALL], geo, on)
    assessment = _newest_assessment()
    for code, kind in kinds.items():
        slug = KIND_INDICATORS.get(code, "")
        need = _need(assessment, slug, level, geo) if slug else None
        kind.indicator = slug if need is not None else ""
        kind.in_need = need if need is not None else geo.population.copy()
    used = [k for k in kinds.values() if k.code == ALL or k.spend.sum() > 0]
    return geo, used, assessment


def _measures(result: variation.Variation) -> dict[str, object]:
    return {
        "mean": _number(result.mean),
        **{
            name: [_number(m.value), _number(m.lower), _number(m.upper)]
            for name, m in (("cv", result.cv), ("gini", result.gini), ("theil", result.theil))
        },
    }


def _kind_figures(kind: _Kind, geo: _Geography, draws: int, seed: int) -> dict[str, object]:
    need = np.maximum(kind.in_need, 0)
    reached = np.array([len(p) for p in kind.people], dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        spend_per = np.where(need > 0, kind.spend / 100 / np.where(need > 0, need, 1), 0.0)
        reach_per = np.where(need > 0, reached / np.where(need > 0, need, 1), 0.0)
    funnel = variation.access_funnel(reached, np.maximum(np.rint(need), reached))
    spend, access = variation.variation_many([spend_per, reach_per], need, draws=draws, seed=seed)
    areas = [
        {
            "code": area.code, "name": area.name, "population": area.population,
            "in_need": float(need[i]), "spend_pence": int(round(kind.spend[i])),
            "reached": int(reached[i]), "rate": _number(funnel.rates[i]),
            "l95": _number(funnel.lower_95[i]), "u95": _number(funnel.upper_95[i]),
            "l998": _number(funnel.lower_998[i]), "u998": _number(funnel.upper_998[i]),
            "band": int(funnel.bands[i]),
        }
        for i, area in enumerate(geo.areas)
    ]  # fmt: skip
    return {
        "code": kind.code,
        "name": kind.name,
        "indicator": kind.indicator,
        "target": funnel.target,
        "spend": _measures(spend),
        "access": _measures(access),
        "areas": areas,
    }


def _number(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def figures(
    on: dt.date, level: str = "neighbourhood", draws: int = DEFAULT_DRAWS, seed: int = 0
) -> dict[str, object]:
    """The monitor's figures on a day, ready to store as JSON."""
    geo, kinds, assessment = gather(on, level)
    return {
        "assessment": assessment.title if assessment else "",
        "kinds": [_kind_figures(kind, geo, draws, seed) for kind in kinds],
    }


def snapshot_take(
    *,
    on: dt.date,
    by: User | None,
    level: str = "neighbourhood",
    draws: int = DEFAULT_DRAWS,
    seed: int = 2026,
) -> MonitorSnapshot:
    """Work out the month's figures as they stand on ``on`` and keep them (replacing an
    earlier snapshot of the same month and level), audited."""
    if level not in LEVELS:
        raise ValueError(_("Choose neighbourhoods or wards"))
    if not 0 <= draws <= variation.MAX_DRAWS:
        raise ValueError(_("Bootstrap draws must be from 0 to 10,000"))
    data = figures(on, level, draws, seed)
    with transaction.atomic():
        snapshot, _created = MonitorSnapshot.objects.update_or_create(
            period=f"{on:%Y-%m}",
            level=level,
            defaults={
                "as_of": on, "assessment": _newest_assessment(), "draws": draws, "seed": seed,
                "figures": data, "taken_by": by,
            },
        )  # fmt: skip
        audit_record(
            actor=by,
            action="monitor.snapshot",
            target=snapshot,
            summary={"period": snapshot.period, "level": level, "kinds": len(data["kinds"])},
        )
    return snapshot


def latest(level: str = "neighbourhood") -> MonitorSnapshot | None:
    return MonitorSnapshot.objects.filter(level=level).select_related("assessment").first()


def history(level: str = "neighbourhood") -> list[MonitorSnapshot]:
    """Every snapshot of the level, oldest first: the index over time."""
    return list(MonitorSnapshot.objects.filter(level=level).order_by("period"))
