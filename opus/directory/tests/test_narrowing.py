"""Reading a few services instead of all: the ranking must be exactly what the engine gives
when it judges every candidate, read straight from the directory's own tables."""

import math
import random
import uuid
from datetime import time

import pytest

from opus.core.models import Area, AreaKind, Organisation, OrganisationKind, Postcode
from opus.directory import derived, matching, search
from opus.directory.derived import radius
from opus.directory.matching import narrowing
from opus.directory.models import (
    CostOption,
    Language,
    Location,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
)
from opus.directory.vocabularies import ACCESSIBILITY, CIRCUMSTANCES, LANGUAGES
from opus.engines import matching as engine

pytestmark = pytest.mark.django_db

HOMES = {"ZY1 1AA": (53.90, -1.60), "ZY2 2BB": (54.05, -1.35)}
NEEDS = [
    "befriending", "lunch-clubs", "social-activity", "meals", "shopping-errands",
    "daily-living", "counselling", "gardening",
]  # fmt: skip
WORDS = ["lonely", "garden", "shopping lunch", "meals", "counselling friendship", "zzz"]
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def _areas():
    la = Area.objects.create(code="E09999901", name="Borough", kind=AreaKind.LOCAL_AUTHORITY)
    lsoas = []
    for n, (code, (lat, lon)) in enumerate(HOMES.items()):
        lsoa = Area.objects.create(
            code=f"E0199999{n}", name=f"Small area {n}", kind=AreaKind.LSOA, parent=la
        )
        Postcode.objects.create(postcode=code, latitude=lat, longitude=lon, lsoa=lsoa)
        lsoas.append(lsoa)
    return la, lsoas


def _directory(rng, count=160):
    """A small directory full of the awkward cases: ties on score, distance and name;
    several places, places with no coordinates, remote services with areas, closed ones."""
    la, lsoas = _areas()
    org = Organisation.objects.create(name="Provider", slug="p", kind=OrganisationKind.CHARITY)
    terms = {t.code: t for t in TaxonomyTerm.objects.filter(code__in=NEEDS)}
    spots = [(53.90 + rng.uniform(-0.3, 0.3), -1.60 + rng.uniform(-0.5, 0.5)) for _ in range(40)]
    for n in range(count):
        service = Service.objects.create(
            organisation=org,
            name=rng.choice(["Club", "Hub", "Friends", f"Group {n}"]),
            description=rng.choice(
                ["Gardening for all", "A lunch club", "Lonely? Come along", "Shopping help"]
            ),
            status="active" if rng.random() < 0.9 else "inactive",
            minimum_age=rng.choice([None, None, 18, 65]),
            maximum_age=rng.choice([None, None, None, 25]),
            circumstances=rng.sample(sorted(CIRCUMSTANCES), rng.choice([0, 0, 0, 1, 2])),
            residency_area=rng.choice([None] * 6 + [la, lsoas[0]]),
            delivery=rng.choice([["in-person"]] * 3 + [["at-home"], ["online", "in-person"]]),
            vacancies=rng.choice([None, 0, 3]),
        )
        service.terms.set([terms[c] for c in rng.sample(NEEDS, rng.choice([1, 1, 2, 3]))])
        _extras(rng, service, org, spots, lsoas + [la])
    derived.rebuild_all()
    search.refresh(Service.objects.values_list("pk", flat=True))


