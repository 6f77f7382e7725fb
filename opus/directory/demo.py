"""The directory part of the demo world: each provider's services, synthetic and marked so."""

from __future__ import annotations

from datetime import time, timedelta

import numpy as np
from django.utils import timezone

from opus.core.models import Area, AreaKind, Organisation, OrganisationKind, Postcode
from opus.directory import services
from opus.directory.models import LocationType, Service, TaxonomyTerm

PROVIDER_KINDS = [
    OrganisationKind.CHARITY,
    OrganisationKind.COMMUNITY_GROUP,
    OrganisationKind.SOCIAL_ENTERPRISE,
    OrganisationKind.MUTUAL,
    OrganisationKind.SME,
    OrganisationKind.LARGE_FIRM,
]

# (name, needs, pence per unit or None for free, unit, languages, circumstances, delivery)
OFFERS = [
    (
        "Befriending visits",
        ["befriending", "social-isolation"],
        None,
        "session",
        ["en"],
        ["older-person"],
        ["at-home"],
    ),
    ("Lunch club", ["lunch-clubs", "meals"], 450, "session", ["en", "pa"], [], ["in-person"]),
    (
        "Home help",
        ["cleaning-laundry", "shopping-errands"],
        1900,
        "hour",
        ["en", "pl"],
        [],
        ["at-home"],
    ),
    (
        "Personal care at home",
        ["washing-dressing", "medication-support"],
        2350,
        "hour",
        ["en", "ur"],
        [],
        ["at-home"],
    ),
    (
        "Carers' café",
        ["carers-groups", "carers-advice"],
        None,
        "session",
        ["en"],
        ["carer"],
        ["in-person"],
    ),
    (
        "Short breaks for carers",
        ["respite", "sitting-service"],
        2100,
        "hour",
        ["en"],
        ["carer"],
        ["at-home"],
    ),
    (
        "Peer support group",
        ["peer-support", "social-isolation"],
        None,
        "session",
        ["en", "bn"],
        ["mental-health"],
        ["in-person", "online"],
    ),
    (
        "Walking for health",
        ["walking-groups", "sport-exercise"],
        None,
        "session",
        ["en"],
        [],
        ["in-person"],
    ),
    (
        "Supported employment",
        ["supported-employment", "skills-training"],
        None,
        "session",
        ["en"],
        ["learning-disability", "autism"],
        ["in-person"],
    ),
    (
        "Allotment sessions",
        ["gardening", "day-opportunities"],
        600,
        "session",
        ["en"],
        [],
        ["in-person"],
    ),
    (
        "Community minibus",
        ["community-transport", "accessible-transport"],
        350,
        "session",
        ["en"],
        [],
        ["in-person"],
    ),
    (
        "BSL social club",
        ["day-opportunities", "arts-culture"],
        300,
        "session",
        ["bfi", "en"],
        ["sensory-impairment"],
        ["in-person"],
    ),
    (
        "Benefits and debt advice",
        ["benefits-advice", "debt-advice"],
        None,
        "session",
        ["en", "ur", "ar"],
        ["low-income"],
        ["in-person", "online"],
    ),
    (
        "Reablement after hospital",
        ["reablement", "washing-dressing"],
        2600,
        "hour",
        ["en"],
        ["older-person"],
        ["at-home"],
    ),
    (
        "Digital skills drop-in",
        ["digital-skills", "information"],
        None,
        "session",
        ["en", "ro"],
        [],
        ["in-person"],
    ),
    (
        "Memory café",
        ["dementia-support", "carers-groups"],
        200,
        "session",
        ["en"],
        ["dementia"],
        ["in-person"],
    ),
]


