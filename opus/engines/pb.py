"""Counting participatory-budgeting ballots: greedy and the Method of Equal Shares.

Inputs are plain data: `Project(id, cost)` with a whole, non-negative cost in the caller's unit
(pounds or pence), `Ballot(voter, points)` mapping project ids to whole points (1 per project
an approval ballot names; 0 means "not supported"), a whole budget and a `Variant`.

**Greedy.** Projects with at least one vote, most supported first (points, which are votes for
approval ballots), ties by `variant.tie_order`; each is funded when its cost fits what is
left of the budget, otherwise skipped ("did not fit the remaining budget") and the next tried.

**Method of Equal Shares** (Peters & Skowron, "Proportional participatory budgeting with
additive utilities", NeurIPS 2021; as equalshares.net and pabutools' `method_of_equal_shares`
define it). Every voter starts with an equal share `b = budget / voters` of the money. Voter
`i` gets utility `u_i(p)` from project `p`: its cost for approval ballots ("cost utilities",
`utility="cost"`), the points given to it for cumulative ballots (`utility="points"`). In each
round a project is *affordable at* `alpha` when its supporters can pay its cost with each
paying `min(budget_i, alpha * u_i(p))`; the project with the smallest `alpha` is funded (ties by
the tie order), its supporters pay, and rounds go on until no project's supporters have its
cost between them ("not enough money left among its supporters"). Projects costing nothing
that someone supports are funded first (pabutools 1.2.3 leaves them out of its outcome: the
one place the two counts differ).

*Completion* (`completion="add1"`, pabutools' `voter_budget_increment=1`): the count is run
again with `b` raised by `variant.add1_unit` (1 unit of cost: pass 100 when costs are pence
and the step is to be a pound) until the outcome is *exhaustive* (no unfunded supported project
fits in what is left of the budget) or would cost more than the budget; in the second case the
previous outcome stands. With `exhaustive_stop=False` the first exhaustive outcome does not end
it: the budget keeps rising until the outcome would overspend (the last one that did not is
kept) or funds every supported project. There is no greedy completion after Add1.

**Exact arithmetic.** Every amount that decides anything is a `fractions.Fraction`; the
floating-point figures below only find where to look. For speed, identical ballots are
counted once with their multiplicity, and a ballot's remaining money is held as
`b - sum_w price_w * units[i, w]`, where `price_w` is the exact price of one unit of utility of
winner `w` and `units` an integer matrix of what a ballot was charged at full price (a ballot
that paid all it had is marked empty and holds exactly 0). So the exact money of any set of
ballots is `b * count - sum_w price_w * column_sum_w`, a few dozen Fraction operations whatever
the number of voters. To weigh a project, numpy sorts its supporters by money/utility in
float64 and finds the approximate `alpha`; only supporters within 1e-9 (relative) of the
boundary are looked at exactly, and the exact `alpha` is then checked to lie within 1e-10 of
the float one (float errors here are below 1e-13), so every supporter classified by floats is
classified as exact arithmetic would; otherwise the project is weighed entirely exactly.
Projects are weighed lazily, as pabutools does: `alpha` only grows, so a project whose last
known `alpha` exceeds the best of the round is not weighed again.

**Effective support** (Equal Shares only): equalshares.net's *effective vote count*, the cost
divided by the largest share one full-price supporter pays (`1 / alpha` with cost utilities:
equal to the number of votes while all its supporters can pay their share); with points
utilities the same ratio counts effective points. A winner's is its value when chosen; a
loser's its value the last time it was weighed while still affordable (None if never).

**Ties** (`tie_order`): lower cost first, then more votes, then the lot: the SHA-256 of
`"<seed>:<project id>"` (UTF-8, hexadecimal, smaller first), with the seed published before
counting. A `Variant` with an empty `tie_order` uses this order with the empty seed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

import numpy as np
import numpy.typing as npt

Rule = Literal["greedy", "equal-shares"]
Utility = Literal["cost", "points"]  # cost utilities for approval ballots, points for cumulative
Completion = Literal["add1", "none"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

REASON_NO_VOTES = "no votes"
REASON_GREEDY_WON = "funded: among the most supported projects that fitted the budget"
REASON_GREEDY_LOST = "did not fit the remaining budget"
REASON_ES_WON = "funded: its supporters could pay for it with equal shares"
REASON_ES_FREE = "funded: it costs nothing"
REASON_ES_LOST = "not enough money left among its supporters"

_NEAR = 1e-9  # relative distance from the boundary inside which supporters are looked at exactly
_AGREE = 1e-10  # how close the exact alpha must be to the float one for the float split to hold


class CountError(ValueError):
    """An election that cannot be counted (a ballot naming an unknown project, say)."""


@dataclass(frozen=True)
class Project:
    id: str
    cost: int  # whole pounds or pence, as the caller chooses; never negative


@dataclass(frozen=True)
class Ballot:
    """One voter's ballot: project id → points (1 for each project an approval ballot names)."""

    voter: str
    points: Mapping[str, int]


