"""Release and record packages: in memory for a page, streamed for an export."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TextIO

from opus.engines.ocds.process import Json
from opus.engines.ocds.sections import iso, put

VERSION = "1.1"
_EXT = "https://raw.githubusercontent.com/open-contracting-extensions/{}/master/extension.json"
EXTENSIONS = tuple(
    _EXT.format(name)
    for name in (
        "ocds_lots_extension",
        "ocds_partyDetails_scale_extension",
        "ocds_metrics_extension",
        "ocds_otherRequirements_extension",
        "ocds_location_extension",
    )
)


@dataclass(frozen=True)
class Publisher:
    """Who publishes the data, for the package metadata."""

    name: str
    uri: str = ""
    scheme: str = ""
    uid: str = ""
    license: str = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"

    def as_json(self) -> Json:
        body: Json = {"name": self.name}
        put(body, "scheme", self.scheme)
        put(body, "uid", self.uid)
        put(body, "uri", self.uri)
        return body


def package_head(*, uri: str, publisher: Publisher, published: datetime) -> Json:
    """The metadata every package carries (uri, version, publisher, licence, extensions)."""
    return {
        "uri": uri,
        "version": VERSION,
        "extensions": list(EXTENSIONS),
        "publisher": publisher.as_json(),
        "license": publisher.license,
        "publishedDate": iso(published),
    }


def release_package(
    releases: Iterable[Json], *, uri: str, publisher: Publisher, published: datetime
) -> Json:
    """A release package held in memory (for a page of an API)."""
    return package_head(uri=uri, publisher=publisher, published=published) | {
        "releases": list(releases)
    }


def record_package(
    records: Iterable[Json], *, uri: str, publisher: Publisher, published: datetime
) -> Json:
    """A record package held in memory."""
    return package_head(uri=uri, publisher=publisher, published=published) | {
        "records": list(records)
    }


_encode = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), allow_nan=False, check_circular=False
).encode


def dumps(document: Any) -> str:
    """Compact JSON (UTF-8 text, no NaN), as every package is written."""
    return _encode(document)


def write_release_package(
    stream: TextIO,
    releases: Iterable[Json],
    *,
    uri: str,
    publisher: Publisher,
    published: datetime,
    extra: Mapping[str, Any] | None = None,
) -> int:
    """Write a release package to `stream` one release at a time; return how many.

    Memory stays flat however many releases there are: the package's head is written
    first, then each release as it comes, then the closing brackets. The result parses to
    the same document as :func:`release_package` would build. `extra` adds package fields
    (e.g. ``links`` for the next page).
    """
    head = package_head(uri=uri, publisher=publisher, published=published) | dict(extra or {})
    stream.write(dumps(head)[:-1] + ',"releases":[')
    count = 0
    for release in releases:
        stream.write(("," if count else "") + _encode(release))
        count += 1
    stream.write("]}")
    return count
