"""The demo directory: a county's worth of synthetic services that choosing can be tried on.

The full-size directory is built once here (every other test that builds the demo world gets
a small one, settings.OPUS_DEMO_SERVICES): its size, variety, home services and the demo
resident's journey; then the same seed giving the same directory, and the size setting.
"""

import importlib
import re

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Count

from opus.core import demo as core_demo
from opus.core.models import AreaKind, Organisation, Postcode, User
from opus.directory import demo
from opus.directory.importers.richtext import sanitise
from opus.directory.models import (
    CostOption,
    Location,
    Schedule,
    Service,
    ServiceArea,
    ServiceStatus,
    TaxonomyTerm,
)
from opus.directory.taxonomy import TERMS

pytestmark = pytest.mark.django_db
LEAVES = [code for _, (_, children) in TERMS.items() for code in children]


@pytest.fixture
def county(monkeypatch):
    """The demo county, its organisations and people, without the other apps' demo steps."""
    importlib.import_module("opus.directory.migrations.0002_local_needs_taxonomy").load(apps, None)
    monkeypatch.setattr(core_demo, "DEMO_STEPS", [])
    core_demo.seed_demo(seed=3, scale="county")


def _ask_for_befriending_at_home(client, postcode):
    answers = {
        "needs": {"needs": ["befriending"]},
        "where": {"postcode": postcode, "max_distance_km": "10", "remote_ok": "on"},
        "about": {"age": "72", "circumstances": ["older-person"]},
        "access": {"accessibility": ["step-free"]},
        "when": {"max_price": "20"},
    }
    for step, data in answers.items():
        assert client.post(f"/choose/questions/{step}/", data).status_code == 302, step
    return client.get("/choose/results/").content.decode().replace("&#x27;", "'")


def test_the_full_demo_directory_feels_like_a_county(county, client):
    demo.seed_directory(3, size=1500)
    services = Service.objects.all()
    assert 1350 <= services.count() <= 1650
    providers = Organisation.objects.annotate(n=Count("services")).filter(n__gt=0)
    assert 250 <= providers.count() <= 350
    kinds = {"charity", "community_group", "social_enterprise", "mutual", "sme", "large_firm",
             "nhs_body", "local_authority"}  # fmt: skip
    assert kinds <= set(providers.values_list("kind", flat=True))

    # Every need in the taxonomy is met by several services.
    per_need = dict(
        TaxonomyTerm.objects.filter(code__in=LEAVES)
        .annotate(n=Count("services"))
        .values_list("code", "n")
    )
    assert min(per_need[code] for code in LEAVES) >= 5, per_need

    # About a fifth visit people at home across service areas of every size.
    with_areas = set(ServiceArea.objects.values_list("service_id", flat=True))
    home = [pk for pk, how in services.values_list("pk", "delivery") if "at-home" in how]
    assert set(home) <= with_areas
    assert 0.15 <= len(home) / services.count() <= 0.30
    kinds = set(ServiceArea.objects.values_list("area__kind", flat=True))
    assert {AreaKind.LSOA, AreaKind.WARD, AreaKind.NEIGHBOURHOOD, AreaKind.LOCAL_AUTHORITY} <= kinds
    assert ServiceArea.objects.filter(area=None, radius_m__gte=2000).exists()  # round a base

    # Varied eligibility, costs, times, languages and places.
    circumstances = {c for row in services.values_list("circumstances", flat=True) for c in row}
    assert {"carer", "veteran", "dementia", "young-carer", "older-person"} <= circumstances
    assert services.filter(minimum_age__gte=50).exists()
    assert services.filter(maximum_age__lte=19).exists()
    assert services.filter(referral_required=True).exists()
    assert services.filter(cost_options__isnull=True).count() > services.count() / 3  # free
    assert set(CostOption.objects.values_list("unit", flat=True)) >= {"hour", "session", "week"}
    assert CostOption.objects.filter(option__icontains="personal budget").count() > 50
    days = set(Schedule.objects.values_list("byday", flat=True))
    assert {"MO,TU,WE,TH,FR", "MO,TU,WE,TH,FR,SA,SU"} <= days and days & {"SA", "SU"}
    assert services.filter(languages__code="pl").exists()
    assert services.filter(languages__code="bfi").exists()
    access = {
        code for row in Location.objects.values_list("accessibility", flat=True) for code in row
    }
    assert {"step-free", "hearing-loop", "changing-places"} <= access
    assert services.filter(status=ServiceStatus.TEMPORARILY_CLOSED).exclude(alert="").exists()
    assert services.filter(reviewed_at__isnull=False).count() == services.count()

    # Synthetic, and says so; descriptions are stored as the sanitiser would store them.
    for service in services.order_by("?")[:50]:
        assert "ynthetic demonstration" in service.description
        assert sanitise(service.description) == service.description
        assert service.search_text

    # The demo resident asking for befriending at home sees the demo's befriending visits
    # among many; a search for lunch clubs runs over several pages.
    client.force_login(User.objects.get(email="resident@demo.opus.test"))
    postcode = Postcode.objects.filter(lsoa__isnull=False).order_by("postcode").first().postcode
    page = _ask_for_befriending_at_home(client, postcode)
    for service in Service.objects.filter(name__startswith="Befriending visits"):
        assert service.name in page
    assert page.count("Add to shortlist") >= 10
    listing = client.get("/directory/", {"need": "lunch-clubs"}).content.decode()
    pages = re.search(r'pagination__item--ellipses">of (\d+)<', listing)
    assert pages and int(pages.group(1)) >= 3


