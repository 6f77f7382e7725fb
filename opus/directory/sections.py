"""Saving one section of a service from its question page, through the directory's services."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from opus.core.models import Postcode, User
from opus.directory import services
from opus.directory.models import Location, LocationType, Service
from opus.engines.matching import KM_PER_MILE


def _place(service: Service, data: dict[str, Any], by: User) -> Location:
    """The service's place: the one it has (updated), or a new one at the given postcode."""
    postcode = Postcode.objects.filter(postcode=data["postal_code"]).first()
    fields = {
        "name": data["place_name"],
        "address_1": data.get("address_1", ""),
        "city": data.get("city", ""),
        "postal_code": data["postal_code"],
        "accessibility": data.get("accessibility") or [],
        "latitude": postcode.latitude if postcode else None,
        "longitude": postcode.longitude if postcode else None,
    }
    current = service.at_locations.select_related("location").first()
    if current is None:
        return services.location_create(
            organisation=service.organisation, by=by, location_type=LocationType.PHYSICAL, **fields
        )
    return services.location_update(location=current.location, by=by, **fields)


def _radius(data: dict[str, Any]) -> services.HomeRadius | None:
    """The radius from a base postcode the form gave (in miles), if any, in metres."""
    base, miles = data.get("home_base"), data.get("home_radius_miles")
    postcode = Postcode.objects.filter(postcode=base).first() if base and miles else None
    if postcode is None or postcode.latitude is None or postcode.longitude is None:
        return None
    metres = round(float(miles) * KM_PER_MILE * 1000)
    return services.HomeRadius(base, postcode.latitude, postcode.longitude, metres)


@transaction.atomic
def save_section(section: str, service: Service, data: dict[str, Any], by: User) -> Service:
    if section in ("details", "eligibility", "capacity"):
        return services.service_update(service=service, by=by, **data)
    if section == "needs":
        return services.service_set_terms(service=service, terms=list(data["terms"]), by=by)
    if section == "where":
        services.service_update(service=service, by=by, delivery=data["delivery"])
        at_home = "at-home" in data["delivery"]
        home = list(data.get("home_areas") or []) if at_home else []
        radius = _radius(data) if at_home else None
        if home or radius or service.areas.exists():
            services.service_set_areas(service=service, areas=home, radius=radius, by=by)
        places = [_place(service, data, by)] if "in-person" in data["delivery"] else []
        return services.service_set_locations(service=service, locations=places, by=by)
    if section == "when":
        return services.service_set_schedule(
            service=service,
            byday=data.get("days") or [],
            opens_at=data.get("opens_at"),
            closes_at=data.get("closes_at"),
            by=by,
        )
    if section == "cost":
        return services.service_set_cost(
            service=service,
            amount_pence=data.get("amount_pence"),
            unit=data.get("unit") or "hour",
            option=data.get("option", ""),
            by=by,
        )
    if section == "languages":
        return services.service_set_languages(service=service, codes=data["languages"], by=by)
    raise ValueError(f"unknown section {section!r}")
