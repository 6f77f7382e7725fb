"""Bad input to import_oruk at size (issue 13, "Bad input"): a feed of 50,000 records read a
file at a time, with records of the wrong type, duplicated ids and bad fields among them, gives
one line per problem naming file, record and field, and writes nothing without --partial; a
page that is not JSON after good pages stops the import with one line."""

from __future__ import annotations

import json
import uuid
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from opus.directory.importers.check import parse_feed
from opus.directory.importers.parse import feed_files
from opus.directory.models import Service
from opus.directory.tests.test_import_oruk import refused, snapshot

RECORDS = 50_000
PAGES = 5
NS = uuid.UUID("0d6f4c1e-5b7a-4c55-9f0e-2a7e3c9d1b20")


def record(n: int) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid5(NS, f"service:{n}")),
        "name": f"Service {n}",
        "status": "active",
        "organization": {"id": str(uuid.uuid5(NS, f"org:{n // 100}")), "name": f"Org {n // 100}"},
    }


def big_feed(folder: Path) -> Path:
    """PAGES page files of RECORDS services together, with four problems and one repeat:
    page_2 record 3 is text, not a service; page_3 record 7 gives record 1's id with other
    content; page_4 record 10 repeats record 2 exactly (passed over); page_5 record 9,999 has
    a minimum_age of -1; page_5 record 10,000 is null."""
    size = RECORDS // PAGES
    for page in range(PAGES):
        contents: list[Any] = [record(n) for n in range(page * size, (page + 1) * size)]
        if page == 1:
            contents[2] = "a service"
        if page == 2:
            contents[6] = record(0) | {"name": "Another name"}
        if page == 3:
            contents[9] = record(1)
        if page == 4:
            contents[-2]["minimum_age"] = -1
            contents[-1] = None
        body = {"total_items": RECORDS, "contents": contents}
        (folder / f"page_{page + 1}.json").write_text(json.dumps(body))
    return folder


@pytest.mark.django_db
def test_a_feed_of_50000_records_with_problems_gives_one_line_each_and_writes_nothing(tmp_path):
    before = snapshot()

    line, err = refused(big_feed(tmp_path))

    first = str(uuid.uuid5(NS, "service:0"))
    bad_age = str(uuid.uuid5(NS, f"service:{RECORDS - 2}"))
    assert err.splitlines() == [
        "import_oruk: page_2.json, record 3 (id ?): record: should be a service object, not text",
        f"import_oruk: page_3.json, record 7 (id {first}): id: is given again, differently; "
        "first in page_1.json, record 1",
        f"import_oruk: page_5.json, record 9999 (id {bad_age}): minimum_age: '-1' is not a "
        "whole number from 0 to 130",
        "import_oruk: page_5.json, record 10000 (id ?): record: should be a service object, "
        "not null",
    ]
    assert line == (
        f"import_oruk: 4 of {RECORDS - 1} services rejected from {tmp_path}, so nothing was "
        f"imported; correct them, or use --partial to import the other {RECORDS - 5}"
    )
    assert snapshot() == before


def test_each_file_is_read_when_its_records_are_wanted_and_not_kept(tmp_path):
    folder = tmp_path / "feed"
    folder.mkdir()
    (folder / "page_1.json").write_text(json.dumps({"contents": [record(1), record(2)]}))
    (folder / "page_2.json").write_text(json.dumps([record(3)]))
    files = feed_files(folder)

    assert [(f.name, f.count, f.sha256) for f in files] == [
        ("page_1.json", 0, ""),
        ("page_2.json", 0, ""),
    ]
    good, rejected, repeats = parse_feed(files)

    assert [p.service.fields["name"] for p in good] == ["Service 1", "Service 2", "Service 3"]
    assert (rejected, repeats) == ([], 0)
    assert [f.count for f in files] == [2, 1]
    assert all(len(f.sha256) == 64 for f in files)


@pytest.mark.django_db
def test_a_page_that_is_not_json_after_good_pages_stops_the_import_with_one_line(tmp_path):
    (tmp_path / "page_1.json").write_text(json.dumps({"contents": [record(1)]}))
    (tmp_path / "page_2.json").write_text('{"contents": [{"id": ')
    before = snapshot()

    line, err = refused(tmp_path, "--partial")

    assert line.startswith("import_oruk: page_2.json: the file is not JSON (")
    assert err == ""
    assert snapshot() == before


@pytest.mark.django_db
def test_with_partial_the_good_records_of_a_feed_with_problems_are_imported(tmp_path):
    folder = tmp_path / "feed"
    folder.mkdir()
    contents: list[Any] = [record(n) for n in range(200)]
    contents[5] = ["not", "a", "service"]
    contents[6] = record(0) | {"name": "Changed"}
    contents[7] = record(1)
    (folder / "page_1.json").write_text(json.dumps({"contents": contents}))
    out, err = StringIO(), StringIO()

    call_command("import_oruk", str(folder), "--partial", stdout=out, stderr=err)

    assert len(err.getvalue().splitlines()) == 2
    assert "record 6 (id ?): record: should be a service object, not a list" in err.getvalue()
    assert "record 7 (id " in err.getvalue() and "is given again, differently" in err.getvalue()
    assert Service.objects.filter(name__startswith="Service ").count() == 197
    assert "created 197, updated 0, unchanged 0, rejected 2 services" in out.getvalue()
