"""The directory part of the demo world: a county's worth of services, synthetic and marked so.

About 1,500 services from about 300 providers (charities, community groups, CICs, mutuals,
small firms, large firms, the NHS and the council), built from the kinds of provider and
service in `data/demo_directory.toml`: every need in the taxonomy, eligibility by age and
circumstance, free and paid services (per session, per hour, per week, with personal-budget
rates), schedules, languages, venues with their access, and about a fifth that visit people
at home or work in the community across service areas (LSOAs, wards, neighbourhoods, the
whole authority, or a few kilometres round their base). The demo's first providers keep the
services other demo steps and tests rely on (the befriending visits, the care mutual's paid
service), exactly as before.

Everything is made in memory and bulk-inserted, then the derived tables are brought up to
date once; one audit event describes the lot. The same seed gives the same directory, ids
included. `settings.OPUS_DEMO_SERVICES` (default 1,500) sets the size: tests use a smaller one.
"""

from __future__ import annotations

import html
import random
import tomllib
import uuid
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from opus.core.audit import audit_record
from opus.core.models import Area, AreaKind, Organisation, OrganisationKind, Postcode
from opus.core.services import unique_slug
from opus.directory import search
from opus.directory.derived import services_changed
from opus.directory.models import (
    REMOTE_DELIVERY,
    Contact,
    CostOption,
    Language,
    Location,
    LocationType,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceStatus,
    TaxonomyTerm,
)
from opus.directory.taxonomy import term_id
from opus.directory.vocabularies import CIRCUMSTANCES, LANGUAGES

CATALOGUE = Path(__file__).parent / "data" / "demo_directory.toml"
DEFAULT_SIZE = 1500
SYNTHETIC = "Synthetic demonstration service: not a real organisation or service."

PROVIDER_KINDS = [
    OrganisationKind.CHARITY,
    OrganisationKind.COMMUNITY_GROUP,
    OrganisationKind.SOCIAL_ENTERPRISE,
    OrganisationKind.MUTUAL,
    OrganisationKind.SME,
    OrganisationKind.LARGE_FIRM,
]

ACCESS = [
    "step-free",
    "accessible-toilet",
    "hearing-loop",
    "quiet-space",
    "parking",
    "easy-read",
    "assistance-dogs",
]
MORE_ACCESS = ["changing-places", "large-print", "interpreters"]
OTHER_LANGUAGES = ["ur", "pa", "bn", "pl", "ro", "ar", "so", "gu", "zh", "pt", "cy", "bfi"]
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
UNITS = {"hour": "an hour", "session": "a session", "week": "a week", "month": "a month"}
HOME_SIZE = {"large": "authority", "medium": "wide", "small": "local", "micro": "near"}


@cache
def catalogue() -> dict[str, Any]:
    """The kinds of provider and service (data/demo_directory.toml), read once."""
    with CATALOGUE.open("rb") as handle:
        return tomllib.load(handle)


def _words(kind: str) -> list[str]:
    """Names of saints, people and streets the demo's names are made from ([words])."""
    words: list[str] = catalogue()["words"][kind]
    return words


def demo_size() -> int:
    """How many services the demo directory has (settings.OPUS_DEMO_SERVICES, default 1,500)."""
    size = getattr(settings, "OPUS_DEMO_SERVICES", DEFAULT_SIZE)
    if not isinstance(size, int) or not 0 <= size <= 20_000:
        raise ImproperlyConfigured("OPUS_DEMO_SERVICES must be a whole number from 0 to 20,000")
    return size


# --- the county, as the directory needs it -------------------------------------------------


