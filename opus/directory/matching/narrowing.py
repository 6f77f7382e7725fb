"""The queries that narrow a national directory to the few services worth reading in full.

Both read `directory_reach` (directory/derived/) for the services tagged with some of the person's
terms and within reach of them, in range reads on (term, remote, cell), and work in SQL
what the engine would work in Python, as bounds:

* `best` orders rows by the engine's `ceiling` (the highest score the service could get)
  and keeps only rows whose service may meet every hard requirement (a necessary test);
* `closest_excluded` orders rows as the engine orders near misses (need met, name, id),
  keeping only rows whose service may fail one (the negation of a sufficient test).

Neither decides anything: directory/matching.py reads the services they name in full and
the engine judges them. The bounds only let it stop reading early, and still give exactly
what `rank` would give over every candidate (see matching.ranked and
tests/test_narrowing.py).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db import connection, transaction

from opus.directory.derived import radius
from opus.directory.derived.tables import TABLE
from opus.directory.matching import facts
from opus.directory.models import GRID_PER_DEGREE
from opus.engines import matching as engine

NEAR_FACTOR = engine.NEAR_MISS_FACTOR  # places this × the distance away are read: near misses
REMOTE_REACH_KM = 20.0  # a provider visiting homes or working online serves about this far
# The furthest a radius row's base can be from a home in one of its squares, by level
# (derived/radius.py): the near-miss circle and the corners of the squares around it.
RADIUS_ROWS_KM = (40.0, 400.0)


@dataclass(frozen=True)
class Reach:
    """How far from home rows are read: the box for everyone and the box for remote work."""

    near_km: float
    remote_km: float  # 0 when the person did not say that at home or online is fine

    @property
    def km(self) -> float:
        return max(self.near_km, self.remote_km)


@contextlib.contextmanager
def serial() -> Iterator[None]:
    """Run the reads without PostgreSQL's parallel workers.

    The reads are many and small: starting workers for each costs more than it saves on a
    busy machine (and parallel plans are chosen for them by their estimated cost alone).
    On PostgreSQL this opens a transaction (a savepoint inside one) so that SET LOCAL ends
    with it; on SQLite, where a transaction would take the write lock, it does nothing.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        yield


def reach_of(profile: engine.Profile) -> Reach:
    remote = max(profile.max_distance_km, REMOTE_REACH_KM) if profile.remote_ok else 0.0
    return Reach(profile.max_distance_km * NEAR_FACTOR, remote)


def _box(home: tuple[float, float], km: float) -> tuple[float, float, float, float]:
    lat, lon = home
    dlat = km / 111.0
    dlon = km / (111.0 * max(math.cos(math.radians(lat)), 0.01))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


@dataclass(frozen=True)
class Row:
    """A service's row in `best` order: its ceiling (and in millionths) and distance floor."""

    service_id: str
    top: int
    near: float
    ceiling: float


def millionths(ceiling: float) -> int:
    """A ceiling in millionths, never below round(score × 10⁶) of a score it bounds.

    Scores are rounded to 6 places; a score s ≤ c rounds to at most c × 10⁶ + ½, and the
    extra 10⁻⁶ covers the two sums being added up in different orders.
    """
    return math.floor(ceiling * 1_000_000 + 0.500001)


