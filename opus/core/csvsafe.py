"""CSV that spreadsheets open as data, never as formulas (CSV injection).

A cell whose text starts with =, +, -, @, a tab or a carriage return is read by Excel, LibreOffice
and Google Sheets as a formula: a memo like `=HYPERLINK("http://evil.example", "Refund")` would
reach a resident's downloaded statement as a live link. Following OWASP's advice, such text gets
a leading apostrophe, which spreadsheets show as text. Numbers stay numbers: int, float and
Decimal values are written as they are, and so is text that is only a number ("-12.50"), so
negative amounts still add up in a spreadsheet.

Every download starts with a UTF-8 byte-order mark, so Excel opens "£" and "é" as written rather
than as "Â£" and "Ã©": `writer` and `DictWriter` put it first whenever they are handed an empty
`HttpResponse`, and `download` makes such a response (with the text already written, if given).

Use `writer` and `DictWriter` from here instead of the `csv` module's whenever Opus writes a CSV.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.http import HttpResponse

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def safe_cell(value: Any) -> Any:
    """The value to write: text that a spreadsheet would run as a formula, made inert."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and not PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def _start(out: Any) -> None:
    """A download (an HTTP response with nothing in it yet) begins with the byte-order mark."""
    if isinstance(out, HttpResponse) and not out.content:
        out.write(BOM)


def download(filename: str, text: str = "") -> HttpResponse:
    """An empty CSV attachment named `filename` starting with the byte-order mark (then `text`)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write(BOM + text.removeprefix(BOM))
    return response


class SafeWriter:
    """`csv.writer` whose rows are made safe cell by cell."""

    def __init__(self, out: Any, *args: Any, **kwargs: Any) -> None:
        _start(out)
        self._writer = csv.writer(out, *args, **kwargs)

    @property
    def dialect(self) -> Any:
        return self._writer.dialect

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([safe_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out: Any, *args: Any, **kwargs: Any) -> SafeWriter:
    return SafeWriter(out, *args, **kwargs)


class DictWriter(csv.DictWriter):  # type: ignore[type-arg]
    """`csv.DictWriter` whose values (and header) are made safe cell by cell."""

    def __init__(self, f: Any, *args: Any, **kwargs: Any) -> None:
        _start(f)
        super().__init__(f, *args, **kwargs)

    def writerow(self, rowdict: Mapping[str, Any]) -> Any:
        return super().writerow({k: safe_cell(v) for k, v in rowdict.items()})

    def writerows(self, rowdicts: Iterable[Mapping[str, Any]]) -> None:
        for row in rowdicts:
            self.writerow(row)