@dataclass
class County:
    """The demo county's areas and postcodes, read once: where providers, venues and home
    services are."""

    la: Area
    wards: list[Area]
    lsoas: dict[int, list[Area]]  # ward id -> its LSOAs in code order
    postcodes: dict[int, list[Postcode]]  # LSOA id -> its postcodes in order
    terms: dict[str, TaxonomyTerm]

    @classmethod
    def load(cls) -> County:
        la = Area.objects.filter(kind=AreaKind.LOCAL_AUTHORITY).order_by("code").first()
        if la is None:
            raise ValueError("the demo directory needs the demo county's areas")
        wards = list(Area.objects.filter(kind=AreaKind.WARD, parent=la).order_by("code"))
        lsoas: dict[int, list[Area]] = {ward.pk: [] for ward in wards}
        found = Area.objects.filter(kind=AreaKind.LSOA, parent__in=wards).select_related(
            "neighbourhood"
        )
        for lsoa in found.order_by("code"):
            lsoas[lsoa.parent_id].append(lsoa)
        postcodes: dict[int, list[Postcode]] = {}
        for postcode in Postcode.objects.filter(lsoa__parent__in=wards).order_by("postcode"):
            postcodes.setdefault(postcode.lsoa_id, []).append(postcode)
        ids = {term_id(code): code for code in _leaf_codes()}
        found = TaxonomyTerm.objects.filter(pk__in=list(ids)).select_related("parent")
        terms = {ids[t.pk]: t for t in found}
        return cls(la, [w for w in wards if lsoas[w.pk]], lsoas, postcodes, terms)

    def ward_of(self, lsoa: Area) -> Area:
        return next(w for w in self.wards if w.pk == lsoa.parent_id)

    def centre(self, ward: Area) -> tuple[float, float]:
        places = self.lsoas[ward.pk]
        return (
            sum(a.latitude or 0 for a in places) / len(places),
            sum(a.longitude or 0 for a in places) / len(places),
        )

    def nearest_wards(self, ward: Area, count: int) -> list[Area]:
        """The ward and the COUNT-1 wards whose centres are nearest to it."""
        lat, lon = self.centre(ward)

        def away(other: Area) -> float:
            olat, olon = self.centre(other)
            return (olat - lat) ** 2 + ((olon - lon) * 0.6) ** 2

        return sorted(self.wards, key=away)[:count]


def _leaf_codes() -> list[str]:
    from opus.directory.taxonomy import TERMS

    return [code for _, (_, children) in TERMS.items() for code in children]


# --- rows to insert --------------------------------------------------------------------------


@dataclass
class Rows:
    """Everything the directory demo inserts, table by table, in insertion order."""

    organisations: list[Organisation] = field(default_factory=list)
    locations: list[Location] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    terms: list[Any] = field(default_factory=list)
    at: list[ServiceAtLocation] = field(default_factory=list)
    areas: list[ServiceArea] = field(default_factory=list)
    languages: list[Language] = field(default_factory=list)
    costs: list[CostOption] = field(default_factory=list)
    schedules: list[Schedule] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    venues: dict[tuple[int, str], Location] = field(default_factory=dict)

    def add_service(self, service: Service, needs: list[str], county: County) -> Service:
        service.delivers_remotely = bool(set(service.delivery) & REMOTE_DELIVERY)
        self.services.append(service)
        terms = [county.terms[code] for code in dict.fromkeys(needs) if code in county.terms]
        service.search_text = search.text_for(service, terms)
        through = Service.terms.through
        self.terms += [through(service_id=service.id, taxonomyterm_id=t.pk) for t in terms]
        return service

    def add_languages(self, service: Service, codes: list[str], make_id: Any) -> None:
        self.languages += [
            Language(id=make_id(), service=service, code=c, name=LANGUAGES[c])
            for c in dict.fromkeys(codes)
        ]

    def add_areas(self, service: Service, areas: list[Area], make_id: Any) -> None:
        self.areas += [
            ServiceArea(id=make_id(), service=service, area=a, name=a.name) for a in areas
        ]

    def write(self) -> None:
        """Bulk inserts, parents first (organisations, places, services, then their parts)."""
        Organisation.objects.bulk_create(self.organisations, batch_size=500)
        for model, rows in (
            (Location, self.locations),
            (Service, self.services),
            (Service.terms.through, self.terms),
            (ServiceAtLocation, self.at),
            (ServiceArea, self.areas),
            (Language, self.languages),
            (CostOption, self.costs),
            (Schedule, self.schedules),
            (Contact, self.contacts),
        ):
            model.objects.bulk_create(rows, batch_size=500)


