"""import_oruk reads an ORUK 3.0 feed: creates or updates by id, rejects bad records with reasons.

The feed in tests/data/oruk_feed is two Page files in the shape GET /services returns
(ORUK 3.0 service_full objects in "contents"); oruk_bad.json is a list of three services,
the second with a negative price. Organisations, places and postcodes (ZA…) are made up.
"""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
import subprocess
import sys
import uuid
from datetime import date, time
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from opus.core.models import AuditEvent, Organisation, OrganisationKind
from opus.directory.importers import parse as importer
from opus.directory.importers.records import parse_service
from opus.directory.importers.values import (
    RecordError,
    accessibility_codes,
    cost_unit,
    organisation_identifiers,
    organisation_kind,
    pence,
)
from opus.directory.models import (
    Contact,
    CostOption,
    ImportedRecord,
    Language,
    Location,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from opus.directory.taxonomy import TAXONOMY_ID, term_id
from opus.testing import create_area, create_organisation

DATA = Path(__file__).parent / "data"
FEED = DATA / "oruk_feed"
PAGE_1 = FEED / "oruk_page_1.json"
PAGE_2 = FEED / "oruk_page_2.json"
BAD = DATA / "oruk_bad.json"

BEFRIENDING = uuid.UUID("5e000000-0000-4000-8000-000000000001")
LUNCH_CLUB = uuid.UUID("5e000000-0000-4000-8000-000000000002")
DIGITAL = uuid.UUID("5e000000-0000-4000-8000-000000000003")
FRIENDS = uuid.UUID("0a000000-0000-4000-8000-000000000001")
SKILLS = uuid.UUID("0a000000-0000-4000-8000-000000000002")
CENTRE = uuid.UUID("10c00000-0000-4000-8000-000000000001")
LGA = uuid.UUID("7a000000-0000-4000-8000-000000000001")


# Helpers


def run(path: Path, *options: str) -> tuple[str, str]:
    """(stdout, stderr) of a successful import."""
    out, err = StringIO(), StringIO()
    call_command("import_oruk", str(path), *options, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(path: Path, *options: str) -> tuple[str, str]:
    """(the CommandError's line, stderr) of an import that fails."""
    err = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_oruk", str(path), *options, stdout=StringIO(), stderr=err)
    return str(failure.value), err.getvalue()


def load(path: Path) -> Any:
    return json.loads(path.read_text())


def write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data))
    return path


def service(number: int = 0) -> dict[str, Any]:
    """A copy of one service record from page 1."""
    return copy.deepcopy(load(PAGE_1)["contents"][number])


def feed_copy(tmp_path: Path, change) -> Path:
    """The feed directory copied, with page 1's contents passed through `change`."""
    folder = tmp_path / "oruk_feed"
    folder.mkdir()
    page = load(PAGE_1)
    change(page["contents"])
    write(folder / PAGE_1.name, page)
    shutil.copy(PAGE_2, folder / PAGE_2.name)
    return folder


def snapshot() -> dict[str, int]:
    """How many of each thing an import may write."""
    models = [Service, Organisation, Location, ServiceAtLocation, Language, CostOption,
              Schedule, Contact, ServiceArea, Taxonomy, TaxonomyTerm, Service.terms.through,
              ImportedRecord, AuditEvent]  # fmt: skip
    return {model.__name__: model.objects.count() for model in models}


def only_event() -> AuditEvent:
    return AuditEvent.objects.get(action="directory.import_oruk")


# Importing a feed


