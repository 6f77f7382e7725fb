"""OCDS publication of commissioning: the API, the export, and what a sealed bid never shows.

Every package is checked against OCDS 1.1.5's own schemas and codelists, read from
../shared/standards/ocds (skipped, saying so, when that folder is not beside the project).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from opus.commissioning import ocds as publication
from opus.commissioning import services
from opus.commissioning.models import BidLot, KpiReturn, Opportunity
from opus.commissioning.tests.helpers import (
    bid,
    open_opportunity,
    opportunity_fields,
    provider,
    value_table,
)
from opus.core.models import OrganisationKind, Role, SizeBand
from opus.engines.tests.test_ocds import OcdsStandard, load_standard
from opus.testing import create_area, create_member, create_organisation

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]
RELEASES = "/api/v1/ocds/releases"


@pytest.fixture(scope="module")
def standard() -> OcdsStandard:
    return load_standard()


# --- a contracting process, from plan to KPI return, all in the past -----------------------


def _plan(cast: Any, when: datetime) -> tuple[Any, Any]:
    plan = services.plan_create(
        title="Older people 2026", commissioner=cast.council,
        area=cast.council.area or create_area(), period="2026/27", by=cast.commissioner,
    )  # fmt: skip
    decision = services.decision_record(
        plan=plan, need="Loneliness among older people", level="commissioned",
        character={"local": True, "specialist": True}, reasons={"diversity": "Small charities"},
        budget_pence=9_000_000, by=cast.commissioner,
    )  # fmt: skip
    services.plan_publish(plan=plan, by=cast.commissioner, now=when)
    return plan, decision


def _evaluate(cast: Any, opportunity: Opportunity, bids: list[Any]) -> None:
    services.bids_open(opportunity=opportunity, by=cast.commissioner)
    for row in (opportunity, *bids):
        row.refresh_from_db()
    second = create_member(Role.COMMISSIONER, cast.council, full_name="Evan Evaluator")
    questions = list(opportunity.questions.all())
    for user in (cast.commissioner, second):  # a panel of two, the least there may be
        member = services.panel_add(opportunity=opportunity, user=user,
                                    is_moderator=user == cast.commissioner,
                                    by=cast.commissioner)  # fmt: skip
        services.conflict_declare(member=member, has_conflict=False, details="", by=user)
        for b in bids:
            for q in questions:
                services.score_record(member=member, bid=b, question=q,
                                      score=4 if b == bids[0] else 3, comment="Clear",
                                      by=user)  # fmt: skip
        services.scores_submit(member=member, by=user)
    for b in bids:
        for q in questions:
            services.moderation_agree(bid=b, question=q, score=4 if b == bids[0] else 3,
                                      reason="Agreed", by=cast.commissioner)  # fmt: skip
    services.evaluation_compute(opportunity=opportunity, by=cast.commissioner)


def lived_process(cast: Any) -> dict[str, Any]:
    """Published 200 days ago: a consortium of a charity and a social enterprise and a small
    firm bid; lot 1 goes to the consortium through standstill to a contract with a KPI
    return; lot 2's award is reversed."""
    past = timezone.now() - timedelta(days=200)
    plan, decision = _plan(cast, past - timedelta(days=20))
    opportunity = open_opportunity(cast, now=past, plan=plan, decisions=[decision],
                                   reservation="vcse_sme",
                                   reservation_reason="Regulation 77 of the PCR 2015")  # fmt: skip
    lead, lead_user = provider("Hearth Trust")
    partner, partner_user = provider("Kettle CIC", OrganisationKind.SOCIAL_ENTERPRISE)
    alone, alone_user = provider("Solo Visitors Ltd", OrganisationKind.SME)
    consortium = services.consortium_create(
        opportunity=opportunity, name="Hearth and Kettle", lead=lead, work="Visits",
        work_share=60, value_share=60, by=lead_user, now=past + timedelta(days=1),
    )  # fmt: skip
    member = services.consortium_invite(
        consortium=consortium, organisation=partner, work="Calls", work_share=40,
        value_share=40, by=lead_user, now=past + timedelta(days=1),
    )  # fmt: skip
    services.consortium_respond(member=member, confirm=True, by=partner_user)
    together = bid(opportunity, lead, lead_user, consortium=consortium,
                   prices=(4_500_000, 3_500_000), now=past + timedelta(days=2))  # fmt: skip
    solo = bid(opportunity, alone, alone_user, prices=(4_000_000, 3_800_000),
               now=past + timedelta(days=3))  # fmt: skip
    _evaluate(cast, opportunity, [together, solo])
    lot1, lot2 = opportunity.lots.order_by("number")
    award = services.award_decide(
        lot=lot1, bid_lot=BidLot.objects.get(lot=lot1, rank=1), reasons="Highest total score",
        by=cast.commissioner, now=past + timedelta(days=15),
    )  # fmt: skip
    contract = services.contract_sign(
        award=award, by=cast.commissioner, now=award.standstill_ends,
        kpis=[{"name": "Visits made", "measure": "Visits ÷ planned", "target": "95",
               "frequency": "quarterly"}],
    )  # fmt: skip
    first = KpiReturn.objects.filter(kpi__contract=contract).order_by("period_start").first()
    made = timezone.make_aware(datetime.combine(first.period_end + timedelta(days=3), time(10)))
    first = services.kpi_return_submit(
        kpi_return=first, value="97.5", note="", by=lead_user, now=made
    )
    reversed_award = services.award_decide(
        lot=lot2, bid_lot=BidLot.objects.get(lot=lot2, rank=1), reasons="Highest total score",
        by=cast.commissioner, now=past + timedelta(days=16),
    )  # fmt: skip
    services.award_reverse(award=reversed_award, reason="The price scores were added wrongly",
                           by=cast.commissioner, now=past + timedelta(days=18))  # fmt: skip
    return {
        "opportunity": opportunity, "lead": lead, "partner": partner, "alone": alone,
        "award": award, "reversed": reversed_award, "contract": contract, "return": first,
    }  # fmt: skip


