"""import_oruk reads ORUK 1.0 feeds as Placecube publishes them, fixing what it safely can.

tests/data/oruk1_placecube.json is synthetic (made up for these tests, no real organisation,
person or postcode) in the shape of a Placecube ORUK 1.0 page: twelve services with the
problems real council feeds have. Two cannot be made valid (an address over 200 characters,
a mailto: given as the web address); the other ten import with warnings.
"""

from __future__ import annotations

import copy
import json
import uuid
from datetime import UTC, date, datetime
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from opus.core.models import AuditEvent
from opus.directory.importers.oruk1 import delivery_codes, is_oruk1, to_oruk3
from opus.directory.importers.records import parse_service
from opus.directory.importers.values import RecordError
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
    assert (found["with_needs"], found["without_needs"], found["awaiting_review"]) == (8, 2, 2)
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
    assert transport == "Door-to-door minibus<br><p>Book by 3pm the day before.</p>"
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

    befriending = client.get(f"/directory/services/{sid(1)}/").content.decode()
    needs_row = befriending.split("Needs it meets", 1)[1].split("</dd>", 1)[0]
    assert "Befriending" in needs_row and "Older people" not in needs_row
    assert "Befriending, Befriending services, Older people" in befriending  # "Listed under"

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


@pytest.mark.django_db
def test_search_results_show_descriptions_as_text_and_search_their_words_not_tags(client):
    run("--partial")

    page = client.get("/directory/", {"q": "minibus"}).content.decode()

    assert "Community Transport" in page
    assert "Door-to-door minibus Book by 3pm the day before." in " ".join(page.split())
    assert "&lt;p&gt;" not in page and "&lt;/p&gt;" not in page
    search_text = Service.objects.get(pk=sid(12)).search_text
    assert "<p>" not in search_text and "Door-to-door minibus" in search_text


# Bad input: one line per problem, nothing written without --partial


@pytest.mark.django_db
def test_wrong_types_and_repeated_ids_in_a_placecube_page_are_each_named(tmp_path):
    page = json.loads(FEED.read_text())
    first = page["content"][0]
    page["content"] = [
        first,
        "a service",
        {**first, "name": "Home from Home Befriending (copy)"},
        {**page["content"][1], "regular_schedules": {"byday": "MO"}},
        first,  # the very same record again: passed over
    ]
    feed = tmp_path / "council.json"
    feed.write_text(json.dumps(page))
    err = StringIO()

    with pytest.raises(CommandError) as refusal:
        call_command("import_oruk", str(feed), stdout=StringIO(), stderr=err)

    lines = [line for line in err.getvalue().splitlines() if ": warning: " not in line]
    assert lines == [
        "import_oruk: council.json, record 2 (id ?): record: should be a service object, not text",
        f"import_oruk: council.json, record 3 (id {sid(1)}): id: is given again, differently; "
        "first in council.json, record 1",
        f"import_oruk: council.json, record 4 (id {sid(2)}): regular_schedules: should be a list, "
        "not an object",
    ]
    assert str(refusal.value).startswith("import_oruk: 3 of 4 services rejected")
    assert not Service.objects.filter(pk=sid(1)).exists()


@pytest.mark.django_db
def test_a_page_whose_content_is_not_a_list_is_refused_in_one_line(tmp_path):
    feed = tmp_path / "council.json"
    feed.write_text(json.dumps({"totalElements": 1, "content": {"id": "x"}}))

    with pytest.raises(CommandError) as refusal:
        call_command("import_oruk", str(feed), stdout=StringIO(), stderr=StringIO())

    assert str(refusal.value) == 'import_oruk: council.json: "content" should be a list of services'


def test_problems_in_a_placecube_record_are_named_by_its_own_field_names():
    record = json.loads(FEED.read_text())["content"][1]
    record["service_at_locations"][0]["location"]["physical_addresses"][0]["postal_code"] = "X"
    record["organization"]["url"] = "www.mill.example.org"

    with pytest.raises(RecordError) as error:
        parse_service(record)
    assert error.value.field == (
        "service_at_locations[0].location.physical_addresses[0].postal_code"
    )

    record["service_at_locations"] = []
    record["service_taxonomys"][0]["taxonomy"]["name"] = 5
    with pytest.raises(RecordError) as error:
        parse_service(record)
    assert error.value.field == "service_taxonomys[0].taxonomy.name"

    del record["service_taxonomys"]
    assert ("organization.url", "added https://") in parse_service(record).warnings


def council_feed(size: int) -> dict[str, Any]:
    """A synthetic council-sized Placecube page made from the test feed's ten good records:
    every record has an HTML description; one in 40 has a web address without a scheme, one in
    50 an e-mail with a zero-width space, one in 60 an e-mail ending in a dot, and one (the
    100th) a web address too long to keep."""
    page = json.loads(FEED.read_text())
    good = [r for r in page["content"] if r["id"] not in (str(sid(4)), str(sid(11)))]
    records = []
    for n in range(size):
        record = copy.deepcopy(good[n % len(good)])
        record["id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"council-service-{n}"))
        record["name"] = f"{record['name']} {n}"
        record["url"] = f"https://s{n}.example.org/"
        record["email"] = f"hello@s{n}.example.org"
        org = record["organization"]
        org["id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"council-org-{n // 3}"))
        org["name"] = f"Provider {n // 3}"
        for place in record.get("service_at_locations", []):
            place["location"]["id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"council-place-{n}"))
        if n % 40 == 1:
            record["url"] = f"www.s{n}.example.org"
        if n % 50 == 2:
            record["email"] = f"hello\u200b@s{n}.example.org"
        if n % 60 == 3:
            record["email"] = f"hello@s{n}.example.org."
        if n == 99:
            record["url"] = "https://example.org/" + "x" * 250
        records.append(record)
    return {**page, "totalElements": size, "size": size, "content": records}


@pytest.mark.django_db
def test_a_council_sized_feed_imports_at_99_percent_with_partial(tmp_path):
    feed = tmp_path / "council.json"
    feed.write_text(json.dumps(council_feed(740)))
    report = tmp_path / "report.json"

    call_command(
        "import_oruk", str(feed), "--partial", "--report", str(report),
        stdout=StringIO(), stderr=StringIO(),
    )  # fmt: skip

    found = json.loads(report.read_text())
    assert (found["records"], found["imported"], found["rejected"]) == (740, 739, 1)
    assert found["imported"] / found["records"] >= 0.99
    fixed = {(w["field"], w["warning"]) for w in found["warning_details"]}
    assert ("url", "added https://") in fixed
    assert ("email", "removed the dot ending the domain") in fixed
    assert ("email", "removed invisible characters (zero-width spaces)") in fixed
    descriptions = Service.objects.filter(name__endswith=" 1").values_list("description", flat=True)
    assert all("<script" not in d and "onclick" not in d for d in descriptions)
