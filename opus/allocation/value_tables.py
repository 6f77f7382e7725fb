"""Reading a council's value model and deflator table from CSV or JSON: all or nothing.

Every problem names the file, the row and the column; nothing is kept unless the whole file
reads. Opus ships no licensed values (National TOMs and HACT's values are CC BY-NC-ND): the
council loads the tables it holds a licence for, and the licence is recorded with them.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from opus.engines import wellbeing

METRIC_COLUMNS = ("theme", "outcome", "code", "name", "unit", "wellby_per_unit", "proxy_per_unit")
REQUIRED_TEXT = ("theme", "outcome", "code", "name", "unit")
DEFLATOR_COLUMNS = ("year", "index")
MAX_ROWS = 5000
MAX_BYTES = 2_000_000
YEARS = (1990, 2100)


class ValueTableError(ValueError):
    """A file that cannot be loaded; `field` is the form field it belongs to."""

    def __init__(self, message: str, field: str = "file") -> None:
        super().__init__(message)
        self.field = field


def _records(content: bytes, columns: tuple[str, ...]) -> list[dict[str, str]]:
    """Rows as dicts of text, from a CSV with a header or a JSON list of objects."""
    if len(content) > MAX_BYTES:
        raise ValueTableError(_("The file is larger than 2 MB"))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueTableError(_("The file must be UTF-8 text (CSV or JSON)")) from exc
    if text.lstrip().startswith(("[", "{")):
        return _json_records(text)
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    if missing:
        raise ValueTableError(_("The file has no column %(c)s") % {"c": ", ".join(missing)})
    return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]


def _json_records(text: str) -> list[dict[str, str]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueTableError(_("The file is not valid JSON: %(e)s") % {"e": exc.msg}) from exc
    if isinstance(data, dict):  # {"2019": 100, ...} for deflators
        data = [{"year": k, "index": v} for k, v in data.items()]
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise ValueTableError(_("A JSON file must be a list of objects"))
    return [{str(k): "" if v is None else str(v).strip() for k, v in r.items()} for r in data]


def _number(text: str, row: int, column: str, low: Decimal, high: Decimal) -> Decimal:
    try:
        value = Decimal(text.replace(",", "").lstrip("£"))
    except InvalidOperation as exc:
        raise ValueTableError(
            _("Row %(row)s, column %(col)s: %(text)s is not a number")
            % {"row": row, "col": column, "text": text[:20]}
        ) from exc
    if not value.is_finite() or not low <= value <= high:
        raise ValueTableError(
            _("Row %(row)s, column %(col)s: must be between %(low)s and %(high)s")
            % {"row": row, "col": column, "low": low, "high": high}
        )
    return value


def _metric(raw: dict[str, str], row: int) -> dict[str, Any]:
    for column in REQUIRED_TEXT:
        if not raw.get(column):
            raise ValueTableError(
                _("Row %(row)s, column %(col)s: is empty") % {"row": row, "col": column}
            )
    wellby, proxy = raw.get("wellby_per_unit", ""), raw.get("proxy_per_unit", "")
    if bool(wellby) == bool(proxy):
        raise ValueTableError(
            _("Row %(row)s: give either wellby_per_unit or proxy_per_unit, not both or neither")
            % {"row": row}
        )
    top = Decimal(wellbeing.MAX_PER_UNIT_WELLBY.numerator)
    metric: dict[str, Any] = {k: raw[k][:200] for k in REQUIRED_TEXT}
    metric["code"], metric["unit"] = raw["code"][:20], raw["unit"][:60]
    metric["theme"] = raw["theme"][:100]
    if wellby:
        metric["wellby_per_unit"] = _number(wellby, row, "wellby_per_unit", -top, top).quantize(
            Decimal("0.0001")
        )
    else:
        pounds = _number(proxy, row, "proxy_per_unit", Decimal(0), Decimal(1_000_000))
        metric["proxy_pence"] = int((pounds * 100).to_integral_value())
    return metric


def parse_value_model(content: bytes) -> list[dict[str, Any]]:
    """Metrics (theme, outcome, code, name, unit, and a WELLBY change or £ proxy per unit)."""
    records = _records(content, METRIC_COLUMNS)
    if not records:
        raise ValueTableError(_("The file has no metrics"))
    if len(records) > MAX_ROWS:
        raise ValueTableError(_("The file has more than %(n)s rows") % {"n": MAX_ROWS})
    metrics, codes = [], set()
    for row, raw in enumerate(records, start=2):
        metric = _metric(raw, row)
        if metric["code"] in codes:
            raise ValueTableError(
                _("Row %(row)s, column code: %(code)s appears twice")
                % {"row": row, "code": metric["code"]}
            )
        codes.add(metric["code"])
        metrics.append(metric)
    return metrics


def parse_deflators(content: bytes) -> dict[str, str]:
    """Year → index (as exact text), every year once, indices above 0, 2019 included."""
    records = _records(content, DEFLATOR_COLUMNS)
    indices: dict[str, str] = {}
    for row, raw in enumerate(records, start=2):
        year = _number(raw.get("year", ""), row, "year", Decimal(YEARS[0]), Decimal(YEARS[1]))
        index = _number(raw.get("index", ""), row, "index", Decimal("0.001"), Decimal(10_000))
        if year != year.to_integral_value() or str(int(year)) in indices:
            raise ValueTableError(
                _("Row %(row)s, column year: a whole year, each once") % {"row": row}
            )
        indices[str(int(year))] = str(index)
    if str(wellbeing.DEFAULT_PRICE_YEAR) not in indices:
        raise ValueTableError(_("The deflator table needs an index for 2019, the base year"))
    return indices