@dataclass(frozen=True)
class Variant:
    """Everything that decides a count, stored with every result."""

    rule: Rule
    utility: Utility = "cost"
    completion: Completion = "add1"
    exhaustive_stop: bool = True
    # Project ids in the published tie order, first preferred (see `tie_order`).
    tie_order: tuple[str, ...] = ()
    # Add1's step: what each voter's share rises by, in the unit of the costs (100 for £1 in pence).
    add1_unit: int = 1


@dataclass(frozen=True)
class ProjectOutcome:
    id: str
    cost: int
    votes: int  # ballots that support it
    points: int  # points it received (= votes for approval ballots)
    funded: bool
    # Equal Shares only: the support it had when it lost (or was chosen), exactly.
    effective_support: Fraction | None
    reason: str  # in words: why it won or lost


@dataclass(frozen=True)
class Outcome:
    winners: tuple[str, ...]  # in the order they were chosen
    cost: int
    projects: tuple[ProjectOutcome, ...]
    variant: Variant
    # Equal Shares: what each voter paid towards each winner (voter → project → amount).
    payments: Mapping[str, Mapping[str, Fraction]] = field(default_factory=dict)


# --- the election as arrays -------------------------------------------------------------------


@dataclass
class _Election:
    ids: list[str]
    costs: list[int]
    voters: dict[str, int]  # voter → group
    mult: IntArray  # ballots in each group of identical ballots
    supporters: list[IntArray]  # per project: the groups supporting it
    units: list[IntArray]  # per project: their points (1 for approval)
    weights: list[IntArray]  # per project: ballots in each of its supporting groups
    votes: list[int]
    points: list[int]
    rank: list[int]  # position in the tie order


def _check_projects(projects: Sequence[Project]) -> dict[str, int]:
    index: dict[str, int] = {}
    for j, project in enumerate(projects):
        if project.id in index:
            raise CountError(f"project {project.id} is listed twice")
        if not isinstance(project.cost, int) or project.cost < 0:
            raise CountError(f"project {project.id} has a cost that is not a whole number ≥ 0")
        index[project.id] = j
    return index


def _ballot_key(
    voter: str, raw: tuple[tuple[str, int], ...], index: Mapping[str, int]
) -> tuple[tuple[int, int], ...]:
    pairs = []
    for pid, pts in raw:
        if pid not in index:
            raise CountError(f"the ballot of voter {voter} names unknown project {pid}")
        if not isinstance(pts, int) or pts < 0:
            raise CountError(f"the ballot of voter {voter} gives {pid} invalid points")
        if pts:
            pairs.append((index[pid], pts))
    return tuple(sorted(pairs))


def _group_ballots(
    ballots: Sequence[Ballot], index: Mapping[str, int]
) -> tuple[dict[str, int], dict[tuple[tuple[int, int], ...], int], list[int]]:
    """Identical ballots counted once: voter → group, ballot → group, ballots per group."""
    raw_groups: dict[tuple[tuple[str, int], ...], int] = {}
    raw_of: dict[str, int] = {}
    for ballot in ballots:
        if ballot.voter in raw_of:
            raise CountError(f"voter {ballot.voter} has two ballots")
        raw = tuple(sorted(ballot.points.items()))
        raw_of[ballot.voter] = raw_groups.setdefault(raw, len(raw_groups))
    groups: dict[tuple[tuple[int, int], ...], int] = {}
    final: list[int] = []
    first_voter = {g: voter for voter, g in reversed(raw_of.items())}
    for raw, g in raw_groups.items():
        checked = _ballot_key(first_voter[g], raw, index)
        final.append(groups.setdefault(checked, len(groups)))
    counts = [0] * len(groups)
    voters = {}
    for voter, g in raw_of.items():
        voters[voter] = final[g]
        counts[final[g]] += 1
    return voters, groups, counts


