"""Area pages: the population pyramid with its table and CSV, deprivation, suppression."""

import csv
import io

import pytest

from opus.core.models import AreaKind
from opus.testing import create_area

pytestmark = pytest.mark.django_db


def _lsoa(**overrides):
    return create_area(
        code="E01900123",
        name="Testtown 001",
        imd_score=41.5,
        imd_rank=1234,
        imd_decile=1,
        imd_domains={"income": 0.31, "employment": 0.2},
        ethnic_groups={"White: Irish": 3, "White: Other White": 40, "Other ethnic group: Arab": 60},
        **overrides,
    )


def test_area_page_shows_pyramid_table_and_deprivation(client):
    _lsoa()
    page = client.get("/areas/E01900123/").content.decode()
    assert "<svg" in page and 'id="population-table"' in page
    assert "Decile 1" in page and "rank 1,234" in page
    assert "population.csv" in page


def test_population_csv_matches_the_table(client):
    area = _lsoa()
    response = client.get("/areas/E01900123/population.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert response["Content-Type"].startswith("text/csv")
    assert len(rows) == 19
    assert rows[0] == {"area_code": "E01900123", "age_band": "0-4", "male": "40", "female": "39",
                       "total": "79"}  # fmt: skip
    assert sum(int(r["total"]) for r in rows) == sum(area.population_male) + sum(
        area.population_female
    )


def test_small_census_counts_are_suppressed_on_public_pages(client):
    _lsoa()
    page = client.get("/areas/E01900123/").content.decode()
    # 3 is below the threshold; 40, the next smallest, is hidden too so 3 cannot be recovered.
    assert page.count("[c]</abbr>") == 2
    assert ">60<" in page


def test_area_list_filters_by_kind_and_finds_by_code(client):
    _lsoa()
    create_area(code="E05900001", name="Testward", kind=AreaKind.WARD)
    page = client.get("/areas/", {"kind": "ward"}).content.decode()
    assert "Testward" in page and "Testtown 001" not in page
    page = client.get("/areas/", {"q": "e01900123"}).content.decode()
    assert "Testtown 001" in page


def test_unknown_area_is_404(client):
    assert client.get("/areas/E01999999/").status_code == 404


def test_a_postcode_search_goes_to_its_small_area(client):
    from opus.core.models import Postcode

    area = _lsoa()
    Postcode.objects.create(postcode="ZY1 2AB", lsoa=area, latitude=53.9, longitude=-1.6)
    response = client.get("/areas/", {"q": "zy12ab"})
    assert response.status_code == 302 and response["Location"] == "/areas/E01900123/"


def test_postcode_api_gives_coordinates_and_areas(client):
    from opus.core.models import Postcode

    ward = create_area(code="E05900077", kind=AreaKind.WARD)
    area = _lsoa(parent=ward)
    Postcode.objects.create(postcode="ZY1 2AB", lsoa=area, latitude=53.9, longitude=-1.6)
    body = client.get("/api/v1/postcodes/zy12ab").json()
    assert body["lsoa_code"] == "E01900123" and body["ward_code"] == "E05900077"
    assert body["latitude"] == 53.9
    response = client.get("/api/v1/postcodes/not-a-postcode")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "postcode"
    assert client.get("/api/v1/postcodes/ZY9 9ZZ").status_code == 404


def test_deprivation_csv_has_every_domain(client):
    _lsoa()
    rows = list(
        csv.reader(
            io.StringIO(client.get("/areas/E01900123/deprivation.csv").content.decode("utf-8-sig"))
        )
    )
    measures = [r[1] for r in rows[1:]]
    assert measures[:2] == ["income", "employment"] and "imd_decile" in measures
    assert ["E01900123", "income", "0.31"] in rows
