"""One ORUK service record as plain data (``parse_service``): the record's fields read with
the value parsers of ``values.py``, an ORUK 1.0 record first put in the 3.0 shape by
``oruk1.py`` and its problems named by its own field names."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from opus.directory.importers import oruk1
from opus.directory.importers.values import (
    Fields,
    RecordError,
    _kind,
    _shown,
    accessibility_codes,
    byday,
    choice,
    coordinate,
    cost_unit,
    currency,
    date_value,
    datetime_value,
    delivery,
    email_address,
    ons_code_in,
    optional_uuid,
    organisation_identifiers,
    organisation_kind,
    pence,
    plain_text,
    plain_text_cut,
    postcode,
    required_text,
    rich_text,
    text,
    time_value,
    uuid_value,
    web_address,
    whole,
)
from opus.directory.models import REMOTE_DELIVERY, LocationType, ServiceStatus
from opus.directory.vocabularies import LANGUAGES

LOCATION_TYPES = tuple(LocationType.values)  # worked out once, not per record
SERVICE_STATUSES = tuple(ServiceStatus.values)

# Records as plain data


@dataclass
class OrganisationData:
    uuid: uuid.UUID
    fields: dict[str, Any]
    kind: str


@dataclass
class LocationData:
    id: uuid.UUID
    fields: dict[str, Any]
    fallback_name: str  # the name a new location gets when the record gives none


@dataclass
class Site:
    """A service_at_location: the service is offered at this location."""

    id: uuid.UUID | None
    location_id: uuid.UUID
    location: LocationData | None
    description: str


@dataclass(frozen=True)
class TermRef:
    where: str  # the path of the term in the record, for messages
    id: uuid.UUID
    bare: bool = False  # given only as taxonomy_term_id
    code: str = ""
    name: str = ""
    description: str = ""
    term_uri: str = ""
    parent_id: uuid.UUID | None = None
    taxonomy_id: uuid.UUID | None = None
    taxonomy_name: str = ""
    taxonomy_description: str = ""
    taxonomy_uri: str = ""
    taxonomy_version: str = ""


@dataclass
class ServiceData:
    id: uuid.UUID
    fields: dict[str, Any]  # Service columns the record gives
    organisation_uuid: uuid.UUID
    organisation: OrganisationData | None  # None when given only by organization_id
    sites: list[Site] | None  # None: the record leaves service_at_locations out
    children: dict[str, list[dict[str, Any]]]  # languages, cost_options, … that it gives
    terms: list[TermRef] | None
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (field, what was fixed)


def parse_organisation(f: Fields) -> OrganisationData:
    fields: dict[str, Any] = {"name": f.get("name", required_text, max_length=200)}
    f.put(fields, "description", plain_text)
    f.put(fields, "website", web_address)
    f.put(fields, "email", email_address)
    found, schemes = organisation_identifiers(
        item.raw for item in f.objects("organization_identifiers")
    )
    fields.update(found)
    return OrganisationData(f.get("id", uuid_value), fields, organisation_kind(found, schemes))


def service_organisation(f: Fields) -> tuple[uuid.UUID, OrganisationData | None]:
    nested = f.obj("organization")
    given = f.get("organization_id", optional_uuid)
    if nested is not None:
        organisation = parse_organisation(nested)
        if given is not None and given != organisation.uuid:
            raise f.fail("organization_id", f"is not the organization's id ({organisation.uuid})")
        return organisation.uuid, organisation
    if given is None:
        raise f.fail("organization", "is missing; give the organization or its organization_id")
    return given, None


def _address_fields(addresses: list[Fields]) -> dict[str, Any]:
    if not addresses:
        return {"address_1": "", "city": "", "postal_code": ""}
    physical = [a for a in addresses if a.raw.get("address_type") == "physical"]
    chosen = (physical or addresses)[0]
    return {
        "address_1": chosen.get("address_1", text, max_length=200),
        "city": chosen.get("city", text, max_length=100),
        "postal_code": chosen.get("postal_code", postcode),
    }


def _accessibility_texts(items: list[Fields]) -> list[str]:
    keys = ("accessibility", "description", "details")
    return [item.get(key, text) for item in items for key in keys]


def parse_location(f: Fields, service_name: str) -> LocationData:
    fields: dict[str, Any] = {}
    f.put(fields, "location_type", choice, choices=LOCATION_TYPES)
    f.put(fields, "name", text, max_length=200)
    f.put(fields, "description", plain_text)
    f.put(fields, "latitude", coordinate, low=-90, high=90, what="a latitude")
    f.put(fields, "longitude", coordinate, low=-180, high=180, what="a longitude")
    if (fields.get("latitude") is None) != (fields.get("longitude") is None):
        missing = "longitude" if fields.get("longitude") is None else "latitude"
        raise f.fail(missing, "is missing; latitude and longitude go together")
    if f.has("addresses"):
        fields.update(_address_fields(f.objects("addresses")))
    if f.has("accessibility"):
        fields["accessibility"] = accessibility_codes(
            _accessibility_texts(f.objects("accessibility"))
        )
    if not fields.get("name"):
        fields.pop("name", None)
    fallback = fields.get("address_1") or fields.get("postal_code") or service_name
    return LocationData(f.get("id", uuid_value), fields, fallback[:200])


def parse_site(f: Fields, service_name: str) -> Site:
    nested = f.obj("location")
    location = parse_location(nested, service_name) if nested is not None else None
    given = f.get("location_id", optional_uuid)
    if location is not None and given is not None and given != location.id:
        raise f.fail("location_id", f"is not the location's id ({location.id})")
    location_id = location.id if location is not None else given
    if location_id is None:
        raise f.fail("location", "is missing; give the location or its location_id")
    return Site(f.get("id", optional_uuid), location_id, location, f.get("description", text))


def service_sites(f: Fields, service_name: str) -> list[Site] | None:
    if not f.has("service_at_locations"):
        return None
    sites: dict[uuid.UUID, Site] = {}
    for item in f.objects("service_at_locations"):
        site = parse_site(item, service_name)
        sites.setdefault(site.location_id, site)  # one link per place
    return list(sites.values())


_LANGUAGE_CODE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_LANGUAGE_BY_NAME = {name.casefold(): code for code, name in LANGUAGES.items()}


def parse_language(f: Fields) -> dict[str, Any] | None:
    code = f.get("code", text)
    name = f.get("name", text, max_length=100)
    if not code and not name:
        return None  # ORUK's bare {"id": …} names no language
    code = code or _LANGUAGE_BY_NAME.get(name.casefold(), "")
    if not code:
        raise f.fail("code", f"is missing, and {_shown(name)} is not a language known by name")
    if len(code) > 10 or not _LANGUAGE_CODE.match(code):
        raise f.fail("code", f"{_shown(code)} is not a language code like en or bfi")
    name = name or LANGUAGES.get(code.lower(), code)
    return {"id": f.get("id", optional_uuid), "code": code, "name": name}


def parse_cost_option(f: Fields) -> dict[str, Any] | None:
    amount = f.get("amount", pence)
    if amount is None:
        return None
    row = {
        "id": f.get("id", optional_uuid),
        "option": f.get("option", text, max_length=200),
        "amount_pence": amount,
        "unit": cost_unit(f.get("amount_description", text)),
        "currency": f.get("currency", currency),
        "valid_from": f.get("valid_from", date_value),
        "valid_to": f.get("valid_to", date_value),
    }
    if row["valid_from"] and row["valid_to"] and row["valid_from"] > row["valid_to"]:
        raise f.fail("valid_to", f"{row['valid_to']} is before valid_from, {row['valid_from']}")
    return row


def parse_schedule(f: Fields) -> dict[str, Any]:
    return {
        "id": f.get("id", optional_uuid),
        "freq": f.get("freq", choice, choices=("WEEKLY", "MONTHLY"), default="WEEKLY"),
        "interval": f.get("interval", whole, low=1, high=1000) or 1,
        "byday": f.get("byday", byday),
        "opens_at": f.get("opens_at", time_value),
        "closes_at": f.get("closes_at", time_value),
        "description": f.get("description", plain_text_cut, max_length=300),
    }


def _phone(value: Any) -> str:
    result = text(value).strip("\"' ")
    if len(result) > 30:
        raise ValueError("is longer than 30 characters")
    return result


def parse_contact(f: Fields) -> dict[str, Any] | None:
    phones = f.objects("phones")
    row = {
        "id": f.get("id", optional_uuid),
        "name": f.get("name", text, max_length=200),
        "title": f.get("title", text, max_length=200),
        "email": f.get("email", email_address),
        "phone": phones[0].get("number", _phone) if phones else f.get("phone", _phone),
    }
    return row if any(row[k] for k in ("name", "title", "email", "phone")) else None


def parse_service_area(f: Fields) -> dict[str, Any] | None:
    name = f.get("name", text, max_length=200) or f.get("service_area", text, max_length=200)
    code = ons_code_in(f.get("uri", text), f.get("extent", text), name)
    if not name and not code:
        return None
    return {"id": f.get("id", optional_uuid), "name": name or code, "area_code": code}


CHILD_PARSERS: dict[str, Callable[[Fields], dict[str, Any] | None]] = {
    "languages": parse_language,
    "cost_options": parse_cost_option,
    "schedules": parse_schedule,
    "contacts": parse_contact,
    "service_areas": parse_service_area,
}


def service_children(f: Fields) -> dict[str, list[dict[str, Any]]]:
    children: dict[str, list[dict[str, Any]]] = {}
    for key, parse in CHILD_PARSERS.items():
        if f.has(key):
            rows = [parse(item) for item in f.objects(key)]
            children[key] = [row for row in rows if row is not None]
    return children


def parse_term(f: Fields) -> TermRef:
    detail = f.obj("taxonomy_detail") or Fields({}, f.prefix + "taxonomy_detail.")
    name = f.get("name", text, max_length=200)
    code = f.get("code", text, max_length=100) or f.get("term", text, max_length=100)
    return TermRef(
        where=f.prefix,
        id=f.get("id", uuid_value),
        code=code or name[:100],
        name=name or code,
        description=f.get("description", text),
        term_uri=f.get("term_uri", web_address),
        parent_id=f.get("parent_id", optional_uuid),
        taxonomy_id=f.get("taxonomy_id", optional_uuid) or detail.get("id", optional_uuid),
        taxonomy_name=f.get("taxonomy", text, max_length=200)
        or detail.get("name", text, max_length=200),
        taxonomy_description=detail.get("description", text),
        taxonomy_uri=detail.get("uri", web_address),
        taxonomy_version=detail.get("version", text, max_length=40),
    )


def service_terms(f: Fields) -> list[TermRef] | None:
    if not f.has("attributes"):
        return None
    refs = []
    for item in f.objects("attributes"):
        term = item.obj("taxonomy_term")
        if term is not None:
            refs.append(parse_term(term))
        else:
            refs.append(TermRef(item.prefix, item.get("taxonomy_term_id", uuid_value), True))
    return refs


def service_fields(f: Fields) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "name": f.get("name", required_text, max_length=200),
        "status": f.get("status", choice, choices=SERVICE_STATUSES),
    }
    f.put(fields, "description", rich_text)
    for key in ("fees_description", "application_process", "eligibility_description"):
        f.put(fields, key, plain_text)
    if "fees_description" not in fields and f.has("fees"):
        fields["fees_description"] = f.get("fees", plain_text)  # ORUK's deprecated name
    if f.has("delivery"):
        fields["delivery"] = f.get("delivery", delivery)
        fields["delivers_remotely"] = bool(set(fields["delivery"]) & REMOTE_DELIVERY)
    f.put(fields, "alert", plain_text_cut, max_length=300)
    f.put(fields, "url", web_address)
    f.put(fields, "email", email_address)
    f.put(fields, "assurer_email", email_address)
    f.put(fields, "assured_date", date_value)
    f.put(fields, "minimum_age", whole, low=0, high=130)
    f.put(fields, "maximum_age", whole, low=0, high=130)
    low, high = fields.get("minimum_age"), fields.get("maximum_age")
    if low is not None and high is not None and low > high:
        raise f.fail("minimum_age", f"{low} is more than the maximum_age, {high}")
    reviewed = review_date(f.get("last_modified", datetime_value), fields.get("assured_date"))
    if reviewed is not None:
        fields["reviewed_at"] = reviewed
    return fields


def review_date(modified: datetime | None, assured: date | None) -> datetime | None:
    """When the feed says the record was last checked: the later of its last_modified and
    its assured_date (taken as the start of that day, UTC); None when it says neither, and
    then the service has no review date (never "today")."""
    dates = [modified] if modified is not None else []
    if assured is not None:
        dates.append(datetime.combine(assured, time(), tzinfo=UTC))
    return max(dates) if dates else None


def parse_service(raw: Any) -> ServiceData:
    """One ORUK service record as plain data, or RecordError naming its first problem."""
    if not isinstance(raw, dict):
        raise RecordError("record", f"should be a service object, not {_kind(raw)}")
    if oruk1.is_oruk1(raw):
        try:
            service = _parse_service(oruk1.to_oruk3(raw))
        except RecordError as error:
            raise RecordError(oruk1.field_name(error.field, raw), error.message) from None
        service.warnings = [(oruk1.field_name(w, raw), note) for w, note in service.warnings]
        return service
    return _parse_service(raw)


def _parse_service(raw: dict[str, Any]) -> ServiceData:
    f = Fields(raw)
    service_id = f.get("id", uuid_value)
    fields = service_fields(f)
    organisation_uuid, organisation = service_organisation(f)
    return ServiceData(
        id=service_id,
        fields=fields,
        organisation_uuid=organisation_uuid,
        organisation=organisation,
        sites=service_sites(f, fields["name"]),
        children=service_children(f),
        terms=service_terms(f),
        warnings=f.warnings,
    )