def _election(
    projects: Sequence[Project], ballots: Sequence[Ballot], tie: Sequence[str]
) -> _Election:
    index = _check_projects(projects)
    voters, groups, counts = _group_ballots(ballots, index)
    sup: list[list[int]] = [[] for _ in projects]
    pts: list[list[int]] = [[] for _ in projects]
    for key, g in groups.items():
        for j, p in key:
            sup[j].append(g)
            pts[j].append(p)
    mult = np.asarray(counts, dtype=np.int64)
    supporters = [np.asarray(s, dtype=np.int64) for s in sup]
    units = [np.asarray(p, dtype=np.int64) for p in pts]
    positions = {pid: k for k, pid in enumerate(tie)}
    last = len(positions)
    return _Election(
        ids=[p.id for p in projects],
        costs=[p.cost for p in projects],
        voters=voters,
        mult=mult,
        supporters=supporters,
        units=units,
        weights=[mult[s] for s in supporters],
        votes=[int(mult[s].sum()) for s in supporters],
        points=[int((mult[s] * u).sum()) for s, u in zip(supporters, units, strict=True)],
        rank=[positions.get(p.id, last + j) for j, p in enumerate(projects)],
    )


# --- tie order ----------------------------------------------------------------------------------


def _lot(seed: str, project_id: str) -> str:
    return hashlib.sha256(f"{seed}:{project_id}".encode()).hexdigest()


def tie_order(projects: Sequence[Project], ballots: Sequence[Ballot], seed: str) -> tuple[str, ...]:
    """The published order ties are broken in: lower cost, then more votes, then a lot drawn
    from `seed` (published before counting): SHA-256 of "<seed>:<project id>", smaller first."""
    index = _check_projects(projects)
    votes = dict.fromkeys(index, 0)
    for ballot in ballots:
        for pid, pts in ballot.points.items():
            if pid not in index:
                raise CountError(f"the ballot of voter {ballot.voter} names unknown project {pid}")
            if pts:
                votes[pid] += 1
    ordered = sorted(projects, key=lambda p: (p.cost, -votes[p.id], _lot(seed, p.id), p.id))
    return tuple(p.id for p in ordered)


# --- greedy -------------------------------------------------------------------------------------


def _greedy(e: _Election, budget: int) -> tuple[list[int], list[ProjectOutcome]]:
    order = sorted(
        (j for j in range(len(e.ids)) if e.votes[j]), key=lambda j: (-e.points[j], e.rank[j])
    )
    left, winners = budget, []
    for j in order:
        if e.costs[j] <= left:
            winners.append(j)
            left -= e.costs[j]
    won = set(winners)
    outcomes = []
    for j in range(len(e.ids)):
        reason = (
            REASON_GREEDY_WON if j in won else REASON_GREEDY_LOST if e.votes[j] else REASON_NO_VOTES
        )
        outcomes.append(_project_outcome(e, j, j in won, None, reason))
    return winners, outcomes


def _project_outcome(
    e: _Election, j: int, funded: bool, support: Fraction | None, reason: str
) -> ProjectOutcome:
    return ProjectOutcome(
        id=e.ids[j],
        cost=e.costs[j],
        votes=e.votes[j],
        points=e.points[j],
        funded=funded,
        effective_support=support,
        reason=reason,
    )


# --- Equal Shares: one run at one share per voter -----------------------------------------------


@dataclass
class _Weighing:
    alpha: Fraction  # price of one unit of satisfaction (payment = alpha * utility)
    poor: IntArray  # supporters who pay all they have
    rich: IntArray  # supporters who pay alpha * utility
    rich_units: IntArray