def _extras(rng, service, org, spots, areas):
    for _ in range(rng.choice([0, 1, 1, 1, 2, 3])):
        lat, lon = rng.choice(spots) if rng.random() < 0.9 else (None, None)
        place = Location.objects.create(
            organisation=org,
            name="Hall",
            latitude=lat,
            longitude=lon,
            accessibility=rng.sample(sorted(ACCESSIBILITY)[:3], rng.choice([0, 1, 2])),
        )
        ServiceAtLocation.objects.create(service=service, location=place)
    if service.delivers_remotely and rng.random() < 0.5:
        ServiceArea.objects.create(service=service, area=rng.choice(areas), name="Area")
    if "at-home" in service.delivery and rng.random() < 0.5:
        (lat, lon), metres = rng.choice(spots), rng.choice([500, 3000, 8000, 40000])
        ServiceArea.objects.create(
            service=service, name="Base", latitude=lat, longitude=lon, radius_m=metres
        )
    for code in rng.sample(["en", "ur", "pl"], rng.choice([0, 1, 2])):
        Language.objects.create(service=service, code=code, name=LANGUAGES[code])
    for _ in range(rng.choice([0, 1, 1, 2])):
        CostOption.objects.create(
            service=service, amount_pence=rng.choice([0, 500, 1500, 2500]), unit="hour"
        )
    if rng.random() < 0.7:
        Schedule.objects.create(
            service=service,
            byday=",".join(rng.sample(DAYS, rng.randint(1, 4))),
            opens_at=time(9),
            closes_at=time(17),
        )


def _question(rng):
    return matching.Question(
        needs=rng.sample(NEEDS, rng.choice([1, 1, 2, 3])),
        postcode=rng.choice([*HOMES, *HOMES, ""]),
        max_distance_km=rng.choice([2, 5, 10, 25]),
        remote_ok=rng.random() < 0.5,
        age=rng.choice([None, 20, 70]),
        circumstances=tuple(rng.sample(sorted(CIRCUMSTANCES), rng.choice([0, 0, 1]))),
        languages=tuple(rng.sample(["ur", "pl", "en"], rng.choice([0, 1]))),
        language_required=rng.random() < 0.2,
        accessibility=tuple(rng.sample(sorted(ACCESSIBILITY)[:3], rng.choice([0, 0, 1]))),
        days=tuple(rng.sample(DAYS, rng.choice([0, 0, 1, 2]))),
        max_price_pence=rng.choice([None, None, 0, 1000]),
        words=rng.choice(["", "", *WORDS]),
    )


# --- the reference: every candidate, read through the ORM -----------------------------------


def _in_box(home, km, lat, lon):
    dlat = km / 111.0
    dlon = km / (111.0 * max(math.cos(math.radians(home[0])), 0.01))
    return abs(lat - home[0]) <= dlat and abs(lon - home[1]) <= dlon


def _reference_ids(profile):
    """Active services with a need's term or a term of its family, within reach (as the
    directory defines reach: a place within 1.5 × the distance; remote delivery within 20 km
    or to one of the person's areas or those next to them; everything when there is no
    home)."""
    needs = TaxonomyTerm.objects.filter(code__in=profile.needs)
    families = {t.parent_id for t in needs if t.parent_id}
    wanted = set(needs) | set(TaxonomyTerm.objects.filter(parent_id__in=families))
    wanted |= set(TaxonomyTerm.objects.filter(pk__in=families))
    found = []
    rows = Service.objects.filter(status="active", terms__in=wanted).distinct()
    for service in rows.prefetch_related("at_locations__location", "areas"):
        spots = [
            (p.location.latitude, p.location.longitude)
            for p in service.at_locations.all()
            if p.location.latitude is not None and p.location.longitude is not None
        ]
        home, d = profile.home, profile.max_distance_km
        remote = profile.remote_ok and service.delivers_remotely
        if (
            home is None
            or any(_in_box(home, 1.5 * d, *spot) for spot in spots)
            or (remote and any(_in_box(home, max(d, 20), *spot) for spot in spots))
            or (remote and any(a.area_id in profile.areas for a in service.areas.all()))
            or (remote and any(a.area_id in profile.near_areas for a in service.areas.all()))
            or (remote and any(_radius_reaches(home, a) for a in service.areas.all()))
        ):
            found.append(service)
    return found


def _radius_reaches(home, area):
    """A radius is read for people whose home's grid square its near-miss circle touches."""
    if area.radius_m is None:
        return False
    squares = radius.cells((area.latitude, area.longitude), area.radius_m / 1000)
    return bool(set(squares) & set(radius.home_cells(home)))


