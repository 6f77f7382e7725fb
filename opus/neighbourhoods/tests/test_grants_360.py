"""Awarded grants published in the 360Giving Data Standard 1.4.3: the export command and the
API, valid against the schema with format checks on, org-ids with known prefixes, places by
LSOA and ward code, the funding council, and nothing about individuals.

The schemas are read from ../shared/standards/360giving beside the project (never copied in);
the tests skip, saying so, when that folder is not there.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from opus.core.models import Area, AreaKind
from opus.neighbourhoods import grants, threesixty
from opus.testing import create_area

ROOT = Path(__file__).resolve().parents[3]
STANDARD = ROOT.parent / "shared" / "standards" / "360giving"
TODAY = dt.date(2026, 12, 7)


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    package = STANDARD / "360-giving-package-schema.json"
    if not package.exists():
        pytest.skip(
            f"360Giving schemas not found at {STANDARD}: the standards folder is not beside"
        )
    grant = json.loads((STANDARD / "360-giving-schema.json").read_text(encoding="utf-8"))
    # The schemas name their dialect with http://, which `referencing` does not know by that name.
    resource = Resource(contents=grant, specification=DRAFT202012)
    # The package schema names the grant schema by its 1.4.2 address; both mean this file.
    registry = Registry().with_resources(
        [
            (grant["$id"], resource),
            (grant["$id"].replace("/1.4.3/", "/1.4.2/"), resource),
        ]
    )
    schema = json.loads(package.read_text(encoding="utf-8"))
    checker = FormatChecker()
    assert "date-time" in checker.checkers, "install rfc3339-validator (requirements/dev.txt)"
    return Draft202012Validator(schema, registry=registry, format_checker=checker)


def problems(validator: Draft202012Validator, document: Any) -> list[str]:
    return [
        f"{list(e.absolute_path)}: {e.message}"
        for e in validator.iter_errors(json.loads(json.dumps(document)))
    ]


@pytest.fixture
def published(cast, hood_budget):
    """Two awarded grants (one paid) and one waiting, in an LSOA of a ward of the Vale."""
    ward = create_area(kind=AreaKind.WARD, name="Vale Ward", code="E05999001")
    lsoa = Area.objects.get(code="E01999001")
    lsoa.parent = ward
    lsoa.save(update_fields=["parent"])
    cast.charity.org_id = "GB-CHC-1234567"
    cast.charity.charity_number = "1234567"
    cast.charity.save(update_fields=["org_id", "charity_number"])
    grant_round = grants.grant_round_open(
        council=cast.parish, budget=hood_budget, title="Vale small grants", ceiling_pence=1_000_00,
        opens_on=dt.date(2026, 11, 1), closes_on=dt.date(2027, 1, 31), by=cast.councillor,
    )  # fmt: skip
    made = []
    for title, amount, place in (
        ("Lunch club", 750_00, lsoa),
        ("Street planters", 320_50, ward),
        ("Waiting list", 100_00, lsoa),
    ):
        made.append(
            grants.grant_apply(
                grant_round=grant_round,
                group=cast.charity,
                title=title,
                description=f"{title} for the Vale",
                amount_pence=amount,
                place=place,
                by=cast.provider,
                today=TODAY,
            )  # fmt: skip
        )
    for application in made[:2]:
        grants.grant_decide(
            application=application, award=True, reason="Good", by=cast.councillor, today=TODAY
        )
    grants.grant_pay(application=made[0], reference="BACS-1", by=cast.councillor)
    return made


def export(tmp_path) -> dict[str, Any]:
    out = tmp_path / "grants.json"
    call_command("export_360giving", "--out", str(out), "--quiet")
    return json.loads(out.read_text(encoding="utf-8"))


def test_the_export_is_a_valid_360giving_package(validator, published, tmp_path):
    package = export(tmp_path)
    assert not problems(validator, package), problems(validator, package)
    assert [g["title"] for g in package["grants"]] == ["Street planters", "Lunch club"]
    planters, lunch = package["grants"]
    assert lunch["amountAwarded"] == 750 and lunch["amountDisbursed"] == 750
    assert planters["amountAwarded"] == 320.5 and "amountDisbursed" not in planters
    assert lunch["awardDate"] == "2026-12-07"
    assert lunch["fundingOrganization"][0]["name"] == "Vale Parish"
    assert lunch["recipientOrganization"][0] == {
        "id": "GB-CHC-1234567",
        "name": "Good Neighbours",
        "charityNumber": "1234567",
    }


def test_beneficiary_locations_carry_lsoa_and_ward_codes(validator, published, tmp_path):
    planters, lunch = export(tmp_path)["grants"]
    codes = {(p.get("geoCodeType"), p.get("geoCode")) for p in lunch["beneficiaryLocation"]}
    assert ("LSOA", "E01999001") in codes and ("WD", "E05999001") in codes
    assert [p["geoCodeType"] for p in planters["beneficiaryLocation"]] == ["WD"]
    types = {
        row["Code"] for row in csv.DictReader((STANDARD / "codelists" / "geoCodeType.csv").open())
    }
    assert {p["geoCodeType"] for p in lunch["beneficiaryLocation"] if "geoCodeType" in p} <= types


def test_grant_ids_use_the_publishers_prefix(published, tmp_path):
    with override_settings(OPUS_360_PREFIX="360G-vale"):
        ids = [g["id"] for g in export(tmp_path)["grants"]]
    assert ids == [f"360G-vale-{published[1].pk}", f"360G-vale-{published[0].pk}"]


def test_org_ids_have_known_prefixes_or_the_publishers(cast, published, tmp_path):
    cast.parish.org_id = ""
    cast.parish.save(update_fields=["org_id"])
    for grant in export(tmp_path)["grants"]:
        for org in grant["recipientOrganization"] + grant["fundingOrganization"]:
            known = org["id"].startswith(tuple(f"{p}-" for p in threesixty.KNOWN_ORG_ID_LISTS))
            ours = org["id"].startswith(threesixty.grant_prefix() + "-org-")
            assert known or ours, org["id"]
    assert export(tmp_path)["grants"][0]["recipientOrganization"][0]["id"].startswith("GB-CHC-")


def test_nothing_about_individuals_is_published(cast, client, published, tmp_path):
    text = json.dumps(export(tmp_path)) + client.get("/api/v1/grants").content.decode()
    for person in (cast.provider, cast.councillor, cast.commissioner):
        assert person.full_name not in text
        assert person.email not in text
    assert "recipientIndividual" not in text and "@" not in text


def test_the_format_checker_catches_a_bad_date(validator, published, tmp_path):
    package = export(tmp_path)
    package["grants"][0]["dateModified"] = "2026-13-45T99:00:00Z"
    assert any("dateModified" in p for p in problems(validator, package))
    package = export(tmp_path)
    package["grants"][0]["awardDate"] = "7 December 2026"
    assert any("awardDate" in p for p in problems(validator, package))


def test_the_api_pages_are_valid_packages(validator, client, published):
    first = client.get("/api/v1/grants", {"per_page": 1})
    assert first.status_code == 200
    body = first.json()
    assert body["total"] == 2 and len(body["grants"]) == 1 and "next" in body["links"]
    second = client.get(body["links"]["next"]).json()
    assert [g["title"] for g in body["grants"] + second["grants"]] == [
        "Street planters",
        "Lunch club",
    ]
    assert "next" not in second["links"]
    for page in (body, second):
        assert not problems(validator, page), problems(validator, page)


@pytest.mark.parametrize("query", ["per_page=0", "per_page=501", "page=0", "page=x"])
def test_the_api_refuses_pages_out_of_bounds(client, query):
    response = client.get(f"/api/v1/grants?{query}")
    assert response.status_code in (400, 422)


def test_the_export_refuses_a_folder_it_cannot_write(published, tmp_path):
    with pytest.raises(CommandError, match="Cannot write"):
        call_command("export_360giving", "--out", str(tmp_path / "no" / "x.json"), "--quiet")
