"""Partner agencies' indicator data as CSV: checked whole, then stored as one versioned dataset.

Layout (one row per area, period and group):

    area_code,period,breakdown,group,numerator,denominator[,count_0_4,…,count_90_plus]

- area_code: an ONS code of an area Opus knows (LSOA, ward or authority).
- breakdown: all, sex, age_band, ethnic_group, disability or deprivation_decile; group names
  the group
  (blank for all; male/female for sex).
- numerator/denominator: the count and its population. For directly or indirectly
  standardised rates, give the 19 count_ columns (ESP bands 0–4 … 90+) instead of a
  denominator: the populations come from the geography.
- life expectancy: deaths_0, deaths_1_4, … deaths_90_plus and pop_0 … pop_90_plus (the 20
  life-table bands) instead of numerator and denominator.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from django.utils.translation import gettext

from opus.core.models import AGE_BANDS, Area
from opus.needs.models import Breakdown, Indicator, Method

BAND_COLUMNS = [
    "count_" + band.replace("-", "_").replace("+", "_plus") for band in AGE_BANDS
]  # count_0_4 … count_90_plus
LIFE_TABLE_BANDS = ["0", "1_4", *[f"{a}_{a + 4}" for a in range(5, 90, 5)], "90_plus"]
DEATH_COLUMNS = [f"deaths_{band}" for band in LIFE_TABLE_BANDS]  # deaths_0 … deaths_90_plus
POPULATION_COLUMNS = [f"pop_{band}" for band in LIFE_TABLE_BANDS]  # pop_0 … pop_90_plus
REQUIRED = ["area_code", "period", "breakdown", "group", "numerator"]
BANDED = {Method.DSR, Method.ISR}
LIFE_TABLE = {Method.LIFE_EXPECTANCY}
SUPPORTED = {Method.PROPORTION, Method.CRUDE_RATE, Method.DSR, Method.ISR, Method.LIFE_EXPECTANCY}


# Bounds on what a file may hold: every cell is a count of people or events, or a short name.
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_COUNT = 1_000_000_000  # per cell; England has under 60 million people
MAX_CELL_CHARS = 200
MAX_GROUP_CHARS = 80  # a group's name becomes part of a priority's label
MAX_COLUMNS = 100
MAX_ERRORS = 100  # bad cells reported from one file; past that they are only counted
TEXT_COLUMNS = ("area_code", "period", "breakdown", "group")
FORMULA_STARTS = ("=", "+", "-", "@")
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
WHOLE = re.compile(r"[0-9]{1,30}")
PROGRESS_EVERY = 5_000  # rows
BREAKDOWNS = frozenset(Breakdown.values)  # Breakdown.values builds a list each time: slow per row
ALLOWED_BREAKDOWNS = ", ".join(Breakdown.values)
DECILES = frozenset(str(d) for d in range(1, 11))

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Problem:
    """One bad cell: where it is, what it holds and what is wrong with it."""

    text: str  # the whole sentence: file, row, column and what is wrong
    row: int | None = None
    column: str = ""
    value: str = ""
    message: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message or self.text,
        }


class UploadError(ValueError):
    """Bad cells: each message names the file, row and column; str() is the first.

    `problems` are the first MAX_ERRORS bad cells; `total` counts them all.
    """

    def __init__(
        self,
        message: str,
        errors: list[str] | None = None,
        *,
        problems: list[Problem] | None = None,
        total: int | None = None,
    ) -> None:
        super().__init__(message)
        self.problems = problems or [Problem(message)]
        self.errors = errors or [p.text for p in self.problems]
        self.total = max(total or 0, len(self.errors))

    @property
    def more(self) -> int:
        """Bad cells found beyond those reported."""
        return self.total - len(self.errors)

    def problems_as_dicts(self) -> list[dict[str, Any]]:
        return [p.as_dict() for p in self.problems]


@dataclass
class ParsedUpload:
    sha256: str
    rows: int
    arrays: dict[str, np.ndarray] = field(default_factory=dict)


def safe_file_name(name: str) -> str:
    """The uploaded file's name as shown and stored: no control characters, at most 200."""
    return CONTROL.sub("", name or "").strip()[:200] or "upload.csv"


def _shown(text: str) -> str:
    """A cell's text quoted in a message: control characters made visible, long text cut."""
    text = CONTROL.sub("\N{REPLACEMENT CHARACTER}", text)
    return text if len(text) <= 40 else text[:40] + "…"


