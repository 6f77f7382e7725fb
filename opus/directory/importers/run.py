"""Running an import: the feed streamed (``parse.py``), its records checked (``check.py``) and
written (``write.py``) a batch at a time, in one transaction with one audit event; unless
``partial``, a rejected or conflicting record means the transaction is rolled back and nothing
is imported. ``manage.py import_oruk`` calls ``import_feed``."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from opus.core.audit import audit_record
from opus.directory.importers.check import (
    FeedReader,
    FieldWarning,
    Given,
    Parsed,
    Rejection,
    TermLookup,
    batches,
    check_batch,
)
from opus.directory.importers.parse import COMMAND, FeedFile, feed_files, feed_source
from opus.directory.importers.write import Counts, FeedWriter
from opus.directory.needs_mapping import Summary, audit_needs, needs_for_imported

ACTION = "directory.import_oruk"
IMPORT_LOCK_KEY = 7_267_011  # pg_advisory_xact_lock: one import at a time
BATCH = 2_000  # services checked and written together


# Running an import


@dataclass
class Outcome:
    """What an import found and did. `written` is False when rejections stopped it."""

    path: Path
    partial: bool
    files: list[FeedFile]
    rejections: list[Rejection]  # bad records, and records in conflict (conflict=True)
    repeats: int
    source: str = ""
    written: bool = False
    counts: Counts = field(default_factory=Counts)
    warnings: list[FieldWarning] = field(default_factory=list)  # of the records kept
    imported: list[uuid.UUID] = field(default_factory=list)  # ids of services written
    with_needs: int = 0  # of those, how many have at least one need (a needs-taxonomy term)
    needs: Summary = field(default_factory=Summary)  # needs mapped and suggested

    @property
    def total(self) -> int:
        return sum(f.count for f in self.files) - self.repeats

    @property
    def rejected(self) -> list[Rejection]:
        return [r for r in self.rejections if not r.conflict]

    @property
    def conflicts(self) -> list[Rejection]:
        return [r for r in self.rejections if r.conflict]

    def rejection_lines(self) -> list[str]:
        order = {f.name: index for index, f in enumerate(self.files)}
        ordered = sorted(self.rejections, key=lambda r: (order.get(r.file, 0), r.number))
        return [r.line() for r in ordered]

    def warning_lines(self) -> list[str]:
        return [w.line() for w in self.warnings]

    def summary_line(self) -> str:
        c = self.counts
        conflicts = f", in conflict {len(self.conflicts)}" if self.conflicts else ""
        warned = f"; warnings {len(self.warnings)}" if self.warnings else ""
        return (
            f"{COMMAND}: created {c.created}, updated {c.updated}, unchanged {c.unchanged}, "
            f"rejected {len(self.rejected)}{conflicts} services from {self.path}{warned}"
        )

    def report(self) -> dict[str, Any]:
        """What --report FILE.json holds: counts, then each rejection and warning."""
        imported = len(self.imported) if self.written else 0
        return {
            "path": str(self.path),
            "source": self.source,
            "partial": self.partial,
            "written": self.written,
            "records": self.total,
            "imported": imported,
            "created": self.counts.created if self.written else 0,
            "updated": self.counts.updated if self.written else 0,
            "unchanged": self.counts.unchanged if self.written else 0,
            "rejected": len(self.rejected),
            "conflicts": len(self.conflicts),
            "repeats_passed_over": self.repeats,
            "warnings": len(self.warnings),
            "with_needs": self.with_needs if self.written else 0,
            "without_needs": imported - self.with_needs if self.written else 0,
            "awaiting_review": self.needs.awaiting_review if self.written else 0,
            "rejections": [
                {
                    "file": r.file,
                    "record": r.number,
                    "id": r.record_id,
                    "field": r.field,
                    "reason": r.reason,
                    "conflict": r.conflict,
                }
                for r in sorted(self.rejections, key=lambda r: (r.file, r.number))
            ],
            "warning_details": [
                {"file": w.file, "record": w.number, "id": w.record_id, "field": w.field,
                 "warning": w.note}
                for w in self.warnings
            ],
        }  # fmt: skip

    def details_line(self) -> str:
        n = self.counts.extra
        line = (
            f"{COMMAND}: organisations created {n['organisations created']}, updated "
            f"{n['organisations updated']}; locations created {n['locations created']}, updated "
            f"{n['locations updated']}; taxonomies created {n['taxonomies created']}; terms "
            f"created {n['terms created']}"
        )
        return line + (f"; repeated records passed over {self.repeats}" if self.repeats else "")

    def refusal_line(self) -> str:
        rejected, conflicts = len(self.rejected), len(self.conflicts)
        others = self.total - rejected - conflicts
        clash = f"in conflict with records source '{self.source}' did not create,"
        if not conflicts:
            what, fix = "rejected", "correct them, or "
        elif not rejected:
            what, fix = clash, ""
        else:
            what, fix = f"rejected and {conflicts} {clash}", "correct them, or "
        return (
            f"{COMMAND}: {rejected or conflicts} of {self.total} services {what} from "
            f"{self.path}, so nothing was imported; {fix}use --partial to import the other "
            f"{others}"
        )

    def audit_summary(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "files": [{"file": f.name, "sha256": f.sha256} for f in self.files],
            "partial": self.partial,
            "created": self.counts.created,
            "updated": self.counts.updated,
            "unchanged": self.counts.unchanged,
            "source": self.source,
            "rejected": len(self.rejected),
            "rejected_ids": [r.record_id for r in self.rejected],
            "conflicts": len(self.conflicts),
            "conflict_ids": [r.record_id for r in self.conflicts],
            "warnings": len(self.warnings),
            **{name.replace(" ", "_"): n for name, n in self.counts.extra.items()},
        }


def import_feed(
    path: str | Path, *, partial: bool = False, source: str | None = None, batch: int = BATCH
) -> Outcome:
    """Read, check and (unless a record is rejected or in conflict, and `partial` is False)
    write a feed as `source`'s (by default the feed's name: see feed_source).

    The feed is streamed: records are parsed one at a time, checked and written `batch` at
    a time, all in one transaction, so memory stays flat however large the feed. A record
    pointing at something not yet given waits to the end (a later record may give it).
    Without `partial`, writing stops at the first rejection (the rest is still checked, to
    name every problem) and the transaction is rolled back. Raises FeedError when a file
    cannot be read (nothing is then written); otherwise returns the Outcome.
    """
    path = Path(path)
    source = feed_source(path, source)
    files = feed_files(path)
    reader = FeedReader(files)
    outcome = Outcome(path, partial, files, reader.rejected, 0, source=source)
    waiting: list[Parsed] = []
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # what the checks read stays true until commit
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])
        stream = batches(reader.parsed(), batch)
        first = next(stream, [])  # a file that is not a feed is refused before any query
        terms, given = TermLookup(), Given()
        writer = FeedWriter(terms, source)
        for parsed in itertools.chain([first], stream):
            checked = check_batch(parsed, reader.rejected, source, terms, given, final=False)
            waiting += checked.waiting
            _write(outcome, writer, checked.kept)
        checked = check_batch(waiting, reader.rejected, source, terms, given, final=True)
        _write(outcome, writer, checked.kept)
        reader.settle()
        outcome.repeats = reader.repeats
        if reader.rejected and not partial:
            transaction.set_rollback(True)  # what was written before a rejection goes
            return _unwritten(outcome)
        outcome.counts = writer.finish()
        outcome.with_needs = outcome.needs.with_needs
        audit_needs(outcome.needs, source)
        audit_record(
            actor=None,
            action=ACTION,
            object_type="file",
            object_id=path.name[:64],
            summary=outcome.audit_summary(),
        )
    outcome.written = True
    return outcome


def _write(outcome: Outcome, writer: FeedWriter, kept: list[Parsed]) -> None:
    """Write a checked batch, unless a rejection means nothing will be imported; keep what
    the report needs (warnings, ids) and map or suggest the batch's needs."""
    outcome.warnings += [w for p in kept for w in p.warnings()]
    if not kept or (outcome.rejections and not outcome.partial):
        return
    where = {p.service.id: (p.file, p.number) for p in kept}
    writer.write([p.service for p in kept], where)
    ids = [p.service.id for p in kept]
    outcome.imported += ids
    outcome.needs.add(needs_for_imported(ids, source=outcome.source, audit=False))


def _unwritten(outcome: Outcome) -> Outcome:
    """A refused import's outcome: what was found, nothing done."""
    outcome.imported, outcome.needs = [], Summary()
    return outcome
