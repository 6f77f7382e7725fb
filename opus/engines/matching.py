"""Matching a person's needs to services: hard requirements filter, preferences score.

A service that a person cannot use (too young, not in the circumstances it is for, lives
outside its area or the areas or radius it visits people at home in, no step-free access
when they need it, not in their language when they need it, too far and not delivered at
home or online) is excluded, with the reason. Every other service gets a score between 0
and 1, a weighted sum of parts, each explained:

    need fit      0.35  share of the person's needs the service meets; a need it only
                        relates to (a term of the need's family: the family itself, a
                        sibling such as walking groups for befriending, or any term of a
                        family the person chose as a whole) counts half
    distance      0.20  1 at the door, falling linearly to 0 at the person's maximum;
                        0.8 for a service delivered at home or online;
                        1 (distance 0) when it visits the person at home in one
                        of its areas or within its radius of a base
    price         0.15  1 when free or within the price the person can pay per unit,
                        falling to 0 at twice that price
    availability  0.10  1 with places now, 0.5 when not known, 0.1 when full
    quality       0.10  Bayesian average rating (QUALITY_PRIOR_MEAN with the weight of
                        QUALITY_PRIOR_COUNT reviews), scaled from 1–5 to 0–1, so a new
                        small provider is neither buried nor inflated by a few reviews
    timing        0.05  share of the person's preferred days on which it runs
    words         0.05  share of the person's own words (each with its synonyms) that the
                        database's full-text search finds in the service's text

Order. Hard requirements decide first: only usable services are ranked. Then a service that
meets at least one of the person's needs exactly (is tagged with the need itself) comes before
every service that only relates to their needs, whatever the scores; within each of the two
groups, by score, then distance, then name, then id, so the same question always gets the same
order. Near misses likewise: those that would have met a need exactly first, then by need fit,
name and id. Each match and near miss says, in the needs' own words, which needs it meets
and which it only relates to (`NeedFit`), so the order is never unexplained.

`ceiling` bounds a score from above using only what a cheap query can know (an Outline),
and `distance_scales` gives factors that bound great-circle distances from below and above
by flat-earth arithmetic a database can do: together they let the directory read and rank
a handful of services from a million and still return exactly what `rank` would return
over all of them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

WEIGHTS = {
    "need": 0.35,
    "distance": 0.20,
    "price": 0.15,
    "availability": 0.10,
    "quality": 0.10,
    "timing": 0.05,
    "words": 0.05,
}
QUALITY_PRIOR_MEAN = 3.5
QUALITY_PRIOR_COUNT = 5
REMOTE_DISTANCE_SCORE = 0.8
AVAILABILITY_SCORES = {"places": 1.0, "unknown": 0.5, "full": 0.1}
REMOTE_DELIVERY = frozenset({"at-home", "online"})
UNIT_WORDS = {"hour": "an hour", "session": "a session", "week": "a week", "month": "a month"}
EARTH_RADIUS_KM = 6371.0088
KM_PER_MILE = 1.609344
# People living up to this many times a home service's radius from its base (or in the
# areas next to its areas) are shown it as a near miss: "just outside".
NEAR_MISS_FACTOR = 1.5
SCALE_MARGIN = 0.02  # see distance_scales


@dataclass(frozen=True)
class Place:
    latitude: float
    longitude: float
    accessibility: frozenset[str] = frozenset()


@dataclass(frozen=True)
class HomeRadius:
    """A service visits people at home within `radius_km` of a base (`name` says where)."""

    latitude: float
    longitude: float
    radius_km: float
    name: str


@dataclass(frozen=True)
class Profile:
    """What a person needs and prefers. Codes come from the directory's vocabularies."""

    needs: frozenset[str]
    home: tuple[float, float] | None = None
    max_distance_km: float = 10.0
    remote_ok: bool = True
    age: int | None = None
    circumstances: frozenset[str] = frozenset()
    areas: frozenset[int] = frozenset()  # the ids of every area the person lives within
    # areas next to theirs (the other LSOAs of their ward, the other wards of their
    # authority): services visiting homes there are read, to show as near misses
    near_areas: frozenset[int] = frozenset()
    languages: frozenset[str] = frozenset()
    language_required: bool = False
    accessibility: frozenset[str] = frozenset()
    days: frozenset[str] = frozenset()
    max_price_pence: int | None = None  # per the service's own unit
    access_names: tuple[tuple[str, str], ...] = ()  # access codes in words, for reasons
    # (need, its family) for each need that belongs to a family; any other need is a family
    need_families: tuple[tuple[str, str], ...] = ()
    need_names: tuple[tuple[str, str], ...] = ()  # needs' and families' codes in words