# --- the demo's first providers, as before ----------------------------------------------------


def _named(providers: list[Organisation], county: County, rows: Rows, seed: int) -> None:
    """Two or three services for each of the demo's first providers; one unreviewed for a
    year. The random draws are the ones the demo has always made, so these services are the
    same as before (other demo steps and tests rely on them)."""
    rng = np.random.default_rng(seed + 23)
    ids = random.Random(seed + 24)  # noqa: S311 - made-up demo data
    now = timezone.now()
    offers = [tuple(offer.values()) for offer in catalogue()["first_providers"]]
    for i, organisation in enumerate(providers):
        for j in range(2 + i % 2):
            offer = offers[(i * 3 + j) % len(offers)]
            _named_offer(organisation, offer, rng, i + j, county, rows, lambda: _uuid(ids), now)
    if rows.services:
        rows.services[0].reviewed_at = now - timedelta(days=400)


def _named_offer(
    organisation: Organisation,
    offer: tuple,
    rng: np.random.Generator,
    i: int,
    county: County,
    rows: Rows,
    make_id: Any,
    now: datetime,
) -> None:
    name, needs, pence, unit, languages, circumstances, delivery = offer
    service = rows.add_service(
        Service(
            id=make_id(),
            organisation=organisation,
            name=f"{name} — {organisation.name}",
            description=f"{name} from {organisation.name}. Synthetic demonstration service.",
            minimum_age=18,
            circumstances=circumstances,
            delivery=delivery,
            capacity=int(rng.integers(8, 40)),
            vacancies=int(rng.integers(0, 6)),
            application_process="Phone or e-mail us, or ask your Choice Champion to refer you.",
            reviewed_at=now,
            last_modified=now,
        ),
        needs,
        county,
    )
    if pence:  # 0: free
        rows.costs.append(CostOption(id=make_id(), service=service, amount_pence=pence, unit=unit))
    rows.add_languages(service, languages, make_id)
    rows.schedules.append(
        Schedule(
            id=make_id(),
            service=service,
            byday=",".join(sorted(rng.choice(DAYS[:5], 2, replace=False).tolist())),
            opens_at=time(9 + i % 3, 30),
            closes_at=time(13 + i % 4, 0),
        )
    )
    if "at-home" in delivery:
        rows.add_areas(service, _named_home_areas(organisation, name, i, county), make_id)
    if "in-person" in delivery:
        location = Location(
            id=make_id(), organisation=organisation, **_named_place(organisation, rng, county)
        )
        rows.locations.append(location)
        rows.at.append(ServiceAtLocation(id=make_id(), service=service, location=location))


def _named_place(
    organisation: Organisation, rng: np.random.Generator, county: County
) -> dict[str, Any]:
    area = (
        organisation.area if organisation.area and organisation.area.kind == AreaKind.LSOA else None
    )
    if area is None:
        lsoas = [lsoa for ward in county.wards for lsoa in county.lsoas[ward.pk]]
        lsoas.sort(key=lambda a: a.code)
        area = lsoas[int(rng.integers(0, len(lsoas)))]
    postcode = (county.postcodes.get(area.pk) or [None])[0]
    size = int(rng.integers(1, 5))
    return {
        "location_type": LocationType.PHYSICAL,
        "name": f"{organisation.name} base",
        "address_1": organisation.address or "High Street",
        "city": "Northvale",
        "postal_code": postcode.postcode if postcode else "",
        "latitude": postcode.latitude if postcode else None,
        "longitude": postcode.longitude if postcode else None,
        "accessibility": sorted(rng.choice(ACCESS, size=size, replace=False).tolist()),
    }