class _Run:
    """Equal Shares at one share `b` per voter (pabutools' `mes_inner_algo`, resolute)."""

    def __init__(self, e: _Election, share: Fraction, scale: list[int]) -> None:
        self.e, self.b, self.scale = e, share, scale
        groups = len(e.mult)
        self.f: FloatArray = np.full(groups, float(share))
        self.empty: BoolArray = np.zeros(groups, dtype=np.bool_)
        self.emptied = 0
        self.empty_at: IntArray = np.full(groups, -1, dtype=np.int64)
        # Column-major: a winner's column is written in one pass.
        self.charged: IntArray = np.zeros((groups, max(1, len(e.ids))), dtype=np.int64, order="F")
        self.prices: list[Fraction] = []  # per winner column: price of one unit
        self.winners: list[int] = []  # project per column
        self.support: dict[int, Fraction] = {}
        self.cost = 0

    # exact money -------------------------------------------------------------------------

    def _exact_total(self, groups: IntArray, mult: IntArray) -> Fraction:
        total = self.b * int(mult.sum())
        if self.prices and len(groups):
            sums = mult @ self.charged[groups, : len(self.prices)]
            total -= sum(
                (price * int(s) for price, s in zip(self.prices, sums, strict=True) if s),
                Fraction(0),
            )
        return total

    def _exact_money(self, groups: IntArray) -> list[Fraction]:
        width = len(self.prices)
        if not width or not len(groups):
            return [self.b] * len(groups)
        rows, inverse = np.unique(self.charged[groups, :width], axis=0, return_inverse=True)
        values = [
            self.b - sum((p * int(k) for p, k in zip(self.prices, row, strict=True) if k), 0)
            for row in rows
        ]
        return [Fraction(values[int(k)]) for k in inverse.reshape(-1)]

    # weighing a project ----------------------------------------------------------------------

    def weigh(self, j: int) -> _Weighing | None:
        """The smallest alpha at which project j's supporters can pay, or None if they cannot."""
        e, cost = self.e, self.e.costs[j]
        groups, units, mult = e.supporters[j], e.units[j], e.weights[j]
        if self.emptied:
            live = ~self.empty[groups]
            groups, units, mult = groups[live], units[live], mult[live]
        if not len(groups):
            return None
        money = self.f[groups]
        total = float(money @ mult)
        if total < cost * (1 - _NEAR) or (
            total <= cost * (1 + _NEAR) and self._exact_total(groups, mult) < cost
        ):
            return None
        sat = units * self.scale[j]
        found = self._split(cost, groups, units, mult, money, sat, exact_all=False)
        if found is None:
            found = self._split(cost, groups, units, mult, money, sat, exact_all=True)
        assert found is not None  # noqa: S101 - the exact split always finds alpha
        return found

    def _float_alpha(
        self, cost: int, mult: IntArray, money: FloatArray, sat: IntArray
    ) -> float | None:
        ratio = money / sat
        order = np.argsort(ratio, kind="stable")
        paid = (mult * money)[order]
        before = np.concatenate(([0.0], np.cumsum(paid)[:-1]))
        rest = np.cumsum((mult * sat)[order][::-1])[::-1].astype(np.float64)
        alphas = (cost - before) / rest
        fits = np.flatnonzero(alphas <= ratio[order] * (1 + 1e-12))
        return float(alphas[fits[0]]) if len(fits) else None

    def _split(
        self,
        cost: int,
        groups: IntArray,
        units: IntArray,
        mult: IntArray,
        money: FloatArray,
        sat: IntArray,
        exact_all: bool,
    ) -> _Weighing | None:
        approx = None if exact_all else self._float_alpha(cost, mult, money, sat)
        if approx is None:
            poor = np.zeros(len(groups), dtype=np.bool_)
            near = np.ones(len(groups), dtype=np.bool_)
        else:
            gap = money - approx * sat
            tol = _NEAR * np.maximum(float(self.b), approx * sat)
            poor, near = gap < -tol, np.abs(gap) <= tol
        paid = self._exact_total(groups[poor], mult[poor])
        rest = int((mult * sat)[~poor].sum())
        near_idx = np.flatnonzero(near)
        exact = self._exact_money(groups[near_idx])
        ranked = sorted(range(len(near_idx)), key=lambda k: exact[k] / int(sat[near_idx[k]]))
        poor = poor.copy()
        alpha: Fraction | None = None
        for k in ranked:
            i = near_idx[k]
            if rest <= 0:
                return None
            trial = (cost - paid) / rest
            if trial * int(sat[i]) <= exact[k]:
                alpha = trial
                break
            paid += int(mult[i]) * exact[k]
            rest -= int(mult[i]) * int(sat[i])
            poor[i] = True
        if alpha is None:
            if rest <= 0:
                return None
            alpha = (cost - paid) / rest
        if approx is not None and abs(float(alpha) - approx) > _AGREE * approx:
            return None
        rich = ~poor
        return _Weighing(alpha, groups[poor], groups[rich], units[rich])

    # choosing ----------------------------------------------------------------------------------

    def fund(self, j: int, w: _Weighing) -> None:
        column = len(self.winners)
        price = w.alpha * self.scale[j]
        self.empty[w.poor] = True
        self.emptied += len(w.poor)
        self.empty_at[w.poor] = column
        self.f[w.poor] = 0.0
        self.charged[w.rich, column] = w.rich_units
        self.f[w.rich] -= float(price) * w.rich_units
        self.prices.append(price)
        self.winners.append(j)
        self.support[j] = self.e.costs[j] / price
        self.cost += self.e.costs[j]

    def run(self, candidates: Sequence[int], limit: int | None) -> bool:
        """Rounds until nothing is affordable; False as soon as the cost passes `limit`."""
        e = self.e
        known = {
            j: Fraction(e.costs[j], int((e.mult[e.supporters[j]] * e.units[j]).sum()))
            / self.scale[j]
            for j in candidates
            # Money only falls, so supporters who cannot pay at the start never can.
            if self.b * e.votes[j] >= e.costs[j]
        }
        # Floats order the projects; float() rounds correctly, so a strictly larger float
        # means a strictly larger alpha, and equal floats are weighed again.
        approx = {j: float(alpha) for j, alpha in known.items()}
        while known:
            best: tuple[Fraction, int, int, _Weighing] | None = None
            for j in sorted(known, key=approx.__getitem__):
                if best is not None and approx[j] > float(best[0]):
                    break
                weighed = self.weigh(j)
                if weighed is None:
                    del known[j]
                    continue
                known[j], approx[j] = weighed.alpha, float(weighed.alpha)
                self.support[j] = e.costs[j] / (weighed.alpha * self.scale[j])
                if best is None or (weighed.alpha, e.rank[j]) < best[:2]:
                    best = (weighed.alpha, e.rank[j], j, weighed)
            if best is None:
                return True
            del known[best[2]]
            self.fund(best[2], best[3])
            if limit is not None and self.cost > limit:
                return False
        return True

    # what each voter paid --------------------------------------------------------------------

    def paid_by_group(self, g: int) -> dict[int, Fraction]:
        paid: dict[int, Fraction] = {}
        left = self.b
        for column, j in enumerate(self.winners):
            if self.empty_at[g] == column:
                if left:
                    paid[j] = left
                break
            units = int(self.charged[g, column])
            if units:
                amount = self.prices[column] * units
                paid[j] = amount
                left -= amount
        return paid