class Query:
    """SQL for one profile, built once, run for as many rows as each round needs."""

    def __init__(
        self, profile: engine.Profile, *, words: bool, broad: frozenset[str] | None = None
    ) -> None:
        self.profile = profile
        self.words = words
        # The needs' families that have terms beyond the needs (so a need can be related
        # to); by default every one of them.
        families = {engine.family_of(profile, code) for code in profile.needs}
        self.broad = frozenset(families) if broad is None else broad
        self.vendor = connection.vendor
        self.reach = reach_of(profile)
        self.scales = engine.distance_scales(profile.home, self.reach.km) if profile.home else None

    # --- pieces ---------------------------------------------------------------------------

    def _has(self, column: str, code: str) -> tuple[str, list[Any]]:
        test = "strpos({}, %s) > 0" if self.vendor == "postgresql" else "instr({}, %s) > 0"
        return test.format(column), [f"|{code}|"]

    def _any(self, column: str, codes: Sequence[str], empty: str) -> tuple[str, list[Any]]:
        parts = [self._has(column, c) for c in sorted(codes)]
        if not parts:
            return empty, []
        return "(" + " OR ".join(p for p, _ in parts) + ")", [x for _, ps in parts for x in ps]

    def _all(self, column: str, codes: Sequence[str]) -> tuple[str, list[Any]]:
        parts = [self._has(column, c) for c in sorted(codes)]
        if not parts:
            return "1 = 1", []
        return "(" + " AND ".join(p for p, _ in parts) + ")", [x for _, ps in parts for x in ps]

    def _count(self, column: str, codes: Sequence[str]) -> tuple[str, list[Any]]:
        parts = [self._has(column, c) for c in sorted(codes)]
        sql = " + ".join(f"(CASE WHEN {p} THEN 1 ELSE 0 END)" for p, _ in parts)
        return f"({sql})", [x for _, ps in parts for x in ps]

    def _greater(self, a: str, b: str) -> str:
        return f"{'GREATEST' if self.vendor == 'postgresql' else 'max'}({a}, {b})"

    def _squared_km(self, scale: str, scales: engine.DistanceScales | None = None) -> str:
        """Squared flat-earth kilometres from home with the low or high scales (see the engine)."""
        scales = scales or self.scales
        assert self.profile.home is not None and scales is not None
        lat, lon = (float(x) for x in self.profile.home)
        ky = float(getattr(scales, f"{scale}_lat"))
        kx = float(getattr(scales, f"{scale}_lon"))
        dy, dx = f"((latitude - ({lat!r})) * {ky!r})", f"((longitude - ({lon!r})) * {kx!r})"
        return f"{dy} * {dy} + {dx} * {dx}"

    def _distance(self, scale: str) -> str:
        return f"sqrt({self._squared_km(scale)})"

    def _within_km(self, scale: str, km: float) -> str:
        """Whether the distance is at most km, compared squared (no root)."""
        return f"({self._squared_km(scale)} <= {float(km) * float(km)!r})"

    def need_halves(self) -> tuple[str, list[Any]]:
        """2 × met + related over the needs (engine.NeedTest.halves), in SQL."""
        sql, params = [], []
        for test in engine.need_tests(self.profile, self.broad):
            exact, p1 = self._has("terms", test.need)
            related = [self._has("terms", c) for c in sorted(test.related_terms)]
            related += [self._has("families", c) for c in sorted(test.related_families)]
            if not related:
                sql.append(f"(CASE WHEN {exact} THEN 2 ELSE 0 END)")
                params += p1
                continue
            within = " OR ".join(r for r, _ in related)
            sql.append(f"(CASE WHEN {exact} THEN 2 WHEN ({within}) THEN 1 ELSE 0 END)")
            params += p1 + [x for _, ps in related for x in ps]
        return "(" + " + ".join(sql) + ")", params

    def _remote(self) -> str:
        return "remote" if self.profile.remote_ok else "1 = 0"

    def _linear(self, line: engine.Linear, x: str) -> str:
        """engine.Linear.at(x), in SQL."""
        least = "LEAST" if self.vendor == "postgresql" else "min"
        inner = self._greater("0.0", f"{line.intercept!r} + ({line.slope!r}) * ({x})")
        return f"{least}(1.0, {inner})"

    def _distance_part(self, b: engine.Bounds) -> str:
        """Bounds._distance for the row: `cell < 0` marks an area row (covered)."""
        if b.distance is None:
            return f"(CASE WHEN {self._remote()} THEN {b.remote_floor!r} ELSE {b.away!r} END)"
        near = self._linear(b.distance, self._distance("low") if self.scales else "0.0")
        return (
            f"(CASE WHEN cell < 0 THEN {b.at_home!r} "
            f"WHEN {self._remote()} THEN {self._greater(repr(b.remote_floor), near)} "
            f"ELSE {near} END)"
        )

    def _price_part(self, b: engine.Bounds) -> str:
        if b.price is None:
            return "1.0"
        return f"(CASE WHEN price IS NULL THEN 1.0 ELSE {self._linear(b.price, 'price')} END)"

    def _availability_part(self, b: engine.Bounds) -> str:
        unknown, places, full = b.availability
        return (
            f"(CASE WHEN vacancies IS NULL THEN {unknown!r} "
            f"WHEN vacancies > 0 THEN {places!r} ELSE {full!r} END)"
        )

    def bounds(self) -> engine.Bounds:
        total, count = facts.best_rating()  # published ratings: the best any service has
        return engine.bounds(
            self.profile, words=self.words, best_rating=(float(total), count), broad=self.broad
        )

    def ceiling(self) -> tuple[str, list[Any]]:
        """engine.Bounds.evaluate for the row, in SQL (the tests hold the two together)."""
        b = self.bounds()
        w = b.weights
        need, params = self.need_halves()
        timing = "1.0"
        if b.days:
            days, more = self._count("days", sorted(b.days))
            timing, params = f"({days} * {b.per_day!r})", params + more
        sql = (
            f"({w['need'] * b.per_half!r} * {need}"
            f" + {w['distance']!r} * {self._distance_part(b)}"
            f" + {w['price']!r} * {self._price_part(b)}"
            f" + {w['availability']!r} * {self._availability_part(b)}"
            f" + {w['quality'] * b.quality!r}"
            f" + {w['timing']!r} * {timing}"
            f" + {w['words'] * b.words!r})"
        )
        return sql, params

    def _person_fits(self) -> tuple[str, list[Any]]:
        """Age, circumstances, residency and language: exactly the engine's tests."""
        p = self.profile
        tests: list[str] = []
        if p.age is not None:
            age = int(p.age)
            tests.append(f"(minimum_age IS NULL OR minimum_age <= {age})")
            tests.append(f"(maximum_age IS NULL OR maximum_age >= {age})")
        circumstances, params = self._any("circumstances", sorted(p.circumstances), "1 = 0")
        tests.append(f"(circumstances = '||' OR {circumstances})")
        areas = ", ".join(str(int(a)) for a in sorted(p.areas))
        tests.append(
            f"(residency_area_id IS NULL OR residency_area_id IN ({areas}))"
            if areas
            else "residency_area_id IS NULL"
        )
        if p.language_required:
            spoken, more = self._any("languages", sorted(p.languages), "1 = 0")
            tests.append(spoken)
            params += more
        return " AND ".join(tests), params

    def _place_fits(self, *, surely: bool) -> tuple[str, list[Any]]:
        """Whether the place can be used: possibly (surely=False) or certainly (True)."""
        p = self.profile
        access, params = self._all("access", sorted(p.accessibility))
        if p.home is None:  # no distance; access is never known to be there
            place = "places > 0" if not p.accessibility else "1 = 0"
            return f"({self._remote()} OR {place})", []
        if surely:
            # An area row of one of the person's areas: visited at home there, or online
            # (not one of the areas next to theirs: those are read for near misses).
            # A remote service's place row may visit homes only elsewhere: judged by the place.
            mine = ", ".join(str(-int(a)) for a in sorted(p.areas))
            remote = f"({self._remote()} AND cell IN ({mine}))" if mine else "1 = 0"
            remote = f"({remote} OR {self._inside_radius()})"
            if self.scales is None:
                return remote, []
            # One place only: it is the nearest, and its access is what is judged.
            limit = self._within_km("high", p.max_distance_km)
            return f"({remote} OR (places = 1 AND cell >= 0 AND {limit} AND {access}))", params
        limit = self._within_km("low", p.max_distance_km) if self.scales else ""
        near = f"cell >= 0 AND {limit + ' AND ' if limit else ''}{access}"
        return f"({self._remote()} OR ({near}))", params

    def _inside_radius(self) -> str:
        """A radius row whose circle surely holds home (the engine measures the distance
        from its base, which is at most this upper bound), with each level's scales."""
        home = self.profile.home
        if not self.profile.remote_ok or home is None:
            return "1 = 0"
        tests = []
        cells = (
            f"cell <= {radius.BASE} AND cell > {radius.BASE - radius.SPAN}",
            f"cell <= {radius.BASE - radius.SPAN}",
        )
        for level, km in zip(cells, RADIUS_ROWS_KM, strict=True):
            scales = engine.distance_scales(home, km)
            if scales is not None:
                within = f"{self._squared_km('high', scales)} <= radius_km * radius_km"
                tests.append(f"({level} AND {within})")
        return f"({' OR '.join(tests)})" if tests else "1 = 0"

    def _box_sql(self, km: float) -> str:
        lat0, lat1, lon0, lon1 = (float(x) for x in _box(self.profile.home, km))  # type: ignore[arg-type]
        return f"latitude BETWEEN {lat0!r} AND {lat1!r} AND longitude BETWEEN {lon0!r} AND {lon1!r}"

    def _parts(self, usable: bool) -> list[str]:
        """Where to read, as conditions on (remote, cell) that each use the key.

        Every candidate: a place within NEAR_FACTOR × the distance, and (when at home or
        online is fine) remote delivery from a place within the remote reach or to one of the
        person's areas. For services that may be usable (`usable`), places that must be
        visited are read only within the distance itself (1 % wider, for the box's sake).
        """
        p = self.profile
        assert p.home is not None
        visited = "remote = FALSE" if p.remote_ok else "remote IN (FALSE, TRUE)"
        km = p.max_distance_km * 1.01 if usable else self.reach.near_km
        parts = [f"{visited} AND {self._cells(km)} AND {self._box_sql(km)}"]
        if p.remote_ok:
            near, remote = self._box_sql(self.reach.near_km), self._box_sql(self.reach.remote_km)
            areas = [-int(a) for a in sorted(p.areas | p.near_areas)]
            areas += radius.home_cells(p.home)  # radii whose near-miss circle may hold home
            parts.append(
                f"remote = TRUE AND {self._cells(self.reach.km, areas)} "
                f"AND (cell < 0 OR ({near}) OR ({remote}))"
            )
        return parts

    def _cells(self, km: float, more: Sequence[int] = ()) -> str:
        assert self.profile.home is not None
        cells = [*engine.grid_cells(self.profile.home, km, GRID_PER_DEGREE), *more]
        return f"cell IN ({', '.join(str(int(c)) for c in cells)})"

    # --- the two orders -------------------------------------------------------------------

    def _near(self) -> str:
        """A floor under the distance to the service's nearest place, for breaking ties.

        A place row's own floor, capped at 0.9 × the reach (a service whose nearest place
        lies outside the box is further than that); 0 for areas and when there is no home.
        """
        if self.profile.home is None or self.scales is None:
            return "0.0"
        cap = 0.9 * self.reach.km
        least = "LEAST" if self.vendor == "postgresql" else "min"
        return f"(CASE WHEN cell < 0 THEN 0.0 ELSE {least}({self._distance('low')}, {cap!r}) END)"

    def _fence(self) -> str:
        """Keeps the database from merging a subquery into the outer query (which would work
        each of its expressions once per use): OFFSET 0, written as each database takes it."""
        return "OFFSET 0" if self.vendor == "postgresql" else "LIMIT -1 OFFSET 0"

    def best(
        self, term_ids: Sequence[Any], limit: int, other_than: Sequence[str] = ()
    ) -> list[Row]:
        """Rows whose service may be usable, best first: by ceiling, then nearest.

        The ceiling is given in millionths, rounded as the engine rounds scores but never
        below them: `top` >= round(score × 10⁶) for the row's service.
        """
        ceiling, p1 = self.ceiling()
        person, p2 = self._person_fits()
        place, p3 = self._place_fits(surely=False)
        columns = f"service_id, {ceiling} AS ceiling, {self._near()} AS near"
        rows, params = self._with_filters(
            columns, p1, f"{person} AND {place}", p2 + p3, term_ids, other_than, True
        )
        sql = (
            f"SELECT service_id, floor(ceiling * 1000000 + 0.500001) AS top, near, ceiling "  # noqa: S608
            f"FROM ({rows} {self._fence()}) AS r ORDER BY top DESC, near, service_id LIMIT %s"
        )
        found = self._rows(sql, [*params, limit])
        return [Row(_text(sid), int(top), float(near), float(c)) for sid, top, near, c in found]

    def closest_excluded(
        self, term_ids: Sequence[Any], limit: int, other_than: Sequence[str] = ()
    ) -> list[str]:
        """Rows whose service may be unusable, in the engine's near-miss order: service ids."""
        need, p1 = self.need_halves()
        person, p2 = self._person_fits()
        place, p3 = self._place_fits(surely=True)
        name = 'name COLLATE "C"' if self.vendor == "postgresql" else "name"
        columns = f"service_id, name, {need} AS halves"
        rows, params = self._with_filters(
            columns, p1, f"NOT ({person} AND {place})", p2 + p3, term_ids, other_than, False
        )
        sql = (
            f"SELECT service_id FROM ({rows}) AS r "  # noqa: S608 - our SQL
            f"ORDER BY halves DESC, {name}, service_id LIMIT %s"
        )
        return [_text(sid) for (sid,) in self._rows(sql, [*params, limit])]

    def both(
        self, term_ids: Sequence[Any], best: int, closest: int, other_than: Sequence[str] = ()
    ) -> tuple[list[Row], list[str]]:
        """`best` and `closest_excluded` together (either may be 0: not asked for).

        Two reads: one read into a temporary result with both orders' keys cost more.
        """
        rows = self.best(term_ids, best, other_than) if best else []
        return rows, self.closest_excluded(term_ids, closest, other_than) if closest else []

    def _with_filters(
        self,
        columns: str,
        column_params: list[Any],
        test: str,
        test_params: list[Any],
        term_ids: Sequence[Any],
        other_than: Sequence[str],
        usable: bool,
    ) -> tuple[str, list[Any]]:
        """_select with a further test in every branch, parameters in the order they appear."""
        marks = ", ".join(["%s"] * len(term_ids))
        common, params = f"term_id IN ({marks})", list(term_ids)
        for code in sorted(other_than):
            has, more = self._has("terms", code)
            common += f" AND NOT {has}"
            params += more
        parts = ["1 = 1"] if self.profile.home is None else self._parts(usable)
        branches, every = [], []
        for part in parts:
            branches.append(
                f"SELECT {columns} FROM {TABLE} WHERE {common} AND {part} AND {test}"  # noqa: S608
            )
            every += [*column_params, *params, *test_params]
        return " UNION ALL ".join(branches), every

    def _rows(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        sqlite = self.vendor == "sqlite"
        keyed = [p.hex if sqlite and isinstance(p, UUID) else p for p in params]
        with connection.cursor() as cursor:
            cursor.execute(sql, keyed)
            return cursor.fetchall()


def _text(value: Any) -> str:
    """A service id with hyphens, as the engine's candidates carry it."""
    text = str(value).replace("-", "")
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