@dataclass(frozen=True)
class Candidate:
    """A service as the engine sees it."""

    id: str
    name: str
    terms: frozenset[str]
    term_families: frozenset[str] = frozenset()  # the parent codes of its terms
    places: tuple[Place, ...] = ()
    delivery: frozenset[str] = frozenset()
    minimum_age: int | None = None
    maximum_age: int | None = None
    circumstances: frozenset[str] = frozenset()  # only for people in one of these
    residency_area: int | None = None
    languages: frozenset[str] = frozenset()
    language_names: tuple[tuple[str, str], ...] = ()
    price_pence: int | None = None
    unit: str = "hour"
    days: frozenset[str] = frozenset()
    rating_sum: float = 0.0
    rating_count: int = 0
    vacancies: int | None = None
    words_found: float = 0.0  # share of the person's words found in its text, 0–1
    # (area id, its name) for each area it visits people at home in, and the radii from a
    # base it visits within; neither: anywhere
    home_areas: tuple[tuple[int, str], ...] = ()
    home_radii: tuple[HomeRadius, ...] = ()


@dataclass(frozen=True)
class Outline:
    """What a cheap query knows of a candidate before reading it in full.

    `distance_floor_km` is at most the distance from home to the service's nearest place
    (None when the service has no place at all); `lowest_price_pence` is the lowest of its
    prices (None when it states none).
    """

    terms: frozenset[str]
    term_families: frozenset[str] = frozenset()
    remote: bool = False  # delivered at home or online
    distance_floor_km: float | None = None
    lowest_price_pence: int | None = None
    vacancies: int | None = None
    days: frozenset[str] = frozenset()
    rating_sum: float = 0.0
    rating_count: int = 0
    covered: bool = False  # visits people at home in an area the person lives in


@dataclass(frozen=True)
class NeedFit:
    """How a service answers one of the person's needs, in words (labels, never codes).

    `exact`: tagged with the need itself ("meets your need: befriending"); otherwise it only
    relates to it through the need's family ("related to: social activity").
    """

    need: str  # the need's label
    exact: bool
    family: str  # the label of the need's family (the need's own label when it is one)


@dataclass(frozen=True)
class Match:
    id: str
    name: str
    score: float
    parts: dict[str, float]
    reasons: tuple[str, ...]
    distance_km: float | None
    needs: tuple[NeedFit, ...] = ()  # the needs met exactly, then those only related to

    @property
    def meets(self) -> tuple[NeedFit, ...]:
        return tuple(fit for fit in self.needs if fit.exact)

    @property
    def related(self) -> tuple[NeedFit, ...]:
        return tuple(fit for fit in self.needs if not fit.exact)


@dataclass(frozen=True)
class NearMiss:
    id: str
    name: str
    why: tuple[str, ...]
    needs: tuple[NeedFit, ...] = ()  # the needs it would have met, then those it relates to

    @property
    def meets(self) -> tuple[NeedFit, ...]:
        return tuple(fit for fit in self.needs if fit.exact)

    @property
    def related(self) -> tuple[NeedFit, ...]:
        return tuple(fit for fit in self.needs if not fit.exact)


@dataclass(frozen=True)
class Ranking:
    matches: list[Match]
    near_misses: list[NearMiss] = field(default_factory=list)


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle (haversine) distance in kilometres between (latitude, longitude) pairs."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


def bayesian_rating(total: float, count: int) -> float:
    """Average rating pulled towards QUALITY_PRIOR_MEAN by QUALITY_PRIOR_COUNT pseudo-reviews."""
    return (QUALITY_PRIOR_MEAN * QUALITY_PRIOR_COUNT + total) / (QUALITY_PRIOR_COUNT + count)


def _nearest(profile: Profile, candidate: Candidate) -> tuple[float | None, Place | None]:
    if profile.home is None or not candidate.places:
        return None, None
    found = [(distance_km(profile.home, (p.latitude, p.longitude)), p) for p in candidate.places]
    return min(found, key=lambda pair: pair[0])


