"""Shared machinery for the geography importers: read a published CSV, check it, then write.

Every importer works the same way. It first reads the whole file and checks
every cell it will use, stopping at the first bad one with ONE line that names
the file, the row (the header is row 1, the first data row is row 2) and the
column::

    import_imd: file7.csv, row 14, column "…Decile…": 'eleven' is not a whole number from 1 to 10

Only a file that passes is written, inside one ``transaction.atomic`` together
with its single audit event, so a bad file imports nothing and a failure part
way through the write rolls everything back.

Headers are matched after removing a UTF-8 byte-order mark and surrounding or
repeated whitespace, and without regard to case.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import itertools
import math
import re
import sys
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.utils import timezone
from tqdm import tqdm

from opus.core.audit import audit_record
from opus.core.models import Area
from opus.engines.identifiers import check_ons_code, normalise_postcode

BATCH_SIZE = 5_000
LOOKUP_CHUNK = 500  # codes per `code__in` query, well inside every database's parameter limit

T = TypeVar("T")


class ImportFailed(CommandError):
    """The file was refused; the message is the one line to show, and nothing was written."""


class CellError(ValueError):
    """A bad cell (or a bad header, row 1) found while checking a file."""

    def __init__(self, message: str, *, row: int, column: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.row = row
        self.column = column


# Headers


def clean_header(name: str) -> str:
    """'\\ufeff  LSOA code (2011) ' → 'LSOA code (2011)': no BOM, single spaces, no ends."""
    return " ".join(name.replace("\ufeff", "").split())


@dataclass(frozen=True)
class Column:
    """A column found in the header: the label as the file spells it, and its position."""

    label: str
    index: int


def find_column(
    headers: Sequence[str], *names: str, prefix: bool = False, required: bool = True
) -> Column | None:
    """The first header equal to (or, with prefix=True, starting with) one of `names`.

    Names are tried in order, so list the preferred one first; comparison
    ignores case. A missing required column is reported against row 1 under the
    first name given.
    """
    folded = [clean_header(h).casefold() for h in headers]
    for name in names:
        wanted = clean_header(name).casefold()
        for index, header in enumerate(folded):
            if header == wanted or (prefix and header.startswith(wanted)):
                return Column(clean_header(headers[index]), index)
    if required:
        raise CellError("this column is missing; is this the right file?", row=1, column=names[0])
    return None


# Values: each parser returns the clean value or raises ValueError with a message.


def _shown(value: str) -> str:
    return f"'{value.strip()}'"


def parse_number(value: str) -> float:
    """A finite decimal number, such as a deprivation score."""
    text = value.strip()
    if not text:
        raise ValueError("the cell is empty; it should be a number")
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"{_shown(value)} is not a number") from None
    if not math.isfinite(number):
        raise ValueError(f"{_shown(value)} is not a number")
    return number


_WHOLE = re.compile(r"^[+-]?[0-9]+(?:\.0*)?$")


def parse_whole(value: str, *, low: int = 0, high: int | None = None) -> int:
    """A whole number from `low` (to `high`): a count, rank or decile. '12.0' is accepted."""
    wanted = f"from {low} to {high}" if high is not None else f"of {low} or more"
    text = value.strip()
    if not text:
        raise ValueError(f"the cell is empty; it should be a whole number {wanted}")
    number = int(text.split(".")[0]) if _WHOLE.match(text) else None
    if number is None or number < low or (high is not None and number > high):
        raise ValueError(f"{_shown(value)} is not a whole number {wanted}")
    return number


def parse_text(value: str) -> str:
    """A name: any text that is not empty."""
    text = " ".join(value.split())
    if not text:
        raise ValueError("the cell is empty; it should be the area's name")
    return text


def parse_code(value: str, kind: str | None = None) -> str:
    """An ONS GSS code, e.g. E01000001, optionally of a kind ('lsoa', 'la', 'ward')."""
    return check_ons_code(value, kind)


def parse_postcode(value: str) -> str:
    """A UK postcode in the standard form 'SW1A 1AA'."""
    return normalise_postcode(value)


def cell(
    row_number: int, row: Sequence[str], column: Column, parse: Callable[..., T], **kw: Any
) -> T:
    """Parse one cell, turning the parser's ValueError into a CellError that says where."""
    try:
        return parse(row[column.index], **kw)
    except ValueError as exc:
        raise CellError(str(exc), row=row_number, column=column.label) from None


# Files


