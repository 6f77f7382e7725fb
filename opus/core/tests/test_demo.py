"""The demo world: a deterministic synthetic county with a sign-in for every role."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from opus.core.demo import demo_password
from opus.core.models import Area, AreaKind, Organisation, OrganisationKind, Postcode, Role, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def county():
    call_command("seed_demo", "--seed", "7", verbosity=0)


def test_the_county_has_its_geography(county):
    assert Area.objects.filter(kind=AreaKind.LOCAL_AUTHORITY).count() == 1
    assert Area.objects.filter(kind=AreaKind.WARD).count() == 20
    assert Area.objects.filter(kind=AreaKind.LSOA).count() == 300
    assert Area.objects.filter(kind=AreaKind.NEIGHBOURHOOD).count() == 6
    la = Area.objects.get(kind=AreaKind.LOCAL_AUTHORITY)
    assert 400_000 < la.population < 500_000
    lsoas = Area.objects.filter(kind=AreaKind.LSOA)
    assert sum(a.population for a in lsoas) == la.population
    assert set(lsoas.values_list("imd_decile", flat=True)) >= {1, 5, 10}
    assert not lsoas.filter(neighbourhood__isnull=True).exists()
    assert Postcode.objects.filter(lsoa__isnull=False).count() == 2400


def test_every_organisation_kind_and_role_is_there(county):
    assert set(Organisation.objects.values_list("kind", flat=True)) == set(OrganisationKind.values)
    for role in Role:
        assert User.objects.filter(memberships__role=role).exists(), role


def test_each_printed_sign_in_works(county, client, capsys):
    call_command("demo_accounts")
    out = capsys.readouterr().out
    assert "synthetic" in out
    for role in Role:
        email = f"{role.value}@demo.opus.test"
        assert email in out and demo_password(role.value) in out
        assert client.login(email=email, password=demo_password(role.value)), role


def test_the_same_seed_builds_the_same_world():
    def build():
        with transaction.atomic():
            call_command("seed_demo", "--seed", "7", verbosity=0)
            lsoas = Area.objects.filter(kind=AreaKind.LSOA)
            world = list(lsoas.values_list("code", "population", "imd_score"))
            transaction.set_rollback(True)
        return world

    first, again = build(), build()
    assert len(first) == 300 and first == again


def test_seeding_twice_is_refused_unless_asked_to_skip(county):
    with pytest.raises(CommandError, match="already has areas"):
        call_command("seed_demo", verbosity=0)
    call_command("seed_demo", "--if-empty", verbosity=0)
    assert Area.objects.filter(kind=AreaKind.LSOA).count() == 300


def test_the_seed_is_in_the_audit_log_and_the_chain_holds(county, capsys):
    call_command("audit_verify")
    assert "verify" in capsys.readouterr().out


def test_a_small_charity_provider_signs_in(county, client, capsys):
    from pathlib import Path

    from opus.core.models import SizeBand

    user = User.objects.get(email="charity@demo.opus.test")
    membership = user.memberships.get()
    assert membership.role == Role.PROVIDER
    assert membership.organisation.kind == OrganisationKind.CHARITY
    assert membership.organisation.size_band in (SizeBand.MICRO, SizeBand.SMALL)
    assert client.login(email="charity@demo.opus.test", password="demo-charity-2026")
    call_command("demo_accounts")
    out = capsys.readouterr().out
    assert "charity@demo.opus.test" in out and "demo-charity-2026" in out
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text()
    assert "| `charity@demo.opus.test` | `demo-charity-2026` |" in readme
