"""OCDS 1.1 publication: releases, merging, packages, checked against the standard itself.

The schemas and codelists are read from ../shared/standards/ocds beside the project (never
copied in); tests that need them skip, saying so, when the folder is missing.
"""

from __future__ import annotations

import csv
import io
import json
import tracemalloc
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource

from opus.engines import ocds
from opus.engines.ocds import (
    Amendment,
    Award,
    Contract,
    Kpi,
    KpiReturn,
    Lot,
    Party,
    Payment,
    Period,
    Planning,
    Process,
    Publisher,
    Tender,
)

ROOT = Path(__file__).resolve().parents[3]
STANDARD = ROOT.parent / "shared" / "standards" / "ocds"
LONDON = ZoneInfo("Europe/London")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=LONDON)
URI = "https://opus.example/api/v1/ocds/releases"
PUBLISHER = Publisher(name="Opus test council", uri="https://opus.example/")

# Where each codelist applies: (parent key or None for anywhere, key) → codelist file.
CODELIST_FIELDS = {
    (None, "tag"): "releaseTag",
    (None, "initiationType"): "initiationType",
    (None, "currency"): "currency",
    (None, "roles"): "partyRole",
    (None, "documentType"): "documentType",
    (None, "procurementMethod"): "method",
    (None, "awardCriteria"): "awardCriteria",
    (None, "submissionMethod"): "submissionMethod",
    (None, "mainProcurementCategory"): "procurementCategory",
    ("tender", "status"): "tenderStatus",
    ("lots", "status"): "tenderStatus",
    ("awards", "status"): "awardStatus",
    ("contracts", "status"): "contractStatus",
    ("milestones", "status"): "milestoneStatus",
    ("milestones", "type"): "milestoneType",
}


# --- the standard --------------------------------------------------------------------------


def _format_checker() -> FormatChecker:
    """date-time and uri need packages we don't install: checked here instead."""
    checker = FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def _date_time(value: object) -> bool:
        if not isinstance(value, str):
            return True
        return "T" in value and datetime.fromisoformat(value).tzinfo is not None

    @checker.checks("uri")
    def _uri(value: object) -> bool:
        return not isinstance(value, str) or bool(urlsplit(value).scheme and urlsplit(value).netloc)

    return checker


class OcdsStandard:
    """OCDS 1.1.5's schemas (draft-04, $refs answered locally) and codelists."""

    def __init__(self, folder: Path) -> None:
        schemas = {p.name: json.loads(p.read_text()) for p in folder.glob("*.json")}
        registry = Registry().with_resources(
            (schema["id"], Resource.from_contents(schema)) for schema in schemas.values()
        )
        checker = _format_checker()
        self.validators = {
            name.removesuffix("-schema.json"): Draft4Validator(
                schema, registry=registry, format_checker=checker
            )
            for name, schema in schemas.items()
        }
        self.codelists = {
            path.stem: {row["Code"] for row in csv.DictReader(path.open(encoding="utf-8"))}
            for path in (folder / "codelists").glob("*.csv")
        }

    def errors(self, document: Any, schema: str) -> list[str]:
        found = sorted(self.validators[schema].iter_errors(document), key=lambda e: list(e.path))
        return [f"{list(e.path)}: {e.message}" for e in found[:10]]

    def assert_valid(self, document: Any, schema: str) -> None:
        """Valid against the schema (after a JSON round trip) and every code in its list."""
        document = json.loads(json.dumps(document))
        assert not self.errors(document, schema), "\n".join(self.errors(document, schema))
        bad = self.bad_codes(document)
        assert not bad, bad

    def bad_codes(self, value: Any, parent: str | None = None) -> list[str]:
        """Codes not in their codelist, as 'key=value (codelist)', anywhere in `value`."""
        found: list[str] = []
        if isinstance(value, list):
            for item in value:
                found += self.bad_codes(item, parent)
        elif isinstance(value, dict):
            for key, item in value.items():
                found += self._check(parent, key, item)
                found += self.bad_codes(item, key)
        return found

    def _check(self, parent: str | None, key: str, item: Any) -> list[str]:
        name = CODELIST_FIELDS.get((parent, key)) or CODELIST_FIELDS.get((None, key))
        if name is None or item is None or isinstance(item, dict):
            return []
        codes = item if isinstance(item, list) else [item]
        if key == "awardCriteria" and parent != "tender":
            return []
        return [f"{key}={code} ({name})" for code in codes if code not in self.codelists[name]]


