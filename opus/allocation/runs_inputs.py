"""An allocation run's inputs: read from the geography and a published needs assessment into a
snapshot of plain text and integers (stored with the run and hashed), then turned into the
engine's exact inputs. A run is reproducible because it is computed from its snapshot only.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from opus.allocation.models import AllocationFormula, NeedSource
from opus.core.models import AGE_BANDS, Area, AreaKind
from opus.engines import fair_shares as engine
from opus.needs.models import Result

PLACES = Decimal("0.000001")  # indicator values and IMD scores are kept to 6 decimal places


class AllocationError(ValueError):
    """A run or formula refused, naming the form field (and the areas at fault)."""

    def __init__(self, message: str, field: str, areas: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.field = field
        self.areas = areas


def areas_at(scope: Area, level: str) -> QuerySet[Area]:
    """The areas at `level` inside `scope` (the scope itself at its own level)."""
    if scope.kind == level:
        return Area.objects.filter(pk=scope.pk)
    if level == AreaKind.LSOA:
        inside = Q(parent=scope) | Q(parent__parent=scope) | Q(neighbourhood=scope)
        return Area.objects.filter(inside, kind=level).order_by("code")
    return Area.objects.filter(parent=scope, kind=level).order_by("code")


def formula_data(formula: AllocationFormula) -> dict[str, Any]:
    """The formula's terms as plain data (part of the hash)."""
    return {
        "family": formula.family,
        "version": formula.version,
        "age_weights": list(formula.age_weights),
        "need_source": formula.need_source,
        "assessment": formula.assessment_id,
        "indicator_weights": dict(sorted(formula.indicator_weights.items())),
        "inequalities": formula.inequalities,
        "h": str(formula.h),
        "cost_index": dict(sorted(formula.cost_index.items())),
        "resources": dict(sorted(formula.resources.items())),
        "transition": formula.transition,
        "min_growth": str(formula.min_growth),
        "max_loss": str(formula.max_loss),
    }


def snapshot(
    formula: AllocationFormula, level: str, total: int, baseline: dict[str, int]
) -> dict[str, Any]:
    """Everything the run is computed from, as JSON-ready text and integers."""
    areas = list(areas_at(formula.scope, level))
    if not areas:
        raise AllocationError(_("There are no areas at this level in %s") % formula.scope, "level")
    codes = [a.code for a in areas]
    data: dict[str, Any] = {
        "level": level,
        "total": total,
        "areas": codes,
        "names": {a.code: a.name for a in areas},
        "population": {a.code: _bands(a, bool(formula.age_weights)) for a in areas},
        "indicators": {},
        "deprivation": {},
        "baseline": {c: baseline[c] for c in codes if c in baseline},
        "formula": formula_data(formula),
    }
    if formula.need_source == NeedSource.ASSESSMENT:
        data["indicators"] = _indicators(formula, level, codes)
    if formula.need_source == NeedSource.DEPRIVATION or formula.inequalities:
        data["deprivation"] = _deprivation(areas, level)
    return data


def digest(data: dict[str, Any]) -> str:
    """SHA-256 of the snapshot (inputs and formula) in a canonical form."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


def engine_inputs(data: dict[str, Any]) -> engine.Inputs:
    """The engine's exact inputs from a snapshot."""
    codes: list[str] = data["areas"]
    formula = data["formula"]
    heads = {c: sum(data["population"][c]) for c in codes}
    need: dict[str, Fraction] = {}
    if formula["need_source"] == NeedSource.ASSESSMENT:
        weights = {s: Fraction(w) for s, w in formula["indicator_weights"].items()}
        values = {s: _fractions(col) for s, col in data["indicators"].items()}
        need = engine.need_index(values, weights, heads)
    deprivation: dict[str, Fraction] = {}
    if data["deprivation"]:
        imd = {"imd": _fractions(data["deprivation"])}
        deprivation = engine.need_index(imd, {"imd": Fraction(1)}, heads)
    if formula["need_source"] == NeedSource.DEPRIVATION:
        need = deprivation
    baseline = data["baseline"]
    return engine.Inputs(
        total=data["total"],
        population={c: data["population"][c] for c in codes},
        age_weights=tuple(Fraction(w) for w in formula["age_weights"]),
        need=need,
        inequalities=deprivation if formula["inequalities"] else {},
        h=Fraction(formula["h"]),
        cost=_per_area(formula["cost_index"], codes),
        resources=_per_area(formula["resources"], codes),
        baseline={c: baseline[c] for c in codes} if baseline else {},
        method=formula["transition"] if baseline else "none",
        min_growth=Fraction(formula["min_growth"]),
        max_loss=Fraction(formula["max_loss"]),
    )