def miles(radius_km: float) -> str:
    """A radius in words: "1 mile", "2.5 miles" (to a tenth, as people say it)."""
    value = round(radius_km / KM_PER_MILE, 1)
    text = f"{value:g}"
    return f"{text} mile" if value == 1 else f"{text} miles"


def _radius_words(radius: HomeRadius) -> str:
    return f"within {miles(radius.radius_km)} of {radius.name}"


def home_area(profile: Profile, candidate: Candidate) -> str | None:
    """Where the service visits the person at home, in words ("in Eastfield", "within 3
    miles of ZY1 1AA"); None when it does not, or when it visits homes anywhere."""
    if not (profile.remote_ok and "at-home" in candidate.delivery):
        return None
    inside = sorted(name for area, name in candidate.home_areas if area in profile.areas)
    if inside:
        return f"in {inside[0]}"
    home = profile.home
    if home is None:
        return None
    around = [
        r for r in candidate.home_radii
        if distance_km(home, (r.latitude, r.longitude)) <= r.radius_km
    ]  # fmt: skip
    best = min(around, key=lambda r: (r.radius_km, r.name), default=None)
    return None if best is None else _radius_words(best)


def _restricted(profile: Profile, candidate: Candidate) -> bool:
    """Visits homes only in its areas or radii, and where the person lives is known."""
    limited = bool(candidate.home_areas) or bool(candidate.home_radii)
    return limited and (profile.home is not None or bool(profile.areas))


def _remote(profile: Profile, candidate: Candidate) -> bool:
    """Usable without going anywhere: online, or visiting the person at home (in one of its
    areas when it has areas and where the person lives is known)."""
    if not profile.remote_ok:
        return False
    if "online" in candidate.delivery:
        return True
    if "at-home" not in candidate.delivery:
        return False
    return not _restricted(profile, candidate) or home_area(profile, candidate) is not None


def _outside_online(profile: Profile, candidate: Candidate) -> bool:
    """Online, and visiting homes only in areas the person does not live in."""
    return _restricted(profile, candidate) and home_area(profile, candidate) is None


def _outside(profile: Profile, candidate: Candidate) -> list[str]:
    """Why a home service does not reach the person (empty when it does or is not one)."""
    if not (profile.remote_ok and "at-home" in candidate.delivery) or _remote(profile, candidate):
        return []
    where = []
    if candidate.home_areas:
        where.append("in " + ", ".join(sorted({name for _, name in candidate.home_areas})))
    where += sorted({_radius_words(r) for r in candidate.home_radii})
    return [f"visits people at home {' or '.join(where)}, not where you live"]


def exclusions(profile: Profile, candidate: Candidate) -> list[str]:
    """Why this person cannot use this service (empty when they can)."""
    why = []
    if profile.age is not None:
        low, high = candidate.minimum_age, candidate.maximum_age
        if (low is not None and profile.age < low) or (high is not None and profile.age > high):
            why.append(
                f"for ages {low if low is not None else 0} to {high if high is not None else 'any'}"
            )
    if candidate.circumstances and not candidate.circumstances & profile.circumstances:
        why.append("only for people in circumstances you did not mention")
    if candidate.residency_area is not None and candidate.residency_area not in profile.areas:
        why.append("only for people who live in another area")
    if profile.language_required and not candidate.languages & profile.languages:
        why.append("not offered in your language")
    why += _place_exclusions(profile, candidate)
    return why


def _place_exclusions(profile: Profile, candidate: Candidate) -> list[str]:
    if _remote(profile, candidate):
        return []
    outside = _outside(profile, candidate)
    if not candidate.places:
        return outside or ["no place to go to, and not delivered at home or online"]
    distance, place = _nearest(profile, candidate)
    why = []
    if distance is not None and distance > profile.max_distance_km:
        why.append(f"{distance:.1f} km away, further than {profile.max_distance_km:g} km")
    missing = profile.accessibility - (place.accessibility if place else frozenset())
    if missing:
        names = dict(profile.access_names)
        why.append(
            "missing access you need: " + ", ".join(names.get(c, c) for c in sorted(missing))
        )
    return outside + why if why else []


def family_of(profile: Profile, need: str) -> str:
    """The family a need belongs to (a need without one is a family itself)."""
    return dict(profile.need_families).get(need, need)