@pytest.mark.django_db
def test_a_directory_of_pages_creates_services_organisations_places_costs_and_terms():
    out, err = run(FEED)

    assert err == ""
    assert out.splitlines() == [
        "import_oruk: organisations created 2, updated 0; locations created 2, updated 0; "
        "taxonomies created 1; terms created 2",
        f"import_oruk: created 3, updated 0, unchanged 0, rejected 0 services from {FEED}",
    ]
    befriending = Service.objects.get(pk=BEFRIENDING)
    assert befriending.name == "Fakeborough Befriending"
    assert befriending.status == "active"
    assert befriending.fees_description.startswith("Free for the first month")
    assert (befriending.minimum_age, befriending.maximum_age) == (60, 120)
    assert befriending.assured_date == date(2025, 1, 15)
    assert befriending.reviewed_at.isoformat() == "2025-02-01T09:30:00+00:00"
    assert Service.objects.get(pk=DIGITAL).status == "temporarily closed"

    friends = befriending.organisation
    assert (friends.uuid, friends.name, friends.slug) == (FRIENDS, "Friends of Fakeborough",
                                                         "friends-of-fakeborough")  # fmt: skip
    assert (friends.kind, friends.charity_number, friends.org_id) == (
        OrganisationKind.CHARITY,
        "1234567",
        "GB-CHC-1234567",
    )
    skills = Organisation.objects.get(uuid=SKILLS)
    assert (skills.kind, skills.company_number, skills.charity_number) == ("sme", "01234567", "")
    assert Service.objects.get(pk=LUNCH_CLUB).organisation == friends  # by organization_id

    centre = Location.objects.get(pk=CENTRE)
    assert (centre.name, centre.address_1, centre.city, centre.postal_code) == (
        "Fakeborough Community Centre",
        "1 Mill Lane",
        "Fakeborough",
        "ZA1 1AA",
    )
    assert (centre.latitude, centre.longitude) == (51.4545, -2.5879)
    assert centre.accessibility == ["hearing-loop", "step-free"]  # not "lift": "there is no lift"
    assert centre.organisation == friends
    assert set(centre.services_here.values_list("service_id", flat=True)) == {
        BEFRIENDING,
        LUNCH_CLUB,
    }

    assert list(befriending.languages.order_by("code").values_list("code", "name")) == [
        ("en", "English"),
        ("pl", "Polish"),
    ]
    assert list(befriending.cost_options.values_list("amount_pence", "unit", "currency")) == [
        (350, "session", "GBP")
    ]
    assert Service.objects.get(pk=LUNCH_CLUB).cost_options.get().amount_pence == 1235  # £12.345
    schedule = befriending.schedules.get()
    assert (schedule.freq, schedule.byday, schedule.opens_at, schedule.closes_at) == (
        "WEEKLY",
        "MO,WE",
        time(10),
        time(12, 30),
    )
    assert befriending.contacts.get().name == "Ann Persona"
    assert befriending.areas.get().name == "Fakeborough"


@pytest.mark.django_db
def test_terms_link_by_id_and_an_unknown_taxonomy_comes_in_with_its_terms():
    local_terms = list(TaxonomyTerm.objects.filter(taxonomy_id=TAXONOMY_ID).values())

    run(FEED)

    lga = Taxonomy.objects.get(pk=LGA)
    assert lga.name == "LGA Service Types"
    parent, child = lga.terms.order_by("code")
    assert (parent.code, parent.name, parent.term_uri) == (
        "ASC",
        "Adult social care",
        "https://example.org/lga/service-types/adult-social-care",
    )
    assert (child.code, child.parent) == ("ASC-BEF", parent)
    befriending = Service.objects.get(pk=BEFRIENDING)
    assert set(befriending.terms.all()) == {TaxonomyTerm.objects.get(pk=term_id("befriending")),
                                            parent, child}  # fmt: skip
    lunch = Service.objects.get(pk=LUNCH_CLUB)
    assert set(lunch.terms.values_list("code", flat=True)) == {"lunch-clubs", "ASC-BEF"}
    assert list(TaxonomyTerm.objects.filter(taxonomy_id=TAXONOMY_ID).values()) == local_terms


@pytest.mark.django_db
def test_a_service_area_links_to_the_area_its_uri_names():
    area = create_area(code="E06900001", name="Fakeborough")

    run(FEED)

    assert Service.objects.get(pk=BEFRIENDING).areas.get().area == area


@pytest.mark.django_db
def test_importing_the_same_feed_again_changes_nothing():
    run(FEED)
    before = snapshot()
    stamps = dict(Service.objects.values_list("id", "last_modified"))

    out, _ = run(FEED)

    assert out.splitlines()[-1] == (
        f"import_oruk: created 0, updated 0, unchanged 3, rejected 0 services from {FEED}"
    )
    assert snapshot() == before | {"AuditEvent": before["AuditEvent"] + 1}
    assert dict(Service.objects.values_list("id", "last_modified")) == stamps


