"""Every write in the directory: one transaction with its audit event.

A change to any part of a service (its terms, places, costs, times, languages) counts as
a review by its provider and moves the service's last_modified, which the ORUK API's
modified_after filter reads. Each write also brings the service's derived rows up to date in
the same transaction (directory/derived/: search text, cards, reach and listing rows).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from opus.core.audit import audit_record, changes
from opus.core.models import Area, Organisation, User
from opus.core.organisations import require_verified
from opus.directory import derived
from opus.directory.access import require_editor
from opus.directory.importers import richtext
from opus.directory.models import (
    CostOption,
    Language,
    Location,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceStatus,
    TaxonomyTerm,
)
from opus.directory.vocabularies import LANGUAGES

SERVICE_FIELDS = [
    "name",
    "description",
    "url",
    "email",
    "status",
    "fees_description",
    "application_process",
    "eligibility_description",
    "minimum_age",
    "maximum_age",
    "circumstances",
    "residency_area_id",
    "referral_required",
    "delivery",
    "capacity",
    "vacancies",
    "assured_date",
    "assurer_email",
    "alert",
]


def _snapshot(service: Service) -> dict[str, Any]:
    return {name: getattr(service, name) for name in SERVICE_FIELDS}


def _reindex(service_ids: list[Any], *, text: bool = False) -> None:
    """Derived rows follow the services (the search text only when it may have changed)."""
    derived.services_changed(service_ids, text=text)


def _touch(service: Service) -> None:
    now = timezone.now()
    Service.objects.filter(pk=service.pk).update(last_modified=now, reviewed_at=now)
    service.last_modified = service.reviewed_at = now


@transaction.atomic
def service_create(*, organisation: Organisation, by: User | None, **fields: Any) -> Service:
    require_editor(by, organisation.pk)
    require_verified(organisation, field="organisation")
    if "description" in fields:  # stored sanitised, once (directory/importers/richtext.py)
        fields["description"] = richtext.sanitise(fields["description"])
    service = Service(organisation=organisation, **fields)
    service.full_clean()
    service.save(force_insert=True)
    _reindex([service.pk], text=True)
    audit_record(
        actor=by,
        action="service.create",
        target=service,
        summary={"after": _snapshot(service), "organisation": organisation.slug},
    )
    return service


@transaction.atomic
def service_update(*, service: Service, by: User | None, **fields: Any) -> Service:
    require_editor(by, service.organisation_id)
    service = Service.objects.select_for_update().get(pk=service.pk)
    before = _snapshot(service)
    for name, value in fields.items():
        if name not in SERVICE_FIELDS and name != "residency_area":
            raise ValueError(f"{name} cannot be changed here")
        if name == "description":  # stored sanitised, once (directory/importers/richtext.py)
            value = richtext.sanitise(value)
        setattr(service, name, value)
    if "status" in fields and service.status == ServiceStatus.ACTIVE:
        require_verified(service.organisation, field="status")  # publishing
    service.last_modified = service.reviewed_at = timezone.now()
    service.full_clean()
    service.save()
    _reindex([service.pk], text=True)
    audit_record(
        actor=by,
        action="service.update",
        target=service,
        summary=changes(before, _snapshot(service)),
    )
    return service


@transaction.atomic
def service_mark_reviewed(*, service: Service, by: User) -> Service:
    """The provider confirms the details are still right."""
    require_editor(by, service.organisation_id)
    _touch(service)
    audit_record(actor=by, action="service.review", target=service, summary={})
    return service


@transaction.atomic
def service_set_terms(*, service: Service, terms: list[TaxonomyTerm], by: User | None) -> Service:
    require_editor(by, service.organisation_id)
    before = sorted(str(t.code) for t in service.terms.all())
    service.terms.set(terms)
    _touch(service)
    _reindex([service.pk], text=True)
    audit_record(
        actor=by,
        action="service.terms",
        target=service,
        summary={"before": before, "after": sorted(t.code for t in terms)},
    )
    return service


@transaction.atomic
def service_set_languages(*, service: Service, codes: list[str], by: User | None) -> Service:
    require_editor(by, service.organisation_id)
    unknown = [c for c in codes if c not in LANGUAGES]
    if unknown:
        raise ValueError(f"unknown language code {unknown[0]!r}")
    Language.objects.filter(service=service).delete()
    Language.objects.bulk_create(
        [Language(service=service, code=c, name=LANGUAGES[c]) for c in codes]
    )
    _touch(service)
    _reindex([service.pk])
    audit_record(actor=by, action="service.languages", target=service, summary={"after": codes})
    return service


@transaction.atomic
def service_set_cost(
    *, service: Service, amount_pence: int | None, unit: str, option: str, by: User | None
) -> Service:
    """One price (or none: free). Amounts are whole pence."""
    require_editor(by, service.organisation_id)
    CostOption.objects.filter(service=service).delete()
    if amount_pence is not None:
        CostOption.objects.create(
            service=service, amount_pence=amount_pence, unit=unit, option=option
        )
    _touch(service)
    _reindex([service.pk])
    audit_record(
        actor=by,
        action="service.cost",
        target=service,
        summary={"amount_pence": amount_pence, "unit": unit},
    )
    return service


@transaction.atomic
def service_set_schedule(
    *, service: Service, byday: list[str], opens_at: Any, closes_at: Any, by: User | None
) -> Service:
    require_editor(by, service.organisation_id)
    Schedule.objects.filter(service=service).delete()
    if byday:
        Schedule.objects.create(
            service=service, byday=",".join(byday), opens_at=opens_at, closes_at=closes_at
        )
    _touch(service)
    _reindex([service.pk])
    audit_record(
        actor=by,
        action="service.schedule",
        target=service,
        summary={"byday": byday, "opens_at": opens_at, "closes_at": closes_at},
    )
    return service


@transaction.atomic
def location_create(*, organisation: Organisation, by: User | None, **fields: Any) -> Location:
    require_editor(by, organisation.pk)
    location = Location(organisation=organisation, **fields)
    location.full_clean()
    location.save(force_insert=True)
    audit_record(
        actor=by,
        action="location.create",
        target=location,
        summary={"name": location.name, "postal_code": location.postal_code},
    )
    return location


@transaction.atomic
def location_update(*, location: Location, by: User | None, **fields: Any) -> Location:
    require_editor(by, location.organisation_id)
    location = Location.objects.select_for_update().get(pk=location.pk)
    before = {name: getattr(location, name) for name in fields}
    for name, value in fields.items():
        setattr(location, name, value)
    location.full_clean()
    location.save(update_fields=list(fields))
    _reindex(derived.services_at([location.pk]))
    audit_record(
        actor=by,
        action="location.update",
        target=location,
        summary=changes(before, {name: getattr(location, name) for name in fields}),
    )
    return location


@transaction.atomic
def service_set_locations(
    *, service: Service, locations: list[Location], by: User | None
) -> Service:
    require_editor(by, service.organisation_id)
    ServiceAtLocation.objects.filter(service=service).exclude(location__in=locations).delete()
    for location in locations:
        ServiceAtLocation.objects.get_or_create(service=service, location=location)
    _touch(service)
    _reindex([service.pk])
    audit_record(
        actor=by,
        action="service.locations",
        target=service,
        summary={"after": sorted(str(loc.pk) for loc in locations)},
    )
    return service


@dataclass(frozen=True)
class HomeRadius:
    """A radius a service visits people at home within: from a base postcode, in metres."""

    postcode: str
    latitude: float
    longitude: float
    metres: int


@transaction.atomic
def service_set_areas(
    *, service: Service, areas: list[Area], by: User | None, radius: HomeRadius | None = None
) -> Service:
    """The areas (LSOAs, wards, neighbourhoods, authorities) the service visits people at
    home in, and a radius from a base it visits within: matching reaches anyone living
    inside one of them."""
    require_editor(by, service.organisation_id)
    ServiceArea.objects.filter(service=service).filter(
        Q(area__isnull=False) | Q(radius_m__isnull=False)
    ).delete()
    for area in areas:
        ServiceArea.objects.create(service=service, area=area, name=area.name)
    if radius is not None:
        row = ServiceArea(
            service=service,
            name=radius.postcode,
            latitude=radius.latitude,
            longitude=radius.longitude,
            radius_m=radius.metres,
        )
        row.full_clean()  # 100 m to 100 km, a place on Earth
        row.save(force_insert=True)
    _touch(service)
    _reindex([service.pk])
    audit_record(
        actor=by,
        action="service.areas",
        target=service,
        summary={
            "after": sorted(area.code for area in areas),
            "radius": None if radius is None else [radius.postcode, radius.metres],
        },
    )
    return service
