"""The public performance and transparency pages, their CSVs and the JSON API: open to anyone,
a funnel plot with its table in alphabetical order, and small numbers withheld everywhere."""

import csv
import io
from datetime import date

import pytest

from opus.core.models import OrganisationKind
from opus.testing import create_organisation
from opus.voice.tests.test_performance import make_complaint, make_many

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    steady = create_organisation(name="Steady Care")
    poor = create_organisation(name="Poor Care")
    tiny = create_organisation(name="Tiny Care")
    make_many(steady, on_time=28, late=12)
    make_many(create_organisation(name="Fair Care"), on_time=15, late=5)
    make_many(poor, on_time=4, late=16)
    make_many(tiny, on_time=2)
    create_organisation(name="Riverside Council", kind=OrganisationKind.LOCAL_AUTHORITY)
    return {"steady": steady, "poor": poor, "tiny": tiny}


def test_anyone_sees_the_funnel_plot_with_its_table_in_alphabetical_order(client, world):
    page = client.get("/voice/performance/").content.decode()
    assert "not a league table" in page.lower()
    assert "<svg" in page and "<polyline" in page and 'id="funnel-caption"' in page
    table = page[page.index('id="performance-table"') :]
    names = ["Fair Care", "Poor Care", "Riverside Council", "Steady Care", "Tiny Care"]
    assert [table.index(n) for n in names] == sorted(table.index(n) for n in names)
    # The one outside the limits is named on the chart and in words under it.
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert "Poor Care" in svg and "Steady Care" not in svg
    assert "Well below the area" in page
    assert "complaints.csv" in page and "/api/v1/voice/performance" in page


def test_small_numbers_are_withheld_on_the_page_and_in_the_csv(client, world):
    page = client.get("/voice/performance/").content.decode()
    tiny_row = page[page.index("Tiny Care") :]
    tiny_row = tiny_row[: tiny_row.index("</tr>")]
    assert "fewer than 5" in tiny_row and "too few to show" in tiny_row
    response = client.get("/voice/performance/complaints.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = rows[0], {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert "on_time_percent" in header
    assert body["Tiny Care"]["complaints_received"] == ""
    assert body["Poor Care"]["on_time_percent"] == "20.0"
    assert body["Poor Care"]["compared_with_area"].startswith("Well below")


def test_the_api_gives_the_same_figures_as_json(client, world):
    data = client.get("/api/v1/voice/performance").json()
    by_name = {o["name"]: o for o in data["organisations"]}
    assert data["area_on_time_rate"] == pytest.approx(49 / 82)
    assert by_name["Poor Care"]["answered_on_time"] == 4
    assert by_name["Poor Care"]["funnel_band"] == -2
    assert by_name["Tiny Care"]["complaints_received"] is None
    assert by_name["Tiny Care"]["withheld"] is True
    assert [o["name"] for o in data["organisations"]] == sorted(by_name)


def test_with_nothing_decided_the_page_says_so_and_draws_no_chart(client):
    make_complaint(create_organisation(name="New"), date(2099, 1, 5), date(2099, 1, 19))
    page = client.get("/voice/performance/").content.decode()
    assert "<svg" not in page.split("<main", 1)[1]
    assert "no area rate to compare with" in page


def test_the_transparency_page_has_every_section_with_tables_and_csvs(client, world):
    page = client.get("/voice/transparency/").content.decode()
    for section in ("spend", "providers", "complaints", "ratings", "needs"):
        assert f'id="{section}"' in page
    for table in ("spend", "providers", "ratings"):
        assert f"/voice/transparency/{table}.csv" in page
    assert "/voice/performance/" in page
    assert "No needs assessment has been published yet." in page


@pytest.mark.parametrize("table", ["spend", "providers", "ratings", "needs"])
def test_each_transparency_table_downloads_as_csv(client, table):
    response = client.get(f"/voice/transparency/{table}.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="transparency-{table}.csv"'
    assert response.content.decode("utf-8-sig").count("\n") >= 1


def test_an_unknown_transparency_table_is_not_found(client):
    assert client.get("/voice/transparency/secrets.csv").status_code == 404


def test_the_footer_links_to_transparency_and_performance(client):
    page = client.get("/").content.decode()
    footer = page[page.index('<footer class="govuk-footer"') :]
    assert "/voice/transparency/" in footer and "/voice/performance/" in footer