def _named_home_areas(organisation: Organisation, name: str, i: int, county: County) -> list[Area]:
    """Befriending schemes visit the whole authority; other home services in turn the
    provider's neighbourhood, its ward and the next, or the authority."""
    lsoa = (
        organisation.area if organisation.area and organisation.area.kind == AreaKind.LSOA else None
    )
    ward = county.ward_of(lsoa) if lsoa else None
    if name.startswith("Befriending") or ward is None or i % 3 == 0:
        return [county.la]
    if i % 3 == 1 and lsoa and lsoa.neighbourhood:
        return [lsoa.neighbourhood]
    after = county.wards[(county.wards.index(ward) + 1) % len(county.wards)]
    return [ward] if after == ward else [ward, after]


def _uuid(rng: random.Random) -> uuid.UUID:
    """A version-4 UUID from the demo's seed, so that the demo's ids (and URLs) are stable."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


# --- the rest of the county's providers ---------------------------------------------------


@dataclass
class Provider:
    """A provider made for the demo directory, with what its services are drawn from."""

    organisation: Organisation
    kind: dict[str, Any]  # its [[providers]] entry
    offers: list[str]  # the kinds of service it runs
    home: Area  # its LSOA
    ward: Area
    weight: float
    languages: list[str]


def _providers(county: County, rows: Rows, rng: random.Random, scale: float) -> list[Provider]:
    """The county's other providers, COUNT × SCALE of each kind in the catalogue (at least
    one), with names from the kind's patterns and the places they are based in."""
    taken = (
        set(Organisation.objects.values_list("name", flat=True)),
        set(Organisation.objects.values_list("slug", flat=True)),
    )
    lsoas = [lsoa for ward in county.wards for lsoa in county.lsoas[ward.pk]]
    made: list[Provider] = []
    for kind in catalogue()["providers"]:
        for _ in range(max(1, round(kind["count"] * scale))):
            home = rng.choice(lsoas)
            if "existing" in kind:
                organisation = Organisation.objects.filter(slug=kind["existing"]).first()
                if organisation is None:
                    break
                offers = kind["offers"]
            else:
                organisation, offers = _organisation(kind, home, county, rng, taken)
                rows.organisations.append(organisation)
            low, high = kind["services"]
            weight = rng.uniform(low, high)
            languages = _languages_of(kind, organisation.name)
            ward = county.ward_of(home)
            made.append(Provider(organisation, kind, offers, home, ward, weight, languages))
            if "existing" in kind:
                break
    return made


def _organisation(
    kind: dict[str, Any],
    home: Area,
    county: County,
    rng: random.Random,
    taken: tuple[set[str], set[str]],
) -> tuple[Organisation, list[str]]:
    """A new provider based at HOME, and the kinds of service it runs. A kind of provider
    lists its name patterns, or maps each pattern to the services such a provider runs."""
    taken_names, taken_slugs = taken
    ward = county.ward_of(home)
    places = [
        ward.name,
        ward.name,
        home.neighbourhood.name if home.neighbourhood else ward.name,
        "Northvale",
        "Vale",
    ]
    name = ""
    patterns = kind["names"]
    pattern = ""
    for _attempt in range(12):
        pattern = rng.choice(sorted(patterns) if isinstance(patterns, dict) else patterns)
        name = pattern.format(
            place=rng.choice(places),
            saint=rng.choice(_words("saints")),
            surname=rng.choice(_words("surnames")),
            surname2=rng.choice(_words("surnames")),
        )
        if name not in taken_names:
            break
    else:
        name = f"{name} ({ward.name})"
    taken_names.add(name)
    slug = unique_slug(name, taken_slugs.__contains__)
    taken_slugs.add(slug)
    n = len(taken_slugs)
    street = f"{rng.randint(1, 180)} {rng.choice(_words('streets'))}, {ward.name}, Northvale"
    postcode = county.postcodes[home.pk][0] if county.postcodes.get(home.pk) else None
    offers = patterns[pattern] if isinstance(patterns, dict) else kind["offers"]
    organisation = Organisation(
        uuid=_uuid(rng),
        name=name,
        slug=slug,
        kind=kind["kind"],
        size_band=rng.choice(kind["size"]),
        area=home,
        address=street,
        postcode=postcode.postcode if postcode else "",
        latitude=home.latitude,
        longitude=home.longitude,
        website=f"https://{slug[:50]}.example.org/",
        email=f"hello@{slug[:50]}.example.org",
        description=_organisation_description(offers, ward.name),
        **_identifiers(kind["kind"], n),
    )
    return organisation, offers


