"""ORUK 1.0 records, as Placecube and other council directories publish them, in the shape
of ORUK 3.0 (HSDS 3.0), so that one parser reads both.

A record is read as ORUK 1.0 when it carries a field only 1.0 has (``pc_metadata``,
``pc_targetAudience``, ``attending_type``, ``deliverable_type``, ``service_taxonomys``,
``regular_schedules``, ``eligibilitys``, or a location's ``physical_addresses``). What 3.0
has a field for is moved there, only when the record does not give the 3.0 field as well:

- ``regular_schedules`` → ``schedules``; ``eligibilitys`` → the ages and eligibility text;
- ``service_taxonomys[].taxonomy`` → ``attributes[].taxonomy_term`` (the vocabulary names
  the taxonomy; an id that is not a UUID becomes a stable one made from it, and is kept as
  the term's code);
- ``deliverable_type`` and ``pc_targetAudience`` → terms of the taxonomies "ORUK deliverable
  type" and "Target audience", so that they are kept and can be mapped to needs;
- ``attending_type`` ("Venue", "Home visit", "Online", "Telephone"…) → ``delivery`` codes;
- a location's ``physical_addresses`` → ``addresses``, ``accessibility_for_disabilities`` →
  ``accessibility``; an organisation's ``url`` → ``website``;
- the newest of ``pc_metadata``'s modified dates → ``last_modified``;
- nested rows' ids that are not UUIDs ("c1") → UUIDs made from them.

Pure data in, data out: no Django, nothing checked here (the parser checks what comes out).
"""

from __future__ import annotations

import copy
import re
import uuid
from typing import Any

NAMESPACE = uuid.UUID("6b1f7a52-7d0b-4f1e-9a55-0c5a1f0e2d13")  # ids made from 1.0 ids
ONE_ONLY = (
    "pc_metadata",
    "pc_targetAudience",
    "attending_type",
    "deliverable_type",
    "service_taxonomys",
    "regular_schedules",
    "eligibilitys",
)
METADATA_DATES = (
    "last_modified",
    "last_modified_date",
    "lastModified",
    "modified_date",
    "date_modified",
    "dateModified",
    "updated_at",
)
DELIVERABLE_TAXONOMY = "ORUK deliverable type"
AUDIENCE_TAXONOMY = "Target audience"
_ATTENDING = (
    ("at-home", re.compile(r"home|outreach|visit", re.IGNORECASE)),
    ("online", re.compile(r"online|phone|telephone|virtual|remote|web|video", re.IGNORECASE)),
    (
        "in-person",
        re.compile(r"venue|in[ -]person|face|drop[ -]?in|centre|building", re.IGNORECASE),
    ),
)


def is_oruk1(record: Any) -> bool:
    if not isinstance(record, dict):
        return False
    if any(key in record for key in ONE_ONLY):
        return True
    places = record.get("service_at_locations")
    return isinstance(places, list) and any(
        isinstance(p, dict)
        and isinstance(p.get("location"), dict)
        and "physical_addresses" in p["location"]
        for p in places
    )


def stable_id(kind: str, value: Any) -> str:
    """`value` if it is a UUID, else a UUID made from it (the same every import)."""
    given = str(value).strip() if value is not None else ""
    try:
        return str(uuid.UUID(given))
    except ValueError:
        return str(uuid.uuid5(NAMESPACE, f"{kind}:{given}"))


def _words(value: Any) -> list[str]:
    """A 1.0 list field that may be text ("Venue, Online"), a list of text or of objects."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    found: list[str] = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("name") or item.get("value") or item.get("label") or ""
        if isinstance(item, str):
            found.extend(part.strip() for part in re.split(r"[,;/|]", item) if part.strip())
    return found


def delivery_codes(value: Any) -> list[str]:
    """Opus's delivery codes named by an attending_type."""
    said = _words(value)
    return [code for code, pattern in _ATTENDING if any(pattern.search(w) for w in said)]


def _term(taxonomy: str, name: str) -> dict[str, Any]:
    return {
        "taxonomy_term": {
            "id": stable_id(taxonomy, name.casefold()),
            "name": name[:200],
            "code": name[:100],
            "taxonomy": taxonomy,
        }
    }


def _taxonomy_attribute(item: Any) -> Any:
    if not isinstance(item, dict):
        return item  # the parser says what is wrong with it
    term = item.get("taxonomy") if isinstance(item.get("taxonomy"), dict) else item
    vocabulary = term.get("vocabulary") or term.get("taxonomy") or ""
    given = term.get("id")
    converted: dict[str, Any] = {
        "id": stable_id(f"term:{vocabulary}", given),
        "name": term.get("name"),
        "taxonomy": vocabulary or None,
    }
    if given is not None and str(given) != converted["id"]:
        converted["code"] = str(given)[:100]
    parent = term.get("parent")
    if parent not in (None, ""):
        converted["parent_id"] = stable_id(f"term:{vocabulary}", parent)
    return {"taxonomy_term": converted}