def load_standard() -> OcdsStandard:
    if not (STANDARD / "release-package-schema.json").exists():
        pytest.skip(f"OCDS schemas not found at {STANDARD}: the standards folder is not beside")
    return OcdsStandard(STANDARD)


@pytest.fixture(scope="module")
def standard() -> OcdsStandard:
    return load_standard()


# --- a contracting process -----------------------------------------------------------------


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


BUYER = Party("GB-LAE-TST", "Testshire Council", "GB-LAE-TST", email="buy@test.example")
CHARITY = Party(
    "GB-CHC-1234567",
    "Meals Together",
    "GB-CHC-1234567",
    scale="micro",
    vcse=True,
    postcode="TS1 1AA",
)
MUTUAL = Party("opus-org-9", "Care Mutual", scale="sme", public_service_mission=True)
FIRM = Party("GB-COH-01234567", "Big Care plc", "GB-COH-01234567", scale="large")


def a_process(**overrides: Any) -> Process:
    """A two-lot light-touch opportunity: one award stands, one is reversed."""
    tender = Tender(
        id="opp-1",
        title="Lunch clubs for older people",
        description="Weekly lunch clubs",
        published=day(0),
        deadline=day(30),
        value_pence=9_000_000,
        light_touch=True,
        clarification_deadline=day(20),
        award_period=Period(day(30), day(40)),
        contract_period=Period(day(60), day(60 + 365)),
        lots=(
            Lot("1", "North", value_pence=4_500_000, area="North ward"),
            Lot("2", "South", value_pence=4_500_000, area="South ward"),
        ),
        award_criteria_details="Price 40%, quality 40%, social value 20%",
        reserved=("vcse",),
        tenderer_keys=(CHARITY.key, MUTUAL.key, FIRM.key),
        amendments=(Amendment("1", day(5), "The South lot's area was wrong"),),
        complete=day(41),
        url="https://opus.example/opportunities/1/",
    )
    awards = (
        Award(
            "1",
            day(35),
            (CHARITY.key,),
            4_200_000,
            ("1",),
            standstill=Period(day(35), day(47)),
            active_from=day(47),
        ),
        Award(
            "2",
            day(36),
            (FIRM.key,),
            4_100_050,
            ("2",),
            standstill=Period(day(36), day(48)),
            cancelled=day(40),
            cancellation_reason="Scores were added up wrongly",
        ),
    )
    contract = Contract(
        "1",
        "1",
        day(48),
        4_200_000,
        signed=day(50),
        period=Period(day(60), day(60 + 365)),
        kpis=(Kpi("1", "People attending", 120, "people", "monthly"),),
        returns=(
            KpiReturn("1", "1", day(90), Period(day(60), day(90)), day(89), 110),
            KpiReturn("2", "1", day(120), Period(day(90), day(120)), day(125), 130),
            KpiReturn("3", "1", day(150), Period(day(120), day(150))),
        ),
        payments=(Payment("1", day(91), 350_000, CHARITY.key),),
    )
    fields: dict[str, Any] = {
        "ocid": "ocds-test00-opp-1",
        "buyer_key": BUYER.key,
        "parties": (BUYER, CHARITY, MUTUAL, FIRM),
        "planning": Planning(
            day(-30), "Small, local and personal: commissioned", "b-1", "", 9_000_000
        ),
        "tender": tender,
        "awards": awards,
        "contracts": (contract,),
    }
    fields.update(overrides)
    return Process(**fields)


def everything(value: Any) -> str:
    return json.dumps(value)


def releases_at(process: Process, when: datetime) -> list[dict[str, Any]]:
    return ocds.releases(process, as_of=when)


# --- releases ------------------------------------------------------------------------------