def _fail(file_name: str, row: int, column: str, message: str) -> UploadError:
    text = f'{file_name}, row {row}, column "{_shown(column)}": {message}'
    return UploadError(text, problems=[Problem(text, row, column, "", message)])


class _Collect:
    """Runs checks of one row, keeping every bad cell instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def run(self, check: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return check(*args, **kwargs)
        except UploadError as exc:
            self.problems.extend(exc.problems)
            return None

    def stop(self) -> None:
        """Raise every problem found so far, if there is one."""
        if self.problems:
            raise UploadError(self.problems[0].text, problems=self.problems)


def _raise(error: UploadError) -> None:
    raise error


def _count(
    text: str, file_name: str, row: int, column: str, *, required: bool, positive: bool = False
) -> float:
    """A whole number from 0 (1 if positive) to MAX_COUNT; nan for an empty optional cell."""
    text = (text or "").strip()
    if text == "":
        if required:
            raise _fail(file_name, row, column, gettext("a value is needed"))
        return math.nan
    if WHOLE.fullmatch(text):
        value = float(int(text))
    else:
        value = _not_whole(text, file_name, row, column)
    if value > MAX_COUNT:
        message = gettext("'%(text)s' is more than %(most)s, the largest count Opus accepts")
        raise _fail(
            file_name, row, column, message % {"text": _shown(text), "most": f"{MAX_COUNT:,}"}
        )
    if positive and value == 0:
        message = gettext("must be more than 0: a rate needs people to be out of")
        raise _fail(file_name, row, column, message)
    return value


def _not_whole(text: str, file_name: str, row: int, column: str) -> float:
    """A number written other than in digits: accepted only if it is a whole number (12.0, 1e3)."""
    try:
        value = float(text)
    except ValueError:
        message = gettext("'%(text)s' is not a number")
        raise _fail(file_name, row, column, message % {"text": _shown(text)}) from None
    if not math.isfinite(value):
        message = gettext("'%(text)s' is not a number Opus can use: give a whole number")
        raise _fail(file_name, row, column, message % {"text": _shown(text)})
    if value < 0:
        message = gettext("'%(text)s' must be a whole number of 0 or more")
        raise _fail(file_name, row, column, message % {"text": _shown(text)})
    if not value.is_integer():
        message = gettext("'%(text)s' is not a whole number: counts are of whole people or events")
        raise _fail(file_name, row, column, message % {"text": _shown(text)})
    return value


def _check_text(cell: str, file_name: str, row: int, column: str) -> None:
    """Any cell: not over-long, no control characters; a text cell: no spreadsheet formula."""
    if len(cell) > MAX_CELL_CHARS:
        message = gettext("this cell has %(n)s characters; the most a cell may have is %(most)s")
        raise _fail(
            file_name, row, column, message % {"n": f"{len(cell):,}", "most": MAX_CELL_CHARS}
        )
    if CONTROL.search(cell):
        message = gettext(
            "this cell contains a control character (such as NUL, a tab or a line break): remove it"
        )
        raise _fail(file_name, row, column, message)
    if column in TEXT_COLUMNS and cell.strip().startswith(FORMULA_STARTS):
        message = gettext(
            "'%(text)s' starts with %(first)s, which spreadsheets run as a formula: remove it"
        )
        stripped = cell.strip()
        raise _fail(
            file_name, row, column, message % {"text": _shown(stripped), "first": stripped[0]}
        )


def _check_cells(
    cells: list[str], columns: list[str], text_at: list[int], file_name: str, row: int
) -> None:
    """Every cell of the row: the fast test first, the naming of the bad cell only if it fails."""
    if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
        message = gettext("this row has %(n)s cells but the header row names %(columns)s columns")
        where = f"{len(columns) + 1}"
        raise _fail(file_name, row, where, message % {"n": len(cells), "columns": len(columns)})
    suspect = (
        max(map(len, cells)) > MAX_CELL_CHARS
        or CONTROL.search("".join(cells))
        or any(cells[i].lstrip().startswith(FORMULA_STARTS) for i in text_at if i < len(cells))
    )
    if suspect:
        found = _Collect()
        for column, cell in zip(columns, cells, strict=False):
            found.run(_check_text, cell, file_name, row, column)
        found.stop()


def _header(cells: list[str], indicator: Indicator, file_name: str) -> list[str]:
    if len(cells) > MAX_COLUMNS:
        message = gettext("the header row has %(n)s columns; the most is %(most)s")
        raise _fail(
            file_name, 1, cells[MAX_COLUMNS], message % {"n": len(cells), "most": MAX_COLUMNS}
        )
    for i, cell in enumerate(cells, start=1):
        if len(cell) > MAX_CELL_CHARS or CONTROL.search(cell):
            _check_text(cell, file_name, 1, str(i))
    columns = [c.strip() for c in cells]
    if indicator.method in LIFE_TABLE:
        needed = REQUIRED[:4] + DEATH_COLUMNS + POPULATION_COLUMNS
    else:
        needed = REQUIRED + (BAND_COLUMNS if indicator.method in BANDED else ["denominator"])
    missing = [c for c in needed if c not in columns]
    if missing:
        message = gettext("this column is missing from the header row")
        raise _fail(file_name, 1, missing[0], message)
    return columns


def _where(
    record: dict[str, str], n: int, file_name: str, codes: dict[str, int], period: str
) -> tuple[int, str, str]:
    """The row's area, breakdown and group (every bad one of the three reported)."""
    found = _Collect()
    area = found.run(_area, record, n, file_name, codes)
    found.run(_period, record, n, file_name, period)
    where = found.run(_breakdown_group, record, n, file_name)
    found.stop()
    return area, *where