def _eligibility(record: dict[str, Any], found: dict[str, Any]) -> None:
    items = record.get("eligibilitys")
    if not isinstance(items, list):
        return
    texts = []
    for item in items:
        if not isinstance(item, dict):
            continue
        for key in ("minimum_age", "maximum_age"):
            if item.get(key) is not None and key not in record and key not in found:
                found[key] = item[key]
        if isinstance(item.get("eligibility"), str) and item["eligibility"].strip():
            texts.append(item["eligibility"].strip())
    if texts and "eligibility_description" not in record:
        found["eligibility_description"] = "; ".join(texts)


def _stable_ids(items: Any, kind: str) -> None:
    """1.0 feeds give nested rows ids such as "c1": they become UUIDs made from them."""
    if isinstance(items, list):
        for item in items:
            if isinstance(item, dict) and item.get("id") not in (None, ""):
                item["id"] = stable_id(kind, item["id"])


def _location(location: Any) -> Any:
    if not isinstance(location, dict):
        return location
    result = dict(location)
    addresses = result.pop("physical_addresses", None)
    if "addresses" not in result and isinstance(addresses, list):
        result["addresses"] = [
            ({"address_type": "physical", **a} if isinstance(a, dict) else a) for a in addresses
        ]
    access = result.pop("accessibility_for_disabilities", None)
    if "accessibility" not in result and isinstance(access, list):
        result["accessibility"] = access
    _stable_ids(result.get("addresses"), "addresses")
    _stable_ids(result.get("accessibility"), "accessibility")
    return result


def _modified(metadata: Any) -> str | None:
    if not isinstance(metadata, dict):
        return None
    dates = [str(metadata[k]) for k in METADATA_DATES if isinstance(metadata.get(k), str)]
    return max(dates) if dates else None  # ISO text sorts as time does


def to_oruk3(record: dict[str, Any]) -> dict[str, Any]:
    """The record in the 3.0 shape (a new dict; `record` is not changed)."""
    result = copy.deepcopy(record)
    schedules = result.pop("regular_schedules", None)
    if schedules is not None and "schedules" not in result:
        result["schedules"] = schedules
    found: dict[str, Any] = {}
    _eligibility(record, found)
    result.pop("eligibilitys", None)
    result.update(found)
    _attributes(result)
    if "attending_type" in result:
        codes = delivery_codes(result.pop("attending_type"))
        if codes and "delivery" not in result:
            result["delivery"] = codes
    result.pop("attending_access", None)
    modified = _modified(result.pop("pc_metadata", None))
    if modified and "last_modified" not in result:
        result["last_modified"] = modified
    _organisation(result)
    _places(result)
    for key in ("contacts", "cost_options", "schedules", "service_areas", "languages"):
        _stable_ids(result.get(key), key)
    for contact in result.get("contacts") or []:
        if isinstance(contact, dict):
            _stable_ids(contact.get("phones"), "phones")
    return result


def _attributes(result: dict[str, Any]) -> None:
    """service_taxonomys, deliverable_type and pc_targetAudience as attributes' terms."""
    taxonomies = result.pop("service_taxonomys", None)
    extra = [_taxonomy_attribute(t) for t in taxonomies] if isinstance(taxonomies, list) else []
    extra += [_term(DELIVERABLE_TAXONOMY, w) for w in _words(result.pop("deliverable_type", None))]
    extra += [_term(AUDIENCE_TAXONOMY, w) for w in _words(result.pop("pc_targetAudience", None))]
    given = result.get("attributes")
    if given is None:
        if extra:
            result["attributes"] = extra
    elif isinstance(given, list):
        result["attributes"] = given + extra
    # anything else is left for the parser to refuse


def _organisation(result: dict[str, Any]) -> None:
    organisation = result.get("organization")
    if isinstance(organisation, dict) and "url" in organisation and "website" not in organisation:
        result["organization"] = {**organisation, "website": organisation["url"]}
        result["organization"].pop("url")


def _places(result: dict[str, Any]) -> None:
    places = result.get("service_at_locations")
    if isinstance(places, list):
        result["service_at_locations"] = [
            ({**p, "location": _location(p.get("location"))} if isinstance(p, dict) else p)
            for p in places
        ]
        _stable_ids(result["service_at_locations"], "service_at_locations")


_RENAMES = (
    (re.compile(r"^schedules(?=\[|$|\.)"), "regular_schedules"),
    (re.compile(r"\.addresses(?=\[|$|\.)"), ".physical_addresses"),
    (re.compile(r"\.accessibility(?=\[|$|\.)"), ".accessibility_for_disabilities"),
    (re.compile(r"^organization\.website$"), "organization.url"),
)
_ATTRIBUTE = re.compile(r"^attributes\[(\d+)\]\.taxonomy_term\.")


def field_name(path: str, record: dict[str, Any]) -> str:
    """The name a 1.0 record gives the field that `to_oruk3` moved to `path`, for messages."""
    for pattern, name in _RENAMES:
        path = pattern.sub(name, path)
    found = _ATTRIBUTE.match(path)
    taxonomies = record.get("service_taxonomys")
    if found and "attributes" not in record and isinstance(taxonomies, list):
        index = int(found.group(1))
        if index < len(taxonomies):
            path = f"service_taxonomys[{index}].taxonomy." + path[found.end() :]
    return path
