"""import_oruk streams its feed (issue 13, "Bad input" and "Performance"): the bytes are
checked for depth as they are read, records are checked and written a batch at a time in one
transaction, a record may point at what a later batch gives, a rejection in the last batch
still means nothing is imported without --partial, and what this import created is not
"changed" by a later batch giving it again."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from opus.core.models import AuditEvent, Organisation
from opus.directory.importers.parse import DepthGuard, FeedFile
from opus.directory.importers.run import import_feed
from opus.directory.models import Location, Service
from opus.directory.tests.test_import_oruk import snapshot

NS = uuid.UUID("6c1d2f0e-8a55-4b8e-a8f1-3f5e2b7c9d41")


def uid(name: str) -> str:
    return str(uuid.uuid5(NS, name))


def record(n: int, **changes: Any) -> dict[str, Any]:
    return {
        "id": uid(f"service:{n}"),
        "name": f"Streamed service {n}",
        "status": "active",
        "organization": {"id": uid("org"), "name": "Streamed organisation"},
    } | changes


def page(path: Path, records: list[Any]) -> Path:
    path.write_text(json.dumps({"total_items": len(records), "contents": records}))
    return path


# Depth, on the bytes


@pytest.mark.parametrize(
    "value",
    [
        {"a": ['x[[[{\\"', "\\\\", '"]]]', [[[1]]]], "b": "[" * 100},
        [[["]]]"], {"k": "{{{\\\\"}], []],
        {"s": 'quote \\" then [ and \\\\" then {'},
    ],
)
@pytest.mark.parametrize("size", [1, 2, 3, 7, 4096])
def test_the_depth_guard_counts_brackets_outside_strings_however_the_bytes_are_cut(value, size):
    data = json.dumps(value).encode()

    guard = DepthGuard()
    for start in range(0, len(data), size):
        guard.feed(data[start : start + size])

    assert (guard.deepest, guard.depth) == (depth(value), 0)


def depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    return 0


def test_a_page_whose_contents_come_last_and_a_byte_order_mark_are_read(tmp_path):
    path = tmp_path / "feed.json"
    body = {"total_items": 2, "links": {"next": None}, "contents": [record(1), record(2)]}
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(body).encode())

    feed = FeedFile(path)
    names = [r["name"] for r in feed.records()]

    assert names == ["Streamed service 1", "Streamed service 2"]
    assert feed.count == 2 and len(feed.sha256) == 64


# Batches


@pytest.mark.django_db
def test_a_record_may_point_at_an_organisation_a_later_batch_gives(tmp_path):
    given_later = {"id": uid("later"), "name": "Given later"}
    records = [record(1, organization=None, organization_id=given_later["id"])]
    records += [record(n) for n in range(2, 6)] + [record(6, organization=given_later)]

    outcome = import_feed(page(tmp_path / "feed.json", records), batch=2)

    assert outcome.written and outcome.rejections == []
    first = Service.objects.get(pk=uid("service:1"))
    assert first.organisation.name == "Given later"
    assert Service.objects.filter(name__startswith="Streamed").count() == 6


@pytest.mark.django_db
def test_a_rejection_in_the_last_batch_undoes_the_batches_written_before_it(tmp_path):
    records = [record(n) for n in range(1, 6)] + [record(6, minimum_age=-1)]
    path = page(tmp_path / "feed.json", records)
    before = snapshot()

    outcome = import_feed(path, batch=2)

    assert not outcome.written
    assert [r.number for r in outcome.rejections] == [6]
    assert snapshot() == before


@pytest.mark.django_db
def test_with_partial_the_batches_before_a_rejection_are_kept(tmp_path):
    records = [record(n) for n in range(1, 6)] + [record(6, minimum_age=-1)]

    outcome = import_feed(page(tmp_path / "feed.json", records), batch=2, partial=True)

    assert outcome.written and outcome.counts.created == 5
    assert len(outcome.imported) == 5


@pytest.mark.django_db
def test_an_organisation_and_place_this_import_created_are_not_changed_by_a_later_batch(tmp_path):
    place = {"id": uid("place"), "name": "Hall", "latitude": 51.5, "longitude": -2.5}
    other = place | {"name": "The hall"}
    renamed = {"id": uid("org"), "name": "Renamed"}
    records = [
        record(1, service_at_locations=[{"location": place}]),
        record(2, organization=renamed),
        record(3, organization=renamed, service_at_locations=[{"location": other}]),
    ]

    outcome = import_feed(page(tmp_path / "feed.json", records), batch=1)

    assert outcome.written
    assert outcome.counts.extra["organisations created"] == 1
    assert outcome.counts.extra["organisations updated"] == 0
    assert outcome.counts.extra["locations updated"] == 0
    assert Organisation.objects.get(uuid=uid("org")).name == "Renamed"  # the feed's last word
    assert Location.objects.get(pk=uid("place")).name == "The hall"
    assert not AuditEvent.objects.filter(action="organisation.update").exists()
    assert AuditEvent.objects.filter(action="directory.import_oruk").count() == 1
