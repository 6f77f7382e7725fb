"""Checking a feed: every record parsed (``records.py``), repeats and conflicting copies of
an id found, then what the records point at looked up in the database (reads only):
organisations and locations given only by id, taxonomy terms, and which stored records the
import's source created (``Ownership``). Each problem names file, record, id and field."""

from __future__ import annotations

import hashlib
import itertools
import json
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import models

from opus.core.importers.base import insert_rows
from opus.core.models import Organisation
from opus.directory.importers.parse import COMMAND, FeedFile
from opus.directory.importers.records import ServiceData, TermRef, parse_service
from opus.directory.importers.values import RecordError
from opus.directory.models import (
    ImportedRecord,
    ImportKind,
    Location,
    Service,
    Taxonomy,
    TaxonomyTerm,
)
from opus.directory.taxonomy import NAMESPACE, TAXONOMY_ID, TAXONOMY_NAME

CHUNK = 500  # ids per `__in` query, well inside every database's parameter limit

T = TypeVar("T")


@dataclass(frozen=True)
class FieldWarning:
    """Something in a record that was fixed on the way in (it was imported)."""

    file: str
    number: int
    record_id: str
    field: str
    note: str

    def line(self) -> str:
        return (
            f"{COMMAND}: {self.file}, record {self.number} (id {self.record_id}): "
            f"{self.field}: warning: {self.note}"
        )


# The feed as a whole


@dataclass(frozen=True)
class Rejection:
    file: str
    number: int
    record_id: str
    field: str
    reason: str
    conflict: bool = False  # with a record another source (or Opus itself) made

    def line(self) -> str:
        return (
            f"{COMMAND}: {self.file}, record {self.number} (id {self.record_id}): "
            f"{self.field}: {self.reason}"
        )


@dataclass
class Parsed:
    file: str
    number: int
    service: ServiceData

    def reject(self, error: RecordError, *, conflict: bool = False) -> Rejection:
        return Rejection(
            self.file, self.number, str(self.service.id), error.field, error.message, conflict
        )

    def warnings(self) -> list[FieldWarning]:
        record_id = str(self.service.id)
        return [
            FieldWarning(self.file, self.number, record_id, where, note)
            for where, note in self.service.warnings
        ]


def _raw_id(raw: Any) -> str:
    value = raw.get("id") if isinstance(raw, dict) else None
    return value[:60] if isinstance(value, str) and value.strip() else "?"


def _digest(raw: Any) -> bytes:
    """What a record says, to tell a repeat (the same content) from a conflicting copy."""
    return hashlib.sha256(json.dumps(raw, sort_keys=True, default=str).encode()).digest()


class FeedReader:
    """The feed's records parsed one at a time as the files stream past: each good record
    is handed on (``parsed()``) and not kept; a bad one becomes a Rejection. A service id
    given again is remembered by where it was seen (a set of ids, not the records), and
    ``settle()`` compares repeats with their first copies after the pass, re-reading only
    the files that hold first copies of repeated ids."""

    def __init__(self, files: Sequence[FeedFile]) -> None:
        self.files = files
        self.rejected: list[Rejection] = []
        self.repeats = 0
        self.seen: dict[uuid.UUID, tuple[int, int]] = {}  # id: (file index, record number)
        self.again: list[tuple[int, int, uuid.UUID, bytes]] = []  # (file, number, id, digest)

    def parsed(self) -> Iterator[Parsed]:
        for index, feed in enumerate(self.files):
            for number, raw in enumerate(feed.records(), start=1):
                try:
                    service = parse_service(raw)
                except RecordError as error:
                    self.rejected.append(
                        Rejection(feed.name, number, _raw_id(raw), error.field, error.message)
                    )
                    continue
                first = self.seen.get(service.id)
                if first is None:
                    self.seen[service.id] = (index, number)
                    yield Parsed(feed.name, number, service)
                else:
                    self.again.append((index, number, service.id, _digest(raw)))

    def settle(self) -> None:
        """Repeats with the same content are passed over; a different copy is rejected."""
        firsts = _first_digests(self.files, {self.seen[key] for _, _, key, _ in self.again})
        for index, number, key, digest in self.again:
            first_file, first_number = self.seen[key]
            if firsts[first_file, first_number] == digest:
                self.repeats += 1
                continue
            reason = (
                f"is given again, differently; first in {self.files[first_file].name}, "
                f"record {first_number}"
            )
            self.rejected.append(Rejection(self.files[index].name, number, str(key), "id", reason))
        self.again = []