def _bands(area: Area, by_age: bool) -> list[int]:
    if not by_age:
        return [area.population]
    male, female = area.population_male, area.population_female
    if len(male) != len(AGE_BANDS) or len(female) != len(AGE_BANDS):
        raise AllocationError(
            _("%s has no population by age band: use a formula without age weights") % area,
            "age_weights",
            (area.code,),
        )
    return [m + f for m, f in zip(male, female, strict=True)]


def _indicators(formula: AllocationFormula, level: str, codes: list[str]) -> dict[str, Any]:
    """Each weighted indicator's value per area, from the assessment's results at `level`."""
    results = Result.objects.filter(
        assessment_id=formula.assessment_id,
        indicator__slug__in=list(formula.indicator_weights),
        level=level,
    ).select_related("indicator")
    found = {r.indicator.slug: r for r in results}
    out = {}
    for slug in sorted(formula.indicator_weights):
        if slug not in found:
            raise AllocationError(
                _("The assessment has no results for %(slug)s at this level") % {"slug": slug},
                "level",
            )
        arrays = found[slug].arrays()
        column = {
            str(code): _text(float(value))
            for code, value in zip(arrays["codes"], arrays["value"], strict=True)
            if value == value  # not NaN: no data for this area
        }
        missing = tuple(c for c in codes if c not in column)
        if missing:
            shown = ", ".join(missing[:10]) + (
                _(" and %d more") % (len(missing) - 10) if len(missing) > 10 else ""
            )
            raise AllocationError(
                _("Indicator %(slug)s has no value for %(areas)s") % {"slug": slug, "areas": shown},
                "indicator_weights",
                missing,
            )
        out[slug] = {c: column[c] for c in codes}
    return out


def _deprivation(areas: list[Area], level: str) -> dict[str, str]:
    """IMD score per area: the LSOA's own, or the population-weighted mean of its LSOAs."""
    if level == AreaKind.LSOA:
        scores = {a.code: a.imd_score for a in areas}
    else:
        key = {"ward": "parent", "neighbourhood": "neighbourhood", "la": "parent__parent"}[level]
        sums: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
        rows = Area.objects.filter(kind=AreaKind.LSOA, **{f"{key}__in": areas}).values_list(
            f"{key}_id", "population", "imd_score"
        )
        for parent, people, score in rows:
            if score is not None and people:
                sums[parent][0] += people * score
                sums[parent][1] += people
        scores = {a.code: sums[a.pk][0] / sums[a.pk][1] if sums[a.pk][1] else None for a in areas}
    missing = tuple(c for c, s in scores.items() if s is None)
    if missing:
        raise AllocationError(
            _("No deprivation score for %s") % ", ".join(missing[:10]), "need_source", missing
        )
    return {c: _text(s) for c, s in scores.items() if s is not None}


def _text(value: float) -> str:
    if not math.isfinite(value) or value < 0:
        raise AllocationError(_("Indicator values must be numbers of zero or more"), "indicators")
    return str(Decimal(repr(value)).quantize(PLACES))


def _fractions(column: dict[str, str]) -> dict[str, Fraction]:
    return {c: Fraction(v) for c, v in column.items()}


def _per_area(values: dict[str, str], codes: list[str]) -> dict[str, Fraction]:
    """An index given for some areas: 1 for the others (no adjustment)."""
    if not values:
        return {}
    return {c: Fraction(values.get(c, "1")) for c in codes}