def _place(organisation: Organisation, rng: np.random.Generator) -> dict[str, object]:
    area = (
        organisation.area if organisation.area and organisation.area.kind == AreaKind.LSOA else None
    )
    if area is None:
        lsoas = list(Area.objects.filter(kind=AreaKind.LSOA).order_by("code"))
        area = lsoas[int(rng.integers(0, len(lsoas)))]
    postcode = Postcode.objects.filter(lsoa=area).order_by("postcode").first()
    return {
        "name": f"{organisation.name} base",
        "address_1": organisation.address or "High Street",
        "city": "Northvale",
        "postal_code": postcode.postcode if postcode else "",
        "latitude": postcode.latitude if postcode else None,
        "longitude": postcode.longitude if postcode else None,
        "accessibility": sorted(
            rng.choice(
                [
                    "step-free",
                    "accessible-toilet",
                    "hearing-loop",
                    "quiet-space",
                    "parking",
                    "easy-read",
                    "assistance-dogs",
                ],
                size=int(rng.integers(1, 5)),
                replace=False,
            ).tolist()
        ),
    }


def _home_areas(organisation: Organisation, name: str, i: int) -> list[Area]:
    """Where a home service visits people: befriending schemes across the whole authority;
    other home services in turn the provider's neighbourhood, its ward and the next, or the
    authority."""
    area = organisation.area
    lsoa = area if area and area.kind == AreaKind.LSOA else None
    ward = lsoa.parent if lsoa and lsoa.parent and lsoa.parent.kind == AreaKind.WARD else None
    la = ward.parent if ward and ward.parent else None
    if la is None:
        la = Area.objects.filter(kind=AreaKind.LOCAL_AUTHORITY).order_by("code").first()
    if name.startswith("Befriending") or ward is None or i % 3 == 0:
        return [la] if la else []
    if i % 3 == 1 and lsoa and lsoa.neighbourhood:
        return [lsoa.neighbourhood]
    wards = list(Area.objects.filter(kind=AreaKind.WARD, parent=ward.parent).order_by("code"))
    after = wards[(wards.index(ward) + 1) % len(wards)]
    return [ward] if after == ward else [ward, after]


def _offer(organisation: Organisation, offer: tuple, rng: np.random.Generator, i: int) -> Service:
    name, needs, pence, unit, languages, circumstances, delivery = offer
    service = services.service_create(
        organisation=organisation,
        by=None,
        name=f"{name} — {organisation.name}",
        description=f"{name} from {organisation.name}. Synthetic demonstration service.",
        minimum_age=18 if "young" not in name.lower() else 11,
        circumstances=circumstances,
        delivery=delivery,
        capacity=int(rng.integers(8, 40)),
        vacancies=int(rng.integers(0, 6)),
        application_process="Phone or e-mail us, or ask your Choice Champion to refer you.",
    )
    services.service_set_terms(
        service=service, terms=list(TaxonomyTerm.objects.filter(code__in=needs)), by=None
    )
    services.service_set_cost(service=service, amount_pence=pence, unit=unit, option="", by=None)
    services.service_set_languages(service=service, codes=languages, by=None)
    days = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
    services.service_set_schedule(
        service=service,
        byday=sorted(rng.choice(days[:5], 2, replace=False).tolist()),
        opens_at=time(9 + i % 3, 30),
        closes_at=time(13 + i % 4, 0),
        by=None,
    )
    if "at-home" in delivery:
        areas = _home_areas(organisation, name, i)
        services.service_set_areas(service=service, areas=areas, by=None)
    if "in-person" in delivery:
        location = services.location_create(
            organisation=organisation,
            by=None,
            location_type=LocationType.PHYSICAL,
            **_place(organisation, rng),
        )
        services.service_set_locations(service=service, locations=[location], by=None)
    return service


def seed_directory(seed: int = 2026) -> None:
    """Two or three services for each provider organisation; one left unreviewed for a year."""
    rng = np.random.default_rng(seed + 23)
    providers = list(Organisation.objects.filter(kind__in=PROVIDER_KINDS).order_by("name"))
    made = []
    for i, organisation in enumerate(providers):
        for j in range(2 + i % 2):
            made.append(_offer(organisation, OFFERS[(i * 3 + j) % len(OFFERS)], rng, i + j))
    stale = made[0]
    Service.objects.filter(pk=stale.pk).update(reviewed_at=timezone.now() - timedelta(days=400))