def _releases(client: Any, **params: Any) -> dict[str, Any]:
    response = client.get(RELEASES, params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


# --- the API -------------------------------------------------------------------------------


def test_anyone_reads_a_valid_release_package_of_the_whole_cycle(client, cast, standard):
    lived = lived_process(cast)
    package = _releases(client)
    standard.assert_valid(package, "release-package")
    tags = [r["tag"][0] for r in package["releases"]]
    for tag in ("planning", "tender", "tenderUpdate", "award", "awardUpdate", "awardCancellation",
                "contract", "implementation"):  # fmt: skip
        assert tag in tags
    assert {r["ocid"] for r in package["releases"]} == {lived["opportunity"].ocid}
    assert package["publisher"]["name"] and package["version"] == "1.1"


def test_the_record_compiles_the_process_as_it_stands(client, cast, standard):
    lived = lived_process(cast)
    response = client.get(f"/api/v1/ocds/records/{lived['opportunity'].ocid}")
    assert response.status_code == 200
    package = response.json()
    standard.assert_valid(package, "record-package")
    compiled = package["records"][0]["compiledRelease"]
    awards = {a["id"]: a for a in compiled["awards"]}
    assert awards[str(lived["award"].pk)]["status"] == "active"
    assert awards[str(lived["award"].pk)]["value"] == {"amount": 45000, "currency": "GBP"}
    assert awards[str(lived["reversed"].pk)]["status"] == "cancelled"
    assert "added wrongly" in awards[str(lived["reversed"].pk)]["amendments"][0]["rationale"]
    standstill = awards[str(lived["award"].pk)]["standstillPeriod"]
    assert standstill["endDate"] > standstill["startDate"]
    assert compiled["tender"]["numberOfTenderers"] == 3  # the two in the consortium, and one
    assert compiled["tender"]["suitability"] == {"sme": True, "vcse": True}
    assert compiled["planning"]["budget"]["amount"] == {"amount": 90000, "currency": "GBP"}
    contract = compiled["contracts"][0]
    assert contract["status"] == "active" and contract["agreedMetrics"][0]["title"] == "Visits made"
    milestone = contract["implementation"]["milestones"][0]
    assert milestone["status"] == "met" and milestone["type"] == "reporting"
    assert contract["implementation"]["metrics"][0]["observations"][0]["measure"] == 97.5


def test_parties_say_who_is_a_charity_a_social_enterprise_and_a_small_firm(client, cast):
    lived = lived_process(cast)
    ocid = lived["opportunity"].ocid
    compiled = client.get(f"/api/v1/ocds/records/{ocid}").json()["records"][0]["compiledRelease"]
    parties = {p["name"]: p for p in compiled["parties"]}
    assert parties["Hearth Trust"]["details"]["vcse"] is True
    assert parties["Kettle CIC"]["details"]["vcse"] is True
    assert parties["Solo Visitors Ltd"]["details"] == {
        "vcse": False,
        "publicServiceMissionOrganization": False,
        "scale": "sme",
    }
    assert set(parties["Hearth Trust"]["roles"]) == {"tenderer", "supplier"}
    assert set(parties["Kettle CIC"]["roles"]) == {"tenderer", "supplier"}
    assert parties["Solo Visitors Ltd"]["roles"] == ["tenderer"]
    assert set(parties[cast.council.name]["roles"]) == {"buyer", "procuringEntity"}


def test_an_unknown_or_draft_process_is_a_404_problem(client, cast):
    fields = opportunity_fields(cast, value_table(cast), timezone.now())
    draft = services.opportunity_create(by=cast.commissioner, **fields)
    for ocid in ("ocds-nothing-here", draft.ocid):
        response = client.get(f"/api/v1/ocds/records/{ocid}")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == 404
    assert _releases(client)["releases"] == []


def test_before_the_deadline_no_page_shows_anything_of_a_bid(client, cast, standard):
    opportunity = open_opportunity(cast)
    secret_bidder, user = provider("Secretive Trust")
    bid(opportunity, secret_bidder, user, prices=(4_123_456, 3_000_000))
    package = _releases(client)
    standard.assert_valid(package, "release-package")
    record = client.get(f"/api/v1/ocds/records/{opportunity.ocid}").content.decode()
    for text in (json.dumps(package), record):
        assert "Secretive" not in text and "41234.56" not in text and "4123456" not in text
        assert "numberOfTenderers" not in text and "tenderer" not in text
    assert [r["tag"] for r in package["releases"]] == [["tender"]]


def test_pages_link_to_each_other_and_split_the_processes(client, cast):
    table = value_table(cast)
    made = [open_opportunity(cast, table=table).ocid for _ in range(3)]
    first = _releases(client, per_page=2)
    assert "next" in first["links"] and "prev" not in first["links"]
    second = client.get(first["links"]["next"]).json()
    assert "next" not in second.get("links", {}) and "prev" in second["links"]
    seen = [r["ocid"] for r in first["releases"] + second["releases"]]
    assert sorted(seen) == sorted(made)


def test_updated_since_keeps_only_newer_releases(client, cast, standard):
    lived = lived_process(cast)
    since = lived["return"].submitted_at - timedelta(minutes=1)
    package = _releases(client, updated_since=since.isoformat())
    standard.assert_valid(package, "release-package")
    assert [r["tag"][0] for r in package["releases"]] == ["implementation"]
    later = _releases(client, updated_since=(timezone.now() + timedelta(days=1)).isoformat())
    assert later["releases"] == []


def test_a_time_without_a_zone_is_refused_naming_the_field(client, cast):
    response = client.get(RELEASES, {"updated_since": "2026-03-01T00:00:00"})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "updated_since"
    assert client.get(RELEASES, {"per_page": 0}).status_code == 422


def test_a_page_costs_the_same_queries_however_many_processes_it_holds(client, cast):
    table = value_table(cast)

    def queries_for_page() -> int:
        with CaptureQueriesContext(connection) as captured:
            _releases(client, per_page=50)
        return len(captured)

    lived_process(cast)
    few = queries_for_page()
    for _ in range(4):
        open_opportunity(cast, table=table)
    lived_process(cast)
    assert queries_for_page() == few


# --- the mapping ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields, org_id, flags",
    [
        ({"kind": OrganisationKind.CHARITY, "charity_number": "1234567"}, "GB-CHC-1234567",
         (True, False, "sme")),
        ({"kind": OrganisationKind.MUTUAL, "company_number": "01234567",
          "size_band": SizeBand.MICRO}, "GB-COH-01234567", (False, True, "micro")),
        ({"kind": OrganisationKind.CHARITY, "charity_number": "SC012345"}, "GB-SC-SC012345",
         (True, False, "sme")),
        ({"kind": OrganisationKind.LARGE_FIRM, "size_band": SizeBand.LARGE,
          "company_number": "SC123456"}, "GB-COH-SC123456", (False, False, "large")),
        ({"kind": OrganisationKind.LOCAL_AUTHORITY, "org_id": "GB-LAE-TST"}, "GB-LAE-TST",
         (False, False, "")),
    ],
)  # fmt: skip
def test_organisations_become_parties_with_org_ids_and_uk_flags(fields, org_id, flags):
    party = publication.party_of(create_organisation(**fields))
    assert party.key == org_id and party.org_id == org_id
    assert (party.vcse, party.public_service_mission, party.scale) == flags


