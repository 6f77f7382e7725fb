"""import_oruk changes only what its own feed source created (issue 11, item 1).

A feed reusing the id of a service or organisation made in Opus (or imported from another
source) is a conflict: reported per record, nothing about it changed; without --partial the
import fails and writes nothing. Changes to an organisation's details and a service's owner
are audited with before and after. A file nested too deeply, or too big, is one line.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management.base import CommandError

from opus.core.models import AuditEvent, Organisation
from opus.directory.importers import parse as importer
from opus.directory.models import ImportedRecord, ImportKind, Location, Service
from opus.directory.tests.test_import_oruk import (
    BEFRIENDING,
    CENTRE,
    DIGITAL,
    FEED,
    FRIENDS,
    LUNCH_CLUB,
    PAGE_2,
    SKILLS,
    feed_copy,
    load,
    refused,
    run,
    service,
    snapshot,
    write,
)
from opus.testing import create_organisation, create_service


def digital() -> dict:
    """Page 2's one record, Digital Skills Online (its organisation is Skills Example Ltd)."""
    return load(PAGE_2)["contents"][0]


# Provenance


@pytest.mark.django_db
def test_every_imported_record_remembers_its_source():
    run(FEED, "--source", "fakeborough-council")

    found = set(ImportedRecord.objects.values_list("source", "kind", "external_id"))
    source = "fakeborough-council"
    assert {(s, k, i) for s, k, i in found if k != ImportKind.TERM} >= {
        (source, "service", BEFRIENDING),
        (source, "service", LUNCH_CLUB),
        (source, "service", DIGITAL),
        (source, "organisation", FRIENDS),
        (source, "organisation", SKILLS),
        (source, "location", CENTRE),
    }
    assert {k for _, k, _ in found} == {"service", "organisation", "location", "taxonomy", "term"}


@pytest.mark.django_db
def test_without_source_the_feeds_name_is_its_source(tmp_path):
    run(write(tmp_path / "council-a.json", [digital()]))
    out, err = run(FEED, "--partial")

    assert ImportedRecord.objects.get(kind="service", external_id=DIGITAL).source == "council-a"
    assert ImportedRecord.objects.get(kind="service", external_id=BEFRIENDING).source == "oruk_feed"
    assert "created 2, updated 0, unchanged 0, rejected 0, in conflict 1 services" in out
    assert "(it came from source 'council-a')" in err


@pytest.mark.django_db
def test_reimporting_from_the_same_source_updates_its_own_records(tmp_path):
    run(FEED, "--source", "council")

    def change(contents):
        contents[0]["name"] = "Fakeborough Befriending Scheme"
        contents[0]["organization"]["website"] = "https://new.friends.example.org"

    out, err = run(feed_copy(tmp_path, change), "--source", "council")

    assert err == ""
    assert "organisations created 0, updated 1" in out
    assert "created 0, updated 2, unchanged 1, rejected 0 services" in out  # lunch: same org
    assert Service.objects.get(pk=BEFRIENDING).name == "Fakeborough Befriending Scheme"
    assert Organisation.objects.get(uuid=FRIENDS).website == "https://new.friends.example.org"


# A service taken over


def _moved(existing: Service, organisation_id: uuid.UUID | None = None) -> dict:
    """Page 1's first record, reusing `existing`'s id, under a new or given organisation."""
    record = service(0) | {"id": str(existing.pk)}
    if organisation_id is None:
        record["organization"] = record["organization"] | {"id": str(uuid.uuid4()), "name": "Us"}
    else:
        record.pop("organization")
        record["organization_id"] = str(organisation_id)
    record["service_at_locations"] = []
    return record


@pytest.mark.django_db
def test_a_feed_reusing_a_services_id_does_not_move_it_and_imports_nothing(tmp_path):
    ours = create_service(name="Tea and talk")
    owner = ours.organisation
    path = write(tmp_path / "takeover.json", [_moved(ours), digital()])
    before = snapshot()

    line, err = refused(path)

    assert err.splitlines() == [
        f"import_oruk: takeover.json, record 1 (id {ours.pk}): id: the service with this id was "
        "not imported from source 'takeover' (it has no import source), so this import may not "
        "change it"
    ]
    assert line == (
        f"import_oruk: 1 of 2 services in conflict with records source 'takeover' did not "
        f"create, from {path}, so nothing was imported; use --partial to import the other 1"
    )
    assert snapshot() == before
    ours.refresh_from_db()
    assert (ours.organisation, ours.name) == (owner, "Tea and talk")


