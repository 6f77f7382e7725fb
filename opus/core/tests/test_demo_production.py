"""The demo world, with its published passwords, is refused in production."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from opus.core.models import Area, User
from opus.testing import create_user

pytestmark = pytest.mark.django_db


def test_seed_demo_refuses_to_run_in_production_and_creates_nothing(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo", "--seed", "3", verbosity=0)
    assert not Area.objects.exists() and not User.objects.exists()


def test_seed_demo_if_empty_is_refused_in_production_too(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo", "--if-empty", verbosity=0)


def test_demo_accounts_prints_no_password_in_production(settings, capsys):
    from opus.core.demo import demo_password
    from opus.core.models import Role

    create_user(email="commissioner@demo.opus.test", full_name="Cora Commissioner")
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("demo_accounts")
    assert demo_password(Role.COMMISSIONER) not in capsys.readouterr().out
