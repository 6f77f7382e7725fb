"""manage.py import_land_assets on a small SYNTHETIC Transparency Code land file (made up for
these tests in the shape councils publish: tests/data/land_assets_synthetic*.csv)."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from opus.core.models import AuditEvent
from opus.neighbourhoods.models.assets import PublicAsset, Tenure

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
GOOD = DATA / "land_assets_synthetic.csv"
BAD = DATA / "land_assets_synthetic_bad.csv"


def run(path, owner, *extra):
    out, err = StringIO(), StringIO()
    call_command("import_land_assets", str(path), "--owner", owner.slug, *extra,
                 stdout=out, stderr=err)  # fmt: skip
    return out.getvalue(), err.getvalue()


def test_a_good_file_is_imported_with_its_facts(cast):
    out, _ = run(GOOD, cast.council)
    assert "created 5" in out
    depot = PublicAsset.objects.get(reference="NV-0002")
    assert depot.owner == cast.council
    assert depot.surplus is True and depot.occupied_by_owner is False
    assert depot.tenure == Tenure.FREEHOLD and depot.use == "Depot"
    assert depot.postcode == "NV2 3BB" and depot.uprn == "100090000002"
    assert (depot.easting, depot.northing) == (452010, 297950)
    assert depot.latitude == pytest.approx(52.577)
    assert PublicAsset.objects.get(reference="NV-0003").tenure == Tenure.LEASEHOLD
    assert AuditEvent.objects.filter(action="land_assets.import").count() == 1


def test_importing_again_updates_its_own_records_only(cast):
    run(GOOD, cast.council)
    PublicAsset.objects.filter(reference="NV-0001").update(name="Changed")
    out, _ = run(GOOD, cast.council)
    assert "created 0, updated 5" in out
    assert PublicAsset.objects.get(reference="NV-0001").name == "Northvale Town Hall"


def test_a_record_made_in_opus_or_by_another_source_is_never_changed(cast):
    PublicAsset.objects.create(owner=cast.council, reference="NV-0002", name="Made in Opus")
    run(GOOD, cast.council, "--source", "first-feed")
    out, _ = run(GOOD, cast.council, "--source", "second-feed")
    assert "left alone 5" in out
    assert PublicAsset.objects.get(reference="NV-0002").name == "Made in Opus"
    assert PublicAsset.objects.get(reference="NV-0001").import_source == "first-feed"


def test_bad_rows_are_reported_one_line_each_and_nothing_is_imported(cast):
    with pytest.raises(CommandError, match="4 bad row|5 bad row"):
        out, err = run(BAD, cast.council)
    assert not PublicAsset.objects.exists()
    assert not AuditEvent.objects.filter(action="land_assets.import").exists()


def test_the_bad_rows_name_their_row_and_column(cast):
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_land_assets", str(BAD), "--owner", cast.council.slug, stderr=err)
    lines = err.getvalue().strip().splitlines()
    assert lines == [
        'import_land_assets: land_assets_synthetic_bad.csv, row 3, column "Post Code": '
        + lines[0].split('column "Post Code": ')[1],
        "import_land_assets: land_assets_synthetic_bad.csv, row 4, column "
        '"Name of Building / Land": the cell is empty',
        'import_land_assets: land_assets_synthetic_bad.csv, row 5, column "Easting": '
        "'9999999' is not a whole number from 0 to 700000",
        'import_land_assets: land_assets_synthetic_bad.csv, row 6, column "Surplus": '
        "'perhaps' is not yes or no",
        "import_land_assets: land_assets_synthetic_bad.csv, row 7, column "
        "\"Unique Asset Identity\": 'NV-0101' is already used on row 2",
    ]


def test_partial_imports_the_good_rows(cast):
    out, err = run(BAD, cast.council, "--partial")
    assert "created 2" in out and "bad rows 5" in out
    assert sorted(PublicAsset.objects.values_list("reference", flat=True)) == ["NV-0101", "NV-0107"]
    assert len(err.strip().splitlines()) == 5


def test_an_unknown_owner_or_file_is_one_clear_error(cast, tmp_path):
    with pytest.raises(CommandError, match="no organisation 'nobody'"):
        call_command("import_land_assets", str(GOOD), "--owner", "nobody")
    with pytest.raises(CommandError, match="there is no such file"):
        call_command(
            "import_land_assets", str(tmp_path / "missing.csv"), "--owner", cast.council.slug
        )
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("Name,Age\nA,1\n", encoding="utf-8")
    with pytest.raises(CommandError, match='row 1, column "Unique Asset Identity"'):
        call_command("import_land_assets", str(wrong), "--owner", cast.council.slug)