@pytest.mark.django_db
def test_a_changed_record_updates_that_service_only(tmp_path):
    run(FEED)
    stamps = dict(Service.objects.values_list("id", "last_modified"))

    def change(contents):
        contents[0]["name"] = "Fakeborough Befriending Scheme"
        contents[0]["cost_options"][0]["amount"] = 4
        contents[0]["languages"] = [{"id": str(uuid.uuid4()), "code": "en"}]

    out, _ = run(feed_copy(tmp_path, change))

    assert "created 0, updated 1, unchanged 2, rejected 0" in out.splitlines()[-1]
    befriending = Service.objects.get(pk=BEFRIENDING)
    assert befriending.name == "Fakeborough Befriending Scheme"
    assert list(befriending.cost_options.values_list("amount_pence", flat=True)) == [400]
    assert list(befriending.languages.values_list("code", flat=True)) == ["en"]
    assert befriending.last_modified > stamps[BEFRIENDING]
    assert Service.objects.get(pk=LUNCH_CLUB).last_modified == stamps[LUNCH_CLUB]
    assert Service.objects.count() == 3
    assert CostOption.objects.count() == 3


@pytest.mark.django_db
def test_a_page_without_nested_lists_leaves_them_alone(tmp_path):
    """A /services Page carries a summary of each service; it does not wipe the rest."""
    run(FEED)
    summary = {k: v for k, v in service(0).items() if k in ("id", "name", "status", "organization")}

    out, _ = run(write(tmp_path / "summary.json", {"contents": [summary]}), "--source", "oruk_feed")

    assert "updated 0, unchanged 1" in out
    befriending = Service.objects.get(pk=BEFRIENDING)
    assert befriending.cost_options.count() == 1
    assert befriending.terms.count() == 3
    assert befriending.at_locations.count() == 1


@pytest.mark.django_db
def test_an_organisation_the_feed_created_is_updated_and_keeps_its_kind(tmp_path):
    run(FEED)
    Organisation.objects.filter(uuid=FRIENDS).update(
        name="Friends (old name)", kind=OrganisationKind.SOCIAL_ENTERPRISE, charity_number=""
    )

    out, _ = run(feed_copy(tmp_path, lambda contents: None))

    organisation = Organisation.objects.get(uuid=FRIENDS)
    assert organisation.name == "Friends of Fakeborough"
    assert organisation.kind == OrganisationKind.SOCIAL_ENTERPRISE
    assert organisation.charity_number == "1234567"
    assert "organisations created 0, updated 1" in out


@pytest.mark.django_db
def test_an_organisation_made_in_opus_is_not_changed_by_a_feed():
    """Its id in a feed is a conflict (more in test_import_provenance.py)."""
    organisation = create_organisation(uuid=FRIENDS, name="Friends (old name)")

    refused(FEED)

    organisation.refresh_from_db()
    assert (organisation.name, organisation.charity_number) == ("Friends (old name)", "")


@pytest.mark.django_db
def test_a_single_service_file_and_a_list_file_are_read(tmp_path):
    one = service(0)
    two = service(1)

    run(write(tmp_path / "one.json", one), "--source", "feed")
    out, _ = run(write(tmp_path / "list.json", [one, two]), "--source", "feed")

    assert "created 1, updated 0, unchanged 1" in out
    assert Service.objects.count() == 2


# Rejected records


@pytest.mark.django_db
def test_a_bad_record_without_partial_imports_nothing_and_says_why():
    before = snapshot()

    line, err = refused(BAD)

    assert err.splitlines() == [
        "import_oruk: oruk_bad.json, record 2 (id 5e000000-0000-4000-8000-00000000000b): "
        "cost_options[0].amount: '-5' is not an amount of 0 or more"
    ]
    assert line == (
        f"import_oruk: 1 of 3 services rejected from {BAD}, so nothing was imported; correct "
        "them, or use --partial to import the other 2"
    )
    assert snapshot() == before


@pytest.mark.django_db
def test_with_partial_the_good_records_import_and_the_bad_is_reported():
    out, err = run(BAD, "--partial")

    assert err.splitlines() == [
        "import_oruk: oruk_bad.json, record 2 (id 5e000000-0000-4000-8000-00000000000b): "
        "cost_options[0].amount: '-5' is not an amount of 0 or more"
    ]
    assert out.splitlines()[-1] == (
        f"import_oruk: created 2, updated 0, unchanged 0, rejected 1 services from {BAD}"
    )
    assert set(Service.objects.values_list("name", flat=True)) == {
        "Good Walking Group",
        "Good Knitting Circle",
    }
    assert CostOption.objects.get().unit == "week"
    assert only_event().summary["rejected_ids"] == ["5e000000-0000-4000-8000-00000000000b"]