class _Payments(Mapping[str, Mapping[str, Fraction]]):
    """voter → project id → amount, worked out when asked (an election may have 100,000 voters)."""

    def __init__(self, e: _Election, paid: dict[int, dict[str, Fraction]] | None, run: _Run | None):
        self._e, self._run = e, run
        self._cache: dict[int, dict[str, Fraction]] = paid if paid is not None else {}

    def _group(self, g: int) -> dict[str, Fraction]:
        if g not in self._cache:
            assert self._run is not None  # noqa: S101 - greedy fills every group up front
            paid = self._run.paid_by_group(g)
            self._cache[g] = {self._e.ids[j]: amount for j, amount in paid.items()}
        return self._cache[g]

    def __getitem__(self, voter: str) -> Mapping[str, Fraction]:
        return self._group(self._e.voters[voter])

    def __iter__(self) -> Iterator[str]:
        return iter(self._e.voters)

    def __len__(self) -> int:
        return len(self._e.voters)


# --- Equal Shares with its completion -----------------------------------------------------------


def _exhaustive(e: _Election, run: _Run, candidates: Sequence[int], budget: int) -> bool:
    won = set(run.winners)
    return all(j in won or run.cost + e.costs[j] > budget for j in candidates)


def _equal_shares(e: _Election, budget: int, variant: Variant) -> tuple[_Run | None, list[int]]:
    candidates = [j for j in range(len(e.ids)) if e.votes[j] and e.costs[j] > 0]
    free = sorted(
        (j for j in range(len(e.ids)) if e.votes[j] and e.costs[j] == 0), key=lambda j: e.rank[j]
    )
    voters = int(e.mult.sum())
    if not voters:
        return None, free
    scale = [c if variant.utility == "cost" else 1 for c in e.costs]
    share = Fraction(budget, voters)
    if variant.add1_unit <= 0:
        raise CountError("the Add1 step must be a whole number above 0")
    previous: _Run | None = None
    while True:
        run = _Run(e, share, scale)
        within = run.run(candidates, None if variant.completion == "none" else budget)
        if variant.completion == "none":
            return run, free
        if not within:
            return previous, free
        if len(run.winners) == len(candidates):
            return run, free
        if variant.exhaustive_stop and _exhaustive(e, run, candidates, budget):
            return run, free
        previous, share = run, share + variant.add1_unit


