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
from dataclasses import dataclass, field

import numpy as np

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


class UploadError(ValueError):
    """A bad cell: names the file, row and column."""


@dataclass
class ParsedUpload:
    sha256: str
    rows: int
    arrays: dict[str, np.ndarray] = field(default_factory=dict)


def _fail(file_name: str, row: int, column: str, message: str) -> UploadError:
    return UploadError(f'{file_name}, row {row}, column "{column}": {message}')


def _number(text: str, file_name: str, row: int, column: str, *, required: bool) -> float:
    text = (text or "").strip()
    if text == "":
        if required:
            raise _fail(file_name, row, column, "a value is needed")
        return math.nan
    try:
        value = float(text)
    except ValueError:
        raise _fail(file_name, row, column, f"'{text}' is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise _fail(file_name, row, column, f"'{text}' must be a number of 0 or more")
    return value


def _header(reader: csv.DictReader, indicator: Indicator, file_name: str) -> None:
    columns = [c.strip() for c in (reader.fieldnames or [])]
    reader.fieldnames = columns
    if indicator.method in LIFE_TABLE:
        needed = REQUIRED[:4] + DEATH_COLUMNS + POPULATION_COLUMNS
    else:
        needed = REQUIRED + (BAND_COLUMNS if indicator.method in BANDED else ["denominator"])
    missing = [c for c in needed if c not in columns]
    if missing:
        raise _fail(file_name, 1, missing[0], "this column is missing from the header row")


def _where(
    record: dict[str, str], n: int, file_name: str, codes: dict[str, int], period: str
) -> tuple[int, str, str]:
    """The row's area, breakdown and group."""
    code = (record.get("area_code") or "").strip().upper()
    if code not in codes:
        raise _fail(file_name, n, "area_code", f"'{code}' is not an area Opus knows")
    if (record.get("period") or "").strip() != period:
        raise _fail(file_name, n, "period", f"expected {period}, the period being uploaded")
    breakdown = (record.get("breakdown") or "").strip().lower() or Breakdown.ALL
    if breakdown not in Breakdown.values:
        allowed = ", ".join(Breakdown.values)
        raise _fail(file_name, n, "breakdown", f"'{breakdown}' is not one of {allowed}")
    group = (record.get("group") or "").strip()
    if breakdown != Breakdown.ALL and not group:
        raise _fail(file_name, n, "group", "name the group this row is about")
    if breakdown == Breakdown.SEX and group.lower() not in {"male", "female"}:
        raise _fail(file_name, n, "group", f"'{group}' should be male or female")
    if breakdown == Breakdown.DEPRIVATION_DECILE and group not in {str(d) for d in range(1, 11)}:
        raise _fail(file_name, n, "group", f"'{group}' should be a decile from 1 to 10")
    return codes[code], breakdown, group.lower() if breakdown == Breakdown.SEX else group


def _numbers(record: dict[str, str], n: int, file_name: str, columns: list[str]) -> list[float]:
    return [_number(record.get(c, ""), file_name, n, c, required=True) for c in columns]


def _figures(
    record: dict[str, str], n: int, file_name: str, method: str
) -> tuple[float, float, list[float], list[float]]:
    """Numerator, denominator, counts by age band and (for life tables) populations by band."""
    if method in LIFE_TABLE:
        deaths = _numbers(record, n, file_name, DEATH_COLUMNS)
        pops = _numbers(record, n, file_name, POPULATION_COLUMNS)
        for column, died, lived in zip(DEATH_COLUMNS, deaths, pops, strict=True):
            if died > lived:
                raise _fail(file_name, n, column, "more deaths than people in this age band")
        return sum(deaths), sum(pops), deaths, pops
    if method in BANDED:
        bands = _numbers(record, n, file_name, BAND_COLUMNS)
        numerator = _number(record.get("numerator", ""), file_name, n, "numerator", required=False)
        return (sum(bands) if math.isnan(numerator) else numerator), math.nan, bands, []
    numerator = _number(record.get("numerator", ""), file_name, n, "numerator", required=True)
    denominator = _number(record.get("denominator", ""), file_name, n, "denominator", required=True)
    if method == Method.PROPORTION and numerator > denominator:
        message = "a proportion's numerator cannot exceed its denominator"
        raise _fail(file_name, n, "numerator", message)
    return numerator, denominator, [], []


def parse_upload(content: bytes, file_name: str, indicator: Indicator, period: str) -> ParsedUpload:
    """Check every row and return the dataset's columns; raise UploadError at the first bad cell."""
    if indicator.method not in SUPPORTED:
        raise UploadError(
            f"{file_name}: uploads for {indicator.get_method_display()} are not supported yet"
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UploadError(
            f"{file_name}: the file is not UTF-8 text (save it as CSV UTF-8)"
        ) from None
    reader = csv.DictReader(io.StringIO(text))
    _header(reader, indicator, file_name)
    codes = dict(Area.objects.values_list("code", "pk"))
    rows, seen = [], set()
    for n, record in enumerate(reader, start=2):
        key = _where(record, n, file_name, codes, period)
        parsed = (*key, *_figures(record, n, file_name, indicator.method))
        if key in seen:
            raise _fail(file_name, n, "area_code", "this area and group already has a row above")
        seen.add(key)
        rows.append(parsed)
    if not rows:
        raise UploadError(f"{file_name}: there are no data rows under the header")
    return ParsedUpload(hashlib.sha256(content).hexdigest(), len(rows), _columns(rows, indicator))


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