def _area(record: dict[str, str], n: int, file_name: str, codes: dict[str, int]) -> int:
    code = (record.get("area_code") or "").strip().upper()
    if code not in codes:
        raise _fail(file_name, n, "area_code", f"'{_shown(code)}' is not an area Opus knows")
    return codes[code]


def _period(record: dict[str, str], n: int, file_name: str, period: str) -> None:
    if (record.get("period") or "").strip() != period:
        raise _fail(file_name, n, "period", f"expected {period}, the period being uploaded")


def _breakdown_group(record: dict[str, str], n: int, file_name: str) -> tuple[str, str]:
    breakdown = (record.get("breakdown") or "").strip().lower() or Breakdown.ALL
    if breakdown not in BREAKDOWNS:
        message = f"'{_shown(breakdown)}' is not one of {ALLOWED_BREAKDOWNS}"
        raise _fail(file_name, n, "breakdown", message)
    group = (record.get("group") or "").strip()
    if breakdown != Breakdown.ALL and not group:
        raise _fail(file_name, n, "group", "name the group this row is about")
    if len(group) > MAX_GROUP_CHARS:
        message = gettext("a group's name may have at most %(most)s characters")
        raise _fail(file_name, n, "group", message % {"most": MAX_GROUP_CHARS})
    if breakdown == Breakdown.SEX and group.lower() not in {"male", "female"}:
        raise _fail(file_name, n, "group", f"'{_shown(group)}' should be male or female")
    if breakdown == Breakdown.DEPRIVATION_DECILE and group not in DECILES:
        raise _fail(file_name, n, "group", f"'{_shown(group)}' should be a decile from 1 to 10")
    return breakdown, group.lower() if breakdown == Breakdown.SEX else group


def _counts(record: dict[str, str], n: int, file_name: str, columns: list[str]) -> list[float]:
    found = _Collect()
    values = [found.run(_count, record.get(c, ""), file_name, n, c, required=True) for c in columns]
    found.stop()
    return values


def _figures(
    record: dict[str, str], n: int, file_name: str, method: str
) -> tuple[float, float, list[float], list[float]]:
    """Numerator, denominator, counts by age band and (for life tables) populations by band."""
    found = _Collect()
    if method in LIFE_TABLE:
        deaths = found.run(_counts, record, n, file_name, DEATH_COLUMNS)
        pops = found.run(_counts, record, n, file_name, POPULATION_COLUMNS)
        pairs = zip(DEATH_COLUMNS, deaths, pops, strict=True) if deaths and pops else []
        for column, died, lived in pairs:
            if died > lived:
                found.run(
                    _raise, _fail(file_name, n, column, "more deaths than people in this age band")
                )
        found.stop()
        return sum(deaths), sum(pops), deaths, pops
    if method in BANDED:
        bands = found.run(_counts, record, n, file_name, BAND_COLUMNS)
        numerator = found.run(
            _count, record.get("numerator", ""), file_name, n, "numerator", required=False
        )
        found.stop()
        return (sum(bands) if math.isnan(numerator) else numerator), math.nan, bands, []
    numerator = found.run(
        _count, record.get("numerator", ""), file_name, n, "numerator", required=True
    )
    denominator = found.run(
        _count,
        record.get("denominator", ""), file_name, n, "denominator", required=True, positive=True,
    )  # fmt: skip
    found.stop()
    if method == Method.PROPORTION and numerator > denominator:
        message = "a proportion's numerator cannot exceed its denominator"
        raise _fail(file_name, n, "numerator", message)
    return numerator, denominator, [], []