def _counts(profile: Profile, terms: frozenset[str], families: frozenset[str]) -> tuple[int, int]:
    """How many of the person's needs these terms meet exactly, and how many they only
    relate to (the need's family is one of the terms or the family of one of them)."""
    exact = profile.needs & terms
    tagged = terms | families
    related = sum(1 for need in profile.needs - exact if family_of(profile, need) in tagged)
    return len(exact), related


def _need_part(profile: Profile, candidate: Candidate) -> float:
    if not profile.needs:
        return 0.0
    exact, related = _counts(profile, candidate.terms, candidate.term_families)
    return (exact + 0.5 * related) / len(profile.needs)


def meets_a_need(profile: Profile, candidate: Candidate) -> bool:
    """Whether the service is tagged with one of the person's needs itself: such services
    rank before every service that only relates to the needs."""
    return bool(profile.needs & candidate.terms)


def need_fits(
    profile: Profile, terms: frozenset[str], families: frozenset[str]
) -> tuple[NeedFit, ...]:
    """Which of the person's needs a service with these terms (and these families of its
    terms) meets and which it only relates to, in words: met first, each group by label."""
    names = dict(profile.need_names)
    tagged = terms | families
    found = []
    for need in profile.needs:
        family = family_of(profile, need)
        if need in terms or family in tagged:
            label = names.get(need, need.replace("-", " "))
            found.append(NeedFit(label, need in terms, names.get(family, family.replace("-", " "))))
    return tuple(sorted(found, key=lambda fit: (not fit.exact, fit.need.casefold(), fit.need)))


def distance_part(profile: Profile, distance: float | None, remote: bool) -> float:
    """1 at the door, 0 at the person's maximum; at least REMOTE_DISTANCE_SCORE if remote."""
    if distance is None:
        return REMOTE_DISTANCE_SCORE if remote else 0.5
    near = max(0.0, 1 - distance / profile.max_distance_km) if profile.max_distance_km else 0.0
    return max(near, REMOTE_DISTANCE_SCORE) if remote else near


def _price_part(profile: Profile, candidate: Candidate) -> float:
    price, limit = candidate.price_pence, profile.max_price_pence
    if not price or limit is None or price <= limit:
        return 1.0
    return max(0.0, 1 - (price - limit) / limit) if limit else 0.0


def _availability_part(candidate: Candidate) -> float:
    if candidate.vacancies is None:
        return AVAILABILITY_SCORES["unknown"]
    return AVAILABILITY_SCORES["places" if candidate.vacancies > 0 else "full"]


def quality_part(total: float, count: int) -> float:
    """The Bayesian average of ratings (1–5 stars) scaled to 0–1."""
    return (bayesian_rating(total, count) - 1) / 4


def _quality_part(candidate: Candidate) -> float:
    return quality_part(candidate.rating_sum, candidate.rating_count)


def _timing_part(profile: Profile, candidate: Candidate) -> float:
    if not profile.days:
        return 1.0
    return len(profile.days & candidate.days) / len(profile.days)


def parts(profile: Profile, candidate: Candidate) -> tuple[dict[str, float], float | None]:
    """The parts of the score, and the distance: 0 when it visits the person at home in
    one of its areas (they need go nowhere)."""
    distance, _ = _nearest(profile, candidate)
    if home_area(profile, candidate) is not None:
        distance = 0.0
    remote = _remote(profile, candidate)
    found = {
        "need": _need_part(profile, candidate),
        "distance": distance_part(profile, distance, remote),
        "price": _price_part(profile, candidate),
        "availability": _availability_part(candidate),
        "quality": _quality_part(candidate),
        "timing": _timing_part(profile, candidate),
        "words": max(0.0, min(1.0, candidate.words_found)),
    }
    return found, distance


def ceiling(profile: Profile, outline: Outline, *, words: bool) -> float:
    """The highest score any candidate fitting this outline can get (0–1, unrounded).

    Every part is worked as `parts` works it, from the outline's facts: exactly for need,
    price (at the lowest price), availability, quality and timing; for distance at the
    floor, which can only raise it (at 0 when `covered`: the person is inside one of its
    areas); words count fully when the person gave any. So `ceiling(...) >=
    score(parts(...))` for every such candidate.
    """
    stand_in = Candidate(
        id="",
        name="",
        terms=outline.terms,
        term_families=outline.term_families,
        delivery=REMOTE_DELIVERY if outline.remote else frozenset(),
        price_pence=outline.lowest_price_pence,
        days=outline.days,
        rating_sum=outline.rating_sum,
        rating_count=outline.rating_count,
        vacancies=outline.vacancies,
    )
    floor = outline.distance_floor_km if profile.home is not None else None
    if outline.covered and profile.home is not None:
        floor = 0.0
    found = {
        "need": _need_part(profile, stand_in),
        "distance": distance_part(profile, floor, _remote(profile, stand_in)),
        "price": _price_part(profile, stand_in),
        "availability": _availability_part(stand_in),
        "quality": _quality_part(stand_in),
        "timing": _timing_part(profile, stand_in),
        "words": 1.0 if words else 0.0,
    }
    return sum(WEIGHTS[name] * value for name, value in found.items())