def _es_outcomes(e: _Election, run: _Run | None, free: list[int]) -> list[ProjectOutcome]:
    won = set(free) | set(run.winners if run else ())
    outcomes = []
    for j in range(len(e.ids)):
        support = run.support.get(j) if run else None
        if j in free:
            reason = REASON_ES_FREE
        elif j in won:
            reason = REASON_ES_WON
        else:
            reason = REASON_ES_LOST if e.votes[j] else REASON_NO_VOTES
        outcomes.append(_project_outcome(e, j, j in won, support, reason))
    return outcomes


# --- the public functions -----------------------------------------------------------------------


def count(
    projects: Sequence[Project], ballots: Sequence[Ballot], budget: int, variant: Variant
) -> Outcome:
    """Count `ballots` for `projects` within `budget` by `variant` (see the module notes)."""
    if not isinstance(budget, int) or budget < 0:
        raise CountError("the budget must be a whole number ≥ 0")
    tie = variant.tie_order or tie_order(projects, ballots, "")
    e = _election(projects, ballots, tie)
    if variant.rule == "greedy":
        chosen, outcomes = _greedy(e, budget)
        won = set(chosen)
        paid = {
            g: {e.ids[j]: Fraction(e.costs[j]) for j in range(len(e.ids)) if j in won}
            for g in range(len(e.mult))
        }
        supported = _supported_by_group(e)
        paid = {g: {p: a for p, a in paid[g].items() if p in supported[g]} for g in paid}
        payments = _Payments(e, paid, None)
    elif variant.rule == "equal-shares":
        run, free = _equal_shares(e, budget, variant)
        chosen = free + (run.winners if run else [])
        outcomes = _es_outcomes(e, run, free)
        payments = _Payments(e, None if run else {g: {} for g in range(len(e.mult))}, run)
    else:
        raise CountError(f"unknown rule {variant.rule!r}")
    return Outcome(
        winners=tuple(e.ids[j] for j in chosen),
        cost=sum(e.costs[j] for j in chosen),
        projects=tuple(outcomes),
        variant=variant,
        payments=payments,
    )


def _supported_by_group(e: _Election) -> list[set[str]]:
    supported: list[set[str]] = [set() for _ in range(len(e.mult))]
    for j, groups in enumerate(e.supporters):
        for g in groups:
            supported[int(g)].add(e.ids[j])
    return supported


def receipt(outcome: Outcome, voter: str) -> Mapping[str, Fraction]:
    """What one voter's share helped fund: project id → amount paid (Equal Shares), or the
    funded projects they supported with their cost (greedy). Empty for an unknown voter."""
    paid = outcome.payments.get(voter, {})
    return {pid: amount for pid, amount in paid.items() if amount}