def _identifiers(kind: str, n: int) -> dict[str, str]:
    """Synthetic registration numbers (starting 99, as everywhere in the demo)."""
    if kind == OrganisationKind.CHARITY:
        number = f"99{5000 + n:05d}"
        return {"charity_number": number, "org_id": f"GB-CHC-{number}"}
    if kind in (
        OrganisationKind.SOCIAL_ENTERPRISE,
        OrganisationKind.MUTUAL,
        OrganisationKind.SME,
        OrganisationKind.LARGE_FIRM,
    ):
        number = f"99{500000 + n:06d}"
        return {"company_number": number, "org_id": f"GB-COH-{number}"}
    return {}


def _organisation_description(offers: list[str], place: str) -> str:
    services = catalogue()["services"]
    named = [services[key]["names"][0] for key in offers[:3]]
    named = [named[0]] + [n[0].lower() + n[1:] for n in named[1:]]
    listed = ", ".join(named[:-1]) + f" and {named[-1]}" if len(named) > 1 else named[0]
    return f"{listed} in and around {place}. A synthetic demonstration organisation."


def _languages_of(kind: dict[str, Any], name: str) -> list[str]:
    return [
        code for word, codes in kind.get("languages", {}).items() if word in name for code in codes
    ]


# --- their services --------------------------------------------------------------------------