@pytest.mark.django_db
def test_with_partial_a_service_in_conflict_is_skipped_and_the_rest_import(tmp_path):
    ours = create_service(name="Tea and talk")
    owner = ours.organisation
    path = write(tmp_path / "takeover.json", [_moved(ours), digital()])

    out, err = run(path, "--partial")

    assert len(err.splitlines()) == 1 and "may not change it" in err
    assert out.splitlines()[-1] == (
        f"import_oruk: created 1, updated 0, unchanged 0, rejected 0, in conflict 1 services "
        f"from {path}"
    )
    ours.refresh_from_db()
    assert (ours.organisation, ours.name) == (owner, "Tea and talk")
    assert not Organisation.objects.filter(name="Us").exists()
    assert Service.objects.filter(pk=DIGITAL).exists()
    event = AuditEvent.objects.get(action="directory.import_oruk")
    assert (event.summary["source"], event.summary["conflicts"]) == ("takeover", 1)
    assert event.summary["conflict_ids"] == [str(ours.pk)]


@pytest.mark.django_db
def test_another_source_may_not_take_over_an_imported_service(tmp_path):
    run(FEED, "--source", "council")
    stored = Service.objects.get(pk=BEFRIENDING)
    before = snapshot()

    line, err = refused(
        write(tmp_path / "other.json", [_moved(stored)]), "--source", "someone-else"
    )

    assert (
        "the service with this id was not imported from source 'someone-else' (it came "
        "from source 'council')" in err
    )
    assert "1 of 1 services in conflict" in line
    assert snapshot() == before
    assert Service.objects.get(pk=BEFRIENDING).organisation.uuid == FRIENDS


@pytest.mark.django_db
def test_a_feed_may_not_move_its_own_service_to_an_organisation_it_did_not_create(tmp_path):
    run(FEED, "--source", "council")
    theirs = create_organisation(name="Someone else's charity")
    stored = Service.objects.get(pk=BEFRIENDING)
    before = snapshot()

    _, err = refused(
        write(tmp_path / "move.json", [_moved(stored, theirs.uuid)]), "--source", "council"
    )

    assert err.strip().endswith(
        "organization_id: the organisation with this id was not imported from source 'council' "
        "(it has no import source), so this import may not give it services"
    )
    assert snapshot() == before
    assert Service.objects.get(pk=BEFRIENDING).organisation.uuid == FRIENDS


@pytest.mark.django_db
def test_moving_a_service_between_the_sources_own_organisations_is_audited(tmp_path):
    run(FEED, "--source", "council")
    stored = Service.objects.get(pk=BEFRIENDING)
    record = _moved(stored, SKILLS)
    record.pop("service_at_locations")

    run(write(tmp_path / "move.json", [record]), "--source", "council")

    stored.refresh_from_db()
    assert stored.organisation.uuid == SKILLS
    event = AuditEvent.objects.get(action="service.update")
    assert (event.object_id, event.actor_label) == (str(BEFRIENDING), "system")
    assert event.summary["before"] == {
        "organisation": str(FRIENDS),
        "organisation_name": "Friends of Fakeborough",
    }
    assert event.summary["after"] == {
        "organisation": str(SKILLS),
        "organisation_name": "Skills Example Ltd",
    }
    assert (event.summary["source"], event.summary["file"]) == ("council", "move.json")


# An organisation taken over


@pytest.mark.django_db
def test_a_feed_reusing_an_organisations_id_does_not_rename_it_and_imports_nothing():
    ours = create_organisation(
        uuid=FRIENDS, name="The Real Friends", website="https://real.example.org",
        email="office@real.example.org",
    )  # fmt: skip
    before = snapshot()

    line, err = refused(FEED)

    reason = (
        "the organisation with this id was not imported from source 'oruk_feed' (it has no "
        "import source), so this import may not change it"
    )
    assert err.splitlines() == [
        f"import_oruk: oruk_page_1.json, record 1 (id {BEFRIENDING}): organization.id: {reason}",
        f"import_oruk: oruk_page_1.json, record 2 (id {LUNCH_CLUB}): organization_id: the "
        "organisation with this id was not imported from source 'oruk_feed' (it has no import "
        "source), so this import may not give it services",
    ]
    assert "2 of 3 services in conflict" in line
    assert snapshot() == before
    ours.refresh_from_db()
    assert (ours.name, ours.website, ours.email) == (
        "The Real Friends",
        "https://real.example.org",
        "office@real.example.org",
    )