def _decode(content: bytes, file_name: str) -> str:
    if len(content) > MAX_UPLOAD_BYTES:
        message = gettext("%(file)s: the file must be smaller than %(most)s MB")
        raise UploadError(message % {"file": file_name, "most": MAX_UPLOAD_BYTES // 2**20})
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UploadError(
            f"{file_name}: the file is not UTF-8 text (save it as CSV UTF-8)"
        ) from None


def _records(text: str, file_name: str) -> Iterator[tuple[int, list[str]]]:
    """Each record with its row number (the header is row 1), a broken one as UploadError."""
    reader = csv.reader(io.StringIO(text, newline=""))
    n = 0
    while True:
        n += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _broken(exc, file_name, n) from None
        yield n, cells


def _broken(exc: csv.Error, file_name: str, n: int) -> UploadError:
    if "field larger than field limit" in str(exc):
        message = gettext(
            "%(file)s, row %(row)s: a cell is over %(limit)s characters long; "
            "the most a cell may have is %(most)s"
        )
        limit = f"{csv.field_size_limit():,}"
        detail = {"file": file_name, "row": n, "limit": limit, "most": MAX_CELL_CHARS}
        return UploadError(message % detail)
    message = gettext("%(file)s, row %(row)s: this row cannot be read as CSV (%(why)s)")
    return UploadError(message % {"file": file_name, "row": n, "why": _shown(str(exc))})


def parse_upload(
    content: bytes,
    file_name: str,
    indicator: Indicator,
    period: str,
    progress: Progress | None = None,
) -> ParsedUpload:
    """Check every row and return the dataset's columns.

    Raises UploadError naming every bad cell, up to MAX_ERRORS (each by file, row, column and
    value), with the count of them all.
    """
    file_name = safe_file_name(file_name)
    if indicator.method not in SUPPORTED:
        raise UploadError(
            f"{file_name}: uploads for {indicator.get_method_display()} are not supported yet"
        )
    text = _decode(content, file_name)
    expected = text.count("\n")
    records = _records(text, file_name)
    try:
        _, first = next(records)
    except StopIteration:
        raise UploadError(f"{file_name}: there are no data rows under the header") from None
    columns = _header(first, indicator, file_name)
    codes = dict(Area.objects.values_list("code", "pk"))
    checker = _Rows(file_name, columns, codes, period, indicator.method)
    rows, problems, total = _check_rows(records, checker, progress, expected)
    if problems:
        raise UploadError(problems[0].text, problems=problems, total=total)
    if not rows:
        raise UploadError(f"{file_name}: there are no data rows under the header")
    return ParsedUpload(hashlib.sha256(content).hexdigest(), len(rows), _columns(rows, indicator))


@dataclass
class _Rows:
    """What every row is checked against, and the keys of the rows seen so far."""

    file_name: str
    columns: list[str]
    codes: dict[str, int]
    period: str
    method: str
    seen: set[tuple[int, str, str]] = field(default_factory=set)

    def __post_init__(self) -> None:
        # The fast test looks for a formula in the group only: the free text. The other text
        # columns must match a known code, so a formula there is refused all the same.
        self.text_at = [i for i, c in enumerate(self.columns) if c == "group"]

    def check(self, n: int, cells: list[str]) -> tuple:
        file_name = self.file_name
        if len(cells) > MAX_COLUMNS:
            message = gettext("this row has %(n)s cells; the most is %(most)s")
            detail = {"n": len(cells), "most": MAX_COLUMNS}
            raise _fail(file_name, n, str(MAX_COLUMNS + 1), message % detail)
        record = dict(zip(self.columns, cells, strict=False))
        found = _Collect()
        found.run(_check_cells, cells, self.columns, self.text_at, file_name, n)
        key = found.run(_where, record, n, file_name, self.codes, self.period)
        figures = found.run(_figures, record, n, file_name, self.method)
        if found.problems:
            problems = _with_values(found.problems, record)
            raise UploadError(problems[0].text, problems=problems)
        parsed = (*key, *figures)
        if key in self.seen:
            raise _fail(file_name, n, "area_code", "this area and group already has a row above")
        self.seen.add(key)
        return parsed


def _with_values(problems: list[Problem], record: dict[str, str]) -> list[Problem]:
    """Each cell once (the first thing wrong with it), with the text it holds."""
    seen: set[str] = set()
    kept = []
    for problem in problems:
        if problem.column in seen:
            continue
        seen.add(problem.column)
        kept.append(replace(problem, value=_shown(record.get(problem.column) or "")))
    return kept


def _check_rows(
    records: Iterator[tuple[int, list[str]]],
    checker: _Rows,
    progress: Progress | None,
    expected: int,
) -> tuple[list[tuple], list[Problem], int]:
    """The good rows, the first MAX_ERRORS bad cells and how many bad cells there are."""
    rows: list[tuple] = []
    problems: list[Problem] = []
    total = 0

    def found(error: UploadError) -> None:
        nonlocal total
        total += len(error.problems)
        problems.extend(error.problems[: max(0, MAX_ERRORS - len(problems))])

    try:
        for n, cells in records:
            if progress and n % PROGRESS_EVERY == 0:
                progress(n, max(expected, n), f"Checked {n:,} of about {expected:,} rows")
            if not cells:
                continue
            try:
                row = checker.check(n, cells)
            except UploadError as exc:
                found(exc)
            else:
                if not total:  # once a cell is bad nothing is stored: no need to keep rows
                    rows.append(row)
    except UploadError as exc:  # the CSV itself broke off
        found(exc)
    return rows, problems, total


def _columns(rows: list[tuple], indicator: Indicator) -> dict[str, np.ndarray]:
    area_ids, breakdowns, groups, numerators, denominators, bands, band_pops = zip(
        *rows, strict=True
    )
    arrays = {
        "area_id": np.array(area_ids, dtype=np.int64),
        "breakdown": np.array(breakdowns, dtype=str),
        "group": np.array(groups, dtype=str),
        "numerator": np.array(numerators, dtype=np.float64),
        "denominator": np.array(denominators, dtype=np.float64),
    }
    if indicator.method in BANDED | LIFE_TABLE:
        arrays["bands"] = np.array(bands, dtype=np.float64)
    if indicator.method in LIFE_TABLE:
        arrays["band_pops"] = np.array(band_pops, dtype=np.float64)
    return arrays


FIGURE_METHODS = (Method.PROPORTION, Method.CRUDE_RATE)


def parsed_from_counts(indicator: Indicator, rows: list[tuple[Area, int, int]]) -> ParsedUpload:
    """Counts for whole areas (area, numerator, denominator; everyone), checked as a file's are."""
    if indicator.method not in FIGURE_METHODS:
        message = gettext("Counts can be stored only for a proportion or a crude rate")
        raise UploadError(message)
    for area, numerator, denominator in rows:
        if not (0 <= numerator <= MAX_COUNT and 0 < denominator <= MAX_COUNT):
            message = gettext("%(area)s: give whole numbers of people, more than 0 in the total")
            raise UploadError(message % {"area": area.code})
        if indicator.method == Method.PROPORTION and numerator > denominator:
            message = gettext("%(area)s: a proportion's numerator cannot exceed its denominator")
            raise UploadError(message % {"area": area.code})
    text = "".join(f"{area.code},{n},{d}\n" for area, n, d in rows)
    arrays = {
        "area_id": np.array([area.pk for area, _, _ in rows], dtype=np.int64),
        "breakdown": np.array(["all"] * len(rows), dtype=str),
        "group": np.array([""] * len(rows), dtype=str),
        "numerator": np.array([n for _, n, _ in rows], dtype=np.float64),
        "denominator": np.array([d for _, _, d in rows], dtype=np.float64),
    }
    return ParsedUpload(hashlib.sha256(text.encode()).hexdigest(), len(rows), arrays)