@dataclass(frozen=True)
class Linear:
    """min(1, max(0, intercept + slope × x)): a part falling linearly with one number."""

    intercept: float
    slope: float

    def at(self, x: float) -> float:
        return min(1.0, max(0.0, self.intercept + self.slope * x))


@dataclass(frozen=True)
class NeedTest:
    """How a row's terms answer one need: met exactly when `need` is among its terms (2
    halves); related (1 half) when one of `related_terms` is among its terms or one of
    `related_families` among its terms' families."""

    need: str
    related_terms: frozenset[str] = frozenset()
    related_families: frozenset[str] = frozenset()

    def halves(self, terms: frozenset[str], families: frozenset[str]) -> int:
        if self.need in terms:
            return 2
        return int(bool(self.related_terms & terms or self.related_families & families))


@dataclass(frozen=True)
class Bounds:
    """The ceiling of a person's score, part by part, in a shape a query can work per row.

    A directory cannot run `parts` on a million rows, so it works this instead, from what a
    row of its own holds: its terms and their families, whether it is delivered remotely,
    whether it is an area it visits homes in (`covered`: may hold the person's home), a
    floor under its distance, its lowest price, vacancies and days. `evaluate` is the same
    sum in Python; `bounds` builds it from the rules `parts` uses, so that for every
    candidate a row describes, evaluate(row) >= score(parts(candidate)) (property-tested).
    """

    weights: dict[str, float]
    needs: tuple[NeedTest, ...]
    per_half: float  # the need part per half-need: 1 / (2 × number of needs)
    remote_ok: bool
    at_home: float  # distance part for a row that may visit the person at home
    away: float  # distance part for a row with no distance (no home, or no place)
    remote_floor: float  # distance part at least this for a remote row (when remote_ok)
    distance: Linear | None  # of a place's distance floor, km (None: no home given)
    price: Linear | None  # of the lowest price, pence (None: price does not matter)
    availability: tuple[float, float, float]  # vacancies unknown, some, none
    quality: float  # the best any service has
    days: frozenset[str]
    per_day: float  # the timing part per preferred day the row runs on
    words: float

    def evaluate(self, outline: Outline) -> float:
        """The ceiling for a row described by an outline (`covered`: an area row)."""
        w = self.weights
        halves = sum(t.halves(outline.terms, outline.term_families) for t in self.needs)
        return (
            w["need"] * halves * self.per_half
            + w["distance"] * self._distance(outline)
            + w["price"] * self._price(outline.lowest_price_pence)
            + w["availability"] * self._availability(outline.vacancies)
            + w["quality"] * self.quality
            + w["timing"] * (self._timing(outline.days))
            + w["words"] * self.words
        )

    def _distance(self, outline: Outline) -> float:
        remote = self.remote_ok and outline.remote
        if self.distance is None:
            return self.remote_floor if remote else self.away
        if outline.covered:
            return self.at_home
        near = self.distance.at(outline.distance_floor_km or 0.0)
        return max(self.remote_floor, near) if remote else near

    def _price(self, price: int | None) -> float:
        return 1.0 if self.price is None or price is None else self.price.at(price)

    def _availability(self, vacancies: int | None) -> float:
        unknown, places, full = self.availability
        return unknown if vacancies is None else places if vacancies > 0 else full

    def _timing(self, days: frozenset[str]) -> float:
        return 1.0 if not self.days else len(self.days & days) * self.per_day