class CsvFile:
    """A UTF-8 CSV file (a BOM is fine) read as a stream of numbered rows."""

    def __init__(self, path: str | Path, command: str) -> None:
        self.path = Path(path)
        self.name = self.path.name
        self.command = command
        if not self.path.is_file():
            raise ImportFailed(f"{command}: {self.path}: there is no such file")

    def sha256(self) -> str:
        with self.path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()

    def describe(self, error: CellError) -> str:
        """The one line reporting a bad cell."""
        where = f"{self.command}: {self.name}, row {error.row}"
        if error.column:
            where += f', column "{error.column}"'
        return f"{where}: {error.message}"

    def header(self) -> list[str]:
        with self.path.open(encoding="utf-8-sig", newline="") as handle:
            first = next(csv.reader(handle), None)
        if not first or not any(h.strip() for h in first):
            raise CellError("the file is empty; the first row should be the column names", row=1)
        return [clean_header(h) for h in first]

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(row number, cells) for each data row; the header is row 1, blank lines are passed over.

        A row with fewer cells than the header is an error; extra cells that are
        empty (a trailing comma) are dropped.
        """
        width = len(self.header())
        number = 1
        with self.path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            try:
                next(reader)
                for number, row in enumerate(reader, start=2):
                    if not any(c.strip() for c in row):
                        continue
                    if len(row) > width and not any(c.strip() for c in row[width:]):
                        row = row[:width]
                    if len(row) != width:
                        raise CellError(
                            f"this row has {len(row)} cells but the header has {width}",
                            row=number,
                        )
                    yield number, row
            except UnicodeDecodeError:
                raise CellError("the file is not UTF-8 text", row=number + 1) from None
            except csv.Error as exc:
                raise CellError(f"the file is not readable CSV ({exc})", row=number + 1) from None


# Areas


def areas_by_code(codes: Iterable[str], *fields: str) -> dict[str, Area]:
    """Existing Areas with these codes, looked up a few hundred at a time."""
    wanted = sorted(set(codes))
    found: dict[str, Area] = {}
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        query = Area.objects.filter(code__in=wanted[start : start + LOOKUP_CHUNK])
        if fields:
            query = query.only("id", "code", *fields)
        found.update((area.code, area) for area in query)
    return found


def update_rows(objects: Sequence[models.Model], fields: Sequence[str]) -> int:
    """UPDATE these rows' `fields` by primary key: one parameterised statement, executemany.

    What bulk_update does, without its CASE WHEN expressions, which are slow to
    build and run at this size (re-importing a 33,755-row File 7 took 45 s with
    bulk_update on SQLite, 3 s this way). Values are prepared by each field as
    save() would, so JSON and foreign keys are stored the same way on SQLite and
    PostgreSQL. Like bulk_update, no signals are sent.
    """
    if not objects:
        return 0
    meta = type(objects[0])._meta
    columns = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in columns)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608 - names from the model, values bound
    with connection.cursor() as cursor:
        for start in range(0, len(objects), BATCH_SIZE):
            cursor.executemany(
                sql,
                [
                    [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in columns]
                    + [meta.pk.get_db_prep_value(obj.pk, connection)]
                    for obj in objects[start : start + BATCH_SIZE]
                ],
            )
    return len(objects)


def insert_rows(objects: Iterable[models.Model]) -> int:
    """INSERT these new rows (of one model): one parameterised statement, executemany, a
    batch at a time; a generator of objects is consumed a batch at a time, so a large load
    need not hold every row's object at once.

    What bulk_create does, without building and compiling SQL for every batch, which cost
    the directory's importer more than its own checks. Values are prepared by each field as
    save() would (``pre_save``, so auto_now_add is set); text, whole numbers and booleans go
    as they are. Generated columns and an unset auto primary key are left to the database.
    Nothing is read back and, like bulk_create, no signals are sent.
    """
    pending = iter(objects)
    batch = list(itertools.islice(pending, BATCH_SIZE))
    if not batch:
        return 0
    meta = type(batch[0])._meta
    columns = [
        f
        for f in meta.concrete_fields
        if not f.generated and not (f.primary_key and getattr(f, "db_returning", False))
    ]
    db = connections[DEFAULT_DB_ALIAS]  # the connection itself, not the per-attribute proxy
    quote = db.ops.quote_name
    names = ", ".join(quote(f.column) for f in columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608 - names from the model, values bound
    plain = [type(f) in _PLAIN_FIELDS and not getattr(f, "auto_now_add", False) for f in columns]
    pairs = list(zip(columns, plain, strict=True))
    count = 0
    with db.cursor() as cursor:
        while batch:
            cursor.executemany(
                sql,
                [
                    [
                        value
                        if is_plain and (value is None or type(value) in _PLAIN_VALUES)
                        else f.get_db_prep_save(f.pre_save(obj, True), db)
                        for f, is_plain in pairs
                        for value in (getattr(obj, f.attname),)
                    ]
                    for obj in batch
                ],
            )
            count += len(batch)
            batch = list(itertools.islice(pending, BATCH_SIZE))
    return count


def insert_values(
    model: type[models.Model], given: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """INSERT new rows of `model` given as plain values, in the order of the field names
    `given` (``organisation_id`` or ``organisation`` for a foreign key): ``insert_rows``
    without building a model object per row, which at 100,000 services cost the directory's
    importer more than reading its feed. Each column's conversion is chosen once (a UUID
    as 32 hex digits on SQLite, a date-time prepared once per value); a column not given
    gets its default, worked out once per call (a unique one, such as a UUID key, per row).
    """
    db = connections[DEFAULT_DB_ALIAS]
    meta = model._meta
    index = {name: i for i, name in enumerate(given)}
    makers: list[tuple[int, Callable[[Any], Any] | None, Any]] = []
    for f in meta.concrete_fields:
        if f.generated or (f.primary_key and getattr(f, "db_returning", False)):
            continue
        at = index.get(f.attname, index.get(f.name, -1))
        if at >= 0:
            makers.append((at, _preparer(f, db), None))
        elif (f.primary_key or f.unique) and callable(f.default):
            makers.append((-1, lambda _, f=f: f.get_db_prep_save(f.get_default(), db), None))
        else:
            made = timezone.now() if getattr(f, "auto_now_add", False) else f.get_default()
            makers.append((-2, None, f.get_db_prep_save(made, db)))
    quote = db.ops.quote_name
    names = ", ".join(
        quote(f.column)
        for f in meta.concrete_fields
        if not f.generated and not (f.primary_key and getattr(f, "db_returning", False))
    )
    marks = ", ".join(["%s"] * len(makers))
    sql = f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608 - names from the model, values bound
    count = 0
    pending = iter(rows)
    with db.cursor() as cursor:
        while batch := list(itertools.islice(pending, BATCH_SIZE)):
            cursor.executemany(
                sql,
                [
                    [
                        fixed if at == -2 else prep(None) if at == -1 else
                        (row[at] if prep is None else prep(row[at]))
                        for at, prep, fixed in makers
                    ]
                    for row in batch
                ],
            )  # fmt: skip
            count += len(batch)
    return count


def _preparer(field: models.Field, db: Any) -> Callable[[Any], Any] | None:
    """How one column's values are prepared for the database: None when they go as they
    are (text, numbers, booleans; a UUID where the database has its own type)."""
    target = field.target_field if field.is_relation else field
    if type(target) in _PLAIN_FIELDS or isinstance(target, models.AutoField):
        return lambda value: (
            value
            if value is None or type(value) in _PLAIN_VALUES
            else field.get_db_prep_save(value, db)
        )
    if isinstance(target, models.UUIDField):
        if db.features.has_native_uuid_field:
            return None
        return lambda value: value.hex if isinstance(value, uuid.UUID) else value
    if isinstance(target, models.DateField | models.TimeField):  # a date-time too
        return functools.lru_cache(maxsize=256)(lambda value: field.get_db_prep_save(value, db))
    return lambda value: field.get_db_prep_save(value, db)


_PLAIN_FIELDS = {
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.SmallIntegerField,
    models.BigIntegerField,
    models.BooleanField,
}
_PLAIN_VALUES = {str, int, bool}


# Running an import


@dataclass
class Outcome:
    """What an import did. `details` go into the summary line and the audit event."""

    created: int = 0
    updated: int = 0
    skipped: int = 0
    details: dict[str, int | str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


class Importer(ABC):
    """Check the whole file (`check`), then write it (`write`) in one transaction with its audit.

    Subclasses set `command` (the manage.py name, used in messages) and
    `action` (the audit action), and implement `check`, which returns whatever
    `write` needs or raises CellError, and `write`, which returns an Outcome.
    """

    command: ClassVar[str]
    action: ClassVar[str]

    def __init__(self, path: str | Path, *, progress: bool = False) -> None:
        self.source = CsvFile(path, self.command)
        self.progress = progress

    @abstractmethod
    def check(self) -> Any: ...

    @abstractmethod
    def write(self, plan: Any) -> Outcome: ...

    def run(self) -> Outcome:
        try:
            plan = self.check()
            digest = self.source.sha256()
            with transaction.atomic():
                outcome = self.write(plan)
                audit_record(
                    actor=None,
                    action=self.action,
                    object_type="file",
                    object_id=self.source.name[:64],
                    summary={
                        "file": self.source.name,
                        "sha256": digest,
                        "created": outcome.created,
                        "updated": outcome.updated,
                        "skipped": outcome.skipped,
                        **outcome.details,
                    },
                )
        except CellError as error:
            raise ImportFailed(self.source.describe(error)) from None
        return outcome

    def summary_line(self, outcome: Outcome) -> str:
        line = (
            f"{self.command}: {self.source.name}: created {outcome.created}, "
            f"updated {outcome.updated}, skipped {outcome.skipped}"
        )
        if outcome.details:
            line += (
                " ("
                + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in outcome.details.items())
                + ")"
            )
        return line

    def bar(self, iterable: Iterable[T], *, total: int | None, desc: str) -> Iterator[T]:
        """A tqdm progress bar on stderr, when asked for."""
        return iter(
            tqdm(
                iterable,
                total=total,
                desc=desc,
                unit=" rows",
                unit_scale=True,
                file=sys.stderr,
                disable=not self.progress,
                mininterval=0.5,
            )
        )