def _as_candidate(service, found):
    terms = list(service.terms.select_related("parent"))
    costs = sorted((c.amount_pence, c.unit) for c in service.cost_options.all())
    places = [p.location for p in service.at_locations.select_related("location")]
    places = sorted((p for p in places if p.latitude is not None), key=lambda p: str(p.pk))
    languages = sorted((x.code, x.name) for x in service.languages.all())
    return engine.Candidate(
        id=str(service.pk),
        name=service.name,
        terms=frozenset(t.code for t in terms),
        term_families=frozenset(t.parent.code for t in terms if t.parent),
        places=tuple(
            engine.Place(p.latitude, p.longitude, frozenset(p.accessibility)) for p in places
        ),
        delivery=frozenset(service.delivery),
        minimum_age=service.minimum_age,
        maximum_age=service.maximum_age,
        circumstances=frozenset(service.circumstances),
        residency_area=service.residency_area_id,
        languages=frozenset(code for code, _ in languages),
        language_names=tuple(languages),
        price_pence=costs[0][0] if costs else None,
        unit=costs[0][1] if costs else "hour",
        days=frozenset(d for s in service.schedules.all() for d in s.byday.split(",") if d),
        vacancies=service.vacancies,
        words_found=found.get(str(service.pk), 0.0),
        home_areas=tuple(sorted((a.area_id, a.area.name) for a in service.areas.all() if a.area_id))
        if "at-home" in service.delivery
        else (),
        home_radii=tuple(
            engine.HomeRadius(a.latitude, a.longitude, a.radius_m / 1000, a.name)
            for a in sorted(service.areas.all(), key=lambda a: (a.name, a.radius_m or 0))
            if a.radius_m is not None
        )
        if "at-home" in service.delivery
        else (),
    )


def _reference(profile, words, limit, near):
    services = _reference_ids(profile)
    groups = search.word_groups(words)
    found = search.words_found(groups, [s.pk for s in services]) if groups else {}
    everyone = [_as_candidate(s, found) for s in services]
    return engine.rank(profile, everyone, limit=limit, near_misses=near)


# --- the tests ---------------------------------------------------------------------------------


def test_reading_a_few_ranks_exactly_as_judging_every_candidate():
    rng = random.Random(7)
    _directory(rng)
    checked = 0
    for _ in range(70):
        question = _question(rng)
        profile = matching.profile_from(question)
        limit, near = rng.choice([(1, 1), (2, 5), (5, 2), (20, 5)])
        got = matching.ranked(profile, question.words, limit=limit, near_misses=near)
        assert got == _reference(profile, question.words, limit, near), question
        checked += bool(got.matches) + bool(got.near_misses)
    assert checked > 60  # most questions found something, so the comparison means something


def test_the_database_works_the_engines_ceiling():
    rng = random.Random(11)
    _directory(rng, count=60)
    cards = {c.id: c for c in matching.candidates_for(Service.objects.values_list("pk", flat=True))}
    for _ in range(25):
        question = _question(rng)
        profile = matching.profile_from(question)
        words = bool(search.word_groups(question.words))
        query = narrowing.Query(profile, words=words)
        ceiling, params = query.ceiling()
        floor = query._distance("low") if query.scales else "0.0"
        columns = f"service_id, {ceiling}, CASE WHEN cell < 0 THEN NULL ELSE {floor} END, cell"
        terms = matching.tiers(profile).needs
        sql, params = query._with_filters(columns, params, "1 = 1", [], terms, (), False)
        for sid, worked, distance, cell in query._rows(sql, params):
            card = cards[narrowing._text(sid)]
            outline = engine.Outline(
                terms=card.terms,
                term_families=card.term_families,
                remote=bool(card.delivery & engine.REMOTE_DELIVERY),
                distance_floor_km=query.reach.km if cell < 0 else distance,
                lowest_price_pence=card.price_pence,
                vacancies=card.vacancies,
                days=card.days,
                covered=cell < 0,
            )
            if cell == derived.NOWHERE and profile.home is not None:
                continue  # never read with a home
            expected = engine.ceiling(profile, outline, words=words)
            assert float(worked) == pytest.approx(expected, abs=1e-9)


