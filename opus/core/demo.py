"""The demo world: a synthetic county (or a synthetic England for benchmarks).

Everything is fake and says so: area codes sit in unused ranges (E06900001,
E05900001, E01900001 …), postcodes use the non-existent ZY area, charity and
company numbers start 99. Numbers come from opus.engines.synthetic_geography.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.contrib.auth.hashers import make_password
from django.db import transaction

from opus.core.audit import audit_record
from opus.core.models import (
    Area,
    AreaKind,
    Membership,
    Organisation,
    OrganisationKind,
    Postcode,
    Role,
    SizeBand,
    User,
)
from opus.engines import synthetic_geography as synth

Progress = Callable[[int], None]

# Other apps add their part of the demo world here (from their AppConfig.ready); each step
# takes the seed and runs after the county is built, in the same transaction.
DEMO_STEPS: list[Callable[[int], None]] = []

COUNTY = "Northvale"
WARD_NAMES = [
    "Abbey", "Brook", "Castle", "Dale", "Elmfield", "Ferry", "Greenhill", "Harbour", "Ivy Bank",
    "Juniper", "Kingsmead", "Larkrise", "Millbrook", "Northgate", "Oakwood", "Priory", "Quarry",
    "Riverside", "Stonebridge", "Tanners",
]  # fmt: skip
NEIGHBOURHOOD_NAMES = ["North Vale", "Old Town", "Riverside", "The Moors", "Harbourside", "Weald"]
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
DEMO_PASSWORD_PREFIX = "demo-"  # noqa: S105 — every demo account's password is demo-<role>-2026


@dataclass
class DemoAccount:
    role: str
    email: str
    password: str
    organisation: str


@dataclass
class DemoReport:
    areas: int = 0
    postcodes: int = 0
    organisations: int = 0
    users: int = 0
    accounts: list[DemoAccount] = field(default_factory=list)


def demo_password(role: str) -> str:
    return f"{DEMO_PASSWORD_PREFIX}{role}-2026"


def _bulk(model: Any, rows: list[Any], progress: Progress | None, batch: int = 2000) -> list[Any]:
    created: list[Any] = []
    for start in range(0, len(rows), batch):
        created.extend(model.objects.bulk_create(rows[start : start + batch], batch_size=batch))
        if progress:
            progress(len(rows[start : start + batch]))
    return created


def _lsoa_rows(
    parents: list[Area], per_parent: np.ndarray, first_code: int, data: synth.SmallAreas,
    rng: np.random.Generator, centre: tuple[float, float],
) -> list[Area]:  # fmt: skip
    rows, i = [], 0
    for parent, count in zip(parents, per_parent, strict=True):
        lat0 = centre[0] + rng.normal(0, 0.12)
        lon0 = centre[1] + rng.normal(0, 0.2)
        for j in range(int(count)):
            male, female = data.male[i].tolist(), data.female[i].tolist()
            rows.append(
                Area(
                    code=f"E01{first_code + i:06d}",
                    name=f"{parent.name} {j + 1:03d}",
                    kind=AreaKind.LSOA,
                    parent=parent,
                    latitude=round(lat0 + rng.normal(0, 0.01), 5),
                    longitude=round(lon0 + rng.normal(0, 0.015), 5),
                    population=sum(male) + sum(female),
                    population_male=male,
                    population_female=female,
                    ethnic_groups=dict(
                        zip(synth.ETHNIC_GROUPS, data.ethnic[i].tolist(), strict=True)
                    ),
                    disability=dict(
                        zip(synth.DISABILITY_GROUPS, data.disability[i].tolist(), strict=True)
                    ),
                    imd_score=float(data.imd_score[i]),
                    imd_rank=int(data.imd_rank[i]),
                    imd_decile=int(data.imd_decile[i]),
                    imd_domains={k: float(v[i]) for k, v in data.domains.items()},
                )
            )
            i += 1
    return rows


def _sum_up(parent: Area, children: list[Area]) -> None:
    """A parent's population is the sum of its LSOAs'."""
    parent.population_male = np.sum([c.population_male for c in children], axis=0).tolist()
    parent.population_female = np.sum([c.population_female for c in children], axis=0).tolist()
    parent.population = sum(c.population for c in children)


def _roll_up(parents: list[Area], lsoas: list[Area], key: str) -> None:
    by_parent: dict[int, list[Area]] = {}
    for lsoa in lsoas:
        by_parent.setdefault(getattr(lsoa, key), []).append(lsoa)
    for parent in parents:
        _sum_up(parent, by_parent.get(parent.pk, []))
    Area.objects.bulk_update(
        parents, ["population", "population_male", "population_female"], batch_size=1000
    )


def build_county(seed: int, progress: Progress | None = None) -> tuple[Area, list[Area]]:
    """One unitary authority, 20 wards, 300 LSOAs, 6 neighbourhoods."""
    rng = np.random.default_rng(seed)
    la = Area.objects.create(
        code="E06900001", name=f"{COUNTY} (synthetic)", kind=AreaKind.LOCAL_AUTHORITY,
        latitude=53.9, longitude=-1.6,
    )  # fmt: skip
    wards = _bulk(Area, [
        Area(code=f"E05{900001 + i:06d}", name=name, kind=AreaKind.WARD, parent=la)
        for i, name in enumerate(WARD_NAMES)
    ], None)  # fmt: skip
    per_ward = rng.multinomial(300 - 20 * 10, np.ones(20) / 20) + 10
    latent = synth.clustered_latent(20, per_ward, rng, shift=0.15)
    data = synth.small_areas(latent, rng)
    lsoas = _bulk(Area, _lsoa_rows(wards, per_ward, 900001, data, rng, (53.9, -1.6)), progress)
    neighbourhoods = _bulk(Area, [
        Area(code=f"N{90000001 + i}", name=name, kind=AreaKind.NEIGHBOURHOOD, parent=la)
        for i, name in enumerate(NEIGHBOURHOOD_NAMES)
    ], None)  # fmt: skip
    for lsoa in lsoas:
        ward_index = WARD_NAMES.index(lsoa.parent.name)
        lsoa.neighbourhood = neighbourhoods[ward_index * len(neighbourhoods) // len(wards)]
    Area.objects.bulk_update(lsoas, ["neighbourhood"], batch_size=1000)
    _roll_up(wards, lsoas, "parent_id")
    _roll_up(neighbourhoods, lsoas, "neighbourhood_id")
    _sum_up(la, lsoas)
    la.save(update_fields=["population", "population_male", "population_female"])
    return la, lsoas


def build_national(seed: int, progress: Progress | None = None) -> int:
    """A synthetic England: 33,755 LSOAs in 300 authorities, about 4.5 LSOAs a ward."""
    rng = np.random.default_rng(seed)
    authorities, total = 300, 33_755
    per_la = rng.multinomial(total - authorities * 60, np.ones(authorities) / authorities) + 60
    las = _bulk(Area, [
        Area(code=f"E06{900001 + i:06d}", name=f"Synthetic authority {i + 1:03d}",
             kind=AreaKind.LOCAL_AUTHORITY, latitude=52 + rng.normal(0, 1),
             longitude=-1.5 + rng.normal(0, 1))
        for i in range(authorities)
    ], None)  # fmt: skip
    wards, per_ward = [], []
    for la, count in zip(las, per_la, strict=True):
        n_wards = max(1, int(count) // 5)
        split = rng.multinomial(int(count) - n_wards, np.ones(n_wards) / n_wards) + 1
        for k, size in enumerate(split):
            wards.append(Area(code=f"E05{900001 + len(wards):06d}", kind=AreaKind.WARD,
                              name=f"{la.name} ward {k + 1}", parent=la))  # fmt: skip
            per_ward.append(int(size))
    wards = _bulk(Area, wards, None)
    per_ward_arr = np.array(per_ward, dtype=np.int64)
    data = synth.small_areas(synth.clustered_latent(len(wards), per_ward_arr, rng), rng)
    _bulk(Area, _lsoa_rows(wards, per_ward_arr, 900001, data, rng, (52.5, -1.5)), progress)
    wards_per_la = np.bincount([w.parent_id for w in wards], minlength=len(las) + las[0].pk)
    wards_per_la = wards_per_la[[la.pk for la in las]]
    _set_totals(wards, data.male, data.female, per_ward_arr)
    male = np.array([w.population_male for w in wards])
    female = np.array([w.population_female for w in wards])
    _set_totals(las, male, female, wards_per_la)
    return authorities + len(wards) + total


def _set_totals(
    parents: list[Area], male: np.ndarray, female: np.ndarray, sizes: np.ndarray
) -> None:
    """Sum consecutive runs of child rows (sizes[i] rows for parents[i]) into the parents."""
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    male_sums, female_sums = np.add.reduceat(male, starts), np.add.reduceat(female, starts)
    for parent, m, f in zip(parents, male_sums, female_sums, strict=True):
        parent.population_male, parent.population_female = m.tolist(), f.tolist()
        parent.population = int(m.sum() + f.sum())
    Area.objects.bulk_update(
        parents, ["population", "population_male", "population_female"], batch_size=1000
    )


def _postcodes(lsoas: list[Area], rng: np.random.Generator, per_lsoa: int = 8) -> list[Postcode]:
    rows, seen = [], set()
    for lsoa in lsoas:
        district = WARD_NAMES.index(lsoa.parent.name) + 1 if lsoa.parent else 1
        made = 0
        while made < per_lsoa:
            code = (
                f"ZY{district} {rng.integers(0, 10)}"
                f"{INWARD_LETTERS[rng.integers(0, 20)]}{INWARD_LETTERS[rng.integers(0, 20)]}"
            )
            if code in seen:
                continue
            seen.add(code)
            rows.append(
                Postcode(postcode=code, lsoa=lsoa,
                         latitude=round(lsoa.latitude + rng.normal(0, 0.003), 5),
                         longitude=round(lsoa.longitude + rng.normal(0, 0.004), 5))
            )  # fmt: skip
            made += 1
    return rows


ORGANISATIONS: list[tuple[str, str, str, str]] = [
    # name, kind, size band, description
    (f"{COUNTY} Council", OrganisationKind.LOCAL_AUTHORITY, SizeBand.LARGE,
     "The unitary authority: social care, public health, housing and local services."),
    (f"{COUNTY} Integrated Care Board", OrganisationKind.NHS_BODY, SizeBand.LARGE,
     "Plans and pays for NHS services across the county."),
    (f"{COUNTY} Police", OrganisationKind.POLICE, SizeBand.LARGE,
     "Contributes community safety data to the joint needs assessment."),
    (f"{COUNTY} Audit Office", OrganisationKind.OTHER_PUBLIC, SizeBand.SMALL,
     "Independent scrutiny of spending and decisions."),
    ("Vale Carers' Network", OrganisationKind.CHARITY, SizeBand.SMALL,
     "Support, breaks and advice for unpaid carers."),
    ("Northvale Mind", OrganisationKind.CHARITY, SizeBand.MEDIUM,
     "Mental wellbeing support, peer groups and crisis cafés."),
    ("Age Well Northvale", OrganisationKind.CHARITY, SizeBand.MEDIUM,
     "Befriending, lunch clubs and help at home for older people."),
    ("Deaf Connect North", OrganisationKind.CHARITY, SizeBand.MICRO,
     "BSL interpreting, lipreading classes and deaf-led social groups."),
    ("Harbour Community Kitchen", OrganisationKind.COMMUNITY_GROUP, SizeBand.MICRO,
     "Shared meals and cooking skills in Harbourside."),
    ("Old Town Walking Group", OrganisationKind.COMMUNITY_GROUP, SizeBand.MICRO,
     "Weekly walks for people getting active again."),
    ("Brightsteps Social Enterprise", OrganisationKind.SOCIAL_ENTERPRISE, SizeBand.SMALL,
     "Supported employment and work placements for disabled adults."),
    ("Green Shoots Gardening CIC", OrganisationKind.SOCIAL_ENTERPRISE, SizeBand.MICRO,
     "Therapeutic gardening and allotment sessions."),
    ("Northvale Care Mutual", OrganisationKind.MUTUAL, SizeBand.MEDIUM,
     "Home care and reablement, owned by its staff since leaving the council."),
    ("Kinship Home Support Ltd", OrganisationKind.SME, SizeBand.SMALL,
     "Personal care and daily living support at home."),
    ("Moorland Minibus Co", OrganisationKind.SME, SizeBand.MICRO,
     "Accessible transport to appointments and activities."),
    ("Nationwide Care Services plc", OrganisationKind.LARGE_FIRM, SizeBand.LARGE,
     "A national provider of residential and domiciliary care."),
]  # fmt: skip


def _identifiers(kind: str, n: int) -> dict[str, str]:
    if kind == OrganisationKind.CHARITY:
        number = f"99{n:05d}"
        return {"charity_number": number, "org_id": f"GB-CHC-{number}"}
    if kind in (OrganisationKind.SOCIAL_ENTERPRISE, OrganisationKind.MUTUAL,
                OrganisationKind.SME, OrganisationKind.LARGE_FIRM):  # fmt: skip
        number = f"99{n:06d}"
        return {"company_number": number, "org_id": f"GB-COH-{number}"}
    return {}


def build_organisations(
    la: Area, lsoas: list[Area], rng: np.random.Generator
) -> list[Organisation]:
    rows = []
    for i, (name, kind, size, description) in enumerate(ORGANISATIONS, start=1):
        home = lsoas[int(rng.integers(0, len(lsoas)))]
        rows.append(Organisation(
            name=name, slug=name.lower().replace(" ", "-").replace("'", ""), kind=kind,
            size_band=size, description=description, area=home if kind not in
            (OrganisationKind.LOCAL_AUTHORITY, OrganisationKind.NHS_BODY) else la,
            address=f"{i} {home.parent.name if home.parent else COUNTY} Street, {COUNTY}",
            latitude=home.latitude, longitude=home.longitude, **_identifiers(kind, i),
        ))  # fmt: skip
    for neighbourhood in Area.objects.filter(kind=AreaKind.NEIGHBOURHOOD):
        rows.append(Organisation(
            name=f"{neighbourhood.name} Neighbourhood Council",
            slug=f"{neighbourhood.name.lower().replace(' ', '-')}-neighbourhood-council",
            kind=OrganisationKind.NEIGHBOURHOOD_COUNCIL, size_band=SizeBand.MICRO,
            description=f"The neighbourhood council for {neighbourhood.name}.", area=neighbourhood,
        ))  # fmt: skip
    return Organisation.objects.bulk_create(rows)


def _people() -> Iterator[tuple[str, str, str, str]]:
    """(role, e-mail, name, organisation slug) for the named demo accounts."""
    yield Role.RESIDENT, "resident@demo.opus.test", "Rosa Resident", "northvale-council"
    yield Role.CHAMPION, "champion@demo.opus.test", "Charlie Champion", "age-well-northvale"
    yield Role.PROVIDER, "provider@demo.opus.test", "Priya Provider", "northvale-care-mutual"
    yield Role.COMMISSIONER, "commissioner@demo.opus.test", "Cora Commissioner", "northvale-council"
    yield (
        Role.COUNCILLOR,
        "councillor@demo.opus.test",
        "Colin Councillor",
        ("old-town-neighbourhood-council"),
    )
    yield Role.AUDITOR, "auditor@demo.opus.test", "Aude Auditor", "northvale-audit-office"
    yield Role.ADMIN, "admin@demo.opus.test", "Ada Administrator", "northvale-council"
    # A small charity's staff (a provider too): what Opus looks like to the smallest bidders.
    yield Role.PROVIDER, CHARITY_EMAIL, "Chris Charity", "vale-carers-network"


CHARITY_EMAIL = "charity@demo.opus.test"


def _password_of(email: str, role: str) -> str:
    """demo-<role>-2026; the small charity's provider account has demo-charity-2026."""
    return demo_password("charity" if email == CHARITY_EMAIL else role)


