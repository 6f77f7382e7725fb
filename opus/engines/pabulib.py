"""Reading and writing participatory-budgeting elections in the Pabulib format (.pb).

The interface below is fixed so the neighbourhoods app can export while the reader is built;
the format's notes belong here once it is written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


class PabulibError(ValueError):
    """A file that is not valid Pabulib: `line` is 1-based, `message` says what is wrong."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Election:
    meta: Mapping[str, str]  # META section: key → value (budget, vote_type, min_length, …)
    projects: Sequence[Mapping[str, str]]  # PROJECTS rows: column → value (project_id, cost, …)
    votes: Sequence[Mapping[str, str]]  # VOTES rows: column → value (voter_id, vote, points, …)


def parse(text: str) -> Election:
    """Read a .pb file's text; raise PabulibError naming the first bad line."""
    raise NotImplementedError


def write(election: Election) -> str:
    """The .pb text of an election (sections META, PROJECTS, VOTES; ';'-separated)."""
    raise NotImplementedError