def test_each_event_is_a_release_with_its_tag_in_the_order_it_happened():
    tags = [r["tag"][0] for r in releases_at(a_process(), day(400))]
    assert tags == [
        "planning",
        "tender",
        "tenderAmendment",
        "tenderUpdate",  # the deadline: how many bid
        "award",
        "award",
        "awardCancellation",
        "tenderUpdate",  # every lot decided
        "awardUpdate",  # standstill over
        "contract",
        "contractUpdate",  # signed
        "implementation",  # KPI return on time
        "implementation",  # payment
        "implementationUpdate",  # return 2 late
        "implementation",  # return 2 made
        "implementationUpdate",  # return 3 missed
    ]


def test_release_ids_are_unique_and_stable_however_often_they_are_rebuilt():
    first = releases_at(a_process(), day(400))
    again = releases_at(a_process(), day(400))
    assert [r["id"] for r in first] == [r["id"] for r in again]
    assert len({r["id"] for r in first}) == len(first)
    assert all(r["id"].startswith("ocds-test00-opp-1-") for r in first)


def test_a_release_package_of_the_whole_process_is_valid_ocds(standard):
    package = ocds.release_package(
        releases_at(a_process(), day(400)), uri=URI, publisher=PUBLISHER, published=day(400)
    )
    standard.assert_valid(package, "release-package")


def test_a_record_package_with_the_compiled_release_is_valid_ocds(standard):
    record = ocds.record(releases_at(a_process(), day(400)))
    package = ocds.record_package([record], uri=URI, publisher=PUBLISHER, published=day(400))
    standard.assert_valid(package, "record-package")
    standard.assert_valid(record["compiledRelease"], "release")


def test_the_codelist_check_catches_a_code_that_is_not_in_its_list(standard):
    release = releases_at(a_process(), day(1))[-1]
    release["tender"]["status"] = "evaluating"
    release["parties"][0]["roles"] = ["buyer", "boss"]
    assert set(standard.bad_codes(release)) == {
        "status=evaluating (tenderStatus)",
        "roles=boss (partyRole)",
    }


def test_before_the_deadline_nothing_from_a_bid_is_published():
    text = everything(releases_at(a_process(), day(30) - timedelta(seconds=1)))
    assert "numberOfTenderers" not in text and "tenderers" not in text
    assert "awards" not in text and "tenderer" not in text
    for party in (CHARITY, MUTUAL, FIRM):
        assert party.name not in text


def test_at_the_deadline_only_the_number_of_bids_is_published():
    published = releases_at(a_process(), day(30))
    assert published[-1]["tender"]["numberOfTenderers"] == 3
    text = everything(published)
    assert "tenderers" not in text and CHARITY.name not in text and "4200000" not in text


def test_bidders_are_named_with_the_first_award_and_prices_only_as_award_values():
    published = releases_at(a_process(), day(35))
    award = published[-1]
    assert [t["name"] for t in award["tender"]["tenderers"]] == [
        CHARITY.name,
        MUTUAL.name,
        FIRM.name,
    ]
    assert award["awards"][0]["value"] == {"amount": 42000, "currency": "GBP"}
    roles = {p["id"]: p["roles"] for p in award["parties"]}
    assert roles[CHARITY.key] == ["tenderer", "supplier"] and roles[MUTUAL.key] == ["tenderer"]


def test_an_award_is_pending_during_standstill_then_active_when_it_takes_effect():
    process = a_process()
    during = ocds.compile_release(releases_at(process, day(46)))
    after = ocds.compile_release(releases_at(process, day(47)))
    assert during["awards"][0]["status"] == "pending"
    assert during["awards"][0]["standstillPeriod"] == {
        "startDate": "2026-04-06T08:00:00Z",
        "endDate": "2026-04-18T08:00:00Z",
    }
    assert after["awards"][0]["status"] == "active"


def test_a_reversed_award_is_cancelled_with_its_reason_and_its_supplier_loses_the_role():
    compiled = ocds.compile_release(releases_at(a_process(), day(41)))
    reversed_award = compiled["awards"][1]
    assert reversed_award["status"] == "cancelled"
    assert reversed_award["amendments"][0]["rationale"] == "Scores were added up wrongly"
    roles = {p["id"]: p["roles"] for p in compiled["parties"]}
    assert roles[FIRM.key] == ["tenderer"]
    lots = {lot["id"]: lot["status"] for lot in compiled["tender"]["lots"]}
    assert lots == {"1": "complete", "2": "unsuccessful"} and compiled["tender"]["status"] == (
        "complete"
    )