def test_ties_on_score_are_broken_by_distance_then_name_as_the_engine_breaks_them():
    """Dozens of services scoring exactly the same (delivered online, so distance scores 0.8
    beyond a short walk): which few are read decides the result unless ties are respected."""
    rng = random.Random(3)
    la, lsoas = _areas()
    org = Organisation.objects.create(name="Provider", slug="p", kind=OrganisationKind.CHARITY)
    befriending = TaxonomyTerm.objects.get(code="befriending")
    home = HOMES["ZY1 1AA"]
    count = 48
    for n in range(count):
        # Ids run against names, and every fourth service shares a place with the last.
        service = Service.objects.create(
            id=uuid.UUID(int=count - n),
            organisation=org,
            name=f"Same {n // 3:02d}",
            description="Befriending online",
            delivery=["online"],
        )
        service.terms.set([befriending])
        if n % 4 != 3:
            bearing, km = rng.uniform(0, 2 * math.pi), rng.uniform(1, 15)
            spot = (
                home[0] + km * math.cos(bearing) / 111.2,
                home[1] + km * math.sin(bearing) / (111.2 * math.cos(math.radians(home[0]))),
            )
        place = Location.objects.create(
            organisation=org, name="Hall", latitude=spot[0], longitude=spot[1]
        )
        ServiceAtLocation.objects.create(service=service, location=place)
    derived.rebuild_all()
    for limit in range(1, 12):
        question = matching.Question(needs=["befriending"], postcode="ZY1 1AA", max_distance_km=2)
        profile = matching.profile_from(question)
        got = matching.ranked(profile, limit=limit)
        assert got == _reference(profile, "", limit, 5)
        assert len({m.score for m in got.matches}) == 1


def test_services_meeting_a_need_exactly_come_first_however_many_related_ones_score_higher():
    """Thirty-three walking groups by the door, with places; three befriending services 8 km
    away and full, one of them for people over 80. For a befriending need the two usable come
    first, then the best walking groups; the near miss that would have met the need comes
    before the related ones."""
    _areas()
    org = Organisation.objects.create(name="Provider", slug="p", kind=OrganisationKind.CHARITY)
    walking, befriending = (
        TaxonomyTerm.objects.get(code=c) for c in ("walking-groups", "befriending")
    )
    home = HOMES["ZY1 1AA"]
    for n in range(36):
        exact = n % 12 == 0
        service = Service.objects.create(
            organisation=org,
            name=f"{'Befriending' if exact else 'Walk'} {n:02d}",
            description="Company",
            vacancies=0 if exact else 4,
            minimum_age=80 if n % 5 == 4 else None,
        )
        service.terms.set([befriending if exact else walking])
        place = Location.objects.create(
            organisation=org,
            name="Hall",
            latitude=home[0] + (0.07 if exact else 0.001),
            longitude=home[1],
        )
        ServiceAtLocation.objects.create(service=service, location=place)
    derived.rebuild_all()
    profile = matching.profile_from(
        matching.Question(needs=["befriending"], postcode="ZY1 1AA", age=70)
    )
    for limit, near in ((1, 1), (3, 2), (5, 5), (20, 5)):
        got = matching.ranked(profile, limit=limit, near_misses=near)
        assert got == _reference(profile, "", limit, near)
        exact = [m for m in got.matches if m.meets]
        assert got.matches[: len(exact)] == exact and len(exact) == min(limit, 2)
        assert all(m.related[0].family == "Social activity" for m in got.matches[len(exact) :])
    assert got.matches[2].score > got.matches[0].score
    assert [n.name for n in got.near_misses][:1] == ["Befriending 24"]
