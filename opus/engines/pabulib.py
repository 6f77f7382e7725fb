"""Reading and writing participatory-budgeting elections in the Pabulib format (.pb).

The format (pabulib.org/format; Faliszewski et al., "Participatory Budgeting: Data, Tools and
Analysis", IJCAI 2023) is UTF-8 text in three sections, in this order, each starting with a
line holding only its name and then a header row; fields are separated by `;` and may be
quoted with `"` (so a name may hold a `;`):

    META                      PROJECTS                  VOTES
    key;value                 project_id;cost;…         voter_id;vote;points;…
    budget;1000               1;600;…                   1;1,2;
    vote_type;approval        2;400;…                   2;2;

META must give `budget`; `vote_type` is `approval` (the default when absent), `choose-1`,
`cumulative` or `ordinal`. PROJECTS needs `project_id` and `cost` (a number ≥ 0), ids unique.
VOTES needs `voter_id` (unique) and `vote`, the project ids a voter chose separated by commas;
cumulative ballots give their `points` in the same order. Other columns (`name`, `votes`,
`score`, `selected`, `age`, …) are kept as text and never read by the counting here.

Anything else is refused with `PabulibError(line, message)` naming the first bad line (1-based):
a missing, unknown or out-of-order section, a row with the wrong number of fields, a missing
required column, a cost or budget that is not a number, a duplicate project or voter id, a
ballot naming an unknown project or naming one twice, points that are not whole numbers ≥ 0.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from opus.engines import pb

SECTIONS = ("META", "PROJECTS", "VOTES")
VOTE_TYPES = ("approval", "choose-1", "cumulative", "ordinal")
REQUIRED = {"PROJECTS": ("project_id", "cost"), "VOTES": ("voter_id", "vote")}


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
    # Where each row was read from (1-based lines), for errors found after parsing; empty
    # for an election built in memory.
    meta_lines: Mapping[str, int] = field(default_factory=dict)
    project_lines: Sequence[int] = ()
    vote_lines: Sequence[int] = ()


# --- reading ------------------------------------------------------------------------------------


def _rows(text: str) -> list[tuple[int, list[str]]]:
    """Non-blank rows with the line each starts on (a quoted field may span lines)."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";", quotechar='"')
    rows, last = [], 0
    try:
        for row in reader:
            start, last = last + 1, reader.line_num
            if any(cell.strip() for cell in row):
                rows.append((start, [cell.strip() for cell in row]))
    except csv.Error as exc:
        raise PabulibError(reader.line_num, f"unreadable row ({exc})") from exc
    return rows


def _number(value: str, line: int, what: str) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or number < 0:
        raise PabulibError(line, f"{what} is not a number ≥ 0: {value!r}")
    if number > pb.MAX_AMOUNT:
        raise PabulibError(line, f"{what} is larger than {pb.MAX_AMOUNT}: {value!r}")
    return number


def _section_name(row: list[str]) -> str | None:
    if len(row) == 1 or all(not cell for cell in row[1:]):
        name = row[0].upper()
        if name in SECTIONS:
            return name
    return None


def _split_sections(
    rows: list[tuple[int, list[str]]], text: str
) -> dict[str, tuple[int, list[tuple[int, list[str]]]]]:
    sections: dict[str, tuple[int, list[tuple[int, list[str]]]]] = {}
    current: list[tuple[int, list[str]]] = []
    for line, row in rows:
        name = _section_name(row)
        if name is None:
            if len(row) == 1 and row[0].isalpha() and row[0].isupper():
                raise PabulibError(
                    line, f"unknown section {row[0]!r}: expected META, PROJECTS or VOTES"
                )
            if not sections:
                raise PabulibError(line, f"expected the META section, found {row[0][:40]!r}")
            current.append((line, row))
            continue
        expected = SECTIONS[len(sections)] if len(sections) < len(SECTIONS) else None
        if name != expected:
            where = f"{name} section out of order" if name in sections or expected else name
            raise PabulibError(line, f"{where}: expected {expected or 'no more sections'}")
        current = []
        sections[name] = (line, current)
    end = text.count("\n") + 1
    for name in SECTIONS:
        if name not in sections:
            raise PabulibError(end, f"the {name} section is missing")
    return sections


