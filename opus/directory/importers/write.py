"""Writing a checked feed: terms, organisations, locations, services and their lists,
compared with what is stored and written in bulk where they differ; provenance
(``ImportedRecord``); the derived tables of the services written refreshed at the end."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import timezone

from opus.core.audit import audit_record, changes
from opus.core.importers.base import insert_values, update_rows
from opus.core.models import Area, Organisation
from opus.core.services import unique_slug
from opus.directory import derived
from opus.directory.importers.check import TermLookup, chunks, existing_ids
from opus.directory.importers.records import LocationData, ServiceData
from opus.directory.models import (
    Contact,
    CostOption,
    ImportedRecord,
    ImportKind,
    Language,
    Location,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
)
from opus.directory.needs_mapping import needs_for_links

# Writing


SERVICE_FIELDS = [
    "name", "description", "url", "email", "status", "fees_description", "application_process",
    "eligibility_description", "minimum_age", "maximum_age", "assured_date", "assurer_email",
    "alert", "reviewed_at", "delivery", "delivers_remotely",
]  # fmt: skip
ORGANISATION_FIELDS = [
    "name", "description", "website", "email", "charity_number", "company_number", "org_id",
]  # fmt: skip
LOCATION_FIELDS = [
    "location_type", "name", "description", "address_1", "city", "postal_code", "latitude",
    "longitude", "accessibility",
]  # fmt: skip
CHILDREN: dict[str, tuple[type[models.Model], tuple[str, ...]]] = {
    "languages": (Language, ("code", "name")),
    "cost_options": (
        CostOption, ("option", "amount_pence", "unit", "currency", "valid_from", "valid_to")
    ),
    "schedules": (
        Schedule, ("freq", "interval", "byday", "opens_at", "closes_at", "description")
    ),
    "contacts": (Contact, ("name", "title", "email", "phone")),
    "service_areas": (ServiceArea, ("name", "area_id")),
    "at_locations": (ServiceAtLocation, ("location_id", "description")),
}  # fmt: skip


def _differs(stored: dict[str, Any], wanted: dict[str, Any]) -> bool:
    return any(stored.get(key) != value for key, value in wanted.items())


def _rows_by_id(
    model: type[models.Model], ids: Sequence[Any], fields: Sequence[str], key: str = "id"
) -> dict[Any, dict[str, Any]]:
    found: dict[Any, dict[str, Any]] = {}
    for part in chunks(list(ids)):
        for row in model.objects.filter(**{f"{key}__in": part}).values(*fields):
            found[row[key]] = row
    return found


class SlugMaker:
    """Unique organisation slugs by core's rule (``core.services.unique_slug``), from every
    slug taken, read once, without a query per name."""

    def __init__(self) -> None:
        self.taken = set(Organisation.objects.values_list("slug", flat=True))

    def __call__(self, name: str) -> str:
        slug = unique_slug(name, self.taken.__contains__)
        self.taken.add(slug)
        return slug


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    extra: Counter[str] = field(default_factory=Counter)


class FeedWriter:
    """Write checked services, a batch at a time: terms, organisations, locations, services,
    then their lists; at the end (``finish``) the derived tables of every service written.

    Run inside a transaction. Each step compares what is stored with what the feed gives
    and writes only the differences, in bulk. A change to an organisation's details or to a
    service's organisation is audited with before and after; every record written or seen
    is remembered as `source`'s (ImportedRecord). `where` names each service's file and
    record for those events. An organisation or location this import created is the same
    record when a later batch gives it again: that is no change to audit or count.
    """

    def __init__(self, terms: TermLookup, source: str = "") -> None:
        self.terms = terms
        self.source = source
        self.now = timezone.now()
        self.counts = Counts()
        self.slugs: SlugMaker | None = None
        self.made: dict[str, set[uuid.UUID]] = {"organisations": set(), "locations": set()}
        self.written: set[uuid.UUID] = set()  # services created or changed: to refresh
        self.moved: tuple[set[uuid.UUID], set[uuid.UUID]] = (set(), set())  # orgs, places
        self.services: list[ServiceData] = []
        self.where: dict[uuid.UUID, tuple[str, int]] = {}
        self.stored: set[uuid.UUID] = set()  # of the batch's services, those that existed
        self.changed: set[uuid.UUID] = set()  # …and that this import changes
        self.organisations: tuple[set[uuid.UUID], set[uuid.UUID]] = (set(), set())  # given, new
        self.locations: tuple[set[uuid.UUID], set[uuid.UUID]] = (set(), set())  # given, new

    def write(
        self, services: list[ServiceData], where: dict[uuid.UUID, tuple[str, int]] | None = None
    ) -> dict[uuid.UUID, list[uuid.UUID]]:
        """Write one batch; the term ids each service that gives terms now has."""
        self.services, self.where = services, where or {}
        self.stored, self.changed = set(), set()
        links = self.terms.plan(self.services)
        self.terms.save()
        links = needs_for_links(links)  # with the needs their terms map to (needs_mapping.py)
        self.counts.extra["taxonomies created"] += len(self.terms.new_taxonomies)
        self.counts.extra["terms created"] += len(self.terms.new_terms)
        organisation_pks, changed_orgs = self.write_organisations()
        changed_places = self.write_locations(organisation_pks)
        self.write_services(organisation_pks)
        for kind, rows in self.child_rows().items():
            self.write_children(kind, rows)
        self.write_terms(links)
        for service in self.services:
            places = {site.location_id for site in service.sites or [] if site.location}
            if service.organisation_uuid in changed_orgs or places & changed_places:
                self.changed.add(service.id)
        self.touch()
        self.remember()
        updated = len(self.changed & self.stored)
        self.counts.updated += updated
        self.counts.unchanged += len(self.stored) - updated
        self.written |= ({s.id for s in self.services} - self.stored) | self.changed
        self.moved[0].update(changed_orgs - self.made["organisations"])
        self.moved[1].update(changed_places - self.made["locations"])
        return links

    def finish(self) -> Counts:
        """Refresh the derived rows once for every batch, and say what was done."""
        self.reindex(*self.moved)
        return self.counts

    def reindex(self, organisations: set[uuid.UUID], places: set[uuid.UUID]) -> None:
        """Search text and reach rows of the feed's services that this import created or
        changed, and of any other service whose provider was renamed or whose place moved by
        it, refreshed once for them all (a service passed over unchanged keeps its rows)."""
        ids = self.written
        others = set(derived.services_at(places))
        for part in chunks(sorted(organisations)):
            others |= set(
                Service.objects.filter(organisation__uuid__in=part).values_list("pk", flat=True)
            )
        derived.services_changed(sorted(ids | others))

    def audit(
        self, action: str, target: models.Model, service: uuid.UUID, diff: dict[str, Any]
    ) -> None:
        """One event for a change to a record's owner or details, with before and after."""
        file, number = self.where.get(service, ("", 0))
        where = {"source": self.source, "file": file, "record": number}
        audit_record(actor=None, action=action, target=target, summary=diff | where)

    def write_organisations(self) -> tuple[dict[uuid.UUID, int], set[uuid.UUID]]:
        given = {s.organisation.uuid: s.organisation for s in self.services if s.organisation}
        describer = {s.organisation.uuid: s.id for s in self.services if s.organisation}
        stored = _rows_by_id(
            Organisation, list(given), ["id", "uuid", *ORGANISATION_FIELDS], "uuid"
        )
        if self.slugs is None and set(given) - set(stored):
            self.slugs = SlugMaker()  # every slug taken, read once for the whole import
        made = self.made["organisations"]
        new: dict[tuple[str, ...], list[list[Any]]] = defaultdict(list)
        changed = []
        for key, org in given.items():
            row = stored.get(key)
            if row is None and self.slugs is not None:
                slug = self.slugs(org.fields["name"])
                base = [key, slug, org.kind, self.now, self.now]
                new[tuple(org.fields)].append(base + list(org.fields.values()))
                made.add(key)
            elif row is not None and _differs(row, org.fields):
                merged = row | org.fields
                changed.append(Organisation(updated_at=self.now, **merged))
                if key in made:  # created by this import: given again, not changed
                    continue
                diff = changes(
                    {f: row[f] for f in ORGANISATION_FIELDS},
                    {f: merged[f] for f in ORGANISATION_FIELDS},
                )
                self.audit("organisation.update", changed[-1], describer[key], diff)
        for keys, rows in new.items():
            base = ["uuid", "slug", "kind", "created_at", "updated_at"]
            insert_values(Organisation, [*base, *keys], rows)
        update_rows(changed, [*ORGANISATION_FIELDS, "updated_at"])
        created = {key for key, org in given.items() if key not in stored}
        self.organisations = (set(given), created)
        updated = {o.uuid for o in changed} - made
        self.counts.extra["organisations created"] += len(created)
        self.counts.extra["organisations updated"] += len(updated)
        wanted = list({s.organisation_uuid for s in self.services})
        rows = _rows_by_id(Organisation, wanted, ["id", "uuid"], "uuid")
        pks = {key: row["id"] for key, row in rows.items()}
        return pks, created | {o.uuid for o in changed}

    def write_locations(self, organisation_pks: dict[uuid.UUID, int]) -> set[uuid.UUID]:
        given: dict[uuid.UUID, tuple[LocationData, uuid.UUID]] = {}
        for service in self.services:
            for site in service.sites or []:
                if site.location is not None:
                    given[site.location.id] = (site.location, service.organisation_uuid)
        stored = _rows_by_id(Location, list(given), ["id", *LOCATION_FIELDS])
        made = self.made["locations"]
        new: dict[tuple[str, ...], list[list[Any]]] = defaultdict(list)
        changed = []
        for key, (place, org) in given.items():
            row = stored.get(key)
            if row is None:
                fields = {"name": place.fallback_name} | place.fields
                new[tuple(fields)].append([key, organisation_pks[org], *fields.values()])
                made.add(key)
            elif _differs(row, place.fields):
                changed.append(Location(**(row | place.fields)))
        for keys, rows in new.items():
            insert_values(Location, ["id", "organisation_id", *keys], rows)
        update_rows(changed, LOCATION_FIELDS)
        created = {key for key in given if key not in stored}
        self.locations = (set(given), created)
        self.counts.extra["locations created"] += len(created)
        self.counts.extra["locations updated"] += len({p.id for p in changed} - made)
        return created | {p.id for p in changed}

    def write_services(self, organisation_pks: dict[uuid.UUID, int]) -> None:
        fields = ["id", "organisation_id", *SERVICE_FIELDS]
        stored = _rows_by_id(Service, [s.id for s in self.services], fields)
        self.stored = set(stored)
        new: dict[tuple[str, ...], list[list[Any]]] = defaultdict(list)
        changed, moved = [], []
        for service in self.services:
            wanted = service.fields | {
                "organisation_id": organisation_pks[service.organisation_uuid]
            }
            row = stored.get(service.id)
            if row is None:
                values = {"reviewed_at": None, "last_modified": self.now} | wanted
                new[tuple(values)].append([service.id, *values.values()])
            elif _differs(row, wanted):
                changed.append(Service(**(row | wanted)))
                self.changed.add(service.id)
                if row["organisation_id"] != wanted["organisation_id"]:
                    moved.append((changed[-1], row["organisation_id"]))
        for keys, rows in new.items():
            insert_values(Service, ["id", *keys], rows)
        update_rows(changed, [*SERVICE_FIELDS, "organisation"])
        self.counts.created += len(self.services) - len(stored)
        self.audit_moves(moved)

    def audit_moves(self, moved: list[tuple[Service, int]]) -> None:
        """A service given to another organisation (of the same source): before and after."""
        pks = {pk for service, before in moved for pk in (service.organisation_id, before)}
        named = {
            row["id"]: {"organisation": str(row["uuid"]), "organisation_name": row["name"]}
            for row in Organisation.objects.filter(pk__in=pks).values("id", "uuid", "name")
        }
        for service, before in moved:
            diff = {"before": named[before], "after": named[service.organisation_id]}
            self.audit("service.update", service, service.id, diff)

    def remember(self) -> None:
        """Every record this import created becomes its source's; those it gave again are
        marked as seen now. (A row left by a deleted record is replaced.)"""
        services = {s.id for s in self.services}
        for kind, (given, new) in {
            ImportKind.SERVICE: (services, services - self.stored),
            ImportKind.ORGANISATION: self.organisations,
            ImportKind.LOCATION: self.locations,
            ImportKind.TAXONOMY: ({t.id for t in self.terms.new_taxonomies},) * 2,
            ImportKind.TERM: ({t.id for t in self.terms.new_terms},) * 2,
        }.items():
            for part in chunks(sorted(new)):
                ImportedRecord.objects.filter(kind=kind, external_id__in=part).delete()
            insert_values(
                ImportedRecord,
                ["source", "kind", "external_id", "first_imported_at", "last_imported_at"],
                ((self.source, kind, key, self.now, self.now) for key in sorted(new)),
            )
            for part in chunks(sorted(given - new)):
                ImportedRecord.objects.filter(
                    kind=kind, source=self.source, external_id__in=part
                ).update(last_imported_at=self.now)

    def child_rows(self) -> dict[str, dict[uuid.UUID, list[dict[str, Any]]]]:
        """For each kind of list, the rows each service gives (services that give it)."""
        codes = {
            row["area_code"] for s in self.services for row in s.children.get("service_areas", [])
        }
        areas = dict(
            Area.objects.filter(code__in=[c for c in codes if c]).values_list("code", "id")
        )
        found: dict[str, dict[uuid.UUID, list[dict[str, Any]]]] = defaultdict(dict)
        for service in self.services:
            for kind, rows in service.children.items():
                found[kind][service.id] = rows
            for row in service.children.get("service_areas", []):
                row["area_id"] = areas.get(row["area_code"])
            if service.sites is not None:
                found["at_locations"][service.id] = [
                    {"id": s.id, "location_id": s.location_id, "description": s.description}
                    for s in service.sites
                ]
        return found

    def write_children(self, kind: str, given: dict[uuid.UUID, list[dict[str, Any]]]) -> None:
        model, fields = CHILDREN[kind]
        stored: dict[uuid.UUID, list[tuple[Any, ...]]] = defaultdict(list)
        for part in chunks([sid for sid in given if sid in self.stored]):
            for row in model.objects.filter(service_id__in=part).values_list("service_id", *fields):
                stored[row[0]].append(row[1:])
        replace = [
            sid
            for sid, rows in given.items()
            if Counter(tuple(r[f] for f in fields) for r in rows) != Counter(stored.get(sid, []))
        ]
        for part in chunks([sid for sid in replace if sid in self.stored]):
            model.objects.filter(service_id__in=part).delete()
        rows = [(sid, row) for sid in replace for row in given[sid]]
        ids = self._free_ids(model, [row["id"] for _, row in rows])
        insert_values(
            model,
            ["id", "service_id", *fields],
            ([i, sid, *(row[f] for f in fields)] for i, (sid, row) in zip(ids, rows, strict=True)),
        )
        self.changed.update(sid for sid in replace if sid in self.stored)

    @staticmethod
    def _free_ids(model: type[models.Model], wanted: list[uuid.UUID | None]) -> list[uuid.UUID]:
        """The feed's ids where no other row holds them, else new ones."""
        taken = existing_ids(model, [i for i in wanted if i is not None])
        result = []
        for given in wanted:
            fresh = given is None or given in taken
            result.append(uuid.uuid4() if fresh else given)
            taken.add(result[-1])
        return result

    def write_terms(self, links: dict[uuid.UUID, list[uuid.UUID]]) -> None:
        through = Service.terms.through
        stored: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
        for part in chunks([sid for sid in links if sid in self.stored]):
            for sid, term in through.objects.filter(service_id__in=part).values_list(
                "service_id", "taxonomyterm_id"
            ):
                stored[sid].add(term)
        replace = [sid for sid, terms in links.items() if set(terms) != stored.get(sid, set())]
        for part in chunks([sid for sid in replace if sid in self.stored]):
            through.objects.filter(service_id__in=part).delete()
        insert_values(
            through,
            ["service_id", "taxonomyterm_id"],
            ((sid, term) for sid in replace for term in links[sid]),
        )
        self.changed.update(sid for sid in replace if sid in self.stored)

    def touch(self) -> None:
        """Changed services move last_modified. Their review date is only ever the feed's
        (a change without one leaves the date as it was: an import is not a review)."""
        for part in chunks(sorted(self.changed & self.stored)):
            Service.objects.filter(id__in=part).update(last_modified=self.now)