def test_parties_carry_org_id_identifiers_and_the_uk_flags():
    compiled = ocds.compile_release(releases_at(a_process(), day(400)))
    parties = {p["id"]: p for p in compiled["parties"]}
    assert parties[CHARITY.key]["identifier"]["scheme"] == "GB-CHC"
    assert parties[CHARITY.key]["identifier"]["id"] == "1234567"
    assert parties[CHARITY.key]["details"] == {
        "vcse": True,
        "publicServiceMissionOrganization": False,
        "scale": "micro",
    }
    assert parties[MUTUAL.key]["details"]["publicServiceMissionOrganization"] is True
    assert "identifier" not in parties[MUTUAL.key]
    assert parties[FIRM.key]["details"]["scale"] == "large"
    assert parties[BUYER.key]["roles"] == ["buyer", "procuringEntity", "payer"]


def test_kpis_are_agreed_metrics_and_returns_are_reporting_milestones():
    contract = ocds.compile_release(releases_at(a_process(), day(400)))["contracts"][0]
    assert contract["status"] == "active" and contract["dateSigned"] == "2026-04-21T08:00:00Z"
    assert contract["agreedMetrics"][0]["observations"][0]["measure"] == 120
    milestones = {m["id"]: m for m in contract["implementation"]["milestones"]}
    assert milestones["1"]["status"] == "met"
    assert (
        milestones["2"]["status"] == "met"
        and milestones["2"]["dateMet"] > (milestones["2"]["dueDate"])
    )
    assert milestones["3"]["status"] == "notMet"
    observed = contract["implementation"]["metrics"][0]["observations"]
    assert [o["measure"] for o in observed] == [110, 130]
    assert contract["implementation"]["transactions"][0]["value"]["amount"] == 3500


def test_a_late_return_is_flagged_before_it_is_made():
    contract = ocds.compile_release(releases_at(a_process(), day(121)))["contracts"][0]
    milestones = {m["id"]: m["status"] for m in contract["implementation"]["milestones"]}
    assert milestones == {"1": "met", "2": "notMet", "3": "scheduled"}


def test_a_terminated_contract_says_why():
    contract = replace(a_process().contracts[0], ended=day(200), end_reason="Service moved")
    compiled = ocds.compile_release(releases_at(a_process(contracts=(contract,)), day(400)))
    assert compiled["contracts"][0]["status"] == "terminated"
    assert compiled["contracts"][0]["amendments"][-1]["rationale"] == "Service moved"


def test_a_cancelled_tender_is_published_as_cancelled_with_no_count_of_bids():
    tender = replace(a_process().tender, cancelled=day(10), complete=None)
    process = a_process(tender=tender, awards=(), contracts=())
    published = releases_at(process, day(400))
    assert [r["tag"][0] for r in published][-1] == "tenderCancellation"
    assert "numberOfTenderers" not in everything(published)
    compiled = ocds.compile_release(published)
    assert compiled["tender"]["status"] == "cancelled"
    assert {lot["status"] for lot in compiled["tender"]["lots"]} == {"cancelled"}


def test_the_tender_says_light_touch_reserved_and_how_bids_are_judged():
    tender = releases_at(a_process(), day(1))[-1]["tender"]
    assert tender["procurementMethod"] == "open"
    assert "no pre-qualification questionnaire" in tender["procurementMethodDetails"]
    assert tender["suitability"] == {"sme": False, "vcse": True}
    assert tender["tenderPeriod"]["endDate"] == "2026-04-01T08:00:00Z"  # 09:00 BST
    assert tender["items"][0] == {
        "id": "1",
        "description": "North",
        "relatedLot": "1",
        "deliveryAddresses": [{"region": "North ward", "countryName": "United Kingdom"}],
    }
    assert tender["awardCriteriaDetails"].startswith("Price 40%")


