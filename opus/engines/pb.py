"""Counting participatory-budgeting ballots: greedy and the Method of Equal Shares.

The interface below is fixed so the neighbourhoods app can be built beside the counting;
the algorithm notes belong here once it is written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

Rule = Literal["greedy", "equal-shares"]
Utility = Literal["cost", "points"]  # cost utilities for approval ballots, points for cumulative
Completion = Literal["add1", "none"]


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


def tie_order(projects: Sequence[Project], ballots: Sequence[Ballot], seed: str) -> tuple[str, ...]:
    """The published order ties are broken in: lower cost, then more votes, then a lot drawn
    from `seed` (published before counting)."""
    raise NotImplementedError


def count(
    projects: Sequence[Project], ballots: Sequence[Ballot], budget: int, variant: Variant
) -> Outcome:
    """Count `ballots` for `projects` within `budget` by `variant`."""
    raise NotImplementedError


def receipt(outcome: Outcome, voter: str) -> Mapping[str, Fraction]:
    """What one voter's share helped fund: project id → amount paid (Equal Shares), or the
    funded projects they supported with their cost (greedy)."""
    raise NotImplementedError
