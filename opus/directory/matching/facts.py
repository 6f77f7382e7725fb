"""Services read in full, as the matching engine's candidates: one key look-up each.

Building model objects, or one query per related table, cost more than all the rest of a
match together; each service's card (directory/derived/: everything the engine needs, kept in step
with the directory) is read by key and turned into an engine.Candidate. A service with
several prices is judged, and shown, at its lowest.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import replace
from functools import lru_cache
from typing import Any

from django.db import connection

from opus.directory import search
from opus.directory.models import TaxonomyTerm
from opus.directory.taxonomy import TAXONOMY_ID
from opus.engines import matching as engine

CARD_SQL = (
    "SELECT service_id, name, delivery, minimum_age, maximum_age, circumstances, "
    "residency_area_id, vacancies, terms, families, language_names, price, unit, days, areas "
    "FROM directory_card WHERE service_id IN ({marks})"
)
PLACE_SQL = (
    "SELECT service_id, latitude, longitude, access FROM directory_card_place "
    "WHERE service_id IN ({marks}) ORDER BY service_id, location_id"
)
# PostgreSQL: the places come with their card as arrays (one round trip, not two).
CARD_WITH_PLACES_SQL = (
    "SELECT c.service_id, c.name, c.delivery, c.minimum_age, c.maximum_age, c.circumstances, "
    "c.residency_area_id, c.vacancies, c.terms, c.families, c.language_names, c.price, "
    "c.unit, c.days, c.areas, p.latitudes, p.longitudes, p.access FROM directory_card c "
    "LEFT JOIN LATERAL (SELECT array_agg(latitude ORDER BY location_id) AS latitudes, "
    "array_agg(longitude ORDER BY location_id) AS longitudes, "
    "array_agg(access ORDER BY location_id) AS access FROM directory_card_place "
    "WHERE service_id = c.service_id) p ON TRUE WHERE c.service_id = ANY(%s)"
)


@lru_cache(maxsize=1)
def _terms() -> dict[uuid.UUID, tuple[str, Any, str | None]]:
    """Every term: its code, its parent's id and its parent's code, by id (changes rarely)."""
    rows = TaxonomyTerm.objects.values_list("pk", "code", "parent_id", "parent__code")
    return {pk: (code, parent, parent_code) for pk, code, parent, parent_code in rows}


def taxonomy(codes: Iterable[str] = ()) -> dict[uuid.UUID, tuple[str, Any, str | None]]:
    """The cached terms, read again once if any of these codes is missing (a new term)."""
    found = _terms()
    if not set(codes) <= {code for code, _, _ in found.values()}:
        _terms.cache_clear()
        found = _terms()
    return found


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    """Every term's label by code, Opus's own needs taxonomy winning where codes clash."""
    rows = TaxonomyTerm.objects.values_list("code", "name", "taxonomy_id")
    ours = TAXONOMY_ID
    return {code: name for code, name, t in sorted(rows, key=lambda r: r[2] == ours)}


def term_names(codes: Iterable[str] = ()) -> dict[str, str]:
    """Terms' labels by code (read again once if any of these codes is missing: a new term)."""
    found = _names()
    if not set(codes) <= found.keys():
        _names.cache_clear()
        found = _names()
    return found


def term_codes(term_id: uuid.UUID) -> tuple[str, str | None]:
    """A term's code and its family's code (the cache is read again for a new term)."""
    found = _terms().get(term_id)
    if found is None:
        _terms.cache_clear()
        found = _terms().get(term_id, ("", None, None))
    return found[0], found[2]


def read(service_ids: Iterable[Any], words: Mapping[str, float]) -> list[engine.Candidate]:
    """These services as the engine sees them, with the share of the person's words found
    in each (`words`, by service id; none found when missing)."""
    ids = [uuid.UUID(str(i)) for i in dict.fromkeys(service_ids)]
    if not ids:
        return []
    if connection.vendor == "postgresql":
        return _with_ratings(_read_postgres(ids, words))
    keys = [i.hex for i in ids]
    marks = ", ".join(["%s"] * len(keys))
    places: dict[str, list[engine.Place]] = {}
    with connection.cursor() as cursor:
        cursor.execute(CARD_SQL.format(marks=marks), keys)
        rows = cursor.fetchall()
        cursor.execute(PLACE_SQL.format(marks=marks), keys)
        for sid, lat, lon, access in cursor.fetchall():
            place = engine.Place(float(lat), float(lon), _listed(access))
            places.setdefault(search.uuid_text(sid), []).append(place)
    return _with_ratings(_with_home_areas([_candidate(row, places, words) for row in rows], rows))