@pytest.mark.parametrize(
    "change, message",
    [
        ({"awards": (Award("9", day(29), (CHARITY.key,), 1, ()),)}, "before the deadline"),
        ({"awards": (Award("9", day(31), ("nobody",), 1, ()),)}, "unknown supplier"),
        ({"awards": (Award("9", day(31), (CHARITY.key,), 1, ("7",)),)}, "unknown lot"),
        ({"parties": (BUYER, CHARITY, CHARITY, MUTUAL, FIRM)}, "party key"),
        ({"buyer_key": "nobody"}, "unknown party"),
    ],
)
def test_a_process_that_could_not_be_published_honestly_is_refused(change, message):
    with pytest.raises(ValueError, match=message):
        a_process(**change)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="naive"):
        ocds.releases(a_process(), as_of=datetime(2026, 1, 1))  # noqa: DTZ001


def test_money_is_pence_in_and_pounds_out():
    assert ocds.value(123456) == {"amount": 1234.56, "currency": "GBP"}
    assert ocds.value(500) == {"amount": 5, "currency": "GBP"}
    assert ocds.value(1) == {"amount": 0.01, "currency": "GBP"}


def test_org_ids_split_into_list_and_identifier():
    assert ocds.org_identifier("GB-COH-SC123456") == {"scheme": "GB-COH", "id": "SC123456"}
    assert ocds.org_identifier("GB-LAE-ABC-1") == {"scheme": "GB-LAE", "id": "ABC-1"}


# --- merging -------------------------------------------------------------------------------


def _release(n: int, **fields: Any) -> dict[str, Any]:
    return {
        "ocid": "ocds-x-1",
        "id": f"r{n}",
        "date": f"2026-01-0{n}T00:00:00Z",
        "tag": ["tender"],
        "initiationType": "tender",
        **fields,
    }


def test_merging_null_removes_a_field_and_later_values_win():
    compiled = ocds.compile_release(
        [
            _release(1, tender={"id": "t", "title": "Old", "description": "Gone soon"}),
            _release(2, tender={"id": "t", "title": "New", "description": None}),
        ]
    )
    assert compiled["tender"] == {"id": "t", "title": "New"}


def test_merging_arrays_of_objects_by_id_and_replacing_other_arrays():
    compiled = ocds.compile_release(
        [
            _release(
                1,
                awards=[{"id": "a", "status": "pending"}, {"id": "b", "status": "pending"}],
                tender={"id": "t", "submissionMethod": ["written", "inPerson"]},
                parties=[{"id": "p", "additionalIdentifiers": [{"id": "1"}, {"id": "2"}]}],
            ),
            _release(
                2,
                awards=[{"id": "b", "status": "active"}, {"id": "c", "status": "pending"}],
                tender={"id": "t", "submissionMethod": ["electronicSubmission"]},
                parties=[{"id": "p", "additionalIdentifiers": [{"id": "3"}]}],
            ),
        ]
    )
    assert compiled["awards"] == [
        {"id": "a", "status": "pending"},
        {"id": "b", "status": "active"},
        {"id": "c", "status": "pending"},
    ]
    assert compiled["tender"]["submissionMethod"] == ["electronicSubmission"]
    assert compiled["parties"][0]["additionalIdentifiers"] == [{"id": "3"}]  # wholeListMerge


def test_merging_sorts_by_date_and_tags_the_result_compiled():
    late = _release(2, tender={"id": "t", "title": "Later"})
    early = _release(1, tender={"id": "t", "title": "Earlier"})
    compiled = ocds.compile_release([late, early])
    assert compiled["tender"]["title"] == "Later"
    assert compiled["tag"] == ["compiled"] and compiled["date"] == late["date"]
    assert compiled["id"] == "ocds-x-1-2026-01-02T00:00:00Z"
    record = ocds.record([late, early])
    assert [r["id"] for r in record["releases"]] == ["r1", "r2"]


def test_merging_leaves_the_releases_as_they_were():
    releases = [_release(1, awards=[{"id": "a", "items": [{"id": "1"}]}])]
    before = json.dumps(releases)
    compiled = ocds.compile_release(releases)
    compiled["awards"][0]["items"].append({"id": "2"})
    assert json.dumps(releases) == before