def build_people(organisations: list[Organisation], rng: np.random.Generator) -> list[DemoAccount]:
    by_slug = {o.slug: o for o in organisations}
    hashes = {role.value: make_password(demo_password(role.value)) for role in Role}
    users, memberships, accounts = [], [], []
    for role, email, name, slug in _people():
        password = _password_of(email, role)
        hashed = hashes[role] if password == demo_password(role) else make_password(password)
        users.append(User(email=email, full_name=name, password=hashed))
        memberships.append((email, slug, role))
        accounts.append(DemoAccount(role, email, password, by_slug[slug].name))
    for organisation in organisations:
        if organisation.kind in (OrganisationKind.LOCAL_AUTHORITY, OrganisationKind.POLICE):
            continue
        email = f"staff.{organisation.slug}@demo.opus.test"
        role = (
            Role.COUNCILLOR
            if organisation.kind == OrganisationKind.NEIGHBOURHOOD_COUNCIL
            else (
                Role.COMMISSIONER
                if organisation.kind == OrganisationKind.NHS_BODY
                else Role.PROVIDER
            )
        )
        if organisation.kind == OrganisationKind.OTHER_PUBLIC:
            role = Role.AUDITOR
        users.append(User(email=email, full_name=f"Staff of {organisation.name}",
                          password=hashes[role]))  # fmt: skip
        memberships.append((email, organisation.slug, role))
    for i in range(40):
        email = f"resident{i + 1:02d}@demo.opus.test"
        users.append(User(email=email, full_name=f"Demo Resident {i + 1}",
                          password=hashes[Role.RESIDENT]))  # fmt: skip
        memberships.append((email, "northvale-council", Role.RESIDENT))
    by_email = {u.email: u for u in User.objects.bulk_create(users)}
    Membership.objects.bulk_create([
        Membership(user=by_email[e], organisation=by_slug[s], role=r) for e, s, r in memberships
    ])  # fmt: skip
    return accounts