def test_an_organisation_without_a_number_gets_a_stable_opus_key():
    organisation = create_organisation(kind=OrganisationKind.COMMUNITY_GROUP)
    party = publication.party_of(organisation)
    assert party.key == f"opus-organisation-{organisation.uuid}" and party.org_id == ""


def test_the_publisher_and_prefix_come_from_settings_read_now(settings):
    settings.OCDS_PUBLISHER_NAME = "Testshire Council"
    settings.OCDS_OCID_PREFIX = "ocds-abc123"
    assert publication.publisher().name == "Testshire Council"
    assert publication.ocid_prefix() == "ocds-abc123"
    del settings.OCDS_OCID_PREFIX
    assert publication.ocid_prefix() == publication.DEFAULT_OCID_PREFIX


# --- the export ----------------------------------------------------------------------------


def test_the_export_writes_every_release_as_one_valid_package(client, cast, standard, tmp_path):
    lived = lived_process(cast)
    open_opportunity(cast, table=value_table(cast))
    out = tmp_path / "ocds.json"
    said = io.StringIO()
    call_command("export_ocds", "--out", str(out), "--no-progress", "--chunk-size", "1",
                 stdout=said)  # fmt: skip
    package = json.loads(out.read_text())
    standard.assert_valid(package, "release-package")
    from_api = _releases(client)["releases"]
    assert [r["id"] for r in package["releases"]] == [r["id"] for r in from_api]
    assert lived["opportunity"].ocid in {r["ocid"] for r in package["releases"]}
    assert said.getvalue().startswith(f"export_ocds: {len(from_api)} releases of 2 contracting")
    assert not list(tmp_path.glob(".*.part"))