def test_a_record_needs_a_release():
    with pytest.raises(ValueError):
        ocds.compile_release([])


# --- streaming -----------------------------------------------------------------------------


def test_the_streamed_package_is_the_package_built_in_memory():
    published = releases_at(a_process(), day(400))
    stream = io.StringIO()
    count = ocds.write_release_package(
        stream, iter(published), uri=URI, publisher=PUBLISHER, published=day(400)
    )
    in_memory = ocds.release_package(published, uri=URI, publisher=PUBLISHER, published=day(400))
    assert count == len(published)
    assert json.loads(stream.getvalue()) == json.loads(json.dumps(in_memory))


def test_an_empty_stream_is_still_json():
    stream = io.StringIO()
    ocds.write_release_package(stream, [], uri=URI, publisher=PUBLISHER, published=T0)
    assert json.loads(stream.getvalue())["releases"] == []


class _Sink(io.TextIOBase):
    def __init__(self) -> None:
        self.chars = 0

    def write(self, text: str) -> int:
        self.chars += len(text)
        return len(text)


def _peak_while_streaming(processes: int) -> tuple[int, int]:
    template = a_process()

    def stream() -> Any:
        for n in range(processes):
            yield from ocds.releases(replace(template, ocid=f"ocds-test00-{n}"), as_of=day(400))

    sink = _Sink()
    tracemalloc.start()
    try:
        ocds.write_release_package(sink, stream(), uri=URI, publisher=PUBLISHER, published=T0)
        return tracemalloc.get_traced_memory()[1], sink.chars
    finally:
        tracemalloc.stop()


def test_streaming_memory_does_not_grow_with_the_number_of_processes():
    small_peak, small_chars = _peak_while_streaming(20)
    large_peak, large_chars = _peak_while_streaming(400)
    assert large_chars > 15 * small_chars  # twenty times the output…
    assert large_peak < small_peak * 1.25 + 32_000  # …in the same memory


# --- properties ----------------------------------------------------------------------------


@st.composite
def processes(draw: st.DrawFn) -> tuple[Process, datetime]:
    """Any process the platform could hold, and a moment to publish it at."""
    hours = st.integers(min_value=1, max_value=24 * 60)
    after = lambda base: base + timedelta(hours=draw(hours))  # noqa: E731
    suppliers = [
        Party(
            f"GB-CHC-{100000 + n}" if n % 2 else f"opus-org-{n}",
            f"Provider {n}",
            f"GB-CHC-{100000 + n}" if n % 2 else "",
            scale=draw(st.sampled_from(["", "micro", "sme", "large"])),
            vcse=draw(st.booleans()),
            public_service_mission=draw(st.booleans()),
        )
        for n in range(draw(st.integers(1, 4)))
    ]
    keys = [p.key for p in suppliers]
    published = T0 + timedelta(hours=draw(st.integers(0, 24 * 400)))
    deadline = after(published)
    lots = tuple(
        Lot(str(n), f"Lot {n}", value_pence=draw(st.integers(1, 10**9)))
        for n in range(draw(st.integers(0, 3)))
    )
    cancelled = draw(st.none() | st.just(after(published)))
    awards = (
        [] if cancelled and cancelled <= deadline else draw(_awards(after, deadline, keys, lots))
    )
    tender = Tender(
        id="opp",
        title="Opportunity",
        published=published,
        deadline=deadline,
        value_pence=draw(st.none() | st.integers(0, 10**9)),
        lots=lots,
        reserved=tuple(draw(st.sets(st.sampled_from(sorted(ocds.RESERVABLE))))),
        tenderer_keys=tuple(draw(st.lists(st.sampled_from(keys), unique=True))),
        amendments=tuple(
            Amendment(str(n), after(published), "changed") for n in range(draw(st.integers(0, 2)))
        ),
        cancelled=cancelled,
        complete=draw(st.none() | st.just(after(deadline))),
    )
    contracts = [draw(_contract(after, award, keys)) for award in awards if draw(st.booleans())]
    planning = draw(st.none() | st.just(Planning(published - timedelta(days=30), "why")))
    process = Process(
        ocid="ocds-test00-p",
        buyer_key=BUYER.key,
        parties=(BUYER, *suppliers),
        planning=planning,
        tender=tender,
        awards=tuple(awards),
        contracts=tuple(contracts),
    )
    return process, published + timedelta(hours=draw(st.integers(-100, 24 * 800)))