@pytest.mark.django_db
def test_a_record_pointing_at_an_unknown_organisation_is_rejected(tmp_path):
    record = service(1) | {"organization_id": str(uuid.uuid4())}

    _, err = refused(write(tmp_path / "feed.json", [record]))

    assert err.strip().endswith(
        "organization_id: no organisation has this id; give the organization"
    )


@pytest.mark.django_db
def test_a_record_depending_on_a_rejected_one_is_rejected_too(tmp_path):
    """The lunch club's organisation and place are described only in the befriending record."""
    first = service(0) | {"minimum_age": 200}
    out, err = run(write(tmp_path / "feed.json", [first, service(1)]), "--partial")

    assert [line.split(": ", 2)[2] for line in err.splitlines()] == [
        "minimum_age: '200' is not a whole number from 0 to 130",
        "organization_id: no organisation has this id; give the organization",
    ]
    assert "created 0, updated 0, unchanged 0, rejected 2" in out


@pytest.mark.django_db
def test_a_new_term_in_the_local_taxonomy_is_rejected(tmp_path):
    record = service(0)
    record["attributes"] = [{"id": str(uuid.uuid4()), "taxonomy_term": {
        "id": str(uuid.uuid4()), "name": "Made-up need", "description": "",
        "taxonomy_id": str(TAXONOMY_ID)}}]  # fmt: skip
    terms = TaxonomyTerm.objects.count()

    _, err = refused(write(tmp_path / "feed.json", [record]))

    assert "attributes[0].taxonomy_term.id: is not a term of Opus local needs" in err
    assert TaxonomyTerm.objects.count() == terms