def test_the_export_to_a_bad_place_fails_in_one_line_and_writes_nothing(tmp_path):
    for bad in (tmp_path / "missing" / "ocds.json", tmp_path):
        with pytest.raises(CommandError) as failed:
            call_command("export_ocds", "--out", str(bad), "--no-progress")
        assert "\n" not in str(failed.value) and str(failed.value).startswith("export_ocds: ")
    assert list(tmp_path.iterdir()) == []


def test_the_export_command_has_help_and_exits_non_zero_on_bad_input(tmp_path):
    manage = [sys.executable, str(ROOT / "manage.py"), "export_ocds"]
    helped = subprocess.run([*manage, "--help"], capture_output=True, text=True, check=False)  # noqa: S603
    assert helped.returncode == 0 and "--out FILE" in helped.stdout
    failed = subprocess.run(  # noqa: S603
        [*manage, "--out", str(tmp_path / "no" / "such" / "x.json")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert failed.returncode != 0
    assert failed.stderr.strip().count("\n") == 0 and "cannot write" in failed.stderr


# --- the demo world and the API description -----------------------------------------------


def test_the_demo_world_is_published_as_valid_ocds(demo_world, client, standard):
    package = _releases(client, per_page=200)
    standard.assert_valid(package, "release-package")
    tags = {r["tag"][0] for r in package["releases"]}
    assert {"planning", "tender", "award", "contract", "implementation"} <= tags
    sealed = set(
        Opportunity.objects.filter(submission_deadline__gt=timezone.now()).values_list(
            "ocid", flat=True
        )
    )
    for ocid in {r["ocid"] for r in package["releases"]}:
        record = client.get(f"/api/v1/ocds/records/{ocid}").json()
        standard.assert_valid(record, "record-package")
        if ocid in sealed:
            assert "numberOfTenderers" not in json.dumps(record)
            assert '"tenderer"' not in json.dumps(record)


def test_the_api_description_lists_the_ocds_routes(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/ocds/releases" in paths and "/api/v1/ocds/records/{ocid}" in paths
    assert not paths["/api/v1/ocds/releases"]["get"].get("security")
