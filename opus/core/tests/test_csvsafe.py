import csv
import io
from decimal import Decimal

import pytest

from opus.core import csvsafe


def written(rows):
    out = io.StringIO()
    csvsafe.writer(out).writerows(rows)
    return list(csv.reader(io.StringIO(out.getvalue())))


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://evil.example","Refund")',
        "+1+1",
        "-2+3",
        "@SUM(A1:A2)",
        "\t=1",
        "\r=1",
        "-",
        "=",
    ],
)
def test_text_a_spreadsheet_would_run_gets_a_leading_apostrophe(text):
    assert written([[text]]) == [["'" + text]]


@pytest.mark.parametrize(
    "value", [-5, -12.5, Decimal("-3.10"), "-12.50", "-7", "12.50", 0, "plain", "a=b", "", None]
)
def test_numbers_and_harmless_text_are_written_as_they_are(value):
    expected = "" if value is None else str(value)
    assert written([[value]]) == [[expected]]


def test_the_dict_writer_makes_values_and_header_safe():
    out = io.StringIO()
    writer = csvsafe.DictWriter(out, fieldnames=["name", "=count"])
    writer.writeheader()
    writer.writerows([{"name": "@evil", "=count": -3}])
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ["name", "'=count"],
        ["'@evil", "-3"],
    ]


def test_every_csv_opus_writes_goes_through_the_safe_writer():
    from pathlib import Path

    root = Path(csvsafe.__file__).resolve().parents[1]
    # The demo's needs file is input for Opus's own upload, never opened in a spreadsheet; a
    # Pabulib file (.pb) is input for counting tools, and its published SHA-256 must match the
    # ballots exactly, so escaping a cell would break what it proves.
    allowed = {
        root / "core" / "csvsafe.py",
        root / "needs" / "demo.py",
        root / "engines" / "pabulib.py",
    }
    unsafe = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tests" not in path.parts
        and path not in allowed
        and ("csv.writer(" in path.read_text() or "csv.DictWriter(" in path.read_text())
    ]
    assert unsafe == []
