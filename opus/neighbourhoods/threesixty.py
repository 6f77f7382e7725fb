"""Awarded small grants in the 360Giving Data Standard 1.4.3.

`grant_data` maps one awarded grant to a 360Giving grant; `package_chunks` streams a whole
package (`{"grants": [...]}` with its metadata) a piece at a time, reading the grants in pages.
Only organisations appear: the funding council and the recipient group (org-ids, or, for a
group with none, an identifier under the publisher's 360Giving prefix, as 360Giving's
identifier guidance says), and the place as `beneficiaryLocation` (the LSOA, its ward and the
neighbourhood, with their ONS codes). Nothing about individuals: no applicant, councillor,
address or e-mail.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from opus.core.models import Area, AreaKind, Organisation
from opus.neighbourhoods.models.grants import GrantApplication, GrantStatus

# settings.OPUS_360_PREFIX's default: marks data as not yet registered (fine in the demo).
PREFIX_PLACEHOLDER = "360G-opus-demo"
# org-id.guide lists a UK publisher's recipients are likely to be on (org-id.guide), the one
# place Opus names them; the standards folder has no org-id codelist.
KNOWN_ORG_ID_LISTS = (
    "GB-CHC", "GB-SC", "GB-NIC", "GB-COH", "GB-LAE", "GB-LAS", "GB-LAW", "GB-LANI", "GB-PLA",
    "GB-GOR", "GB-EDU", "GB-NHS", "GB-MPR", "GB-SHPE", "GB-UKPRN", "GB-UPIN", "GB-REV",
    "GB-CASC", "GB-FCA", "GB-GOVUK", "GB-IMPR",
)  # fmt: skip
GEO_TYPES = {AreaKind.LSOA: "LSOA", AreaKind.WARD: "WD"}
CHUNK = 500


def grant_prefix() -> str:
    return (getattr(settings, "OPUS_360_PREFIX", "") or PREFIX_PLACEHOLDER).strip()


def published_grants() -> QuerySet[GrantApplication]:
    """Awarded (and paid) grants, newest decision first."""
    return (
        GrantApplication.objects.filter(status__in=(GrantStatus.AWARDED, GrantStatus.PAID))
        .select_related("round__council", "group", "place__parent", "place__neighbourhood")
        .order_by("-decided_on", "-id")
    )


def org_identifier(org: Organisation) -> str:
    """The organisation's org-id if it has one, else one under the publisher's prefix."""
    if org.org_id:
        return org.org_id
    return f"{grant_prefix()}-org-{org.uuid}"


def _organisation(org: Organisation, *, recipient: bool) -> dict[str, Any]:
    data: dict[str, Any] = {"id": org_identifier(org), "name": org.name}
    if recipient:
        if org.charity_number:
            data["charityNumber"] = org.charity_number
        if org.company_number:
            data["companyNumber"] = org.company_number
    return data


def _location(area: Area) -> dict[str, Any]:
    data: dict[str, Any] = {"id": area.code, "name": area.name, "countryCode": "GB"}
    if area.kind in GEO_TYPES:
        data["geoCode"] = area.code
        data["geoCodeType"] = GEO_TYPES[area.kind]
    return data


def _places(area: Area) -> list[dict[str, Any]]:
    places = [area]
    if area.kind == AreaKind.LSOA:
        if area.parent is not None and area.parent.kind == AreaKind.WARD:
            places.append(area.parent)
        if area.neighbourhood is not None:
            places.append(area.neighbourhood)
    return [_location(a) for a in places]


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def grant_data(grant: GrantApplication) -> dict[str, Any]:
    """One awarded grant as a 360Giving grant."""
    council = grant.round.council
    data: dict[str, Any] = {
        "id": f"{grant_prefix()}-{grant.pk}",
        "title": grant.title,
        "description": grant.description,
        "currency": "GBP",
        "amountAppliedFor": grant.amount_pence / 100,
        "amountAwarded": (grant.awarded_pence or 0) / 100,
        "awardDate": grant.decided_on.isoformat() if grant.decided_on else "",
        "recipientOrganization": [_organisation(grant.group, recipient=True)],
        "fundingOrganization": [_organisation(council, recipient=False)],
        "beneficiaryLocation": _places(grant.place),
        "grantProgramme": [{"code": f"round-{grant.round_id}", "title": grant.round.title}],
        "fromOpenCall": "Yes",
        "dateModified": _stamp(grant.modified_at),
    }
    if grant.status == GrantStatus.PAID and grant.paid_on:
        data["amountDisbursed"] = (grant.awarded_pence or 0) / 100
        data["actualDates"] = [{"startDate": grant.paid_on.isoformat()}]
    return data


def package_meta() -> dict[str, Any]:
    return {
        "version": "1.4",  # the schema takes major.minor: 1.4.3 is a 1.4 package
        "title": "Small grants from neighbourhood budgets",
        "issued": _stamp(datetime.now(UTC)),
        "publisher": {"name": getattr(settings, "OPUS_COUNCIL_NAME", "Opus")},
        "license": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
    }


def package_chunks(
    queryset: QuerySet[GrantApplication] | None = None, progress: Any = None
) -> Iterator[str]:
    """The package as JSON text, a piece at a time (grants read by key, CHUNK at a time)."""
    queryset = published_grants() if queryset is None else queryset
    meta = json.dumps(package_meta(), ensure_ascii=False)
    yield meta[:-1] + ', "grants": ['
    first = True
    keys = list(queryset.values_list("pk", flat=True))
    for start in range(0, len(keys), CHUNK):
        page = keys[start : start + CHUNK]
        rows = {g.pk: g for g in queryset.filter(pk__in=page)}
        for key in page:
            yield ("" if first else ", ") + json.dumps(grant_data(rows[key]), ensure_ascii=False)
            first = False
            if progress is not None:
                progress(1)
    yield "]}\n"
