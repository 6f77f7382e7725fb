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

**Exact arithmetic.** Every amount that decides anything is a `fractions.Fraction`; floats
only find where to look. Identical ballots are counted once with their multiplicity, and
ballots with the same money share a *class*: the same row of `charged`, the units of each
winner they paid for at full price, so a class's money is exactly `b - sum_w price_w *
charged[k, w]` (`price_w` the exact price of one unit of utility of winner `w`; class 0 holds
those who paid all they had and have exactly 0). The exact money of any set of classes is
`b * count - sum_w price_w * column_sum_w`: a few dozen Fraction operations whatever the number
of voters. A project is weighed over the (class, points) pairs of its supporters, usually a
few hundred even for 100,000 voters: numpy sorts them by money/utility in float64 and finds
the approximate `alpha`; pairs within 1e-9 (relative) of the boundary are looked at exactly,
and the exact `alpha` must then lie within 1e-10 of the float one (float errors here are below
1e-13), so every pair classified by floats is classified as exact arithmetic would; otherwise
the project is weighed entirely exactly. Projects are weighed lazily, as pabutools does:
`alpha` only grows, so a project whose last known `alpha` exceeds the best of the round is
not weighed again. Each Add1 step is a full count from the start, as pabutools runs it.

**Effective support** (Equal Shares only): equalshares.net's *effective vote count*, the cost
divided by what one supporter paying in full pays (`1 / alpha` with cost utilities: equal to
the number of votes while all its supporters can pay an equal share); with points utilities,
the cost divided by the price of one point (effective points). A winner's is its value when
chosen; a loser's its value the last time it was weighed while still affordable (None if
never affordable).

**Ties** (`tie_order`): lower cost first, then more votes, then the lot: the SHA-256 of
`"<seed>:<project id>"` (UTF-8, hexadecimal, smaller first), with the seed published before
counting. A `Variant` with an empty `tie_order` uses this order with the empty seed.
"""

from __future__ import annotations

import hashlib
import itertools
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

MAX_AMOUNT = 10**15  # costs and budgets: floats find the way only while amounts stay this small
MAX_POINTS = 10**6
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
    span: list[int]  # per project: 1 + its largest points (keys class * span + units)
    votes: list[int]
    points: list[int]
    rank: list[int]  # position in the tie order


def _check_projects(projects: Sequence[Project]) -> dict[str, int]:
    index: dict[str, int] = {}
    for j, project in enumerate(projects):
        if project.id in index:
            raise CountError(f"project {project.id} is listed twice")
        if not isinstance(project.cost, int) or not 0 <= project.cost <= MAX_AMOUNT:
            raise CountError(
                f"project {project.id} has a cost that is not a whole number from 0 to {MAX_AMOUNT}"
            )
        index[project.id] = j
    return index


def _ballot_key(
    voter: str, raw: frozenset[tuple[str, int]], index: Mapping[str, int]
) -> tuple[tuple[int, int], ...]:
    for pid, pts in raw:
        if pid not in index:
            raise CountError(f"the ballot of voter {voter} names unknown project {pid}")
        if type(pts) is not int or not 0 <= pts <= MAX_POINTS:
            raise CountError(f"the ballot of voter {voter} gives {pid} invalid points")
    return tuple(sorted((index[pid], pts) for pid, pts in raw if pts))


def _twice(ballots: Sequence[Ballot]) -> str:
    seen: set[str] = set()
    for ballot in ballots:
        if ballot.voter in seen:
            return ballot.voter
        seen.add(ballot.voter)
    return ""


def _group_ballots(
    ballots: Sequence[Ballot], index: Mapping[str, int]
) -> tuple[dict[str, int], dict[tuple[tuple[int, int], ...], int], list[int]]:
    """Identical ballots counted once: voter → group, ballot → group, ballots per group."""
    raw_groups: dict[frozenset[tuple[str, int]], int] = {}
    raw_of: dict[str, int] = {}
    for ballot in ballots:
        raw = frozenset(ballot.points.items())
        raw_of[ballot.voter] = raw_groups.setdefault(raw, len(raw_groups))
    if len(raw_of) != len(ballots):
        raise CountError(f"voter {_twice(ballots)} has two ballots")
    groups: dict[tuple[tuple[int, int], ...], int] = {}
    final: list[int] = []
    first_voter = {g: voter for voter, g in reversed(raw_of.items())}
    for raw, g in raw_groups.items():
        checked = _ballot_key(first_voter[g], raw, index)
        final.append(groups.setdefault(checked, len(groups)))
    group_of = np.asarray(final, dtype=np.int64)[np.fromiter(raw_of.values(), np.int64)]
    voters = dict(zip(raw_of, group_of.tolist(), strict=True))
    counts = np.bincount(group_of, minlength=len(groups)).tolist()
    return voters, groups, counts


def _election(
    projects: Sequence[Project], ballots: Sequence[Ballot], tie: Sequence[str]
) -> _Election:
    index = _check_projects(projects)
    voters, groups, counts = _group_ballots(ballots, index)
    sizes = np.fromiter((len(key) for key in groups), np.int64, len(groups))
    flat = np.fromiter(
        itertools.chain.from_iterable(itertools.chain.from_iterable(groups)),
        np.int64,
        2 * int(sizes.sum()),
    ).reshape(-1, 2)
    owner = np.repeat(np.arange(len(groups), dtype=np.int64), sizes)
    order = np.argsort(flat[:, 0], kind="stable")
    bounds = np.cumsum(np.bincount(flat[:, 0], minlength=len(projects)))[:-1]
    supporters = np.split(owner[order], bounds) if len(projects) else []
    units = np.split(flat[order, 1], bounds) if len(projects) else []
    mult = np.asarray(counts, dtype=np.int64)
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
        span=[int(u.max()) + 1 if len(u) else 1 for u in units],
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
    keys: IntArray  # the supporters' items: class * span + units, ascending
    classes: IntArray
    units: IntArray
    poor: BoolArray  # items that pay all they have (the others pay alpha * utility)


class _Run:
    """Equal Shares at one share `b` per voter (pabutools' `mes_inner_algo`, resolute).

    Ballot groups with the same money sit in one *class*: class 0 holds those who have spent
    everything, and a class's row of `charged` says how many units of each winner its members
    paid for at full price, so its money is `b - sum_w prices[w] * charged[k, w]` exactly."""

    def __init__(self, e: _Election, share: Fraction, scale: list[int]) -> None:
        self.e, self.b, self.scale = e, share, scale
        groups = len(e.mult)
        self.cls: IntArray = np.ones(groups, dtype=np.int64)  # everyone starts in class 1
        self.last_cls: IntArray = np.zeros(groups, dtype=np.int64)  # class before emptying
        self.empty_at: IntArray = np.full(groups, -1, dtype=np.int64)
        width = max(1, len(e.ids))
        self.classes = 2
        self.money: FloatArray = np.array([0.0, float(share)])
        self.charged: IntArray = np.zeros((2, width), dtype=np.int64)
        self.prices: list[Fraction] = []  # per winner column: price of one unit
        self.winners: list[int] = []  # project per column
        self.support: dict[int, Fraction] = {}
        self.cost = 0

    # exact money -------------------------------------------------------------------------

    def _exact_total(self, classes: IntArray, mult: IntArray) -> Fraction:
        total = self.b * int(mult.sum())
        if self.prices and len(classes):
            sums = mult @ self.charged[classes, : len(self.prices)]
            total -= sum(
                (price * int(s) for price, s in zip(self.prices, sums, strict=True) if s),
                Fraction(0),
            )
        return total

    def _exact_money(self, classes: IntArray) -> list[Fraction]:
        width = len(self.prices)
        rows = self.charged[classes, :width]
        return [
            self.b - sum((p * int(k) for p, k in zip(self.prices, row, strict=True) if k), 0)
            for row in rows
        ]

    # weighing a project ----------------------------------------------------------------------

    def _items(self, j: int) -> tuple[IntArray, IntArray, IntArray, IntArray]:
        """Project j's supporters as (class, units) items: key, class, units, ballots."""
        e = self.e
        span = e.span[j]
        key = self.cls[e.supporters[j]] * span + e.units[j]
        found = np.bincount(key, weights=e.weights[j])
        found[:span] = 0  # class 0 has nothing left: it takes no part
        keys = np.flatnonzero(found)
        return keys, keys // span, keys % span, found[keys].astype(np.int64)

    def weigh(self, j: int) -> _Weighing | None:
        """The smallest alpha at which project j's supporters can pay, or None if they cannot."""
        cost = self.e.costs[j]
        keys, classes, units, mult = self._items(j)
        if not len(keys):
            return None
        money = self.money[classes]
        total = float(money @ mult)
        if total < cost * (1 - _NEAR) or (
            total <= cost * (1 + _NEAR) and self._exact_total(classes, mult) < cost
        ):
            return None
        sat = units * self.scale[j]
        found = self._split(cost, classes, mult, money, sat, exact_all=False)
        if found is None:
            found = self._split(cost, classes, mult, money, sat, exact_all=True)
        assert found is not None  # noqa: S101 - the exact split always finds alpha
        alpha, poor = found
        return _Weighing(alpha, keys, classes, units, poor)

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
        classes: IntArray,
        mult: IntArray,
        money: FloatArray,
        sat: IntArray,
        exact_all: bool,
    ) -> tuple[Fraction, BoolArray] | None:
        approx = None if exact_all else self._float_alpha(cost, mult, money, sat)
        if approx is None:
            poor = np.zeros(len(classes), dtype=np.bool_)
            near = np.ones(len(classes), dtype=np.bool_)
        else:
            gap = money - approx * sat
            tol = _NEAR * np.maximum(float(self.b), approx * sat)
            poor, near = gap < -tol, np.abs(gap) <= tol
        paid = self._exact_total(classes[poor], mult[poor])
        rest = int((mult * sat)[~poor].sum())
        near_idx = np.flatnonzero(near)
        exact = self._exact_money(classes[near_idx])
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
        return alpha, poor

    # choosing ----------------------------------------------------------------------------------

    def _new_classes(
        self, parents: IntArray, column: int, units: IntArray, price: Fraction
    ) -> IntArray:
        count = len(parents)
        first, self.classes = self.classes, self.classes + count
        if self.classes > len(self.money):
            grow = max(self.classes, 2 * len(self.money))
            self.money = np.resize(self.money, grow)
            charged = np.zeros((grow, self.charged.shape[1]), dtype=np.int64)
            charged[:first] = self.charged[:first]
            self.charged = charged
        new = np.arange(first, self.classes, dtype=np.int64)
        self.charged[new] = self.charged[parents]
        self.charged[new, column] = units
        self.money[new] = self.money[parents] - float(price) * units
        return new

    def fund(self, j: int, w: _Weighing) -> None:
        e, column = self.e, len(self.winners)
        price = w.alpha * self.scale[j]
        rich = ~w.poor
        target = np.zeros(int(w.keys[-1]) + 1 if len(w.keys) else 1, dtype=np.int64)
        target[w.keys[rich]] = self._new_classes(w.classes[rich], column, w.units[rich], price)
        groups = e.supporters[j]
        key = self.cls[groups] * e.span[j] + e.units[j]
        live = self.cls[groups] != 0
        groups, key = groups[live], key[live]
        emptied = groups[target[key] == 0]
        self.last_cls[emptied] = self.cls[emptied]
        self.empty_at[emptied] = column
        self.cls[groups] = target[key]
        self.prices.append(price)
        self.winners.append(j)
        self.support[j] = e.costs[j] / price
        self.cost += e.costs[j]

    def run(self, candidates: Sequence[int], limit: int | None) -> bool:
        """Rounds until nothing is affordable; False as soon as the cost passes `limit`."""
        e = self.e
        known = {
            j: Fraction(e.costs[j], e.points[j] * self.scale[j])
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
        emptied = int(self.empty_at[g])
        row = self.charged[int(self.last_cls[g] if emptied >= 0 else self.cls[g])]
        paid: dict[int, Fraction] = {}
        left = self.b
        for column, j in enumerate(self.winners):
            if column == emptied:
                if left:
                    paid[j] = left
                break
            if row[column]:
                paid[j] = self.prices[column] * int(row[column])
                left -= paid[j]
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

    def __repr__(self) -> str:
        return f"<payments of {len(self)} voters>"


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
    if not isinstance(budget, int) or not 0 <= budget <= MAX_AMOUNT:
        raise CountError(f"the budget must be a whole number from 0 to {MAX_AMOUNT}")
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
