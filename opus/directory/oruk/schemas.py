"""Our directory in the shapes of Open Referral UK 3.0 (the UK profile of HSDS 3).

Plain dicts rather than pydantic models: the standard's JSON Schemas are the contract (the
tests validate every response against them), and building dicts keeps long feeds cheap.

Rules the builders follow:
- Empty optional fields (None, "", []) are left out; required fields are always present.
- Rows we don't store one-to-one (addresses, accessibility entries, attributes, organisation
  identifiers, phones) get UUID5 ids derived from their parent's id, so they're stable.
- The UK profile removes a few HSDS 3.0 fields that Opus holds. The schemas are open (no
  `additionalProperties: false`) and ORUK allows further properties that don't conflict, so
  we keep those under their HSDS 3.0 names: HSDS_EXTRAS lists every one.
"""

from __future__ import annotations

import json
import math
import uuid
from datetime import UTC, datetime
from typing import Any

from opus.core.models import Organisation
from opus.directory.importers.richtext import html_to_text
from opus.directory.models import (
    Contact,
    CostOption,
    Language,
    Location,
    LocationType,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from opus.directory.vocabularies import ACCESSIBILITY
from opus.engines.matching import miles

Json = dict[str, Any]

# HSDS 3.0 fields the UK profile dropped that we still send, by object (see the docstring).
HSDS_EXTRAS: dict[str, frozenset[str]] = {
    "service": frozenset({"eligibility_description", "application_process"}),
    "service_at_location": frozenset({"description"}),
    "language": frozenset({"code", "name"}),
    "cost_option": frozenset({"currency"}),
    "contact": frozenset({"email", "phones"}),
}

# org-id.guide schemes for the registers Organisation records.
IDENTIFIER_TYPES = {
    "GB-CHC": "Charity Commission for England and Wales number",
    "GB-SC": "Scottish Charity Regulator number",
    "GB-NIC": "Charity Commission for Northern Ireland number",
    "GB-COH": "Companies House number",
}
ONS_GEOGRAPHY = "http://statistics.data.gov.uk/id/statistical-geography/"


def compact(fields: Json) -> Json:
    """Drop empty values: the ORUK convention is to leave out what isn't known."""
    return {k: v for k, v in fields.items() if v is not None and v != "" and v != []}


def _id(value: Any) -> str | None:
    return None if value is None else str(value)


def _derived_id(parent: uuid.UUID, name: str) -> str:
    return str(uuid.uuid5(parent, name))


def timestamp(value: datetime) -> str:
    """UTC with milliseconds and a Z, as the schema's example (and date-time format) has it."""
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# --- organisations ---------------------------------------------------------------------


def organization_basic(org: Organisation) -> Json:
    return {
        "id": str(org.uuid),
        "name": org.name,
        "description": org.description,
        **compact({"email": org.email, "website": org.website}),
    }


def _charity_scheme(number: str) -> str:
    if number.startswith("SC"):
        return "GB-SC"
    return "GB-NIC" if number.startswith("NIC") else "GB-CHC"


def _registered_numbers(org: Organisation) -> list[tuple[str, str]]:
    found = []
    if org.org_id:
        country, register, number = org.org_id.split("-", 2)
        found.append((f"{country}-{register}", number))
    if org.charity_number:
        found.append((_charity_scheme(org.charity_number), org.charity_number))
    if org.company_number:
        found.append(("GB-COH", org.company_number))
    return list(dict.fromkeys(found))


def organization_identifiers(org: Organisation) -> list[Json]:
    """org_id, charity and company numbers as organisation_identifier entries, without repeats."""
    return [
        {
            "id": _derived_id(org.uuid, f"identifier:{scheme}:{number}"),
            "organization_id": str(org.uuid),
            "identifier_scheme": scheme,
            "identifier_type": IDENTIFIER_TYPES.get(scheme, scheme),
            "identifier": number,
        }
        for scheme, number in _registered_numbers(org)
    ]


def organization_full(org: Organisation) -> Json:
    return {
        **organization_basic(org),
        **compact({"organization_identifiers": organization_identifiers(org)}),
    }


# --- taxonomies --------------------------------------------------------------------------


def taxonomy_term(term: TaxonomyTerm) -> Json:
    """`term` carries our code: the UK profile replaced HSDS's `code` with `term`."""
    return {
        "id": str(term.id),
        "name": term.name,
        "description": term.description,
        **compact(
            {
                "parent_id": _id(term.parent_id),
                "taxonomy": term.taxonomy.name,
                "taxonomy_id": str(term.taxonomy_id),
                "term_uri": term.term_uri,
                "term": term.code,
            }
        ),
    }


def taxonomy_basic(taxonomy: Taxonomy) -> Json:
    return {
        "id": str(taxonomy.id),
        "name": taxonomy.name,
        "description": taxonomy.description,
        **compact({"uri": taxonomy.uri, "version": taxonomy.version}),
    }


def taxonomy_full(taxonomy: Taxonomy) -> Json:
    """With its terms (prefetched as `terms`, each with its taxonomy)."""
    terms = [taxonomy_term(t) for t in taxonomy.terms.all()]
    return {**taxonomy_basic(taxonomy), **compact({"taxonomy_terms": terms})}


# --- locations ---------------------------------------------------------------------------


def location_basic(location: Location) -> Json:
    return {
        "id": str(location.id),
        "location_type": location.location_type,
        **compact(
            {
                "name": location.name,
                "description": location.description,
                "latitude": location.latitude,
                "longitude": location.longitude,
            }
        ),
    }


def address(location: Location) -> Json | None:
    """The one address a location has, if it has one worth sending.

    address.json requires state_province, which UK addresses don't have: it is sent empty.
    """
    if location.location_type == LocationType.VIRTUAL:
        return None
    if not (location.address_1 or location.postal_code):
        return None
    return {
        "id": _derived_id(location.id, "address"),
        "location_id": str(location.id),
        "address_1": location.address_1,
        "city": location.city,
        "state_province": "",
        "postal_code": location.postal_code,
        "country": "GB",
        "address_type": location.location_type,
    }


def accessibility(location: Location) -> list[Json]:
    """Our accessibility vocabulary, one entry per feature, described in words."""
    return [
        {
            "id": _derived_id(location.id, f"accessibility:{code}"),
            "location_id": str(location.id),
            "description": ACCESSIBILITY.get(code, code),
        }
        for code in location.accessibility or []
    ]


def location_full(location: Location) -> Json:
    found = address(location)
    return {
        **location_basic(location),
        **compact(
            {
                "addresses": [found] if found else [],
                "accessibility": accessibility(location),
            }
        ),
    }


# --- services: the one-to-one fields -----------------------------------------------------


def service_minimal(service: Service) -> Json:
    """What `minimal=true` asks for (id and modification time) plus the required fields."""
    return {
        "id": str(service.id),
        "name": service.name,
        "status": service.status,
        "last_modified": timestamp(service.last_modified),
    }


def service_basic(service: Service) -> Json:
    return {
        **service_minimal(service),
        **compact(
            {
                "organization_id": str(service.organisation.uuid),
                "description": html_to_text(service.description),  # ORUK: plain text
                "url": service.url,
                "email": service.email,
                "fees": service.fees_description,
                "eligibility_description": service.eligibility_description,
                "application_process": service.application_process,
                "minimum_age": service.minimum_age,
                "maximum_age": service.maximum_age,
                "assured_date": service.assured_date and service.assured_date.isoformat(),
                "assurer_email": service.assurer_email,
                "alert": service.alert,
            }
        ),
    }


def service_summary(service: Service) -> Json:
    """A list entry: the one-to-one fields and the organisation."""
    return {**service_basic(service), "organization": organization_basic(service.organisation)}


# --- services: the nested arrays ---------------------------------------------------------


def language(row: Language) -> Json:
    return {"id": str(row.id), "service_id": str(row.service_id), "code": row.code,
            "name": row.name}  # fmt: skip


def _amount(pence: int) -> int | float:
    return pence // 100 if pence % 100 == 0 else pence / 100


def cost_option(row: CostOption) -> Json:
    """Pounds as a number; the unit in words (amount_description), e.g. "per hour"."""
    return {
        "id": str(row.id),
        "service_id": str(row.service_id),
        "amount": _amount(row.amount_pence),
        "amount_description": f"per {row.unit}",
        **compact(
            {
                "option": row.option,
                "currency": row.currency,
                "valid_from": row.valid_from and row.valid_from.isoformat(),
                "valid_to": row.valid_to and row.valid_to.isoformat(),
            }
        ),
    }


def schedule(row: Schedule) -> Json:
    return {
        "id": str(row.id),
        "service_id": str(row.service_id),
        **compact(
            {
                "freq": row.freq,
                "interval": row.interval,
                "byday": row.byday,
                "opens_at": row.opens_at and row.opens_at.isoformat(),
                "closes_at": row.closes_at and row.closes_at.isoformat(),
                "description": row.description,
            }
        ),
    }


def service_area(row: ServiceArea) -> Json:
    """An ONS area is identified by its statistical-geography URI; a radius from a base is
    described in words and drawn as a GeoJSON polygon (GeoJSON has no circles)."""
    uri = f"{ONS_GEOGRAPHY}{row.area.code}" if row.area else ""
    shape = {}
    if row.radius_m is not None and row.latitude is not None and row.longitude is not None:
        km = row.radius_m / 1000
        shape = {
            "description": f"Within {miles(km)} of {row.name}",
            "extent": json.dumps(_circle(row.latitude, row.longitude, km), separators=(",", ":")),
            "extent_type": "geojson",
        }
    return {"id": str(row.id), "service_id": str(row.service_id),
            **compact({"name": row.name, "uri": uri, **shape})}  # fmt: skip


def _circle(latitude: float, longitude: float, km: float, sides: int = 32) -> Json:
    """A polygon of `sides` corners around a circle on the ground (longitude, latitude)."""
    dlat = km / 111.32
    dlon = km / (111.32 * max(math.cos(math.radians(latitude)), 0.01))
    ring = [
        [
            round(longitude + dlon * math.sin(2 * math.pi * i / sides), 6),
            round(latitude + dlat * math.cos(2 * math.pi * i / sides), 6),
        ]
        for i in range(sides)
    ]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def contact(row: Contact) -> Json:
    phones = [{"id": _derived_id(row.id, "phone"), "number": row.phone}] if row.phone else []
    return {
        "id": str(row.id),
        "service_id": str(row.service_id),
        **compact({"name": row.name, "title": row.title, "email": row.email, "phones": phones}),
    }


def attribute(service: Service, term: TaxonomyTerm) -> Json:
    return {
        "id": _derived_id(service.id, f"attribute:{term.id}"),
        "link_id": str(service.id),
        "link_type": "service",
        "taxonomy_term_id": str(term.id),
        "taxonomy_term": taxonomy_term(term),
    }


def service_at_location_basic(row: ServiceAtLocation) -> Json:
    return {
        "id": str(row.id),
        "service_id": str(row.service_id),
        "location_id": str(row.location_id),
        **compact({"description": row.description}),
    }


def _nested_arrays(service: Service) -> Json:
    return {
        "languages": [language(x) for x in service.languages.all()],
        "cost_options": [cost_option(x) for x in service.cost_options.all()],
        "schedules": [schedule(x) for x in service.schedules.all()],
        "service_areas": [service_area(x) for x in service.areas.all()],
        "contacts": [contact(x) for x in service.contacts.all()],
        "attributes": [attribute(service, t) for t in service.terms.all()],
    }


def service_full(service: Service, *, organization: bool = True, places: bool = True) -> Json:
    """Fully nested; `organization`/`places` off where the service is itself nested in one."""
    nested = _nested_arrays(service)
    if places:
        nested["service_at_locations"] = [
            {**service_at_location_basic(x), "location": location_full(x.location)}
            for x in service.at_locations.all()
        ]
    if organization:
        nested["organization"] = organization_full(service.organisation)
    return {**service_basic(service), **compact(nested)}


# --- service at locations ----------------------------------------------------------------


def service_at_location_summary(row: ServiceAtLocation) -> Json:
    """A list entry: the place and the service, one-to-one fields only."""
    return {
        **service_at_location_basic(row),
        "location": location_basic(row.location),
        "service": service_summary(row.service),
    }


def service_at_location_full(row: ServiceAtLocation) -> Json:
    return {
        **service_at_location_basic(row),
        "location": location_full(row.location),
        "service": service_full(row.service, places=False),
    }