def need_tests(profile: Profile, broad: frozenset[str] | None = None) -> tuple[NeedTest, ...]:
    """Each need's tests, as `_counts` decides "met" and "related to".

    `broad`: the families that have terms besides the needs themselves (None: all); a need
    whose family has none can only be met exactly, which spares a query the test.
    """
    tests = []
    for need in sorted(profile.needs):
        family = family_of(profile, need)
        if broad is not None and family not in broad:
            tests.append(NeedTest(need))
            continue
        terms = frozenset({family}) if family != need else frozenset()
        tests.append(NeedTest(need, terms, frozenset({family})))
    return tuple(tests)


def bounds(
    profile: Profile,
    *,
    words: bool,
    best_rating: tuple[float, int] = (5.0, 1_000_000),
    broad: frozenset[str] | None = None,
) -> Bounds:
    """The ceiling of this person's score as per-row arithmetic (see Bounds).

    `best_rating` is the (sum, count) of ratings with the highest Bayesian average of any
    service: every row is assumed to have it. Distances are floors (a smaller distance can
    only raise the part); an area row is assumed to visit the person at home.
    """
    limit = profile.max_price_pence
    top = max(profile.max_distance_km, 1e-9)
    return Bounds(
        weights=dict(WEIGHTS),
        needs=need_tests(profile, broad),
        per_half=1.0 / (2 * len(profile.needs)) if profile.needs else 0.0,
        remote_ok=profile.remote_ok,
        at_home=distance_part(profile, 0.0, profile.remote_ok),
        away=distance_part(profile, None, False),
        remote_floor=REMOTE_DISTANCE_SCORE,
        distance=None if profile.home is None else Linear(1.0, -1.0 / top),
        # 1 within the limit, falling to 0 at twice it (_price_part); with a limit of 0,
        # anything but free is 0 (prices are whole pence).
        price=None if limit is None else Linear(2.0, -1.0 / limit) if limit else Linear(1.0, -1.0),
        availability=(
            AVAILABILITY_SCORES["unknown"],
            AVAILABILITY_SCORES["places"],
            AVAILABILITY_SCORES["full"],
        ),
        quality=quality_part(*best_rating),
        days=profile.days,
        per_day=1.0 / len(profile.days) if profile.days else 0.0,
        words=1.0 if words else 0.0,
    )


def need_halves(profile: Profile, terms: frozenset[str], families: frozenset[str]) -> int:
    """Twice the number of needs met, a need only related to counting one: the need part × 2n.

    An integer, so that a database can order by it exactly as `rank` orders near misses.
    """
    exact, related = _counts(profile, terms, families)
    return 2 * exact + related


def reasons(profile: Profile, candidate: Candidate, distance: float | None) -> list[str]:
    """Plain-English reasons, most useful first."""
    said = []
    at_home = home_area(profile, candidate)
    if at_home is not None:
        said.append(f"visits you at home {at_home}")
    elif distance is not None:
        said.append(f"{distance:.1f} km from you")
    if at_home is None and _remote(profile, candidate):
        home = "at-home" in candidate.delivery and not _outside_online(profile, candidate)
        said.append("can be at your home or online" if home else "online")
    names = dict(candidate.language_names)
    for code in sorted(profile.languages & candidate.languages - {"en"}):
        said.append(f"offers sessions in {names.get(code, code)}")
    _, place = _nearest(profile, candidate)
    access = dict(profile.access_names)
    for feature in sorted(profile.accessibility & (place.accessibility if place else frozenset())):
        said.append(access.get(feature, feature.replace("-", " ")))
    said.append(_price_reason(profile, candidate))
    if candidate.rating_count:
        average = candidate.rating_sum / candidate.rating_count
        people = "person" if candidate.rating_count == 1 else "people"
        said.append(f"rated {average:.1f} by {candidate.rating_count} {people}")
    if candidate.vacancies:
        said.append("has places now")
    return said


def _price_reason(profile: Profile, candidate: Candidate) -> str:
    if not candidate.price_pence:
        return "free"
    price = f"£{candidate.price_pence / 100:.2f}".replace(".00", "")
    text = f"{price} {UNIT_WORDS.get(candidate.unit, candidate.unit)}"
    if profile.max_price_pence is None:
        return text
    return text + (
        " — within your budget"
        if candidate.price_pence <= profile.max_price_pence
        else " — more than your budget"
    )


def score(found: dict[str, float]) -> float:
    return round(sum(WEIGHTS[name] * value for name, value in found.items()), 6)


