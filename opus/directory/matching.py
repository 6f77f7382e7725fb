"""From the database to the matching engine and back: a needs profile in, ranked services out.

The database narrows the field (active services meeting at least one of the needs, or one
of their families); the engine decides who can use what and in which order.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db.models import Exists, OuterRef, Q

from opus.core.models import Area, Postcode
from opus.directory.models import (
    GRID_PER_DEGREE,
    CostOption,
    Language,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceStatus,
    TaxonomyTerm,
)
from opus.directory.search import ranked_ids
from opus.engines import matching as engine

MAX_CANDIDATES = 5_000
REMOTE_REACH_KM = 20  # a provider visiting homes or working online serves about this far


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


def _areas_of(lsoa: Area | None) -> frozenset[int]:
    found: set[int] = set()
    area = lsoa
    while area is not None:
        found.add(area.pk)
        if area.neighbourhood_id:
            found.add(area.neighbourhood_id)
        area = area.parent
    return frozenset(found)


def profile_from(question: Question) -> engine.Profile:
    """Check a question and turn it into the engine's profile (or raise ProfileError)."""
    from opus.engines.identifiers import normalise_postcode

    if not question.needs:
        raise ProfileError("needs", "Choose at least one need")
    known = set(TaxonomyTerm.objects.filter(code__in=question.needs).values_list("code", flat=True))
    unknown = [code for code in question.needs if code not in known]
    if unknown:
        raise ProfileError("needs", f"'{unknown[0]}' is not a need Opus knows")
    if not 0 < question.max_distance_km <= 200:
        raise ProfileError("max_distance_km", "Choose a distance between 1 and 200 km")
    home, lsoa = None, None
    if question.postcode:
        try:
            code = normalise_postcode(question.postcode)
        except ValueError as exc:
            raise ProfileError("postcode", str(exc)) from exc
        found = (
            Postcode.objects.select_related("lsoa__parent__parent").filter(postcode=code).first()
        )
        if found is None or found.latitude is None:
            raise ProfileError("postcode", f"We do not know where {code} is: check it")
        home, lsoa = (found.latitude, found.longitude), found.lsoa
    return engine.Profile(
        needs=frozenset(question.needs),
        home=home,
        max_distance_km=question.max_distance_km,
        remote_ok=question.remote_ok,
        age=question.age,
        circumstances=frozenset(question.circumstances),
        areas=_areas_of(lsoa),
        languages=frozenset(question.languages),
        language_required=question.language_required,
        accessibility=frozenset(question.accessibility),
        days=frozenset(question.days),
        max_price_pence=question.max_price_pence,
    )


def _term_ids(profile: engine.Profile) -> list[Any]:
    """The needs' terms and every term of the same families (a broader match counts half)."""
    needs = TaxonomyTerm.objects.filter(code__in=profile.needs)
    families = needs.exclude(parent__isnull=True).values("parent_id")
    family_terms = TaxonomyTerm.objects.filter(Q(parent_id__in=families) | Q(pk__in=families))
    return list(needs.values_list("pk", flat=True)) + list(
        family_terms.values_list("pk", flat=True)
    )


def _box(home: tuple[float, float], radius_km: float) -> Q:
    """Locations in the grid squares around home (indexed), then inside the exact box."""
    lat, lon = home
    dlat = radius_km / 111.0
    dlon = radius_km / (111.0 * max(math.cos(math.radians(lat)), 0.01))
    cells = engine.grid_cells(home, radius_km, GRID_PER_DEGREE)
    return Q(location__cell__in=cells) & Q(
        location__latitude__range=(lat - dlat, lat + dlat),
        location__longitude__range=(lon - dlon, lon + dlon),
    )


def _reachable_ids(profile: engine.Profile, term_ids: list[Any]) -> list[Any] | None:
    """Services with a place within reach, or delivered remotely to where the person lives.

    None when the person gave no home (every service is within reach). Two small indexed
    queries (grid squares, service areas) beat one query with OR'ed subqueries, which the
    planners answer by scanning.
    """
    if profile.home is None:
        return None
    # A little beyond the limit, so that a service just too far shows as a near miss.
    tagged = {"service__terms__in": term_ids}
    near = ServiceAtLocation.objects.filter(
        _box(profile.home, profile.max_distance_km * 1.5), **tagged
    )
    found = set(near.values_list("service_id", flat=True))
    if profile.remote_ok:
        reach = max(profile.max_distance_km, REMOTE_REACH_KM)
        local = ServiceAtLocation.objects.filter(
            _box(profile.home, reach), service__delivers_remotely=True, **tagged
        )
        covered = ServiceArea.objects.filter(
            area_id__in=profile.areas, service__delivers_remotely=True, **tagged
        )
        found |= set(local.values_list("service_id", flat=True))
        found |= set(covered.values_list("service_id", flat=True))
    return list(found)


def candidates(profile: engine.Profile, words: str = "") -> list[engine.Candidate]:
    """Active services meeting one of the needs or their families, within the person's reach.

    The database narrows by place and need together (grid squares around home, or remote
    delivery to the person's area, joined to the services' terms); the engine then
    judges every candidate, so that those a person cannot use come back as near misses with
    the reason. Candidates are read as plain columns: building model objects for hundreds
    of rows cost more than all the rest together.
    """
    term_ids = _term_ids(profile)
    reachable = _reachable_ids(profile, term_ids)
    found = Service.objects.filter(status=ServiceStatus.ACTIVE)
    if reachable is None:
        tagged = Service.terms.through.objects.filter(
            service_id=OuterRef("pk"), taxonomyterm_id__in=term_ids
        )
        found = found.filter(Exists(tagged))
    else:
        found = found.filter(pk__in=reachable)
    rows = list(found.order_by("pk").values_list(*SERVICE_COLUMNS)[:MAX_CANDIDATES])
    return _build(rows, words)