@pytest.mark.django_db
def test_with_partial_an_organisation_in_conflict_is_left_alone():
    ours = create_organisation(uuid=FRIENDS, name="The Real Friends")

    out, err = run(FEED, "--partial")

    assert len(err.splitlines()) == 2
    assert "created 1, updated 0, unchanged 0, rejected 0, in conflict 2 services" in out
    ours.refresh_from_db()
    assert ours.name == "The Real Friends"
    assert not ours.services.exists()
    assert not Location.objects.filter(pk=CENTRE).exists()  # described only in a conflict
    assert Service.objects.get().pk == DIGITAL


@pytest.mark.django_db
def test_a_location_made_elsewhere_is_not_changed(tmp_path):
    place = Location.objects.create(
        id=CENTRE, organisation=create_organisation(), name="Town hall", address_1="1 High St"
    )
    record = service(0)

    _, err = refused(write(tmp_path / "feed.json", [record]))

    assert "service_at_locations[0].location.id: the location with this id was not imported" in err
    place.refresh_from_db()
    assert (place.name, place.address_1) == ("Town hall", "1 High St")


@pytest.mark.django_db
def test_a_change_to_an_organisations_details_is_audited_with_before_and_after(tmp_path):
    run(FEED, "--source", "council")

    def change(contents):
        contents[0]["organization"]["name"] = "Friends of Fakeborough CIO"
        contents[0]["organization"]["email"] = "new@friends.example.org"

    run(feed_copy(tmp_path, change), "--source", "council")

    event = AuditEvent.objects.get(action="organisation.update")
    organisation = Organisation.objects.get(uuid=FRIENDS)
    assert (event.object_id, event.object_label) == (str(organisation.pk), organisation.name)
    assert event.summary["before"] == {
        "name": "Friends of Fakeborough",
        "email": "office@friends.example.org",
    }
    assert event.summary["after"] == {
        "name": "Friends of Fakeborough CIO",
        "email": "new@friends.example.org",
    }
    assert (event.summary["source"], event.summary["file"]) == ("council", "oruk_page_1.json")
    last = AuditEvent.objects.get(action="directory.import_oruk", summary__source="council",
                                  summary__updated=2)  # fmt: skip
    assert last.sequence > event.sequence  # the same import, in its transaction


# The source option


@pytest.mark.parametrize("source", ["", "  ", "x" * 101, "bad\x00name"])
@pytest.mark.django_db
def test_a_bad_source_is_one_line(source):
    line, _ = refused(FEED, "--source", source)

    assert line.startswith("import_oruk: --source: ")


def test_the_command_help_explains_sources():
    from opus.directory.management.commands.import_oruk import Command

    assert "--source" in Command.help and "did not create" in Command.help


# Files nested too deeply or too big


@pytest.mark.django_db
def test_deeply_nested_json_is_one_line_not_a_traceback(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    before = snapshot()

    line, err = refused(deep, "--partial")

    assert line == (
        f"import_oruk: deep.json: the JSON is nested more than {importer.MAX_DEPTH} levels deep"
    )
    assert err == ""
    assert snapshot() == before


@pytest.mark.django_db
def test_a_record_nested_deeper_than_the_limit_is_refused_before_reading_it(tmp_path):
    value: object = "x"
    for _ in range(importer.MAX_DEPTH + 1):
        value = [value]
    path = write(tmp_path / "feed.json", [digital() | {"name": value}])

    line, _ = refused(path)

    assert "the JSON is nested more than" in line


@pytest.mark.django_db
def test_a_file_over_the_size_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "MAX_FILE_BYTES", 100)
    path = write(tmp_path / "big.json", [digital()])

    line, _ = refused(path)

    assert line == "import_oruk: big.json: the file is larger than the limit of 100 bytes"


def test_from_the_command_line_deep_json_exits_non_zero_with_one_line(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text("{" + '"a":[' * 50_000)

    done = subprocess.run(  # noqa: S603 - our own manage.py, a path we made
        [sys.executable, str(settings.BASE_DIR / "manage.py"), "import_oruk", str(deep)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1
    assert "deep.json" in done.stderr and "Traceback" not in done.stderr


def test_deep_json_raises_a_command_error_from_the_reader(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_bytes(json.dumps({"contents": []}).encode()[:-1] + b"[" * 200_000)

    with pytest.raises(CommandError):
        importer.read_feed(Path(deep))
