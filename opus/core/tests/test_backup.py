"""A backup of the demo world restores whole, verified; a bad or mismatched file changes nothing."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from opus.budgets.models import Entry
from opus.core.backup import MAGIC
from opus.core.models import AuditChainHead, AuditEvent, Organisation
from opus.testing import create_cast, create_organisation

pytestmark = pytest.mark.django_db(transaction=True)


def census() -> dict[str, object]:
    return {
        "organisations": Organisation.objects.count(),
        "audit events": AuditEvent.objects.count(),
        "ledger entries": Entry.objects.count(),
        "heads": sorted(AuditChainHead.objects.values_list("chain", "position", "hash")),
    }


@pytest.fixture
def demo_backup(tmp_path):
    call_command("seed_demo", "--seed", "7", verbosity=0)
    path = tmp_path / "demo.opus-backup"
    call_command("backup", "--out", str(path), verbosity=0)
    return path, census()


@pytest.fixture
def small_backup(tmp_path):
    """A few records are enough to see a refusal change nothing (the demo world is slow)."""
    create_cast()
    path = tmp_path / "small.opus-backup"
    call_command("backup", "--out", str(path), verbosity=0)
    return path, census()


def change_something() -> None:
    create_organisation(name="Made after the backup")


def test_a_backup_of_the_demo_world_restores_whole_and_verifies(demo_backup, capsys):
    path, before = demo_backup
    assert before["audit events"] > 100 and before["ledger entries"] > 0
    change_something()
    assert census() != before
    call_command("restore", str(path), "--force", verbosity=0)
    assert census() == before  # counts and every audit chain's last hash
    out = capsys.readouterr().out
    assert "restored; verifying" in out


def test_restoring_over_data_needs_force(small_backup):
    path, before = small_backup
    change_something()
    after = census()
    with pytest.raises(CommandError, match="holds data.*--force"):
        call_command("restore", str(path), verbosity=0)
    assert census() == after


def test_a_truncated_backup_is_refused_and_nothing_changes(small_backup, tmp_path):
    path, before = small_backup
    cut = tmp_path / "cut.opus-backup"
    cut.write_bytes(path.read_bytes()[:-1000])
    with pytest.raises(CommandError, match="truncated"):
        call_command("restore", str(cut), "--force", verbosity=0)
    assert census() == before


def test_a_backup_from_another_version_is_refused(small_backup, tmp_path):
    path, before = small_backup
    raw = path.read_bytes()
    header_end = raw.index(b"\n", len(MAGIC))
    header = json.loads(raw[len(MAGIC) : header_end])
    header["migrations"].append("core.9999_from_the_future")
    other = tmp_path / "other.opus-backup"
    other.write_bytes(MAGIC + json.dumps(header).encode() + raw[header_end:])
    with pytest.raises(CommandError, match="newer version of Opus"):
        call_command("restore", str(other), "--force", verbosity=0)
    assert census() == before


def test_a_file_that_is_not_a_backup_is_refused(tmp_path):
    stranger = tmp_path / "notes.txt"
    stranger.write_text("hello")
    with pytest.raises(CommandError, match="not an Opus backup"):
        call_command("restore", str(stranger), verbosity=0)


def test_backup_will_not_overwrite_a_file(tmp_path):
    existing = tmp_path / "kept.opus-backup"
    existing.write_text("keep me")
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", "--out", str(existing), verbosity=0)
    assert existing.read_text() == "keep me"