@transaction.atomic
def seed_demo(*, seed: int, scale: str, progress: Progress | None = None) -> DemoReport:
    """Build the demo world in one transaction, with one audit event that describes it."""
    rng = np.random.default_rng(seed + 1)
    report = DemoReport()
    if scale == "national":
        report.areas = build_national(seed, progress)
    else:
        la, lsoas = build_county(seed, progress)
        report.areas = Area.objects.count()
        postcodes = Postcode.objects.bulk_create(_postcodes(lsoas, rng), batch_size=2000)
        report.postcodes = len(postcodes)
        organisations = build_organisations(la, lsoas, rng)
        report.organisations = len(organisations)
        report.accounts = build_people(organisations, rng)
        report.users = User.objects.count()
        for step in DEMO_STEPS:
            step(seed)
    audit_record(
        actor=None,
        action="demo.seed",
        object_type="system",
        object_id=scale,
        summary={"seed": seed, "scale": scale, "areas": report.areas,
                 "postcodes": report.postcodes, "organisations": report.organisations,
                 "users": report.users, "synthetic": True},
    )  # fmt: skip
    return report


def demo_accounts() -> list[DemoAccount]:
    """The named demo sign-ins that exist in this database."""
    found = []
    for role, email, _, slug in _people():
        user = User.objects.filter(email=email).first()
        if user is not None:
            organisation = Organisation.objects.filter(slug=slug).first()
            found.append(
                DemoAccount(role, email, _password_of(email, role), str(organisation or ""))
            )
    return found