def parse_feed(files: Sequence[FeedFile]) -> tuple[list[Parsed], list[Rejection], int]:
    """Every record parsed (see FeedReader): the good ones, the rejections, and how many
    repeats were passed over (the same service, the same content, given again)."""
    reader = FeedReader(files)
    good = list(reader.parsed())
    reader.settle()
    return good, reader.rejected, reader.repeats


def batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """`items` in lists of `size` (the last shorter), taken as they come."""
    pending = iter(items)
    while batch := list(itertools.islice(pending, size)):
        yield batch


def _first_digests(
    files: Sequence[FeedFile], wanted: set[tuple[int, int]]
) -> dict[tuple[int, int], bytes]:
    found: dict[tuple[int, int], bytes] = {}
    for index in sorted({i for i, _ in wanted}):
        for number, raw in enumerate(files[index].records(), start=1):
            if (index, number) in wanted:
                found[index, number] = _digest(raw)
    return found


# Checking against the database (reads only)


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def existing_ids(model: type[models.Model], ids: Iterable[Any], field: str = "pk") -> set[Any]:
    wanted = list(set(ids))
    found: set[Any] = set()
    for part in chunks(wanted):
        found.update(model.objects.filter(**{f"{field}__in": part}).values_list(field, flat=True))
    return found