@st.composite
def _awards(draw: st.DrawFn, after: Any, deadline: datetime, keys: list[str], lots: Any) -> Any:
    found = []
    for n in range(draw(st.integers(0, 3))):
        decided = after(deadline)
        standstill = draw(st.none() | st.just(Period(decided, after(decided))))
        active_from = draw(st.none() | st.just(decided) | st.just(after(decided)))
        found.append(
            Award(
                str(n),
                decided,
                tuple(draw(st.lists(st.sampled_from(keys), min_size=1, unique=True))),
                draw(st.integers(1, 10**9)),
                tuple(draw(st.lists(st.sampled_from([lot.id for lot in lots]), unique=True)))
                if lots
                else (),
                standstill=standstill,
                active_from=active_from,
                cancelled=draw(st.none() | st.just(after(decided))),
            )
        )
    return found


@st.composite
def _contract(draw: st.DrawFn, after: Any, award: Award, keys: list[str]) -> Contract:
    created = after(award.decided)
    kpis = (Kpi("k", "People helped", draw(st.integers(0, 500)), "people"),)
    returns = tuple(
        KpiReturn(
            str(n),
            "k",
            after(created),
            submitted=draw(st.none() | st.just(after(created))),
            value=n,
        )
        for n in range(draw(st.integers(0, 3)))
    )
    payments = tuple(
        Payment(str(n), after(created), draw(st.integers(1, 10**7)), draw(st.sampled_from(keys)))
        for n in range(draw(st.integers(0, 2)))
    )
    return Contract(
        f"c{award.id}",
        award.id,
        created,
        award.value_pence,
        signed=draw(st.none() | st.just(after(created))),
        kpis=kpis,
        returns=returns,
        payments=payments,
        ended=draw(st.none() | st.just(after(created))),
        end_status=draw(st.sampled_from(["terminated", "cancelled"])),
    )


PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(processes())
def test_any_process_publishes_as_valid_ocds_with_unique_ids_in_date_order(case):
    standard = load_standard()
    process, as_of = case
    published = ocds.releases(process, as_of=as_of)
    assert len({r["id"] for r in published}) == len(published)
    dates = [datetime.fromisoformat(r["date"]) for r in published]
    assert dates == sorted(dates) and all(d <= as_of for d in dates)
    if not published:
        starts = [process.tender.published, *([process.planning.date] if process.planning else [])]
        assert as_of < min(starts)
        return
    package = ocds.release_package(published, uri=URI, publisher=PUBLISHER, published=as_of)
    standard.assert_valid(package, "release-package")
    record = ocds.record(published)
    standard.assert_valid(record["compiledRelease"], "release")


@PROPERTY
@given(processes())
def test_published_releases_never_change_later_ones_are_only_added(case):
    process, as_of = case
    earlier = ocds.releases(process, as_of=as_of)
    later = ocds.releases(process, as_of=as_of + timedelta(days=900))
    assert later[: len(earlier)] == earlier


@PROPERTY
@given(processes())
def test_nothing_from_a_bid_is_published_before_the_deadline(case):
    process, _ = case
    before = ocds.releases(process, as_of=process.tender.deadline - timedelta(seconds=1))
    text = everything(before)
    assert "numberOfTenderers" not in text and "awards" not in text
    assert '"tenderer"' not in text and "tenderers" not in text


@PROPERTY
@given(processes())
def test_the_compiled_release_says_where_every_award_stands_now(case):
    process, as_of = case
    published = ocds.releases(process, as_of=as_of)
    if not published:
        return
    compiled = ocds.compile_release(published)
    shown = {a["id"]: a["status"] for a in compiled.get("awards", [])}
    for award in process.awards:
        if award.decided > as_of:
            assert award.id not in shown
        elif award.cancelled and award.cancelled <= as_of:
            assert shown[award.id] == "cancelled"
        elif award.active_from is not None and award.active_from <= as_of:
            assert shown[award.id] == "active"
        else:
            assert shown[award.id] == "pending"


