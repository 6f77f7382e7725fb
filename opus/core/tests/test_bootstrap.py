"""manage.py bootstrap: the first administrator of a fresh installation, and only the first."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from opus.core.models import AuditEvent, Membership, Organisation, OrganisationKind, Role, User
from opus.testing import create_member

pytestmark = pytest.mark.django_db

GOOD = "correct horse battery staple"


def bootstrap(*extra: str) -> str:
    out = io.StringIO()
    call_command(
        "bootstrap", "--email", "Head@Northvale.gov.uk", "--organisation", "Northvale Council",
        *extra, stdout=out,
    )  # fmt: skip
    return out.getvalue()


def test_bootstrap_creates_the_council_and_its_administrator_with_audit_events(monkeypatch):
    monkeypatch.setenv("OPUS_NEW_PASSWORD", GOOD)
    output = bootstrap("--full-name", "Hana Head")
    user = User.objects.get(email="head@northvale.gov.uk")
    assert user.full_name == "Hana Head"
    assert user.check_password(GOOD)
    council = Organisation.objects.get(name="Northvale Council")
    assert council.kind == OrganisationKind.LOCAL_AUTHORITY
    assert Membership.objects.filter(user=user, organisation=council, role=Role.ADMIN).exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"organisation.create", "user.create", "membership.grant"} <= actions
    assert "head@northvale.gov.uk is the administrator of Northvale Council" in output


def test_bootstrapping_twice_is_refused_and_changes_nothing(monkeypatch):
    monkeypatch.setenv("OPUS_NEW_PASSWORD", GOOD)
    bootstrap()
    users, events = User.objects.count(), AuditEvent.objects.count()
    with pytest.raises(CommandError, match="an administrator already exists"):
        call_command("bootstrap", "--email", "other@northvale.gov.uk", "--organisation", "Another")
    assert (User.objects.count(), AuditEvent.objects.count()) == (users, events)
    assert not Organisation.objects.filter(name="Another").exists()


def test_an_existing_administrator_from_elsewhere_also_refuses(monkeypatch):
    monkeypatch.setenv("OPUS_NEW_PASSWORD", GOOD)
    create_member(Role.ADMIN, email="ada@example.test")
    with pytest.raises(CommandError, match=r"already exists \(ada@example.test\)"):
        bootstrap()


def test_a_weak_password_is_refused_in_one_line_and_nothing_is_made(monkeypatch):
    monkeypatch.setenv("OPUS_NEW_PASSWORD", "password")
    with pytest.raises(CommandError) as raised:
        bootstrap()
    assert "password is not good enough" in str(raised.value)
    assert "\n" not in str(raised.value)
    assert not User.objects.exists() and not Organisation.objects.exists()


def test_a_bad_email_is_refused(monkeypatch):
    monkeypatch.setenv("OPUS_NEW_PASSWORD", GOOD)
    with pytest.raises(CommandError, match="must be an e-mail address"):
        call_command("bootstrap", "--email", "not-an-address", "--organisation", "Northvale")
    assert not Organisation.objects.exists()


def test_without_the_variable_or_a_terminal_it_says_what_to_do(monkeypatch):
    monkeypatch.delenv("OPUS_NEW_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(CommandError, match="set OPUS_NEW_PASSWORD"):
        bootstrap()
    assert not User.objects.exists()


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_in_a_terminal_it_asks_twice_and_refuses_two_different_answers(monkeypatch):
    monkeypatch.delenv("OPUS_NEW_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", Terminal())
    answers = iter([GOOD, GOOD + "!"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    with pytest.raises(CommandError, match="not the same"):
        bootstrap()
    assert not User.objects.exists()

    answers = iter([GOOD, GOOD])
    bootstrap()
    assert User.objects.get().check_password(GOOD)


def test_the_command_exits_with_status_1_and_one_line_on_stderr(monkeypatch, capsys):
    monkeypatch.setenv("OPUS_NEW_PASSWORD", GOOD)
    bootstrap()
    from django.core.management import execute_from_command_line

    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(
            ["manage.py", "bootstrap", "--email", "b@x.test", "--organisation", "X"]
        )
    assert exited.value.code == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("CommandError: bootstrap: an administrator already exists")
    assert "\n" not in err
