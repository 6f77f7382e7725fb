"""Allocation pages and API: a commissioner defines a formula, runs it, reads a waterfall and
publishes after checking; everyone else sees only published runs, as pages, CSV, JSON and API."""

import json

import pytest

from opus.allocation import runs
from opus.allocation.models import AllocationFormula, AllocationRun
from opus.allocation.tests.runs_world import MILLION, build_county, make_formula, make_run
from opus.budgets.models import BudgetSource

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(cast):
    return build_county(cast)


def _as(client, user):
    client.force_login(user)
    return client


FORMULA = {
    "name": "Neighbourhood fair shares", "age_weights": "", "need_source": "deprivation",
    "indicator_weights": "", "inequalities": "yes", "h_percent": "10",
    "cost_index": "N99900001, 1.05", "resources": "", "transition": "pace",
    "min_growth_percent": "1", "max_loss_percent": "0",
}  # fmt: skip


def test_a_commissioner_defines_runs_reads_and_publishes(client, cast, county):
    _as(client, cast.commissioner)
    response = client.post("/allocation/formulas/new/", {**FORMULA, "scope": county.pk})
    formula = AllocationFormula.objects.get()
    assert response.status_code == 302 and formula.cost_index == {"N99900001": "1.05"}
    run_page = f"/allocation/formulas/{formula.pk}/run/"
    response = client.post(run_page, {
        "title": "Neighbourhoods 2026/27", "period": "2026/27", "level": "neighbourhood",
        "total_pounds": "90000", "baseline_source": "none", "baseline": "",
    })  # fmt: skip
    run = AllocationRun.objects.get()
    assert response["Location"] == f"/allocation/runs/{run.pk}/"
    page = client.get(f"/allocation/runs/{run.pk}/").content.decode()
    assert "Hood 1" in page and "Distance from target" in page and "Draft" in page
    waterfall = client.get(f"/allocation/runs/{run.pk}/areas/N99900001/").content.decode()
    assert "Equal share per head" in waterfall and "£30,000" in waterfall  # 100 of 300 people
    check = client.post(f"/allocation/runs/{run.pk}/publish/")
    assert b"Check the allocation" in check.content and not BudgetSource.objects.exists()
    client.post(f"/allocation/runs/{run.pk}/publish/", {"confirm": "yes"})
    run.refresh_from_db()
    assert run.is_published and BudgetSource.objects.count() == 3


def test_bad_input_is_shown_in_the_error_summary_and_nothing_is_saved(client, cast, county):
    _as(client, cast.commissioner)
    bad = {**FORMULA, "scope": county.pk, "cost_index": "N99900001, lots", "h_percent": "140"}
    page = client.post("/allocation/formulas/new/", bad).content.decode()
    assert "govuk-error-summary" in page and "Line 1" in page
    assert not AllocationFormula.objects.exists()


def test_an_unfundable_minimum_growth_is_explained_on_the_run_form(client, cast, county):
    formula = make_formula(cast, county)
    _as(client, cast.commissioner)
    page = client.post(f"/allocation/formulas/{formula.pk}/run/", {
        "title": "Too little", "period": "2026/27", "level": "neighbourhood", "total_pounds": "10",
        "baseline_source": "typed", "baseline": "N99900001, 100\nN99900002, 100\nN99900003, 100",
    }).content.decode()  # fmt: skip
    assert "govuk-error-summary" in page and "minimum growth of 1%" in page
    assert not AllocationRun.objects.exists()


def test_a_draft_is_hidden_from_everyone_but_commissioners(client, cast, county):
    run = make_run(cast, make_formula(cast, county))
    for user in (cast.resident, cast.councillor, cast.stranger):
        _as(client, user)
        assert client.get(f"/allocation/runs/{run.pk}/").status_code == 404
        assert client.get(f"/allocation/runs/{run.pk}/allocation.csv").status_code == 404
    client.logout()
    assert client.get(f"/api/v1/allocation/runs/{run.pk}").status_code == 404
    assert client.get("/api/v1/allocation/runs").json()["total"] == 0


def test_a_published_run_is_open_data(client, cast, county):
    run = runs.run_publish(run=make_run(cast, make_formula(cast, county)), by=cast.commissioner)
    assert client.get(f"/allocation/runs/{run.pk}/").status_code == 200
    csv_text = client.get(f"/allocation/runs/{run.pk}/allocation.csv").content.decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("area_code,area_name,population")
    assert len(csv_text.splitlines()) == 4
    data = json.loads(client.get(f"/allocation/runs/{run.pk}/allocation.json").content)
    assert data["input_hash_sha256"] == run.input_hash
    listing = client.get("/api/v1/allocation/runs").json()
    assert listing["total"] == 1 and listing["runs"][0]["id"] == run.pk
    detail = client.get(f"/api/v1/allocation/runs/{run.pk}").json()
    pounds = sum(float(r["allocation_pounds"]) for r in detail["results"])
    assert pounds == pytest.approx(300 * MILLION / 100)
    assert client.get("/api/v1/allocation/runs/99999999999").status_code == 404


@pytest.mark.parametrize("role", ["resident", "provider", "councillor", "auditor", "stranger"])
def test_only_commissioners_reach_the_formula_pages(client, cast, county, role):
    formula = make_formula(cast, county)
    _as(client, getattr(cast, role))
    for url in ("/allocation/formulas/new/", f"/allocation/formulas/{formula.pk}/run/"):
        assert client.get(url).status_code in (403, 404)
    assert client.post(f"/allocation/formulas/{formula.pk}/edit/", FORMULA).status_code in (
        403,
        404,
    )
    assert AllocationFormula.objects.count() == 1