def candidates_for(service_ids: Iterable[Any], words: str = "") -> list[engine.Candidate]:
    """These services as the engine sees them (e.g. to judge another directory's results)."""
    rows = list(Service.objects.filter(pk__in=list(service_ids)).values_list(*SERVICE_COLUMNS))
    return _build(rows, words)


def _build(rows: list[tuple[Any, ...]], words: str) -> list[engine.Candidate]:
    ids = [row[0] for row in rows]
    related = _related(ids)
    ranks = ranked_ids(words, among=ids) if words and ids else {}
    return [_candidate(row, related, ranks.get(str(row[0]), 0.0)) for row in rows]


SERVICE_COLUMNS = (
    "id",
    "name",
    "delivery",
    "minimum_age",
    "maximum_age",
    "circumstances",
    "residency_area_id",
    "vacancies",
)


def _grouped(pairs: Iterable[tuple[Any, Any]]) -> dict[Any, list[Any]]:
    found: dict[Any, list[Any]] = defaultdict(list)
    for key, value in pairs:
        found[key].append(value)
    return found


def _related(ids: list[Any]) -> dict[str, dict[Any, list[Any]]]:
    """What the engine needs from the candidates' related rows, one flat query each."""
    if not ids:
        return {"terms": {}, "languages": {}, "costs": {}, "days": {}, "places": {}}
    through = Service.terms.through.objects.filter(service_id__in=ids)
    return {
        "terms": _grouped(through.values_list("service_id", "taxonomyterm_id")),
        "languages": _grouped(
            (sid, (code, name))
            for sid, code, name in Language.objects.filter(service_id__in=ids).values_list(
                "service_id", "code", "name"
            )
        ),
        "costs": _grouped(
            (sid, (pence, unit))
            for sid, pence, unit in CostOption.objects.filter(service_id__in=ids).values_list(
                "service_id", "amount_pence", "unit"
            )
        ),
        "days": _grouped(
            Schedule.objects.filter(service_id__in=ids).values_list("service_id", "byday")
        ),
        "places": _grouped(
            (sid, (lat, lon, access))
            for sid, lat, lon, access in ServiceAtLocation.objects.filter(
                service_id__in=ids
            ).values_list(
                "service_id", "location__latitude", "location__longitude", "location__accessibility"
            )
        ),
    }


@lru_cache(maxsize=1)
def _term_codes() -> dict[Any, tuple[str, str | None]]:
    """Every term's code and its family's code, by id (the taxonomy changes rarely)."""
    return {
        pk: (code, parent)
        for pk, code, parent in TaxonomyTerm.objects.values_list("pk", "code", "parent__code")
    }


def _candidate(
    row: tuple[Any, ...], related: dict[str, dict[Any, list[Any]]], text_rank: float
) -> engine.Candidate:
    sid, name, delivery, low, high, circumstances, residency, vacancies = row
    codes = _term_codes()
    terms = [codes.get(t) or _term_codes_refreshed(t) for t in related["terms"].get(sid, [])]
    cost = next(iter(related["costs"].get(sid, [])), None)
    days = {d for text in related["days"].get(sid, []) for d in (text or "").split(",") if d}
    places = tuple(
        engine.Place(lat, lon, frozenset(access or []))
        for lat, lon, access in related["places"].get(sid, [])
        if lat is not None and lon is not None
    )
    languages = related["languages"].get(sid, [])
    return engine.Candidate(
        id=str(sid),
        name=name,
        terms=frozenset(code for code, _ in terms),
        term_families=frozenset(parent for _, parent in terms if parent),
        places=places,
        delivery=frozenset(delivery or []),
        minimum_age=low,
        maximum_age=high,
        circumstances=frozenset(circumstances or []),
        residency_area=residency,
        languages=frozenset(code for code, _ in languages),
        language_names=tuple(languages),
        price_pence=cost[0] if cost else None,
        unit=cost[1] if cost else "hour",
        days=frozenset(days),
        vacancies=vacancies,
        text_rank=text_rank,
    )


def _term_codes_refreshed(term_id: Any) -> tuple[str, str | None]:
    """A term added since the cache was filled (an imported taxonomy): refill once."""
    _term_codes.cache_clear()
    return _term_codes().get(term_id, ("", None))


def match(question: Question, *, limit: int = 20) -> tuple[engine.Profile, engine.Ranking]:
    profile = profile_from(question)
    return profile, engine.rank(profile, candidates(profile, question.words), limit=limit)


def as_json(ranking: engine.Ranking) -> dict[str, Any]:
    return {
        "results": [
            {
                "service_id": m.id,
                "name": m.name,
                "score": m.score,
                "parts": m.parts,
                "reasons": list(m.reasons),
                "distance_km": None if m.distance_km is None else round(m.distance_km, 2),
            }
            for m in ranking.matches
        ],
        "near_misses": [
            {"service_id": n.id, "name": n.name, "why": list(n.why)} for n in ranking.near_misses
        ],
    }