def _with_home_areas(
    found: list[engine.Candidate], rows: Iterable[tuple[Any, ...]]
) -> list[engine.Candidate]:
    """Where each service visiting people at home goes: its areas as (area id, name) and its
    radii from a base; read only for services that have some (the card counts them)."""
    wanted = [
        c.id for c, row in zip(found, rows, strict=True) if row[-1] and "at-home" in c.delivery
    ]
    if not wanted:
        return found
    from django.db.models import Q

    from opus.directory.models import ServiceArea

    areas: dict[str, list[tuple[int, str]]] = {}
    radii: dict[str, list[engine.HomeRadius]] = {}
    links = ServiceArea.objects.filter(
        Q(area__isnull=False) | Q(radius_m__isnull=False), service_id__in=wanted
    )
    columns = ("service_id", "area_id", "area__name", "name", "latitude", "longitude", "radius_m")
    for sid, area, area_name, name, lat, lon, metres in links.values_list(*columns):
        if area is not None:
            areas.setdefault(str(sid), []).append((int(area), area_name))
        else:
            radii.setdefault(str(sid), []).append(engine.HomeRadius(lat, lon, metres / 1000, name))
    return [
        replace(
            c,
            home_areas=tuple(sorted(areas.get(c.id, ()))),
            home_radii=tuple(sorted(radii.get(c.id, ()), key=lambda r: (r.name, r.radius_km))),
        )
        if c.id in areas or c.id in radii
        else c
        for c in found
    ]


def _with_ratings(found: list[engine.Candidate]) -> list[engine.Candidate]:
    """Published overall ratings (opus/voice: summed per service as they are moderated) as
    the engine's quality facts, read by key; a service with none keeps (0, 0)."""
    from opus.voice.feedback import rating_totals

    totals = rating_totals(c.id for c in found)
    if not totals:
        return found
    return [
        replace(c, rating_sum=float(totals[key][0]), rating_count=totals[key][1])
        if (key := uuid.UUID(c.id).hex) in totals
        else c
        for c in found
    ]


def best_rating() -> tuple[int, int]:
    """The (sum, count) of ratings with the highest Bayesian average of any service: the
    quality every ceiling assumes, so a ceiling stays at or above every score it bounds."""
    from opus.voice.feedback import best_rating_totals

    return best_rating_totals()


def _read_postgres(ids: list[uuid.UUID], words: Mapping[str, float]) -> list[engine.Candidate]:
    with connection.cursor() as cursor:
        cursor.execute(CARD_WITH_PLACES_SQL, [ids])
        rows = cursor.fetchall()
    found, cards = [], []
    for *card, latitudes, longitudes, access in rows:
        spots = zip(latitudes or [], longitudes or [], access or [], strict=True)
        places = {search.uuid_text(card[0]): [engine.Place(a, b, _listed(c)) for a, b, c in spots]}
        found.append(_candidate(tuple(card), places, words))
        cards.append(tuple(card))
    return _with_home_areas(found, cards)


@lru_cache(maxsize=4096)
def _listed(text: str | None) -> frozenset[str]:
    """'|a|b|' as {'a', 'b'} (the same few lists recur: they are kept)."""
    return frozenset(part for part in (text or "").split("|") if part)


@lru_cache(maxsize=1024)
def _pairs(text: str) -> tuple[tuple[str, str], ...]:
    return tuple((code, name) for code, name in json.loads(text))


def _candidate(
    row: tuple[Any, ...], places: dict[str, list[engine.Place]], found: Mapping[str, float]
) -> engine.Candidate:
    (sid, name, delivery, low, high, circumstances, residency, vacancies, terms, families,
     language_names, price, unit, days, _areas) = row  # fmt: skip
    languages = _pairs(language_names)
    service_id = search.uuid_text(sid)
    return engine.Candidate(
        id=service_id,
        name=name,
        terms=_listed(terms),
        term_families=_listed(families),
        places=tuple(places.get(service_id, [])),
        delivery=_listed(delivery),
        minimum_age=low,
        maximum_age=high,
        circumstances=_listed(circumstances),
        residency_area=residency,
        languages=frozenset(code for code, _ in languages),
        language_names=languages,
        price_pence=price,
        unit=unit or "hour",
        days=_listed(days),
        vacancies=vacancies,
        words_found=found.get(service_id, 0.0),
    )
