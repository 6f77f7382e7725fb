"""The queries that narrow a national directory to the few services worth reading in full.

Both read `directory_reach` (reach.py) for the services tagged with some of the person's
terms and within reach of them, in one range read on (term, cell), and work in SQL what
the engine would work in Python, as bounds:

* `best` orders rows by the engine's `ceiling` (the highest score the service could get)
  and keeps only rows whose service may meet every hard requirement (a necessary test);
* `closest_excluded` orders rows as the engine orders near misses (need met, name, id),
  keeping only rows whose service may fail one (the negation of a sufficient test).

Neither decides anything: directory/matching.py reads the services they name in full and
the engine judges them. The bounds only let it stop reading early, and still give exactly
what `rank` would give over every candidate (see matching.ranked).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db import connection

from opus.directory.models import GRID_PER_DEGREE
from opus.directory.reach import TABLE
from opus.engines import matching as engine

NEAR_FACTOR = 1.5  # places up to 1.5 × the person's distance are read: "just too far" misses
REMOTE_REACH_KM = 20.0  # a provider visiting homes or working online serves about this far
EPSILON = 1e-6  # scores are rounded to 6 places: bounds are compared with this much room


@dataclass(frozen=True)
class Reach:
    """How far from home rows are read: the box for everyone and the box for remote work."""

    near_km: float
    remote_km: float  # 0 when the person did not say that at home or online is fine

    @property
    def km(self) -> float:
        return max(self.near_km, self.remote_km)


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
    """A service's row in `best` order: its ceiling in millionths and its distance floor."""

    service_id: str
    top: int
    near: float