def _table(
    name: str, start: int, rows: list[tuple[int, list[str]]]
) -> list[tuple[int, dict[str, str]]]:
    if not rows:
        raise PabulibError(start, f"the {name} section has no header row")
    header_line, header = rows[0]
    if len(set(header)) != len(header):
        raise PabulibError(header_line, f"the {name} header names a column twice")
    for column in REQUIRED.get(name, ()):
        if column not in header:
            raise PabulibError(header_line, f"the {name} header has no {column} column")
    table = []
    for line, row in rows[1:]:
        if _section_name(row) is None and len(row) == 1 and row[0].isalpha() and len(header) > 1:
            raise PabulibError(line, f"unknown section {row[0]!r}")
        if len(row) != len(header):
            raise PabulibError(line, f"expected {len(header)} fields, found {len(row)}")
        table.append((line, dict(zip(header, row, strict=True))))
    return table


def _meta(start: int, rows: list[tuple[int, list[str]]]) -> tuple[dict[str, str], dict[str, int]]:
    meta: dict[str, str] = {}
    lines: dict[str, int] = {}
    for line, row in rows:
        if len(row) != 2:
            raise PabulibError(line, f"a META row has a key and a value; found {len(row)} fields")
        if (row[0].lower(), row[1].lower()) == ("key", "value") and not meta:
            continue
        if row[0] in meta:
            raise PabulibError(line, f"META gives {row[0]!r} twice")
        meta[row[0]], lines[row[0]] = row[1], line
    if "budget" not in meta:
        raise PabulibError(start, "the META section has no budget")
    _number(meta["budget"], lines["budget"], "budget")
    vote_type = meta.get("vote_type", "approval")
    if vote_type not in VOTE_TYPES:
        raise PabulibError(lines["vote_type"], f"unknown vote_type {vote_type!r}")
    return meta, lines


def _check_projects(table: list[tuple[int, dict[str, str]]]) -> set[str]:
    seen: dict[str, int] = {}
    for line, row in table:
        pid = row["project_id"]
        if not pid:
            raise PabulibError(line, "a project has no project_id")
        if pid in seen:
            raise PabulibError(line, f"project {pid} is listed twice (first on line {seen[pid]})")
        seen[pid] = line
        _number(row["cost"], line, f"the cost of project {pid}")
    return set(seen)


def _ids(value: str) -> list[str]:
    return [part.strip() for part in value.split(",")] if value.strip() else []


def _check_votes(
    table: list[tuple[int, dict[str, str]]], projects: set[str], cumulative: bool
) -> None:
    seen: dict[str, int] = {}
    for line, row in table:
        voter = row["voter_id"]
        if voter in seen:
            raise PabulibError(line, f"voter {voter} has two ballots (first on line {seen[voter]})")
        seen[voter] = line
        chosen = _ids(row["vote"])
        for pid in chosen:
            if pid not in projects:
                raise PabulibError(line, f"the ballot of voter {voter} names unknown project {pid}")
        if len(set(chosen)) != len(chosen):
            raise PabulibError(line, f"the ballot of voter {voter} names a project twice")
        if cumulative:
            _points(row, line, len(chosen))


def _points(row: Mapping[str, str], line: int, expected: int) -> list[int]:
    parts = _ids(row.get("points", ""))
    if len(parts) != expected or not all(
        part.isdigit() and int(part) <= pb.MAX_POINTS for part in parts
    ):
        raise PabulibError(
            line,
            f"points must be {expected} whole numbers from 0 to {pb.MAX_POINTS}, "
            "one for each project voted for",
        )
    return [int(part) for part in parts]


def parse(text: str) -> Election:
    """Read a .pb file's text; raise PabulibError naming the first bad line."""
    rows = _rows(text)
    if not rows:
        raise PabulibError(1, "the file is empty: expected the META section")
    sections = _split_sections(rows, text)
    meta_start, meta_rows = sections["META"]
    meta, meta_lines = _meta(meta_start, meta_rows)
    projects = _table("PROJECTS", *sections["PROJECTS"])
    votes = _table("VOTES", *sections["VOTES"])
    known = _check_projects(projects)
    cumulative = meta.get("vote_type") == "cumulative"
    if cumulative and votes and "points" not in votes[0][1]:
        raise PabulibError(sections["VOTES"][1][0][0], "cumulative ballots need a points column")
    _check_votes(votes, known, cumulative)
    return Election(
        meta=meta,
        projects=[row for _line, row in projects],
        votes=[row for _line, row in votes],
        meta_lines=meta_lines,
        project_lines=tuple(line for line, _row in projects),
        vote_lines=tuple(line for line, _row in votes),
    )