@pytest.mark.django_db
def test_a_service_given_twice_differently_is_rejected_but_an_identical_repeat_is_not(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    write(folder / "a.json", {"contents": [service(0)]})
    write(folder / "b.json", {"contents": [service(0), service(0) | {"name": "Other"}]})

    out, err = run(folder, "--partial")

    assert err.splitlines() == [
        "import_oruk: b.json, record 2 (id 5e000000-0000-4000-8000-000000000001): id: is given "
        "again, differently; first in a.json, record 1"
    ]
    assert "repeated records passed over 1" in out
    assert "created 1, updated 0, unchanged 0, rejected 1" in out


# The audit event


@pytest.mark.django_db
def test_one_audit_event_records_the_counts_and_each_files_hash():
    run(FEED)

    event = only_event()
    assert (event.object_type, event.object_id, event.actor_label) == (
        "file",
        "oruk_feed",
        "system",
    )
    summary = event.summary
    assert summary["files"] == [
        {"file": p.name, "sha256": hashlib.sha256(p.read_bytes()).hexdigest()}
        for p in (PAGE_1, PAGE_2)
    ]
    assert (summary["created"], summary["updated"], summary["unchanged"]) == (3, 0, 0)
    assert (summary["rejected"], summary["rejected_ids"], summary["partial"]) == (0, [], False)
    assert summary["organisations_created"] == 2
    assert summary["terms_created"] == 2


# Files that are not feeds


@pytest.mark.django_db
def test_a_file_that_is_not_json_is_one_line_and_writes_nothing(tmp_path):
    broken = tmp_path / "oruk_broken.json"
    broken.write_text('{"contents": [')
    before = snapshot()

    line, err = refused(broken, "--partial")

    assert line == (
        "import_oruk: oruk_broken.json: the file is not JSON (Expecting value at line 1, column 15)"
    )
    assert err == ""
    assert snapshot() == before


@pytest.mark.parametrize(
    "content, message",
    [
        (b'{"hello": 1}', 'this is not an ORUK page (with "contents"), a service (with "id")'),
        (b'{"contents": {}}', '"contents" should be a list of services'),
        (b"\xff\xfe{}", "the file is not UTF-8 text"),
    ],
)
@pytest.mark.django_db
def test_a_file_of_the_wrong_shape_is_refused(tmp_path, content, message):
    path = tmp_path / "feed.json"
    path.write_bytes(content)

    line, _ = refused(path)

    assert line.startswith(f"import_oruk: feed.json: {message}")


@pytest.mark.django_db
def test_a_missing_path_or_an_empty_directory_is_refused(tmp_path):
    assert refused(tmp_path / "nowhere.json")[0] == (
        f"import_oruk: {tmp_path / 'nowhere.json'}: there is no such file or directory"
    )
    assert refused(tmp_path)[0] == f"import_oruk: {tmp_path}: the directory has no .json files"


def test_from_the_command_line_a_bad_file_exits_non_zero_with_one_line(tmp_path):
    broken = tmp_path / "oruk_broken.json"
    broken.write_text("not json")

    done = subprocess.run(  # noqa: S603 - our own manage.py, a path we made
        [sys.executable, str(settings.BASE_DIR / "manage.py"), "import_oruk", str(broken)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "FeedError: import_oruk: oruk_broken.json: the file is not JSON "
        "(Expecting value at line 1, column 1)"
    ]


# Checking one record (plain data in, plain data out)


def rejection(record: dict[str, Any]) -> str:
    with pytest.raises(RecordError) as error:
        parse_service(record)
    return str(error.value)


def with_location(**changes: Any) -> dict[str, Any]:
    record = service(0)
    record["service_at_locations"][0]["location"].update(changes)
    return record


@pytest.mark.parametrize(
    "record, reason",
    [
        (service(0) | {"id": "42"}, "id: '42' is not a UUID"),
        ({k: v for k, v in service(0).items() if k != "id"}, "id: is missing"),
        (service(0) | {"name": "  "}, "name: is empty"),
        (service(0) | {"name": 7}, "name: should be text, not a number"),
        (service(0) | {"name": "x" * 201}, "name: is longer than 200 characters"),
        (
            service(0) | {"status": "open"},
            "status: 'open' is not one of: active, inactive, defunct, temporarily closed",
        ),
        (service(0) | {"minimum_age": -1}, "minimum_age: '-1' is not a whole number from 0 to 130"),
        (
            service(0) | {"maximum_age": 4.5},
            "maximum_age: '4.5' is not a whole number from 0 to 130",
        ),
        (
            service(0) | {"minimum_age": 70, "maximum_age": 65},
            "minimum_age: 70 is more than the maximum_age, 65",
        ),
        (service(0) | {"email": "hello@"}, "email: 'hello@' is not an e-mail address"),
        (
            service(0) | {"url": "javascript:alert(1)"},
            "url: 'javascript:alert(1)' is not a web address starting http(s)://",
        ),
        (
            service(0) | {"url": "https://example.org/" + "a" * 200},
            "url: is 220 characters long, over the limit of 200",
        ),
        (
            service(0) | {"assured_date": "15/01/2025"},
            "assured_date: '15/01/2025' is not a date like 2024-03-31",
        ),
        (
            service(0) | {"organization": {"id": "nope", "name": "X"}},
            "organization.id: 'nope' is not a UUID",
        ),
        (
            {k: v for k, v in service(1).items() if k != "organization_id"},
            "organization: is missing; give the organization or its organization_id",
        ),
        (
            service(0) | {"cost_options": [{"id": str(uuid.uuid4()), "amount": "a lot"}]},
            "cost_options[0].amount: 'a lot' is not an amount of 0 or more",
        ),
        (
            service(0) | {"schedules": [{"id": str(uuid.uuid4()), "byday": "MON"}]},
            "schedules[0].byday: 'MON' is not a day such as MO, TU or 1MO",
        ),
        (
            service(0) | {"schedules": [{"id": str(uuid.uuid4()), "opens_at": "10am"}]},
            "schedules[0].opens_at: '10am' is not a time like 09:30 or 09:30:00",
        ),
        (
            service(0) | {"languages": [{"name": "Klingon"}]},
            "languages[0].code: is missing, and 'Klingon' is not a language known by name",
        ),
        (service(0) | {"languages": {}}, "languages: should be a list, not an object"),
        (
            with_location(latitude=100, longitude=101),
            "service_at_locations[0].location.latitude: '100' is not a latitude from -90 to 90",
        ),
        (
            with_location(longitude=None),
            "service_at_locations[0].location.longitude: is missing; latitude and longitude "
            "go together",
        ),
        (
            with_location(addresses=[{"id": str(uuid.uuid4()), "postal_code": "ABC 1234"}]),
            "service_at_locations[0].location.addresses[0].postal_code: 'ABC 1234' is not a UK "
            "postcode, like SW1A 1AA",
        ),
        ("a string", "record: should be a service object, not text"),
    ],
)
def test_each_kind_of_bad_record_is_named_by_field(record, reason):
    assert rejection(record) == reason


def test_a_record_becomes_plain_data():
    data = parse_service(service(0))

    assert data.id == BEFRIENDING
    assert data.organisation.uuid == FRIENDS
    assert data.organisation.kind == OrganisationKind.CHARITY
    assert data.fields["fees_description"].startswith("Free")
    assert [row["amount_pence"] for row in data.children["cost_options"]] == [350]
    assert [site.location_id for site in data.sites] == [CENTRE]
    assert "contacts" in data.children and "phones" not in data.children
    assert [ref.code for ref in data.terms] == ["Befriending", "ASC", "ASC-BEF"]


def test_a_list_the_record_leaves_out_is_not_touched_but_an_empty_one_is_emptied():
    record = {k: v for k, v in service(0).items() if k != "cost_options"} | {"schedules": []}

    data = parse_service(record)

    assert "cost_options" not in data.children
    assert data.children["schedules"] == []


@pytest.mark.parametrize(
    "amount, expected",
    [
        (Decimal("35"), 3500),
        (Decimal("12.345"), 1235),  # half a penny rounds up
        (Decimal("12.344"), 1234),
        (Decimal("0.005"), 1),
        (Decimal("19.999999999"), 2000),
        (0, 0),
        ("3.50", 350),
        (None, None),
    ],
)
def test_pounds_become_whole_pence_rounding_half_up(amount, expected):
    assert pence(amount) == expected


@pytest.mark.parametrize("amount", [Decimal("-0.01"), True, "£5", float("nan"), Decimal("1e30")])
def test_an_amount_that_is_not_a_price_is_refused(amount):
    with pytest.raises(ValueError):
        pence(amount)


@pytest.mark.parametrize(
    "description, unit",
    [("per 1 hour session", "hour"), ("per week", "week"), ("a month", "month"),
     ("per visit", "session"), ("", "session"), ("£5/hr", "hour")],
)  # fmt: skip
def test_the_cost_unit_is_read_from_the_amount_description(description, unit):
    assert cost_unit(description) == unit


@pytest.mark.parametrize(
    "identifiers, found, kind",
    [
        ([{"identifier_scheme": "GB-CHC", "identifier": "1234567"}],
         {"charity_number": "1234567", "org_id": "GB-CHC-1234567"}, "charity"),
        ([{"identifier_type": "Scottish charity number", "identifier": "SC012345"}],
         {"charity_number": "SC012345", "org_id": "GB-SC-SC012345"}, "charity"),
        ([{"identifier_scheme": "GB-COH", "identifier": "1234567"}],
         {"company_number": "01234567", "org_id": "GB-COH-01234567"}, "sme"),
        ([{"identifier_scheme": "GB-LAE", "identifier": "BST"}], {"org_id": "GB-LAE-BST"},
         "local_authority"),
        ([{"identifier_scheme": "GB-CHC", "identifier": "12"}], {}, "community_group"),
        ([], {}, "community_group"),
    ],
)  # fmt: skip
def test_organisation_identifiers_that_pass_their_checks_fill_the_numbers_and_kind(
    identifiers, found, kind
):
    numbers, schemes = organisation_identifiers(identifiers)
    assert numbers == found
    assert organisation_kind(numbers, schemes) == kind


@pytest.mark.parametrize(
    "texts, codes",
    [
        (["Wheelchair access throughout; induction loops in every room"],
         ["hearing-loop", "step-free"]),
        (["No wheelchair access, but we have a quiet room"], ["quiet-space"]),
        (["Assistance dogs welcome. BSL interpreters on request."],
         ["assistance-dogs", "bsl", "interpreters"]),
        (["Changing Places toilet", "Blue Badge parking"], ["changing-places", "parking"]),
        ([""], []),
    ],
)  # fmt: skip
def test_accessibility_features_are_read_from_the_text(texts, codes):
    assert accessibility_codes(texts) == codes


def test_the_command_help_says_what_it_reads():
    from opus.directory.management.commands.import_oruk import Command

    assert "GET /services" in Command.help and "--partial" in Command.help
    assert importer.COMMAND == "import_oruk"
