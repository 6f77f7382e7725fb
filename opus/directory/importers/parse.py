"""Reading a feed's files: PATH is one JSON file or a directory of them (``*.json``, in name
order); each holds a Page (``{"contents": [...]}``, ORUK 1.0's ``{"content": [...]}``), one
service, or a list of services. Each file is streamed (``ijson``): its records are built and
handed on one at a time, so memory stays the same however large the file or the feed. The
bytes are checked for nesting depth (``DepthGuard``) before the parser sees them, because a
streaming parser given ``[[[[…`` would build ever longer paths. A file that cannot be read
this way stops the import with one line (``FeedError``), also part way through."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import ijson
import numpy as np
from django.core.management.base import CommandError

COMMAND = "import_oruk"
MAX_FILE_BYTES = 1024 * 1024 * 1024  # one file: streamed, so this bounds time, not memory
MAX_DEPTH = 64  # JSON levels; an ORUK service_full needs about ten
MAX_SOURCE = 100  # ImportedRecord.source
DESCRIBE_BYTES = 64 * 1024 * 1024  # a broken file up to this size is re-read to say where
CHUNK_BYTES = 256 * 1024
BOM = b"\xef\xbb\xbf"
PAGE_KEYS = ("contents", "content")  # ORUK 3.0's Page; ORUK 1.0's (Spring) page


class FeedError(CommandError):
    """A file could not be read as a feed: the message is the one line to show."""


# Nesting depth, checked on the bytes


_STEP = np.zeros(256, dtype=np.int8)
_STEP[[ord("["), ord("{")]] = 1
_STEP[[ord("]"), ord("}")]] = -1
_QUOTE, _BACKSLASH = ord('"'), ord("\\")


class DepthGuard:
    """How deep a JSON text's brackets go, fed a chunk at a time (brackets inside strings
    do not count). Vectorised with numpy: a Python loop over every byte would cost more
    than parsing them."""

    def __init__(self) -> None:
        self.depth = 0
        self.deepest = 0
        self.inside = 0  # 1 when the last chunk ended inside a string
        self.slashes = 0  # backslashes that ended the last chunk

    def feed(self, chunk: bytes) -> int:
        """The deepest level reached so far."""
        if not chunk:
            return self.deepest
        data = np.frombuffer(chunk, dtype=np.uint8)
        quotes = np.flatnonzero(data == _QUOTE)
        flips = np.zeros(len(data), dtype=np.uint8)
        flips[quotes] = 1
        for at in quotes[data[np.maximum(quotes - 1, 0)] == _BACKSLASH].tolist():
            flips[at] = 1 - self._escaped(data, at) % 2
        if len(quotes) and quotes[0] == 0 and self.slashes % 2:
            flips[0] = 0
        flips[0] ^= self.inside
        inside = np.bitwise_xor.accumulate(flips)
        steps = _STEP[data]
        found = np.flatnonzero((steps != 0) & (inside == 0))
        if len(found):
            levels = np.cumsum(steps[found], dtype=np.int64) + self.depth
            self.deepest = max(self.deepest, int(levels.max()))
            self.depth = int(levels[-1])
        self.inside = int(inside[-1])
        trailing = len(chunk) - len(chunk.rstrip(b"\\"))
        self.slashes = trailing + (self.slashes if trailing == len(chunk) else 0)
        return self.deepest

    def _escaped(self, data: np.ndarray, at: int) -> int:
        """How many backslashes stand before the quote at `at` (odd: it is escaped)."""
        count, index = 0, at - 1
        while index >= 0 and data[index] == _BACKSLASH:
            count, index = count + 1, index - 1
        return count + (self.slashes if index < 0 else 0)


class _Reader:
    """The file as the parser reads it: hashed, checked for depth, without a BOM."""

    def __init__(self, handle: IO[bytes], name: str) -> None:
        self.handle = handle
        self.name = name
        self.digest = hashlib.sha256()
        self.guard = DepthGuard()
        self.started = False

    def read(self, size: int = CHUNK_BYTES) -> bytes:
        chunk = self.handle.read(size)
        self.digest.update(chunk)
        if not self.started and chunk:  # (the parser first reads nothing, to see the type)
            self.started = True
            chunk = chunk.removeprefix(BOM)
        if self.guard.feed(chunk) > MAX_DEPTH:
            raise FeedError(
                f"{COMMAND}: {self.name}: the JSON is nested more than {MAX_DEPTH} levels deep"
            )
        return chunk


# Reading files


@dataclass
class FeedFile:
    """One file of a feed. Its records are streamed when asked for (``records()``), and not
    kept: then its SHA-256 and the number of records it holds are known."""

    path: Path
    sha256: str = ""
    count: int = 0

    @property
    def name(self) -> str:
        return self.path.name

    def records(self) -> Iterator[Any]:
        """Each service record of the file, in order; FeedError (perhaps after some records)
        when the file is not a feed."""
        _check_size(self.path)
        self.count = 0
        prefix = self._where_records_are()
        with self.path.open("rb") as handle:
            reader = _Reader(handle, self.name)
            try:
                for record in ijson.items(reader, prefix, buf_size=CHUNK_BYTES):
                    self.count += 1
                    yield record
                while reader.read():  # the rest (trailing white space) hashed too
                    pass
            except ijson.JSONError as error:
                raise FeedError(_not_json(self.path, error)) from None
        self.sha256 = reader.digest.hexdigest()

    def _where_records_are(self) -> str:
        """The ijson prefix of the file's records: 'item' for a list, 'contents.item' for a
        Page, '' for a single service. Only the start of a Page is read to find out."""
        with self.path.open("rb") as handle:
            events = ijson.parse(_Reader(handle, self.name), buf_size=CHUNK_BYTES)
            try:
                return _shape(events, self.name)
            except ijson.JSONError as error:
                raise FeedError(_not_json(self.path, error)) from None


def _shape(events: Iterator[tuple[str, str, Any]], name: str) -> str:
    first = next(events, None)
    if first is None:
        raise ijson.IncompleteJSONError("the file is empty")
    if first[1] == "start_array":
        return "item"
    if first[1] != "start_map":
        raise _not_a_page(name)
    has_id = False
    for prefix, event, value in events:
        if prefix == "" and event == "map_key":
            has_id = has_id or value == "id"
            if value in PAGE_KEYS:
                if next(events, ("", "", None))[1] != "start_array":
                    raise FeedError(f'{COMMAND}: {name}: "{value}" should be a list of services')
                return f"{value}.item"
    if not has_id:
        raise _not_a_page(name)
    return ""


def _not_a_page(name: str) -> FeedError:
    return FeedError(
        f'{COMMAND}: {name}: this is not an ORUK page (with "contents"), a service (with '
        '"id") or a list of services'
    )


def _check_size(path: Path) -> None:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise FeedError(
            f"{COMMAND}: {path.name}: the file is larger than the limit of {MAX_FILE_BYTES:,} bytes"
        )


def _not_json(path: Path, error: Exception) -> str:
    """The one line for a file the parser stopped at. A file small enough is read again by
    the standard library, whose message says the line and column."""
    if path.stat().st_size <= DESCRIBE_BYTES:
        try:
            json.loads(path.read_bytes().decode("utf-8-sig"), parse_float=Decimal)
        except UnicodeDecodeError:
            return f"{COMMAND}: {path.name}: the file is not UTF-8 text"
        except json.JSONDecodeError as exc:
            return (
                f"{COMMAND}: {path.name}: the file is not JSON "
                f"({exc.msg} at line {exc.lineno}, column {exc.colno})"
            )
        except (RecursionError, ValueError):
            pass
    said = str(error.args[0] if error.args else error)
    if isinstance(error.args[0] if error.args else None, bytes):
        said = error.args[0].decode("utf-8", "replace")
    if "UTF8" in said:
        return f"{COMMAND}: {path.name}: the file is not UTF-8 text"
    return f"{COMMAND}: {path.name}: the file is not JSON ({said.splitlines()[0].strip()})"


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


def feed_files(path: Path) -> list[FeedFile]:
    """The feed's files, not yet read: each is streamed when its records are asked for, so
    one record is held at a time however large the files and however many."""
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
