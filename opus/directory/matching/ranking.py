"""From the database to the matching engine and back: a needs profile in, ranked services out.

The database narrows the field (active services meeting at least one of the needs, or one
of their families, within reach; narrowing.py) and says which of them are worth reading;
the engine decides who can use what and in which order.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from opus.directory import search
from opus.directory.matching import facts, narrowing
from opus.directory.matching.profiles import Question, need_words, profile_from
from opus.engines import matching as engine


def need_fits_for(
    needs: Iterable[str], service_ids: Iterable[Any]
) -> dict[str, tuple[engine.NeedFit, ...]]:
    """Which of these needs each service meets and which it only relates to (by service id)."""
    codes = frozenset(needs)
    if not codes:
        return {}
    families, names = need_words(codes)
    profile = engine.Profile(needs=codes, need_families=families, need_names=names)
    return {
        c.id: engine.need_fits(profile, c.terms, c.term_families)
        for c in facts.read(service_ids, {})
    }


@dataclass(frozen=True)
class Tiers:
    """The terms whose services are candidates: the needs' own, then the rest of their families.

    A service with none of the needs' own terms meets no need exactly, so it ranks after
    every usable service that does (engine.rank): it is read only when fewer than the limit
    of those were found, or for near misses when fewer than wanted were.
    """

    needs: list[Any]
    family: list[Any]


def tiers(profile: engine.Profile) -> Tiers:
    terms = facts.taxonomy(profile.needs)
    needs = [pk for pk, (code, _, _) in terms.items() if code in profile.needs]
    families = {parent for pk, (_, parent, _) in terms.items() if pk in needs and parent}
    family = [
        pk
        for pk, (_, parent, _) in terms.items()
        if (parent in families or pk in families) and pk not in needs
    ]
    return Tiers(needs, family)


def ranked(
    profile: engine.Profile, words: str = "", *, limit: int = 20, near_misses: int = 5
) -> engine.Ranking:
    """What engine.rank would give over every candidate, reading only the few that matter.

    Candidates are the active services tagged with a need or a term of its family and within
    reach (a place in the squares around home, up to 1.5 × the distance so that the just
    too far show as near misses; or, when at home or online is fine, remote delivery within
    REMOTE_REACH_KM or to the person's area). The database gives them in the order of the
    highest score each could get (narrowing.Query.best); they are read in full and scored
    until the limit-th best score beats every ceiling not yet read. Near misses likewise, in
    the engine's own near-miss order, until enough are found. The engine ranks what was read.
    """
    ranking, _ = reading(profile, words, limit=limit, near_misses=near_misses)
    return ranking


def reading(
    profile: engine.Profile, words: str = "", *, limit: int = 20, near_misses: int = 5
) -> tuple[engine.Ranking, int]:
    """`ranked`, and how many services it read in full (for benchmarks)."""
    with narrowing.serial():
        return _reading(profile, words, limit, near_misses)


def _reading(
    profile: engine.Profile, words: str, limit: int, near_misses: int
) -> tuple[engine.Ranking, int]:
    groups = search.word_groups(words)
    split = tiers(profile)
    query = narrowing.Query(profile, words=bool(groups))
    judge = _Judge(profile, groups)
    for tier, (terms, other) in enumerate(
        ((split.needs, ()), (split.family, tuple(sorted(profile.needs))))
    ):
        if not terms:
            continue
        judge.tier = tier
        # Services meeting a need exactly come first: once `limit` of them are found, none
        # meeting needs only through their family can enter.
        best = not (other and judge.last(limit) is not None)
        _read_tier(query, judge, terms, other, limit if best else 0, near_misses)
    ranking = engine.rank(profile, judge.read.values(), limit=limit, near_misses=near_misses)
    return ranking, len(judge.read)


def _read_tier(
    query: narrowing.Query,
    judge: _Judge,
    terms: list[Any],
    other: tuple[str, ...],
    limit: int,
    near_misses: int,
) -> None:
    """Read this tier's services in the two orders until each has said all it can.

    Rows come in batches several times larger than what is read in full: reading stops
    as soon as the next row cannot matter, and the database is asked again (for four
    times as many) only when a whole batch was read without that.
    """
    best_size, near_size = 4 * limit, 4 * max(1, near_misses - judge.excluded_found)
    wants_best, wants_near = limit > 0, judge.excluded_found < near_misses
    while wants_best or wants_near:
        rows, closest = query.both(
            terms, best_size if wants_best else 0, near_size if wants_near else 0, other
        )
        if judge.last(limit) is None:  # the first of them are read anyway: with the near misses
            judge.add(closest + [row.service_id for row in rows[: 2 * limit]])
        else:
            judge.add(closest)
        if wants_near:
            wanted = near_misses - judge.excluded_found
            found = sum(1 for sid in dict.fromkeys(closest) if sid in judge.excluded)
            if found >= wanted or len(closest) < near_size:
                judge.excluded_found += min(found, wanted)
                wants_near = False
            near_size *= 4
        if wants_best:
            wants_best = not _read_best(judge, rows, limit) and len(rows) == best_size
            best_size *= 4


def _read_best(judge: _Judge, rows: list[narrowing.Row], limit: int) -> bool:
    """Read these rows' services in order until the next row cannot enter the best `limit`.

    True when that happened (nothing after it can either); False when every row was read.
    The person's words are looked up for the whole batch at once; services are read in full
    `limit` at a time, skipping those whose words found already rule them out.
    """
    judge.learn_words([row.service_id for row in rows if row.service_id not in judge.read])
    pending: list[str] = []
    for row in rows:
        if row.service_id in judge.read or row.service_id in pending:
            continue
        if judge.settled(limit, row.top, row.near):
            judge.add(pending)
            return True
        if _could_enter(judge, row, limit):
            pending.append(row.service_id)
        if len(pending) >= limit:
            judge.add(pending)
            pending = []
    judge.add(pending)
    return bool(rows) and judge.settled(limit, rows[-1].top, rows[-1].near)


def _could_enter(judge: _Judge, row: narrowing.Row, limit: int) -> bool:
    """Whether this row's service could enter the best `limit`, its words found counted.

    Ceilings count the person's words as all found; with the words looked up (far cheaper
    than reading a service in full), a service whose ceiling then falls below the
    limit-th best need not be read.
    """
    if not judge.groups:
        return True
    missing = engine.WEIGHTS["words"] * (1.0 - judge.words.get(row.service_id, 0.0))
    return not judge.settled(limit, narrowing.millionths(row.ceiling - missing), row.near)


class _Judge:
    """The services read so far, and the order of those the person can use."""

    def __init__(self, profile: engine.Profile, groups: list[list[str]]) -> None:
        self.profile, self.groups = profile, groups
        self.words: dict[str, float] = {}  # share of the word groups found, by service
        self.read: dict[str, engine.Candidate] = {}
        self.usable: list[tuple[int, int, float, str, str]] = []  # the engine's order, as keys
        self.excluded: set[str] = set()
        self.excluded_found = 0
        self.tier = 0  # being read: 0 meets a need exactly, 1 only relates to them

    def learn_words(self, ids: list[str]) -> None:
        """Find the person's words in these services' texts (once each)."""
        fresh = list(dict.fromkeys(i for i in ids if i not in self.words))
        if self.groups and fresh:
            found = search.words_found(self.groups, fresh)
            self.words.update({sid: found.get(sid, 0.0) for sid in fresh})

    def add(self, ids: list[str]) -> None:
        fresh = list(dict.fromkeys(i for i in ids if i not in self.read))
        self.learn_words(fresh)
        for candidate in facts.read(fresh, self.words):
            self.read[candidate.id] = candidate
            if engine.exclusions(self.profile, candidate):
                self.excluded.add(candidate.id)
                continue
            found, distance = engine.parts(self.profile, candidate)
            far = math.inf if distance is None else distance
            tier = 0 if engine.meets_a_need(self.profile, candidate) else 1
            millionths = -round(engine.score(found) * 1_000_000)
            key = (tier, millionths, far, candidate.name, candidate.id)
            self.usable.append(key)
        self.usable.sort()

    def last(self, limit: int) -> tuple[int, int, float, str, str] | None:
        """The limit-th best so far, as (tier, −score in millionths, distance, name, id)."""
        return self.usable[limit - 1] if len(self.usable) >= limit else None

    def settled(self, limit: int, top: int, near: float) -> bool:
        """Whether no unread service of the tier being read can enter the best `limit`, when
        none of them can score above `top` (millionths) and those that reach it are at least
        `near` km away."""
        last = self.last(limit)
        if last is None:
            return False
        if last[0] != self.tier:
            return last[0] < self.tier
        score, distance = -last[1], last[2]
        return top < score or (top == score and near > distance)


def candidates_for(
    service_ids: Iterable[Any], groups: list[list[str]] | str = ""
) -> list[engine.Candidate]:
    """These services as the engine sees them (e.g. to judge another directory's results)."""
    ids = list(service_ids)
    words = search.word_groups(groups) if isinstance(groups, str) else groups
    return facts.read(ids, search.words_found(words, ids) if words else {})


def match(question: Question, *, limit: int = 20) -> tuple[engine.Profile, engine.Ranking]:
    profile = profile_from(question)
    return profile, ranked(profile, question.words, limit=limit)


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
                "needs": _fits_json(m.needs),
            }
            for m in ranking.matches
        ],
        "near_misses": [
            {"service_id": n.id, "name": n.name, "why": list(n.why), "needs": _fits_json(n.needs)}
            for n in ranking.near_misses
        ],
    }


def _fits_json(fits: tuple[engine.NeedFit, ...]) -> list[dict[str, Any]]:
    return [{"need": f.need, "meets": f.exact, "family": f.family} for f in fits]