class TermLookup:
    """What the feed's terms point at: existing terms by id, taxonomies by id and by name,
    and each taxonomy's codes. `problem` checks a service; `plan` decides what to create.

    One lookup serves a whole import, a batch after another: `load` looks up the ids a batch
    names that it has not seen, and what `save` creates is known from then on."""

    def __init__(self, refs: Iterable[TermRef] = ()) -> None:
        self.known: dict[uuid.UUID, uuid.UUID] = {}
        self.asked: set[uuid.UUID] = set()
        self.load(refs)
        self.by_id: dict[uuid.UUID, str] = dict(Taxonomy.objects.values_list("id", "name"))
        self.by_name = {name.casefold(): tid for tid, name in self.by_id.items()}
        self._codes: dict[uuid.UUID, dict[str, uuid.UUID]] = {}
        self.new_taxonomies: list[Taxonomy] = []
        self.new_terms: list[TaxonomyTerm] = []
        self.parents: dict[uuid.UUID, uuid.UUID] = {}

    def load(self, refs: Iterable[TermRef]) -> None:
        """Look up the stored terms among these that were not looked up before."""
        wanted = list({r.id for r in refs} - self.asked)
        self.asked.update(wanted)
        for part in chunks(wanted):
            rows = TaxonomyTerm.objects.filter(id__in=part).values_list("id", "taxonomy_id")
            self.known.update(rows)

    def codes(self, taxonomy_id: uuid.UUID) -> dict[str, uuid.UUID]:
        if taxonomy_id not in self._codes:
            rows = TaxonomyTerm.objects.filter(taxonomy_id=taxonomy_id).values_list("code", "id")
            self._codes[taxonomy_id] = dict(rows)
        return self._codes[taxonomy_id]

    def taxonomy_of(self, ref: TermRef) -> uuid.UUID | None:
        if ref.taxonomy_id in self.by_id:
            return ref.taxonomy_id
        return self.by_name.get(ref.taxonomy_name.casefold()) if ref.taxonomy_name else None

    def problem(self, service: ServiceData, given: set[uuid.UUID]) -> RecordError | None:
        """The first term of `service` that can be neither linked nor created; `given` are
        the ids of terms that other records describe."""
        for ref in service.terms or []:
            if ref.id in self.known or (ref.bare and ref.id in given):
                continue
            if ref.bare:
                return RecordError(ref.where + "taxonomy_term_id", "no term has this id")
            taxonomy = self.taxonomy_of(ref)
            if taxonomy is None and not ref.taxonomy_name:
                return RecordError(
                    ref.where + "taxonomy",
                    "is missing; the term is not known here, so its taxonomy's name is needed",
                )
            if not ref.code:
                return RecordError(ref.where + "name", "is missing; a new term needs a name")
            if taxonomy == TAXONOMY_ID and ref.code not in self.codes(TAXONOMY_ID):
                return RecordError(
                    ref.where + "id",
                    f"is not a term of {TAXONOMY_NAME}, which imports do not change",
                )
        return None

    def _new_taxonomy(self, ref: TermRef) -> uuid.UUID:
        taxonomy = Taxonomy(
            id=ref.taxonomy_id or uuid.uuid5(NAMESPACE, f"taxonomy:{ref.taxonomy_name}"),
            name=ref.taxonomy_name,
            description=ref.taxonomy_description,
            uri=ref.taxonomy_uri,
            version=ref.taxonomy_version,
        )
        self.new_taxonomies.append(taxonomy)
        self.by_id[taxonomy.id] = taxonomy.name
        self.by_name[taxonomy.name.casefold()] = taxonomy.id
        self._codes[taxonomy.id] = {}
        return taxonomy.id

    def term_for(self, ref: TermRef) -> uuid.UUID:
        """The id of the term to link, planning a new term (and taxonomy) when needed."""
        if ref.id in self.known:
            return ref.id
        taxonomy = self.taxonomy_of(ref) or self._new_taxonomy(ref)
        codes = self.codes(taxonomy)
        if ref.code in codes:
            return codes[ref.code]
        self.new_terms.append(
            TaxonomyTerm(
                id=ref.id,
                taxonomy_id=taxonomy,
                code=ref.code,
                name=ref.name,
                description=ref.description,
                term_uri=ref.term_uri,
            )
        )
        if ref.parent_id is not None:
            self.parents[ref.id] = ref.parent_id
        codes[ref.code] = self.known[ref.id] = ref.id
        return ref.id

    def plan(self, services: Iterable[ServiceData]) -> dict[uuid.UUID, list[uuid.UUID]]:
        """Each service's term ids, planning the terms (and taxonomies) to create anew."""
        services = list(services)
        self.new_taxonomies, self.new_terms, self.parents = [], [], {}
        for ref in (r for s in services for r in s.terms or [] if not r.bare):
            self.term_for(ref)  # described terms first, then those given by id alone
        links: dict[uuid.UUID, list[uuid.UUID]] = {}
        for service in services:
            if service.terms is not None:
                links[service.id] = list(dict.fromkeys(self.term_for(r) for r in service.terms))
        return links

    def save(self) -> None:
        """Create the planned taxonomies and terms, with parents that exist."""
        insert_rows(self.new_taxonomies)
        planned = {t.id for t in self.new_terms}
        parents = planned | existing_ids(TaxonomyTerm, self.parents.values())
        for term in self.new_terms:
            parent = self.parents.get(term.id)
            term.parent_id = parent if parent in parents and parent != term.id else None
        insert_rows(self.new_terms)


def _reference_problem(
    service: ServiceData, organisations: set[uuid.UUID], locations: set[uuid.UUID]
) -> RecordError | None:
    if service.organisation is None and service.organisation_uuid not in organisations:
        return RecordError("organization_id", "no organisation has this id; give the organization")
    for index, site in enumerate(service.sites or []):
        if site.location is None and site.location_id not in locations:
            return RecordError(
                f"service_at_locations[{index}].location_id",
                "no location has this id; give the location",
            )
    return None