# --- writing ------------------------------------------------------------------------------------


def _columns(rows: Sequence[Mapping[str, str]], first: Sequence[str]) -> list[str]:
    columns = list(first)
    for row in rows:
        columns.extend(key for key in row if key not in columns)
    return columns


def write(election: Election) -> str:
    """The .pb text of an election (sections META, PROJECTS, VOTES; ';'-separated)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quotechar='"', lineterminator="\n")
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    writer.writerows([key, str(value)] for key, value in election.meta.items())
    for name, rows in (("PROJECTS", election.projects), ("VOTES", election.votes)):
        columns = _columns(rows, REQUIRED[name])
        writer.writerow([name])
        writer.writerow(columns)
        writer.writerows([str(row.get(column, "")) for column in columns] for row in rows)
    return out.getvalue()


# --- counting -----------------------------------------------------------------------------------


MAX_DECIMALS = 6


@dataclass(frozen=True)
class CountInput:
    projects: list[pb.Project]
    ballots: list[pb.Ballot]
    budget: int
    utility: pb.Utility  # cost for approval (and choose-1) ballots, points for cumulative
    # Costs and budget are whole multiples of 1/scale of the file's unit (100 for "12.50"):
    # count with `add1_unit=scale` so Add1 still adds one unit of the file's currency.
    scale: int = 1


def _amounts(election: Election) -> tuple[list[Decimal], Decimal, int]:
    lines = election.project_lines or [0] * len(election.projects)
    costs = [
        _number(row["cost"], line, f"the cost of project {row['project_id']}")
        for line, row in zip(lines, election.projects, strict=True)
    ]
    budget_line = election.meta_lines.get("budget", 0)
    budget = _number(election.meta["budget"], budget_line, "budget")
    places = 0
    for value, line in [*zip(costs, lines, strict=True), (budget, budget_line)]:
        exponent = value.normalize().as_tuple().exponent
        places = max(places, -exponent if isinstance(exponent, int) else 0)
        if places > MAX_DECIMALS:
            raise PabulibError(line, f"{value} has more than {MAX_DECIMALS} decimal places")
    scale = 10**places
    for value, line in [*zip(costs, lines, strict=True), (budget, budget_line)]:
        if value * scale > pb.MAX_AMOUNT:
            raise PabulibError(line, f"{value} is too large to count to {places} decimal places")
    return costs, budget, scale


def count_input(election: Election) -> CountInput:
    """What `pb.count` needs from an election: only the VOTES section's ballots are read (never
    the PROJECTS columns `votes`, `score` or `selected`). Amounts with decimals are counted in
    the smallest unit they use (see `CountInput.scale`)."""
    vote_type = election.meta.get("vote_type", "approval")
    if vote_type == "ordinal":
        raise PabulibError(
            election.meta_lines.get("vote_type", 1),
            "vote_type 'ordinal' cannot be counted here (approval, choose-1 and cumulative can)",
        )
    costs, budget, scale = _amounts(election)
    projects = [
        pb.Project(row["project_id"], int(cost * scale))
        for cost, row in zip(costs, election.projects, strict=True)
    ]
    cumulative = vote_type == "cumulative"
    vote_lines = election.vote_lines or [0] * len(election.votes)
    ballots = []
    for line, row in zip(vote_lines, election.votes, strict=True):
        chosen = _ids(row["vote"])
        points = _points(row, line, len(chosen)) if cumulative else [1] * len(chosen)
        ballots.append(pb.Ballot(row["voter_id"], dict(zip(chosen, points, strict=True))))
    utility: pb.Utility = "points" if cumulative else "cost"
    return CountInput(projects, ballots, int(budget * scale), utility, scale)
