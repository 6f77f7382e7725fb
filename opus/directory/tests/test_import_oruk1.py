"""import_oruk reads ORUK 1.0 feeds as Placecube publishes them, fixing what it safely can.

tests/data/oruk1_placecube.json is synthetic (made up for these tests, no real organisation,
person or postcode) in the shape of a Placecube ORUK 1.0 page: twelve services with the
problems real council feeds have. Two cannot be made valid (an address over 200 characters,
a mailto: given as the web address); the other ten import with warnings.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from opus.core.models import AuditEvent
from opus.directory.importers.oruk1 import delivery_codes, is_oruk1, to_oruk3
from opus.directory.models import Schedule, Service, TaxonomyTerm
from opus.directory.taxonomy import TAXONOMY_ID

FEED = Path(__file__).parent / "data" / "oruk1_placecube.json"
TWELVE = 12


def sid(n: int) -> uuid.UUID:
    return uuid.UUID(f"5e100000-0000-4000-8000-{n:012d}")


def run(*options: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_oruk", str(FEED), *options, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# The shape


def test_a_placecube_record_is_read_in_the_30_shape():
    record = json.loads(FEED.read_text())["content"][0]
    assert is_oruk1(record)

    converted = to_oruk3(record)

    assert "regular_schedules" not in converted and "pc_metadata" not in converted
    assert converted["last_modified"] == "2026-09-14T10:22:00Z"
    assert converted["delivery"] == ["at-home"]
    assert converted["minimum_age"] == 65
    assert converted["eligibility_description"] == "Aged 65 or over and living alone"
    assert converted["organization"]["website"] == "homefromhome.example.org"
    taxonomies = [a["taxonomy_term"]["taxonomy"] for a in converted["attributes"]]
    assert taxonomies == [
        "Opus local needs",
        "esdServiceTypes",
        "ORUK deliverable type",
        "Target audience",
    ]
    assert converted["contacts"][0]["id"] == str(to_oruk3(record)["contacts"][0]["id"])
    uuid.UUID(converted["contacts"][0]["id"])  # "c1" became a stable UUID
    assert record["contacts"][0]["id"] == "c1"  # the record itself is not changed


@pytest.mark.parametrize(
    "given, codes",
    [
        ("Venue", ["in-person"]),
        ("Home visit", ["at-home"]),
        ("Venue, Telephone", ["online", "in-person"]),
        (["Online", "Outreach"], ["at-home", "online"]),
        ([{"name": "Drop-in"}], ["in-person"]),
        ("Unknown", []),
        (None, []),
    ],
)
def test_attending_type_becomes_delivery(given, codes):
    assert delivery_codes(given) == codes


def test_an_oruk_30_record_is_not_converted():
    assert not is_oruk1({"id": "x", "name": "y", "schedules": []})


# The feed


@pytest.mark.django_db
def test_by_default_two_bad_records_stop_the_import_and_nothing_is_written():
    with pytest.raises(CommandError) as refusal:
        run()

    assert str(refusal.value).startswith("import_oruk: 2 of 12 services rejected")
    assert not Service.objects.filter(pk__in=[sid(n) for n in range(1, TWELVE + 1)]).exists()
    assert not AuditEvent.objects.filter(action="directory.import_oruk").exists()


@pytest.mark.django_db
def test_with_partial_ten_import_with_warnings_and_the_report_says_so(tmp_path):
    report = tmp_path / "report.json"

    out, err = run("--partial", "--report", str(report))

    lines = err.splitlines()
    assert lines[:2] == [
        "import_oruk: oruk1_placecube.json, record 4 (id 5e100000-0000-4000-8000-000000000004): "
        "url: is 240 characters long, over the limit of 200",
        "import_oruk: oruk1_placecube.json, record 11 (id 5e100000-0000-4000-8000-000000000011): "
        "url: 'mailto:yoga@example.org' is not a web address starting http(s)://",
    ]
    assert (
        "import_oruk: oruk1_placecube.json, record 2 (id 5e100000-0000-4000-8000-000000000002): "
        "email: warning: removed invisible characters (zero-width spaces)"
    ) in lines
    assert (
        "import_oruk: oruk1_placecube.json, record 1 (id 5e100000-0000-4000-8000-000000000001): "
        "url: warning: added https://"
    ) in lines
    assert out.splitlines()[-1].startswith("import_oruk: created 10, updated 0, unchanged 0, ")
    assert Service.objects.filter(pk__in=[sid(n) for n in range(1, TWELVE + 1)]).count() == 10

    found = json.loads(report.read_text())
    warnings = len(lines) - 2
    assert {k: found[k] for k in ("records", "imported", "rejected", "warnings", "written")} == {
        "records": 12,
        "imported": 10,
        "rejected": 2,
        "warnings": warnings,
        "written": True,
    }
    assert (found["with_needs"], found["without_needs"]) == (2, 8)
    assert [(r["record"], r["field"]) for r in found["rejections"]] == [(4, "url"), (11, "url")]
    assert {
        "file": "oruk1_placecube.json",
        "record": 3,
        "id": str(sid(3)),
        "field": "email",
        "warning": "removed the dot ending the domain",
    } in found["warning_details"]
    event = AuditEvent.objects.get(action="directory.import_oruk")
    assert event.summary["warnings"] == warnings


@pytest.mark.django_db
def test_imported_values_are_fixed_and_descriptions_are_safe():
    run("--partial")

    befriending = Service.objects.get(pk=sid(1))
    assert befriending.url == "https://www.homefromhome.example.org"
    assert befriending.description == (
        "<p>A trained volunteer visits you <strong>at home</strong> once a week for a chat and "
        "a cup of tea.</p><ul><li>Weekly home visits</li><li>Phone calls between visits</li></ul>"
    )
    assert befriending.delivery == ["at-home"] and befriending.delivers_remotely
    assert befriending.minimum_age == 65
    assert Service.objects.get(pk=sid(2)).email == "lunch@millanelunch.example.org"
    carers = Service.objects.get(pk=sid(3))
    assert carers.email == "hello@carers.example.org"
    assert carers.url == "https://carers.example.org"
    assert "javascript:" not in carers.description and "<!--" not in carers.description
    transport = Service.objects.get(pk=sid(12)).description
    assert transport == "Door-to-door minibus<p>Book by 3pm the day before.</p>"
    assert len(Service.objects.get(pk=sid(7)).alert) <= 300
    lunch = Schedule.objects.get(service_id=sid(2))
    assert (lunch.freq, lunch.byday) == ("WEEKLY", "TU,TH")
    needs = TaxonomyTerm.objects.filter(taxonomy_id=TAXONOMY_ID, services__pk=sid(1))
    assert [t.code for t in needs] == ["befriending"]
    audience = TaxonomyTerm.objects.filter(taxonomy__name="Target audience")
    assert sorted(audience.values_list("name", flat=True)) == ["Carers", "Older people"]


@pytest.mark.django_db
def test_the_feeds_own_dates_are_the_review_dates_never_today():
    run("--partial")

    def reviewed(n: int) -> datetime | None:
        return Service.objects.get(pk=sid(n)).reviewed_at

    assert reviewed(1) == datetime(2026, 9, 14, 10, 22, tzinfo=UTC)  # modified after assured
    assert reviewed(7) == datetime(2026, 7, 15, tzinfo=UTC)  # assured after modified
    assert reviewed(2) == datetime(2026, 3, 3, tzinfo=UTC)  # only assured_date
    assert Service.objects.get(pk=sid(2)).assured_date == date(2026, 3, 3)
    assert reviewed(5) is None  # the feed gives no date
    assert Service.objects.get(pk=sid(5)).needs_review


@pytest.mark.django_db
def test_imported_services_show_formatted_safe_text_and_say_when_not_reviewed(client):
    run("--partial")

    page = client.get(f"/directory/services/{sid(2)}/").content.decode()
    assert "<p>Hot two-course lunch every Tuesday and Thursday, with company.</p>" in page
    for bad in ("onclick", "<img", "tracker.example.net", "steal()"):
        assert bad not in page
    assert "3 March 2026" in page

    undated = client.get(f"/directory/services/{sid(5)}/").content.decode()
    assert "Not reviewed yet" in undated
    assert "The provider has not yet confirmed these details" in undated

    record = client.get(f"/api/oruk/services/{sid(1)}").json()
    assert record["description"] == (
        "A trained volunteer visits you at home once a week for a chat and a cup of tea.\n"
        "- Weekly home visits\n- Phone calls between visits"
    )


@pytest.mark.django_db
def test_importing_the_same_feed_again_changes_nothing():
    run("--partial")
    before = list(Service.objects.order_by("pk").values("pk", "last_modified", "reviewed_at"))

    out, _ = run("--partial")

    assert "created 0, updated 0, unchanged 10" in out.splitlines()[-1]
    after = list(Service.objects.order_by("pk").values("pk", "last_modified", "reviewed_at"))
    assert after == before


@pytest.mark.django_db
def test_a_report_is_written_when_the_import_is_refused(tmp_path):
    report = tmp_path / "refused.json"
    with pytest.raises(CommandError):
        run("--report", str(report))

    found = json.loads(report.read_text())
    assert (found["written"], found["imported"], found["rejected"]) == (False, 0, 2)


@pytest.mark.django_db
def test_a_report_into_a_missing_folder_is_refused_before_anything_is_read(tmp_path):
    with pytest.raises(CommandError) as refusal:
        run("--report", str(tmp_path / "nowhere" / "r.json"))
    assert str(refusal.value) == f"import_oruk: --report: {tmp_path / 'nowhere'} is not a directory"
    assert not Service.objects.filter(pk=sid(1)).exists()