def rank(
    profile: Profile, candidates: Iterable[Candidate], *, limit: int = 20, near_misses: int = 5
) -> Ranking:
    """The best `limit` services for this person, and the closest ones they cannot use."""
    matches, misses = [], []
    for candidate in candidates:
        why = exclusions(profile, candidate)
        if why:
            misses.append((candidate, why))
            continue
        found, distance = parts(profile, candidate)
        matches.append(
            Match(
                candidate.id,
                candidate.name,
                score(found),
                found,
                tuple(reasons(profile, candidate, distance)),
                distance,
                need_fits(profile, candidate.terms, candidate.term_families),
            )
        )
    matches.sort(key=_order)
    misses.sort(key=lambda pair: _miss_order(profile, pair[0]))
    return Ranking(
        matches[:limit],
        [
            NearMiss(c.id, c.name, tuple(w), need_fits(profile, c.terms, c.term_families))
            for c, w in misses[:near_misses]
        ],
    )


def _order(match: Match) -> tuple[bool, float, float, str, str]:
    """Meeting a need exactly first; then score, distance, name, id."""
    distance = match.distance_km if match.distance_km is not None else math.inf
    exact = any(fit.exact for fit in match.needs)
    return (not exact, -match.score, distance, match.name, match.id)


def _miss_order(profile: Profile, candidate: Candidate) -> tuple[bool, float, str, str]:
    """Near misses: would have met a need exactly first; then need fit, name, id."""
    exact = meets_a_need(profile, candidate)
    return (not exact, -_need_part(profile, candidate), candidate.name, candidate.id)


def explain(match: Match) -> Sequence[tuple[str, float, float]]:
    """(part, its value 0–1, its contribution to the score), for a page that shows the sums."""
    return [(name, value, round(WEIGHTS[name] * value, 6)) for name, value in match.parts.items()]


@dataclass(frozen=True)
class DistanceScales:
    """Kilometres per degree of latitude and of longitude for flat-earth distances near home.

    Within `radius_km` of home (any point inside the latitude band home ± radius_km / 111),
    sqrt((Δlat × low_lat)² + (Δlon × low_lon)²) is at most the great-circle distance and the
    same with the `high_` scales at least it. Both are None near the poles, where the flat
    arithmetic fails: callers then assume nothing (a floor of 0, no ceiling).
    """

    low_lat: float
    low_lon: float
    high_lat: float
    high_lon: float


def distance_scales(home: tuple[float, float], radius_km: float) -> DistanceScales | None:
    """Scales bounding great-circle distance within radius_km of home (see DistanceScales).

    On a sphere of radius R, for points whose latitudes lie in [φa, φb], the great-circle
    distance lies between R·√(Δφ² + (cos φ_far · Δλ)²)·(1 − ε) and R·√(Δφ² + (cos φ_near ·
    Δλ)²)·(1 + ε), where φ_far and φ_near are the band's latitudes farthest from and nearest
    to the equator; ε = 2 % covers the flattening of meridians and parallels over a few
    hundred kilometres (checked by property tests up to 400 km and latitude 70°).
    """
    band = radius_km / 111.0
    low, high = abs(home[0]) - band, abs(home[0]) + band
    if high >= 75.0 or radius_km > 400.0:
        return None
    per_degree = EARTH_RADIUS_KM * math.pi / 180
    far = math.cos(math.radians(high))
    near = math.cos(math.radians(max(0.0, low)))
    return DistanceScales(
        low_lat=per_degree * (1 - SCALE_MARGIN),
        low_lon=per_degree * far * (1 - SCALE_MARGIN),
        high_lat=per_degree * (1 + SCALE_MARGIN),
        high_lon=per_degree * near * (1 + SCALE_MARGIN),
    )


def grid_cells(home: tuple[float, float], radius_km: float, per_degree: int = 10) -> list[int]:
    """The 1/per_degree° grid squares (row × 10,000 + column) covering a box around home.

    Rows count from 90°S and columns from 180°W, as the directory's Location.cell does.
    """
    lat, lon = home
    dlat = radius_km / 111.0
    dlon = radius_km / (111.0 * max(math.cos(math.radians(lat)), 0.01))
    rows = range(
        math.floor((lat - dlat + 90) * per_degree), math.floor((lat + dlat + 90) * per_degree) + 1
    )
    cols = range(
        math.floor((lon - dlon + 180) * per_degree), math.floor((lon + dlon + 180) * per_degree) + 1
    )
    return [row * 10_000 + col for row in rows for col in cols]
