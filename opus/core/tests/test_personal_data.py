"""A person sees and downloads what Opus holds about them; erasure keeps the books verifying."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from opus.core import personal_data
from opus.core.models import AuditEvent, Role, User
from opus.notifications.models import Notification
from opus.testing import create_consent, create_member

pytestmark = pytest.mark.django_db


def zip_names(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_a_resident_sees_and_downloads_everything_held_about_them(client, cast):
    create_consent(person=cast.resident, champion=cast.champion)
    client.force_login(cast.resident)
    page = client.get("/account/my-data/").content.decode()
    assert "consents" in page and "Download your data" in page
    response = client.get("/account/my-data/download/")
    assert response["Content-Type"] == "application/zip"
    files = zip_names(response.content)
    account = json.loads(files["account.json"])
    assert account["email"] == "rosa@example.test" and "password" not in account
    [consent] = json.loads(files["choice-consent.json"])
    assert consent["person"] == cast.resident.pk
    assert b"choice-consent.json: 1 consents" in files["summary.txt"]


def test_no_secret_leaves_in_an_export(cast):
    from opus.core.models import ApiToken

    ApiToken.objects.create(user=cast.resident, name="mine", key_hash="x" * 64)
    files = zip_names(personal_data.export_zip(cast.resident))
    [token] = json.loads(files["core-apitoken.json"])
    assert not any("hash" in field for field in token)


def test_the_export_command_writes_a_zip_and_names_an_unknown_address(cast, tmp_path):
    out = tmp_path / "rosa.zip"
    call_command("export_personal_data", "--email", "ROSA@example.test", "--out", str(out))
    assert "account.json" in zip_names(out.read_bytes())
    assert AuditEvent.objects.filter(action="personal_data.export").exists()
    with pytest.raises(CommandError, match="no account has the e-mail address nobody@x.test"):
        call_command(
            "export_personal_data", "--email", "nobody@x.test", "--out", str(tmp_path / "n.zip")
        )


def test_erasure_needs_an_administrator_and_a_reason(cast):
    with pytest.raises(Exception, match="administrators"):
        personal_data.erase(cast.resident, by=cast.provider, reason="asked")
    with pytest.raises(personal_data.PersonalDataError, match="reason"):
        personal_data.erase(cast.resident, by=cast.admin, reason=" ")
    assert User.objects.get(pk=cast.resident.pk).full_name == "Rosa"


def test_retention_erases_only_residents_unused_for_two_years(cast):
    old = timezone.now() - timedelta(days=365 * 2 + 5)
    User.objects.filter(pk__in=[cast.resident.pk, cast.commissioner.pk]).update(last_login=old)
    recent = create_member(Role.RESIDENT)
    User.objects.filter(pk=recent.pk).update(last_login=timezone.now())
    assert personal_data.apply_retention() == 1
    assert personal_data.is_erased(User.objects.get(pk=cast.resident.pk))
    assert not personal_data.is_erased(User.objects.get(pk=cast.commissioner.pk))
    assert not personal_data.is_erased(User.objects.get(pk=recent.pk))
    event = AuditEvent.objects.get(action="personal_data.erase")
    assert "retention" in event.summary["reason"]


def test_the_privacy_notice_is_made_from_the_retention_schedule(client):
    page = client.get("/privacy/").content.decode()
    assert "6 years after the end of the financial year they belong to" in page
    assert "2 years after your last sign-in" in page


def test_erasing_the_demo_resident_keeps_the_ledger_and_audit_chain_verifying(capsys):
    call_command("seed_demo", "--seed", "7", verbosity=0)
    rosa = User.objects.get(email="resident@demo.opus.test")
    assert "budgets" in personal_data.holds(rosa)
    sent = Notification.objects.filter(recipient=rosa).count()
    call_command("erase_personal_data", "--email", rosa.email, "--reason", "request of 7 Dec")
    rosa.refresh_from_db()
    assert rosa.full_name == f"Erased person {rosa.pk}" and not rosa.is_active
    assert not User.objects.filter(email="resident@demo.opus.test").exists()
    assert Notification.objects.filter(recipient=rosa, body="[erased]").count() == sent
    call_command("audit_verify")
    call_command("ledger_verify")
    out = capsys.readouterr().out
    assert "kept without the name" in out and "Personal budgets" in out
    event = AuditEvent.objects.get(action="personal_data.erase")
    assert "resident@demo.opus.test" not in json.dumps(event.summary)