@dataclass
class Maker:
    """Makes the providers' services from the catalogue, into ROWS."""

    county: County
    rows: Rows
    rng: random.Random
    now: datetime
    venues: dict[tuple[int, str], dict[str, Any]] = field(default_factory=dict)

    def uid(self) -> uuid.UUID:
        return _uuid(self.rng)

    def services_of(self, provider: Provider, count: int) -> None:
        """COUNT services from the provider's offers: each kind once before any twice."""
        offers = list(provider.offers)
        self.rng.shuffle(offers)
        names: set[str] = set()
        for k in range(count):
            self.service(provider, offers[k % len(offers)], names)

    def service(self, provider: Provider, key: str, names: set[str]) -> None:
        rng, kind = self.rng, catalogue()["services"][key]
        delivery = kind["delivery"].split("+")
        venue = self.venue(provider, kind) if "in-person" in delivery else None
        name = rng.choice(kind["names"])
        if name in names:
            name = f"{name}, {venue.name}" if venue else f"{name} ({provider.ward.name})"
        names.add(name)
        ages = kind.get("ages", [])
        circumstances = kind.get("circumstances", [])
        if len(circumstances) > 1:
            circumstances = rng.sample(circumstances, rng.randint(1, len(circumstances)))
        service = self.rows.add_service(
            Service(
                id=self.uid(),
                organisation=provider.organisation,
                name=name,
                description=self.description(kind, provider),
                delivery=delivery,
                minimum_age=ages[0] if ages else None,
                maximum_age=ages[1] if len(ages) > 1 else None,
                circumstances=circumstances,
                eligibility_description=_eligibility(ages, circumstances),
                referral_required=bool(kind.get("referral")),
                residency_area=self.county.la if provider.kind.get("residency") else None,
                application_process=_how_to_apply(kind, delivery, rng),
                url=provider.organisation.website,
                email=provider.organisation.email,
                **self.review(),
                **self.places_left(delivery),
            ),
            kind["needs"],
            self.county,
        )
        service.fees_description = self.costs(service, kind, provider)
        self.rows.add_languages(service, self.languages(kind, provider), self.uid)
        self.rows.schedules.append(self.schedule(service, kind))
        self.contact(service, provider)
        if venue is not None:
            self.rows.at.append(ServiceAtLocation(id=self.uid(), service=service, location=venue))
        if "at-home" in delivery and self.rng.random() < 0.08:
            self.rows.areas.append(self.home_radius(service, provider))
        elif "at-home" in delivery or delivery == ["online"]:
            areas = self.home_areas(provider) if "at-home" in delivery else [self.county.la]
            self.rows.add_areas(service, areas, self.uid)

    def description(self, kind: dict[str, Any], provider: Provider) -> str:
        points = self.rng.sample(kind["points"], min(len(kind["points"]), self.rng.randint(2, 3)))
        items = "".join(f"<li>{_text(point)}</li>" for point in points)
        # Only tags the sanitiser keeps, around escaped text: stored as it would store it
        # (tests check), without running it 1,500 times.
        return (
            f"<p>{_text(kind['about'])}</p><ul>{items}</ul>"
            f"<p>Run by {_text(provider.organisation.name)}.</p><p><em>{SYNTHETIC}</em></p>"
        )

    def review(self) -> dict[str, Any]:
        """When the provider last confirmed the details: mostly this year, a few overdue;
        a few services closed for a while, saying why."""
        rng = self.rng
        days = rng.randint(370, 700) if rng.random() < 0.06 else rng.randint(2, 340)
        reviewed = self.now - timedelta(days=days, hours=rng.randint(0, 23))
        closed = rng.random() < 0.02
        return {
            "reviewed_at": reviewed,
            "last_modified": reviewed,
            "assured_date": reviewed.date() if rng.random() < 0.3 else None,
            "status": ServiceStatus.TEMPORARILY_CLOSED if closed else ServiceStatus.ACTIVE,
            "alert": "Closed for a few weeks while the hall is refurbished." if closed else "",
        }

    def places_left(self, delivery: list[str]) -> dict[str, int | None]:
        rng = self.rng
        if delivery == ["online"] and rng.random() < 0.5:
            return {"capacity": None, "vacancies": None}
        capacity = rng.randint(10, 120) if "at-home" in delivery else rng.randint(8, 40)
        vacancies = min(capacity, rng.choice([0, 0, 1, 2, 3, 4, 5, 8, 10, 12]))
        return {"capacity": capacity, "vacancies": vacancies}

    def costs(self, service: Service, kind: dict[str, Any], provider: Provider) -> str:
        """The service's prices (none: free) and the words that say them."""
        rng, cost = self.rng, kind["cost"]
        if cost == "free" or (cost[1] == 0 and rng.random() < 0.4):
            return "Free." if provider.kind["kind"] != "charity" else "Free. Donations welcome."
        unit, low, high = cost
        pence = _price(rng.uniform(max(low, high // 4), high), unit)
        said = f"{_pounds(pence)} {UNITS[unit]}"
        if not kind.get("budget_rate"):
            self.rows.costs.append(
                CostOption(id=self.uid(), service=service, amount_pence=pence, unit=unit)
            )
            return f"{said}."
        budget = _price(pence * rng.uniform(0.86, 0.95), unit)
        self.rows.costs += [
            CostOption(
                id=self.uid(),
                service=service,
                amount_pence=pence,
                unit=unit,
                option="Paying for yourself",
            ),
            CostOption(
                id=self.uid(),
                service=service,
                amount_pence=budget,
                unit=unit,
                option="Personal budget or direct payment",
            ),
        ]
        with_budget = f"{_pounds(budget)} with a personal budget or direct payment"
        return f"{said} if you pay for yourself; {with_budget}."

    def languages(self, kind: dict[str, Any], provider: Provider) -> list[str]:
        codes = ["en", *provider.languages, *kind.get("languages", [])]
        if self.rng.random() < 0.12:
            codes.append(self.rng.choice(OTHER_LANGUAGES))
        return codes

    def schedule(self, service: Service, kind: dict[str, Any]) -> Schedule:
        rng, when = self.rng, catalogue()["schedules"][kind["when"]]
        count = rng.choice(when["days"])
        if when.get("weekend"):
            days = [rng.choice(["SA", "SU"])]
        elif count >= 5:
            days = DAYS[:count]
        else:
            days = [d for d in DAYS[:5] if d in rng.sample(DAYS[:5], count)]
        times = rng.choice(when["times"])
        opens, closes = (time.fromisoformat(t) for t in times) if times else (None, None)
        return Schedule(
            id=self.uid(),
            service=service,
            byday=",".join(days),
            opens_at=opens,
            closes_at=closes,
            description=when.get("note", ""),
        )

    def contact(self, service: Service, provider: Provider) -> None:
        rng = self.rng
        first, last = rng.choice(_words("first_names")), rng.choice(_words("surnames"))
        domain = provider.organisation.email.partition("@")[2]
        self.rows.contacts.append(
            Contact(
                id=self.uid(),
                service=service,
                name=f"{first} {last}",
                title=rng.choice(
                    [
                        "Coordinator",
                        "Service manager",
                        "Duty adviser",
                        "Volunteer coordinator",
                        "Team leader",
                    ]
                ),
                email=f"{first.lower()}.{last.lower()}@{domain}" if domain else "",
                phone=f"01632 960{rng.randint(0, 999):03d}",
            )  # Ofcom's range for drama
        )

    def home_areas(self, provider: Provider) -> list[Area]:
        """Where a home service goes: the bigger the provider, the wider (the authority,
        a neighbourhood, a few wards, a ward, or a handful of LSOAs round its base)."""
        rng, county, reach_of = self.rng, self.county, HOME_SIZE[provider.organisation.size_band]
        roll = rng.random()
        neighbourhood = provider.home.neighbourhood
        if (
            reach_of == "authority"
            or (reach_of == "wide" and roll < 0.5)
            or (reach_of == "local" and roll < 0.25)
        ):
            return [county.la]
        if neighbourhood and (reach_of == "wide" or (reach_of == "local" and roll < 0.55)):
            return [neighbourhood]
        if reach_of == "local" or roll < 0.15:
            return county.nearest_wards(provider.ward, rng.randint(2, 4))
        if roll < 0.6:
            return [provider.ward]
        return _lsoas_round(provider.home, county.lsoas[provider.ward.pk], rng.randint(3, 7))

    def home_radius(self, service: Service, provider: Provider) -> ServiceArea:
        """A few home services go anywhere within a few kilometres of their base instead."""
        base = self.county.postcodes[provider.home.pk][0]
        metres = self.rng.choice([2000, 3000, 5000, 8000])
        return ServiceArea(
            id=self.uid(),
            service=service,
            area=None,
            name=base.postcode,
            latitude=base.latitude,
            longitude=base.longitude,
            radius_m=metres,
        )

    def venue(self, provider: Provider, kind: dict[str, Any]) -> Location:
        """A place in the county where the service runs: mostly in the provider's own ward.
        One place is the same building (position, access) whoever uses it."""
        rng, county = self.rng, self.county
        ward = provider.ward if rng.random() < 0.7 else rng.choice(county.wards)
        sort = rng.choice(kind.get("venue", ["community"]))
        pattern = rng.choice(catalogue()["venues"][sort])
        name = pattern.format(
            ward=ward.name, saint=rng.choice(_words("saints")), provider=provider.organisation.name
        )
        if sort == "office":
            ward = provider.ward
        place = self.venues.get((ward.pk, name)) or self._place(ward, provider, sort == "office")
        self.venues[(ward.pk, name)] = place
        key = (id(provider.organisation), name)
        if key not in self.rows.venues:
            location = Location(
                id=self.uid(),
                organisation=provider.organisation,
                name=name,
                location_type=LocationType.PHYSICAL,
                city="Northvale",
                **place,
            )
            self.rows.venues[key] = location
            self.rows.locations.append(location)
        return self.rows.venues[key]

    def _place(self, ward: Area, provider: Provider, office: bool) -> dict[str, Any]:
        rng = self.rng
        lsoa = provider.home if office else rng.choice(self.county.lsoas[ward.pk])
        postcode = rng.choice(self.county.postcodes[lsoa.pk])
        access = rng.sample(ACCESS, rng.randint(1, 5))
        if rng.random() < 0.2:
            access.append(rng.choice(MORE_ACCESS))
        address = (
            provider.organisation.address.partition(",")[0]
            if office
            else f"{rng.randint(1, 120)} {rng.choice(_words('streets'))}"
        )
        return {
            "address_1": address,
            "postal_code": postcode.postcode,
            "latitude": postcode.latitude,
            "longitude": postcode.longitude,
            "accessibility": sorted(set(access)),
        }


def _lsoas_round(home: Area, ward_lsoas: list[Area], count: int) -> list[Area]:
    """The COUNT LSOAs of the ward nearest to HOME (HOME first)."""
    lat, lon = home.latitude or 0, home.longitude or 0
    return sorted(
        ward_lsoas,
        key=lambda a: ((a.latitude or 0) - lat) ** 2 + (((a.longitude or 0) - lon) * 0.6) ** 2,
    )[:count]


def _text(words: str) -> str:
    return html.escape(words, quote=False)


def _price(pence: float, unit: str) -> int:
    """A price as people set them: hourly rates to the 10p, small prices to the 50p,
    larger ones to the pound."""
    step = 10 if unit == "hour" else 50 if pence < 1000 else 100
    return max(step, round(pence / step) * step)


def _pounds(pence: int) -> str:
    return f"£{pence // 100}" if pence % 100 == 0 else f"£{pence / 100:.2f}"


def _eligibility(ages: list[int], circumstances: list[str]) -> str:
    parts = []
    if len(ages) > 1:
        parts.append(f"aged {ages[0]} to {ages[1]}")
    elif ages:
        parts.append(f"aged {ages[0]} and over")
    parts += [CIRCUMSTANCES[code].lower() for code in circumstances]
    return f"For people who are {' or '.join(parts)}." if parts else ""


def _how_to_apply(kind: dict[str, Any], delivery: list[str], rng: random.Random) -> str:
    if kind.get("referral"):
        return "Ask your GP, social worker or hospital team to refer you; we call within a week."
    if "at-home" in delivery:
        return "Phone or e-mail us and we will arrange a visit to talk about what you need."
    if delivery == ["online"]:
        return "Phone us, or fill in the form on our website, and we will call you back."
    return rng.choice(
        [
            "Just come along: there is no need to book.",
            "Phone or e-mail to book your first session.",
            "Phone or e-mail us, or ask your Choice Champion to refer you.",
        ]
    )


# --- the whole directory -----------------------------------------------------------------------


def seed_directory(seed: int = 2026, size: int | None = None) -> None:
    """The demo county's directory: about SIZE services (settings.OPUS_DEMO_SERVICES)."""
    size = demo_size() if size is None else size
    county = County.load()
    rows = Rows()
    first = Organisation.objects.filter(kind__in=PROVIDER_KINDS).select_related(
        "area", "area__neighbourhood"
    )
    _named(list(first.order_by("name")), county, rows, seed)
    rest = size - len(rows.services)
    providers: list[Provider] = []
    if rest > 0:
        rng = random.Random(seed + 29)  # noqa: S311 - made-up demo data
        full = DEFAULT_SIZE - len(rows.services)
        providers = _providers(county, rows, rng, scale=rest / full)
        maker = Maker(county, rows, rng, timezone.now())
        total = sum(p.weight for p in providers)
        for provider in providers:
            maker.services_of(provider, max(1, round(provider.weight * rest / total)))
    rows.write()
    ids = [service.id for service in rows.services]
    services_changed(ids, text=False)  # their search text was written with them
    audit_record(
        actor=None,
        action="directory.demo",
        object_type="system",
        object_id="demo",
        summary={
            "seed": seed,
            "services": len(rows.services),
            "new_providers": len(rows.organisations),
            "home_services": len({a.service_id for a in rows.areas}),
            "synthetic": True,
        },
    )
