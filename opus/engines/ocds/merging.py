"""Merging releases into a compiled release and a record, by the OCDS 1.1 rules.

Objects merge field by field, ``null`` removes a field, arrays of objects with ``id`` merge by
``id``, other arrays (and those marked ``wholeListMerge``) are replaced, and ``id``, ``date``
and ``tag`` are omitted when merged (release-schema.json: omitWhenMerged, wholeListMerge).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from opus.engines.ocds.process import Json

OMIT_WHEN_MERGED = frozenset({"id", "date", "tag"})
WHOLE_LIST_MERGE = frozenset({"additionalIdentifiers", "additionalClassifications"})


def _identified(items: list[Any]) -> bool:
    return all(isinstance(item, dict) and "id" in item for item in items)


def _merge_into(target: Json, source: Mapping[str, Any]) -> None:
    for key, item in source.items():
        if item is None:
            target.pop(key, None)
        elif isinstance(item, dict):
            current = target.get(key)
            if not isinstance(current, dict):
                current = target[key] = {}
            _merge_into(current, item)
        elif isinstance(item, list) and item and key not in WHOLE_LIST_MERGE and _identified(item):
            _merge_list(target, key, item)
        else:
            target[key] = copy.deepcopy(item)


def _merge_list(target: Json, key: str, items: list[Json]) -> None:
    current = target.get(key)
    if not isinstance(current, list) or not _identified(current):
        current = target[key] = []
    by_id = {str(existing["id"]): existing for existing in current}
    for item in items:
        existing = by_id.get(str(item["id"]))
        if existing is None:
            existing = by_id[str(item["id"])] = {}
            current.append(existing)
        _merge_into(existing, item)


def _when(release: Mapping[str, Any]) -> datetime:
    return datetime.fromisoformat(str(release["date"]))


def compile_release(releases: Sequence[Mapping[str, Any]]) -> Json:
    """The compiled release: the latest value of every field, by the OCDS 1.1 merge rules.

    Releases are merged oldest first (a stable sort on ``date``, so releases of the same
    moment merge in the order given). ``tag`` is ["compiled"], ``date`` the newest release's,
    ``id`` ``<ocid>-<date>``.
    """
    if not releases:
        raise ValueError("a record needs at least one release")
    ordered = sorted(releases, key=_when)
    merged: Json = {}
    for release in ordered:
        _merge_into(merged, {k: v for k, v in release.items() if k not in OMIT_WHEN_MERGED})
    newest = ordered[-1]
    ocid = str(newest["ocid"])
    head: Json = {
        "ocid": ocid,
        "id": f"{ocid}-{newest['date']}",
        "date": newest["date"],
        "tag": ["compiled"],
    }
    return head | {k: v for k, v in merged.items() if k not in head}


def record(releases: Sequence[Mapping[str, Any]]) -> Json:
    """An OCDS record: the releases (embedded, oldest first) and their compiled release."""
    ordered = sorted(releases, key=_when)
    return {
        "ocid": ordered[0]["ocid"] if ordered else "",
        "releases": list(ordered),
        "compiledRelease": compile_release(ordered),
    }