class Query:
    """SQL for one profile, built once, run for as many rows as each round needs."""

    def __init__(self, profile: engine.Profile, *, words: bool) -> None:
        self.profile = profile
        self.words = words
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

    def _distance(self, scale: str) -> str:
        """Flat-earth kilometres from home with the low or high scales (see the engine)."""
        assert self.profile.home is not None and self.scales is not None
        lat, lon = (float(x) for x in self.profile.home)
        ky = float(getattr(self.scales, f"{scale}_lat"))
        kx = float(getattr(self.scales, f"{scale}_lon"))
        dy, dx = f"((latitude - ({lat!r})) * {ky!r})", f"((longitude - ({lon!r})) * {kx!r})"
        return f"sqrt({dy} * {dy} + {dx} * {dx})"

    def need_halves(self) -> tuple[str, list[Any]]:
        """2 × exact + broad over the needs: engine.need_halves, in SQL."""
        sql, params = [], []
        for code in sorted(self.profile.needs):
            exact, p1 = self._has("terms", code)
            broad, p2 = self._has("families", code)
            sql.append(f"(CASE WHEN {exact} THEN 2 WHEN {broad} THEN 1 ELSE 0 END)")
            params += p1 + p2
        return "(" + " + ".join(sql) + ")", params

    def _remote(self) -> str:
        return "remote" if self.profile.remote_ok else "1 = 0"

    def _distance_part(self) -> str:
        """engine.distance_part at the row's distance floor."""
        p = self.profile
        remote_score = engine.REMOTE_DISTANCE_SCORE
        if p.home is None:
            near = engine.distance_part(p, None, False)
            return f"(CASE WHEN {self._remote()} THEN {remote_score!r} ELSE {near!r} END)"
        floor = self._distance("low") if self.scales else "0.0"
        near = self._greater("0.0", f"1.0 - {floor} / {float(p.max_distance_km)!r}")
        away = engine.distance_part(p, self.reach.km, True)  # an area: places are further
        nowhere = engine.distance_part(p, None, False)
        return (
            f"(CASE WHEN cell < 0 AND {self._remote()} THEN {away!r} "
            f"WHEN cell < 0 THEN {nowhere!r} "
            f"WHEN {self._remote()} THEN {self._greater(repr(remote_score), near)} "
            f"ELSE {near} END)"
        )

    def _price_part(self) -> str:
        limit = self.profile.max_price_pence
        if limit is None:
            return "1.0"
        cut = f"{self._greater('0.0', f'1.0 - (price - {int(limit)}) * 1.0 / {int(limit)}')}"
        over = cut if limit else "0.0"
        return f"(CASE WHEN price IS NULL OR price <= {int(limit)} THEN 1.0 ELSE {over} END)"

    def _availability_part(self) -> str:
        a = engine.AVAILABILITY_SCORES
        return (
            f"(CASE WHEN vacancies IS NULL THEN {a['unknown']!r} "
            f"WHEN vacancies > 0 THEN {a['places']!r} ELSE {a['full']!r} END)"
        )

    def ceiling(self) -> tuple[str, list[Any]]:
        """engine.ceiling for the row, in SQL (the tests hold the two together)."""
        w, p = engine.WEIGHTS, self.profile
        need, params = self.need_halves()
        timing = "1.0"
        if p.days:
            days, more = self._count("days", sorted(p.days))
            timing, params = f"({days} * 1.0 / {len(p.days)})", params + more
        quality = engine.quality_part(0.0, 0)
        sql = (
            f"({w['need']!r} * {need} / {2.0 * len(p.needs)!r}"
            f" + {w['distance']!r} * {self._distance_part()}"
            f" + {w['price']!r} * {self._price_part()}"
            f" + {w['availability']!r} * {self._availability_part()}"
            f" + {w['quality'] * quality!r}"
            f" + {w['timing']!r} * {timing}"
            f" + {w['words'] * (1.0 if self.words else 0.0)!r})"
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
            if self.scales is None:
                return f"({self._remote()})", []
            # One place only: it is the nearest, and its access is what is judged.
            limit = f"{self._distance('high')} <= {float(p.max_distance_km)!r}"
            return f"({self._remote()} OR (places = 1 AND cell >= 0 AND {limit} AND {access}))", (
                params
            )
        limit = f"{self._distance('low')} <= {float(p.max_distance_km)!r}" if self.scales else ""
        near = f"cell >= 0 AND {limit + ' AND ' if limit else ''}{access}"
        return f"({self._remote()} OR ({near}))", params

    def _within(self, term_ids: Sequence[Any], other_than: Sequence[str]) -> tuple[str, list]:
        """Rows of these terms within reach; services with a term in other_than left out."""
        p = self.profile
        marks = ", ".join(["%s"] * len(term_ids))
        params: list[Any] = list(term_ids)
        sql = f"term_id IN ({marks})"
        if p.home is not None:
            cells = engine.grid_cells(p.home, self.reach.km, GRID_PER_DEGREE)
            if p.remote_ok:
                cells += [-int(a) for a in sorted(p.areas)]
            sql += f" AND cell IN ({', '.join(str(int(c)) for c in cells)})"
            lat0, lat1, lon0, lon1 = (float(x) for x in _box(p.home, self.reach.near_km))
            boxes = [f"(latitude BETWEEN {lat0!r} AND {lat1!r} "
                     f"AND longitude BETWEEN {lon0!r} AND {lon1!r})"]  # fmt: skip
            if p.remote_ok:
                lat0, lat1, lon0, lon1 = (float(x) for x in _box(p.home, self.reach.remote_km))
                boxes.append(f"(remote AND latitude BETWEEN {lat0!r} AND {lat1!r} "
                             f"AND longitude BETWEEN {lon0!r} AND {lon1!r})")  # fmt: skip
                boxes.append("cell < 0")  # a service area the person lives in (remote only)
            sql += " AND (" + " OR ".join(boxes) + ")"
        for code in sorted(other_than):
            has, more = self._has("terms", code)
            sql += f" AND NOT {has}"
            params += more
        return sql, params

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

    def best(
        self, term_ids: Sequence[Any], limit: int, other_than: Sequence[str] = ()
    ) -> list[Row]:
        """Rows whose service may be usable, best first: by ceiling, then nearest.

        The ceiling is given in millionths, rounded as the engine rounds scores but never
        below them: `top` >= round(score × 10⁶) for the row's service.
        """
        ceiling, p1 = self.ceiling()
        within, p2 = self._within(term_ids, other_than)
        person, p3 = self._person_fits()
        place, p4 = self._place_fits(surely=False)
        sql = (
            f"SELECT service_id, floor({ceiling} * 1000000 + 0.500001) AS top, "  # noqa: S608
            f"{self._near()} AS near FROM {TABLE} "
            f"WHERE {within} AND {person} AND {place} "
            f"ORDER BY top DESC, near, service_id LIMIT %s"
        )
        rows = self._rows(sql, [*p1, *p2, *p3, *p4, limit])
        return [Row(_text(sid), int(top), float(near)) for sid, top, near in rows]

    def closest_excluded(
        self, term_ids: Sequence[Any], limit: int, other_than: Sequence[str] = ()
    ) -> list[str]:
        """Rows whose service may be unusable, in the engine's near-miss order: service ids."""
        need, p1 = self.need_halves()
        within, p2 = self._within(term_ids, other_than)
        person, p3 = self._person_fits()
        place, p4 = self._place_fits(surely=True)
        name = 'name COLLATE "C"' if self.vendor == "postgresql" else "name"
        sql = (
            f"SELECT service_id, {need} AS halves FROM {TABLE} "  # noqa: S608 - our SQL
            f"WHERE {within} AND NOT ({person} AND {place}) "
            f"ORDER BY halves DESC, {name}, service_id LIMIT %s"
        )
        return [_text(sid) for sid, _ in self._rows(sql, [*p1, *p2, *p3, *p4, limit])]

    def everything(self, term_ids: Sequence[Any]) -> list[tuple[str, float]]:
        """Every candidate row, unfiltered and unordered (for tests and benchmarks)."""
        within, params = self._within(term_ids, ())
        sql = f"SELECT service_id, 0.0 FROM {TABLE} WHERE {within}"  # noqa: S608 - our SQL
        return [(_text(sid), 0.0) for sid, _ in self._rows(sql, params)]

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