class Ownership:
    """Which of the stored services, organisations and locations a feed names were created by
    its source (ImportedRecord). `conflict` finds the first thing a record would change, or
    give services to, that its source did not create: the record is then left alone."""

    def __init__(
        self,
        source: str,
        services: set[uuid.UUID],
        organisations: set[uuid.UUID],
        locations: set[uuid.UUID],
    ) -> None:
        self.source = source
        self.stored = {
            ImportKind.SERVICE: services,
            ImportKind.ORGANISATION: organisations,
            ImportKind.LOCATION: locations,
        }
        self.origin: dict[tuple[str, uuid.UUID], str] = {}
        for kind, ids in self.stored.items():
            for part in chunks(sorted(ids)):
                rows = ImportedRecord.objects.filter(kind=kind, external_id__in=part)
                for external_id, origin in rows.values_list("external_id", "source"):
                    self.origin[kind, external_id] = origin

    def problem(self, kind: str, key: uuid.UUID, field: str, change: str) -> RecordError | None:
        if key not in self.stored[kind]:
            return None  # new: this import creates it
        origin = self.origin.get((kind, key))
        if origin == self.source:
            return None
        came = "it has no import source" if origin is None else f"it came from source '{origin}'"
        return RecordError(
            field,
            f"the {kind} with this id was not imported from source '{self.source}' ({came}), "
            f"so this import may not {change}",
        )

    def conflict(self, service: ServiceData) -> RecordError | None:
        problem = self.problem(ImportKind.SERVICE, service.id, "id", "change it")
        if service.organisation is not None:
            field, change = "organization.id", "change it"
        else:
            field, change = "organization_id", "give it services"
        problem = problem or self.problem(
            ImportKind.ORGANISATION, service.organisation_uuid, field, change
        )
        for index, site in enumerate(service.sites or []):
            if site.location is not None:
                where = f"service_at_locations[{index}].location.id"
                problem = problem or self.problem(
                    ImportKind.LOCATION, site.location_id, where, "change it"
                )
        return problem


@dataclass
class Given:
    """What the records kept so far give (their ids only): a later record may point at them."""

    organisations: set[uuid.UUID] = field(default_factory=set)
    locations: set[uuid.UUID] = field(default_factory=set)
    terms: set[uuid.UUID] = field(default_factory=set)  # described, not only named by id

    def add(self, kept: Iterable[Parsed]) -> None:
        for p in kept:
            service = p.service
            if service.organisation is not None:
                self.organisations.add(service.organisation.uuid)
            self.locations.update(s.location_id for s in service.sites or [] if s.location)
            self.terms.update(r.id for r in service.terms or [] if not r.bare)


@dataclass
class Checked:
    """One batch checked: the records to write, and those whose references are not found
    yet (held back until the end, when a later record may have given what they point at)."""

    kept: list[Parsed]
    waiting: list[Parsed]


def check_batch(
    parsed: list[Parsed],
    rejected: list[Rejection],
    source: str,
    terms: TermLookup,
    given: Given,
    *,
    final: bool = True,
) -> Checked:
    """Set aside records in conflict with what `source` did not create (see Ownership), then
    find records that point at organisations, locations or terms that are neither stored
    nor given by a good record (of this batch, or in `given`, of those before). Unless
    `final`, those wait (a later record may give what they point at); when `final`, they are
    rejected, and so are the records that then point at nothing. Adds to `rejected` and
    `given`; reads the database only, a query per few hundred ids of the batch."""
    services = [p.service for p in parsed]
    stored_orgs = existing_ids(Organisation, (s.organisation_uuid for s in services), "uuid")
    stored_places = existing_ids(
        Location, (site.location_id for s in services for site in s.sites or [])
    )
    owners = Ownership(
        source, existing_ids(Service, (s.id for s in services)), stored_orgs, stored_places
    )
    conflicts = {id(p): owners.conflict(p.service) for p in parsed}
    rejected += [p.reject(c, conflict=True) for p in parsed if (c := conflicts[id(p)])]
    kept = [p for p in parsed if conflicts[id(p)] is None]
    terms.load(ref for p in kept for ref in p.service.terms or [])
    waiting: list[Parsed] = []
    while True:
        batch = Given()
        batch.add(kept)
        organisations = stored_orgs | given.organisations | batch.organisations
        places = stored_places | given.locations | batch.locations  # once, not per record
        described = given.terms | batch.terms
        problems = {}
        for p in kept:
            problem = _reference_problem(p.service, organisations, places)
            problem = problem or terms.problem(p.service, described)
            if problem is not None:
                problems[id(p)] = problem
        if not problems:
            given.add(kept)
            return Checked(kept, waiting)
        if final:
            rejected += [p.reject(problems[id(p)]) for p in kept if id(p) in problems]
        else:
            waiting += [p for p in kept if id(p) in problems]
        kept = [p for p in kept if id(p) not in problems]


def check_feed(
    parsed: list[Parsed], rejected: list[Rejection], source: str = ""
) -> tuple[list[Parsed], TermLookup]:
    """The whole feed checked at once (see check_batch): the records kept, and the terms."""
    terms = TermLookup()
    return check_batch(parsed, rejected, source, terms, Given()).kept, terms