def test_the_first_providers_keep_the_services_other_demo_steps_use(county):
    demo.seed_directory(3, size=150)
    befriending = Service.objects.filter(name__startswith="Befriending visits").order_by("name")
    assert [s.organisation.name for s in befriending] == [
        "Age Well Northvale",
        "Kinship Home Support Ltd",
    ]
    assert [a.area.kind for a in befriending.first().areas.all()] == [AreaKind.LOCAL_AUTHORITY]
    # The choice demo books the first befriending or lunch club service: its provider has
    # staff to accept the booking.
    first = (
        Service.objects.filter(terms__code__in=["befriending", "lunch-clubs"])
        .order_by("name")
        .first()
    )
    assert first.name == "Befriending visits — Age Well Northvale"
    assert first.organisation.memberships.filter(role="provider").exists()


def test_the_same_seed_builds_the_same_directory(county):
    def build(seed):
        with transaction.atomic():
            demo.seed_directory(seed, size=150)
            made = list(
                Service.objects.order_by("id").values_list(
                    "id", "name", "organisation__name", "delivery", "description"
                )
            )
            areas = sorted(ServiceArea.objects.values_list("service_id", "area__code"))
            transaction.set_rollback(True)
        return made, areas

    first, again, other = build(3), build(3), build(4)
    assert first == again and 120 <= len(first[0]) <= 180
    assert first != other


def test_the_size_comes_from_settings_and_is_bounded(settings):
    settings.OPUS_DEMO_SERVICES = 200
    assert demo.demo_size() == 200
    for wrong in (-1, 50_000, "many"):
        settings.OPUS_DEMO_SERVICES = wrong
        with pytest.raises(ImproperlyConfigured):
            demo.demo_size()


def test_the_catalogue_names_only_known_needs_and_services():
    catalogue = demo.catalogue()
    for key, kind in catalogue["services"].items():
        assert set(kind["needs"]) <= set(LEAVES), key
        assert kind["when"] in catalogue["schedules"], key
    for provider in catalogue["providers"]:
        names = provider.get("names", {})
        offers = provider.get("offers", [])
        if isinstance(names, dict):
            offers = [key for keys in names.values() for key in keys]
        assert set(offers) <= set(catalogue["services"]), provider
    # Residents and the choice demo never see a new service sorting before the befriending
    # visits the choice demo books.
    for kind in catalogue["services"].values():
        if {"befriending", "lunch-clubs"} & set(kind["needs"]):
            assert all(name > "Befriending visits" for name in kind["names"]), kind["names"]
