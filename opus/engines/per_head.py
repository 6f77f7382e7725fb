"""Money per head by deprivation decile: where grants went, set against who lives there.

Each small area (LSOA) has a decile (1 = most deprived) and a population. A sum placed in a
small area counts there; one placed in a larger area (a ward, a neighbourhood) is shared over
the small areas inside it by population (equally when none has people). A sum placed somewhere
with no small area inside it is left out. Sums are kept unrounded until the end, so sharing
never loses or invents a penny beyond the final rounding of each decile.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

DECILES = range(1, 11)


@dataclass(frozen=True)
class SmallArea:
    id: int
    decile: int
    population: int
    parents: tuple[int, ...] = ()  # the larger areas it lies in


@dataclass(frozen=True)
class DecileRow:
    decile: int
    population: int
    pence: int
    pence_per_head: float | None


def _inside(areas: Sequence[SmallArea]) -> Mapping[int, list[SmallArea]]:
    under: dict[int, list[SmallArea]] = {}
    for area in areas:
        for parent in area.parents:
            under.setdefault(parent, []).append(area)
    return under


def per_head_by_decile(
    areas: Sequence[SmallArea], sums: Iterable[tuple[int, int]]
) -> list[DecileRow]:
    """`sums` are (place id, pence); the result has one row per decile, 1 to 10."""
    by_id = {area.id: area for area in areas}
    under = _inside(areas)
    money = dict.fromkeys(DECILES, 0.0)
    for place, pence in sums:
        if place in by_id:
            money[by_id[place].decile] += pence
            continue
        inside = under.get(place, [])
        total = sum(area.population for area in inside)
        for area in inside:
            share = area.population / total if total else 1 / len(inside)
            money[area.decile] += pence * share
    rows = []
    for decile in DECILES:
        population = sum(a.population for a in areas if a.decile == decile)
        per_head = round(money[decile] / population, 2) if population else None
        rows.append(DecileRow(decile, population, round(money[decile]), per_head))
    return rows
