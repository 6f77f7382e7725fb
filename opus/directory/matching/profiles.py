"""A needs profile from what a page or the API asks: checked, with where the person lives.

The question's fields are checked here (each refusal names its field); where the postcode
lies and every area around it are read in one query, for the engine's hard requirements
and home services' areas.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from django.db import connection

from opus.core.models import Area, AreaKind, Postcode
from opus.directory.matching import facts
from opus.directory.vocabularies import vocabulary_label
from opus.engines import matching as engine


class ProfileError(ValueError):
    """A needs profile that cannot be matched: names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Question:
    """A needs profile as a page or the API gives it, before it is checked."""

    needs: list[str]
    postcode: str = ""
    max_distance_km: float = 10.0
    remote_ok: bool = True
    age: int | None = None
    circumstances: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    language_required: bool = False
    accessibility: tuple[str, ...] = ()
    days: tuple[str, ...] = ()
    max_price_pence: int | None = None
    words: str = ""


def _place_of(code: str) -> tuple[tuple[float, float], frozenset[int]] | None:
    """Where a postcode is, and every area it lies within (its LSOA, their ancestors and
    their neighbourhoods), in one query of plain columns (compiled once: it runs per match)."""
    with connection.cursor() as cursor:
        cursor.execute(_PLACE_SQL(), [code])
        row = cursor.fetchone()
    if row is None or row[0] is None or row[1] is None:
        return None
    *areas, beyond = row[2:]
    found = {a for a in areas if a}
    while beyond:  # deeper than the usual country > authority > ward > LSOA
        found.add(beyond)
        area = Area.objects.filter(pk=beyond).values_list("neighbourhood_id", "parent_id").get()
        found |= {area[0]} if area[0] else set()
        beyond = area[1]
    return (row[0], row[1]), frozenset(found)


def _next_to(areas: frozenset[int]) -> frozenset[int]:
    """The areas next to where a person lives: the other LSOAs of their ward and the other
    wards of their authority (home services there are shown as near misses)."""
    if not areas:
        return frozenset()
    kinds = [AreaKind.LSOA, AreaKind.WARD]
    theirs = Area.objects.filter(pk__in=areas, kind__in=kinds, parent__isnull=False)
    rows = Area.objects.filter(parent__in=theirs.values("parent"), kind__in=kinds)
    return frozenset(rows.exclude(pk__in=areas).values_list("pk", flat=True))


@lru_cache(maxsize=1)
def _PLACE_SQL() -> str:  # noqa: N802 - a constant, built once the models are ready
    area, postcode = Area._meta.db_table, Postcode._meta.db_table
    joins, columns, parent = [], [], "p.lsoa_id"
    for n in range(1, 5):
        joins.append(f"LEFT JOIN {area} a{n} ON a{n}.id = {parent}")
        columns += [f"a{n}.id", f"a{n}.neighbourhood_id"]
        parent = f"a{n}.parent_id"
    return (
        f"SELECT p.latitude, p.longitude, {', '.join(columns)}, {parent} "  # noqa: S608
        f"FROM {postcode} p {' '.join(joins)} WHERE p.postcode = %s"
    )


def profile_from(question: Question) -> engine.Profile:
    """Check a question and turn it into the engine's profile (or raise ProfileError)."""
    from opus.engines.identifiers import normalise_postcode

    if not question.needs:
        raise ProfileError("needs", "Choose at least one need")
    known = {code for code, _, _ in facts.taxonomy(question.needs).values()}
    unknown = [code for code in question.needs if code not in known]
    if unknown:
        raise ProfileError("needs", f"'{unknown[0]}' is not a need Opus knows")
    families, names = need_words(question.needs)
    if not 0 < question.max_distance_km <= 200:
        raise ProfileError("max_distance_km", "Choose a distance between 1 and 200 km")
    home, areas = None, frozenset[int]()
    if question.postcode:
        try:
            code = normalise_postcode(question.postcode)
        except ValueError as exc:
            raise ProfileError("postcode", str(exc)) from exc
        found = _place_of(code)
        if found is None:
            raise ProfileError("postcode", f"We do not know where {code} is: check it")
        home, areas = found
    return engine.Profile(
        near_areas=_next_to(areas),
        needs=frozenset(question.needs),
        home=home,
        max_distance_km=question.max_distance_km,
        remote_ok=question.remote_ok,
        age=question.age,
        circumstances=frozenset(question.circumstances),
        areas=areas,
        languages=frozenset(question.languages),
        language_required=question.language_required,
        accessibility=frozenset(question.accessibility),
        days=frozenset(question.days),
        max_price_pence=question.max_price_pence,
        access_names=tuple((c, vocabulary_label(c)) for c in sorted(question.accessibility)),
        need_families=families,
        need_names=names,
    )


def need_words(
    needs: Iterable[str],
) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """The engine's (need, family) pairs and the needs' and families' labels, for these codes."""
    codes = sorted(set(needs))
    terms = facts.taxonomy(codes)
    parents = {code: parent for code, _, parent in terms.values()}
    families = tuple((c, parents[c]) for c in codes if parents.get(c))
    wanted = set(codes) | {family for _, family in families}
    labels = facts.term_names(wanted)
    return families, tuple((c, labels[c]) for c in sorted(wanted) if c in labels)
