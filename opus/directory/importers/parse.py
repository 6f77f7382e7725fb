"""Reading a feed's files: PATH is one JSON file or a directory of them (``*.json``, in name
order); each holds a Page (``{"contents": [...]}``, ORUK 1.0's ``{"content": [...]}``), one
service, or a list of services. Files are read one at a time and their records handed on one
by one, so only one file's JSON is held at once. A file that cannot be read this way stops the
import with one line (``FeedError``)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

COMMAND = "import_oruk"
MAX_FILE_BYTES = 64 * 1024 * 1024  # one file; a feed bigger than this comes in pages
MAX_DEPTH = 64  # JSON levels; an ORUK service_full needs about ten
MAX_SOURCE = 100  # ImportedRecord.source


class FeedError(CommandError):
    """A file could not be read as a feed: the message is the one line to show."""


# Reading files


@dataclass
class FeedFile:
    """One file of a feed. Its records are read when asked for (``records()``), and not
    kept: then its SHA-256 and the number of records it holds are known."""

    path: Path
    sha256: str = ""
    count: int = 0

    @property
    def name(self) -> str:
        return self.path.name

    def records(self) -> Iterator[Any]:
        """Each service record of the file, in order (the file is read and checked first)."""
        self.sha256, records = load_file(self.path)
        self.count = len(records)
        for index in range(len(records)):
            record, records[index] = records[index], None  # handed on, not kept
            yield record


def feed_paths(path: Path) -> list[Path]:
    """The JSON files to read: PATH itself, or a directory's *.json in name order."""
    if path.is_dir():
        found = sorted(p for p in path.glob("*.json") if p.is_file())
        if not found:
            raise FeedError(f"{COMMAND}: {path}: the directory has no .json files")
        return found
    if path.is_file():
        return [path]
    raise FeedError(f"{COMMAND}: {path}: there is no such file or directory")


def records_of(data: Any, name: str) -> list[Any]:
    """The service records in a file's JSON: a Page's contents, one service, or a list."""
    if isinstance(data, list):
        return data
    for key in ("contents", "content"):  # ORUK 3.0's Page; ORUK 1.0's (Spring) page
        if isinstance(data, dict) and key in data:
            if isinstance(data[key], list):
                return data[key]
            raise FeedError(f'{COMMAND}: {name}: "{key}" should be a list of services')
    if isinstance(data, dict) and "id" in data:
        return [data]
    raise FeedError(
        f'{COMMAND}: {name}: this is not an ORUK page (with "contents"), a service (with '
        '"id") or a list of services'
    )


def _nested_deeper(data: Any, limit: int) -> bool:
    """Whether lists and objects in `data` go more than `limit` levels deep (without recursing)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        inside = value.values() if isinstance(value, dict) else value
        if depth > limit:
            return True
        stack.extend((item, depth + 1) for item in inside if isinstance(item, dict | list))
    return False


def load_file(path: Path) -> tuple[str, list[Any]]:
    """The file's SHA-256 and its service records; FeedError when it is not a feed."""
    too_big = (
        f"{COMMAND}: {path.name}: the file is larger than the limit of {MAX_FILE_BYTES:,} bytes"
    )
    if path.stat().st_size > MAX_FILE_BYTES:
        raise FeedError(too_big)
    with path.open("rb") as handle:
        raw = handle.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise FeedError(too_big)
    too_deep = f"{COMMAND}: {path.name}: the JSON is nested more than {MAX_DEPTH} levels deep"
    try:
        data = json.loads(raw.decode("utf-8-sig"), parse_float=Decimal)
    except UnicodeDecodeError:
        raise FeedError(f"{COMMAND}: {path.name}: the file is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise FeedError(
            f"{COMMAND}: {path.name}: the file is not JSON "
            f"({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from None
    except RecursionError:  # deeper than Python's own limit: refused before anything else
        raise FeedError(too_deep) from None
    if isinstance(data, dict | list) and _nested_deeper(data, MAX_DEPTH):
        raise FeedError(too_deep)
    digest = hashlib.sha256(raw).hexdigest()
    del raw
    return digest, records_of(data, path.name)


def feed_files(path: Path) -> list[FeedFile]:
    """The feed's files, not yet read: each is read when its records are asked for, so one
    file's JSON is held at a time however many pages the feed has."""
    return [FeedFile(p) for p in feed_paths(path)]


def read_feed(path: Path) -> list[FeedFile]:
    """Every file read and checked now (FeedError at the first that is not a feed)."""
    files = feed_files(path)
    for feed in files:
        for _ in feed.records():
            pass
    return files


def feed_source(path: Path, given: str | None = None) -> str:
    """The feed's source: `given` (--source), else the feed's own name, the directory's or
    the file's without ``.json``. An import changes only what the same source created."""
    if given is not None:
        name, where = given.strip(), "--source"
    else:
        resolved = path.resolve()
        name, where = (resolved.stem if resolved.is_file() else resolved.name), path.name
    if not name:
        raise FeedError(f"{COMMAND}: {where}: the source has no name; give --source NAME")
    if len(name) > MAX_SOURCE:
        raise FeedError(
            f"{COMMAND}: {where}: the source's name is longer than {MAX_SOURCE} characters; "
            "give a shorter --source NAME"
        )
    if not name.isprintable():
        raise FeedError(
            f"{COMMAND}: {where}: the source's name has a control character; give --source NAME"
        )
    return name