# Arbitrary (not only Opus-made) releases: small pools of ids, so merges collide.
_codes = st.sampled_from


def _by_id(item: dict[str, Any]) -> Any:
    return item["id"]


_release_bodies = st.fixed_dictionaries(
    {},
    optional={
        "tender": st.fixed_dictionaries(
            {"id": st.just("t")},
            optional={
                "status": st.none() | _codes(["planning", "active", "complete", "cancelled"]),
                "title": st.none() | st.text(max_size=5),
                "numberOfTenderers": st.none() | st.integers(0, 9),
                "submissionMethod": st.lists(_codes(["written", "inPerson"]), max_size=2),
            },
        ),
        "awards": st.lists(
            st.fixed_dictionaries(
                {"id": _codes(["a", "b", "c"])},
                optional={"status": st.none() | _codes(["pending", "active", "cancelled"])},
            ),
            max_size=3,
            unique_by=_by_id,
        ),
        "contracts": st.lists(
            st.fixed_dictionaries(
                {"id": _codes(["x", "y"]), "awardID": _codes(["a", "b"])},
                optional={"status": _codes(["pending", "active", "terminated"])},
            ),
            max_size=2,
            unique_by=_by_id,
        ),
        "parties": st.lists(
            st.fixed_dictionaries(
                {"id": _codes(["p", "q"])},
                optional={
                    "roles": st.lists(_codes(["buyer", "supplier", "tenderer"]), unique=True)
                },
            ),
            max_size=2,
            unique_by=_by_id,
        ),
    },
)


@st.composite
def release_sequences(draw: st.DrawFn) -> list[dict[str, Any]]:
    bodies = draw(st.lists(_release_bodies, min_size=1, max_size=6))
    days = draw(st.lists(st.integers(1, 28), min_size=len(bodies), max_size=len(bodies)))
    tags = st.lists(
        _codes(["planning", "tender", "award", "contract", "implementation"]),
        min_size=1,
        max_size=2,
        unique=True,
    )
    return [
        {
            "ocid": "ocds-x-1",
            "id": f"r{n}",
            "date": f"2026-02-{d:02d}T12:00:00Z",
            "tag": draw(tags),
            "initiationType": "tender",
            **body,
        }
        for n, (d, body) in enumerate(zip(days, bodies, strict=True))
    ]


@PROPERTY
@given(release_sequences())
def test_any_sequence_of_releases_compiles_to_a_valid_release(sequence):
    standard = load_standard()
    compiled = ocds.compile_release(sequence)
    standard.assert_valid(compiled, "release")
    standard.assert_valid(
        ocds.record_package([ocds.record(sequence)], uri=URI, publisher=PUBLISHER, published=T0),
        "record-package",
    )


@PROPERTY
@given(release_sequences())
def test_merging_the_compiled_release_again_changes_nothing(sequence):
    compiled = ocds.compile_release(sequence)
    again = ocds.compile_release([*sequence, {**compiled, "id": "again"}])
    assert again == compiled


@PROPERTY
@given(release_sequences())
def test_the_newest_release_decides_every_field_it_gives(sequence):
    compiled = ocds.compile_release(sequence)
    newest = sorted(sequence, key=lambda r: r["date"])[-1]
    for field, given_value in newest.get("tender", {}).items():
        if given_value is None:
            assert field not in compiled["tender"]
        else:
            assert compiled["tender"][field] == given_value
    last_status = {a["id"]: a.get("status", "?") for a in newest.get("awards", [])}
    for award_id, status in last_status.items():
        merged = next(a for a in compiled["awards"] if a["id"] == award_id)
        if status is None:
            assert "status" not in merged
        elif status != "?":
            assert merged["status"] == status


def test_datetimes_are_written_in_utc():
    assert ocds.iso(datetime(2026, 7, 1, 9, 30, tzinfo=LONDON)) == "2026-07-01T08:30:00Z"
    assert ocds.iso(datetime(2026, 1, 1, 9, 30, tzinfo=UTC)) == "2026-01-01T09:30:00Z"
