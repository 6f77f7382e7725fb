"""The geography importers read the published layouts, refuse a bad file whole, and audit.

The files in tests/data are synthetic, in the real column layouts: IoD2019
File 7 (all 57 columns), Nomis Census 2021 bulk LSOA files (TS007, TS007A,
TS021, TS038) and the ONSPD/NSPL (2025 layout and the older one). Codes such as
E01900001 and postcodes in the non-existent ZA area are made up.
"""

from __future__ import annotations

import csv
import hashlib
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from opus.core.importers import base
from opus.core.importers.census import (
    age_interval,
    map_age_bands,
    plan_age_bands,
    split_by_sex,
)
from opus.core.models import AGE_BANDS, Area, AreaKind, AuditEvent, Postcode

DATA = Path(__file__).parent / "data"
FILE7 = DATA / "File_7_IoD2019_fake.csv"
TS007 = DATA / "census2021-ts007-lsoa.csv"
TS007A = DATA / "census2021-ts007a-lsoa.csv"
TS021 = DATA / "census2021-ts021-lsoa.csv"
TS038 = DATA / "census2021-ts038-lsoa.csv"
ONSPD = DATA / "ONSPD_2025_fake.csv"
NSPL = DATA / "NSPL21_2024_fake.csv"

IMD_DECILE = "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)"
IMD_RANK = "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)"

pytestmark = pytest.mark.django_db


# Helpers


def run(command: str, *args: object, **options: object) -> str:
    out = StringIO()
    call_command(command, *[str(a) for a in args], stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def with_cell(source: Path, tmp_path: Path, row: int, column: str, value: str) -> Path:
    """A copy of `source`, same name, with one cell changed; rows counted as in messages."""
    rows = read_csv(source)
    rows[row - 1][rows[0].index(column)] = value
    return write_csv(tmp_path / source.name, rows)


def without_column(source: Path, tmp_path: Path, column: str) -> Path:
    rows = read_csv(source)
    index = rows[0].index(column)
    return write_csv(tmp_path / source.name, [r[:index] + r[index + 1 :] for r in rows])


def snapshot() -> tuple[object, ...]:
    """Everything an importer may write, to show a refused file changed nothing."""
    return (
        list(Area.objects.order_by("code").values()),
        list(Postcode.objects.order_by("postcode").values()),
        AuditEvent.objects.count(),
    )


def make_lsoas(*codes: str, split: bool = False) -> list[Area]:
    return [
        Area.objects.create(
            code=code,
            name=f"Fakeborough {code[-3:]}",
            kind=AreaKind.LSOA,
            population_male=[30] * 19 if split else [],
            population_female=[10] * 19 if split else [],
        )
        for code in codes
    ]


def only_event(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).get()


# IMD File 7


def test_file7_imports_each_lsoa_with_its_scores_under_its_local_authority():
    out = run("import_imd", FILE7)

    assert Area.objects.filter(kind=AreaKind.LSOA).count() == 4
    lsoa = Area.objects.get(code="E01900001")
    assert lsoa.name == "Fakeborough 001A"
    assert (lsoa.imd_score, lsoa.imd_rank, lsoa.imd_decile) == (45.123, 1203, 1)
    assert lsoa.imd_domains == {
        "income": 0.301,
        "employment": 0.254,
        "education": 61.5,
        "health": 1.802,
        "crime": 1.203,
        "barriers": 30.41,
        "living_environment": 40.12,
    }
    assert lsoa.parent.code == "E06900001"
    assert lsoa.parent.kind == AreaKind.LOCAL_AUTHORITY
    assert lsoa.parent.name == "Fakeborough"
    assert Area.objects.get(code="E01900004").parent.name == "Mockshire Vale"
    assert Area.objects.filter(kind=AreaKind.LOCAL_AUTHORITY).count() == 2
    assert out.strip().splitlines() == [
        "import_imd: File_7_IoD2019_fake.csv: created 4, updated 0, skipped 0 (lsoas created 4, "
        "lsoas updated 0, local authorities created 2, local authorities renamed 0)"
    ]


def test_reimporting_file7_updates_the_same_areas(tmp_path):
    run("import_imd", FILE7)
    changed = with_cell(FILE7, tmp_path, 3, IMD_DECILE, "5")
    out = run("import_imd", changed)

    assert Area.objects.count() == 6
    assert Area.objects.get(code="E01900002").imd_decile == 5
    assert "created 0, updated 4, skipped 0" in out


def test_an_lsoa_already_under_a_ward_keeps_its_ward():
    la = Area.objects.create(code="E06900001", name="Old name", kind=AreaKind.LOCAL_AUTHORITY)
    ward = Area.objects.create(code="E05900001", name="Fake Ward", kind=AreaKind.WARD, parent=la)
    under_ward = Area.objects.create(code="E01900001", name="x", kind=AreaKind.LSOA, parent=ward)
    orphan = Area.objects.create(code="E01900002", name="y", kind=AreaKind.LSOA)

    run("import_imd", FILE7)

    under_ward.refresh_from_db()
    orphan.refresh_from_db()
    la.refresh_from_db()
    assert under_ward.parent == ward
    assert orphan.parent == la
    assert la.name == "Fakeborough"


def test_a_bad_decile_refuses_the_whole_file_with_one_line(tmp_path):
    bad = with_cell(FILE7, tmp_path, 4, IMD_DECILE, "eleven")
    before = snapshot()

    with pytest.raises(CommandError) as refused:
        run("import_imd", bad)

    assert str(refused.value) == (
        f'import_imd: File_7_IoD2019_fake.csv, row 4, column "{IMD_DECILE}": '
        "'eleven' is not a whole number from 1 to 10"
    )
    assert snapshot() == before


@pytest.mark.parametrize(
    "row, column, value, message",
    [
        (2, "LSOA code (2011)", "E0190000X", "'E0190000X' is not an ONS area code, like E01000001"),
        (3, "Crime Score", "n/a", "'n/a' is not a number"),
        (5, IMD_RANK, "0", "'0' is not a whole number of 1 or more"),
        (5, IMD_DECILE, "11", "'11' is not a whole number from 1 to 10"),
        (3, "Income Score (rate)", "", "the cell is empty; it should be a number"),
        (
            4,
            "Local Authority District code (2019)",
            "E01900001",
            "'E01900001' is not a LA code (those start E06, E07, E08, E09, W06)",
        ),
        (
            5,
            "LSOA code (2011)",
            "E01900001",
            "'E01900001' appears twice; it is already on row 2",
        ),
    ],
)
def test_each_kind_of_bad_cell_is_named_by_row_and_column(tmp_path, row, column, value, message):
    run("import_imd", FILE7)
    bad = with_cell(FILE7, tmp_path, row, column, value)
    before = snapshot()

    with pytest.raises(CommandError) as refused:
        run("import_imd", bad)

    assert str(refused.value) == (
        f'import_imd: File_7_IoD2019_fake.csv, row {row}, column "{column}": {message}'
    )
    assert snapshot() == before


def test_a_missing_column_is_reported_against_the_header(tmp_path):
    bad = without_column(FILE7, tmp_path, "Crime Score")
    with pytest.raises(CommandError) as refused:
        run("import_imd", bad)
    assert str(refused.value) == (
        'import_imd: File_7_IoD2019_fake.csv, row 1, column "Crime Score": '
        "this column is missing; is this the right file?"
    )
    assert Area.objects.count() == 0


def test_a_code_already_held_as_another_kind_of_area_is_refused():
    Area.objects.create(code="E06900001", name="Odd", kind=AreaKind.NEIGHBOURHOOD)
    with pytest.raises(CommandError, match=r"row 2, column \"Local Authority District code"):
        run("import_imd", FILE7)
    assert Area.objects.count() == 1


def test_headers_may_have_a_bom_stray_spaces_and_the_2025_years(tmp_path):
    rows = read_csv(FILE7)
    renamed = {"LSOA code (2011)": "LSOA code (2021)", "LSOA name (2011)": "LSOA name (2021)"}
    rows[0] = [f"  {renamed.get(h, h).replace('(2019)', '(2024)')} " for h in rows[0]]
    path = tmp_path / "File_7_IoD2025.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)

    run("import_imd", path)

    assert Area.objects.get(code="E01900003").imd_decile == 9


def test_file7_import_writes_one_audit_event_with_the_file_hash():
    run("import_imd", FILE7)
    event = only_event("geography.import_imd")
    assert event.actor is None
    assert (event.object_type, event.object_id) == ("file", "File_7_IoD2019_fake.csv")
    assert event.summary["sha256"] == hashlib.sha256(FILE7.read_bytes()).hexdigest()
    assert (event.summary["created"], event.summary["updated"]) == (4, 0)


def test_a_long_file_name_is_cut_to_fit_the_audit_object_id(tmp_path):
    name = "File_7_-_All_IoD2019_Scores__Ranks__Deciles_and_Population_Denominators_3.csv"
    path = tmp_path / name
    shutil.copy(FILE7, path)
    run("import_imd", path)
    event = only_event("geography.import_imd")
    assert event.object_id == name[:64]
    assert event.summary["file"] == name


def test_a_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="there is no such file"):
        run("import_imd", tmp_path / "nothing.csv")


# Census: the age-band arithmetic, no database


FIVE_YEAR = ["Total", "Aged 4 years and under"] + [
    f"Aged {a} to {a + 4} years" for a in range(5, 85, 5)
] + ["Aged 85 years and over"]  # fmt: skip


@pytest.mark.parametrize(
    "label, interval",
    [
        ("Aged under 1 year", (0, 0)),
        ("Aged 1 year", (1, 1)),
        ("Aged 4 years and under", (0, 4)),
        ("Aged 10 to 15 years", (10, 15)),
        ("Aged 85 years and over", (85, None)),
        ("Aged  100 years and over", (100, None)),
    ],
)
def test_age_labels_are_read_as_intervals(label, interval):
    assert age_interval(label) == interval


def test_an_unknown_age_label_is_refused():
    with pytest.raises(ValueError, match="not an age band"):
        age_interval("Pensioners")


def test_five_year_bands_stop_at_85_and_go_into_85_to_89():
    counts = {label: i * 10 for i, label in enumerate(FIVE_YEAR)}
    bands, stops_at_85 = map_age_bands(counts)
    assert stops_at_85
    assert bands == [10 * i for i in range(1, 19)] + [0]


def test_single_years_fill_all_19_bands_and_subtotals_are_passed_over():
    counts = {"Total": 0, "Aged 4 years and under": 999, "Aged under 1 year": 1}
    counts |= {f"Aged {a} year{'s' if a > 1 else ''}": 1 for a in range(1, 100)}
    counts |= {"Aged 10 to 15 years": 999, "Aged 85 years and over": 999}
    counts["Aged 100 years and over"] = 7
    bands, stops_at_85 = map_age_bands(counts)
    assert not stops_at_85
    assert bands == [5] * 18 + [10 + 7]
    assert len(bands) == len(AGE_BANDS)


@pytest.mark.parametrize(
    "labels, problem",
    [
        (
            ["Aged 4 years and under", "Aged 10 to 14 years", "Aged 15 years and over"],
            "exactly once",
        ),
        (["Aged 4 years and under", "Aged 5 to 9 years"], "aged 10 and over"),
        (["Aged 4 years and under", "Aged 5 to 12 years", "Aged 13 years and over"], "spans"),
        (["Aged 4 years and under", "Aged 5 years and over"], "open-ended below 85"),
    ],
)
def test_age_columns_that_do_not_fit_the_bands_are_refused(labels, problem):
    with pytest.raises(ValueError, match=problem):
        plan_age_bands(labels)


def test_sex_split_follows_existing_proportions_rounding_half_up():
    male, female = split_by_sex([80, 83, 2, 0], [30, 30, 1, 5], [10, 10, 1, 5])
    assert male == [60, 62, 1, 0]
    assert female == [20, 21, 1, 0]


def test_sex_split_halves_when_there_is_nothing_to_follow():
    assert split_by_sex([10, 7], None, None) == ([5, 3], [5, 4])
    assert split_by_sex([10, 7], [0, 3], [0, 1]) == ([5, 5], [5, 2])
    assert split_by_sex([9], [], []) == ([4], [5])


# Census: the command


def test_ts007a_sets_population_in_19_bands_and_says_85_plus_is_in_85_89():
    with_split, without = make_lsoas("E01900001", "E01900002", split=True)
    without.population_male, without.population_female = [], []
    without.save()
    make_lsoas("E01900003")

    out = run("import_census", TS007A)

    with_split.refresh_from_db()
    without.refresh_from_db()
    expected = [80 + 3 * b for b in range(17)] + [25, 0]
    assert with_split.population == sum(expected) == 1793
    totals = [
        m + f for m, f in zip(with_split.population_male, with_split.population_female, strict=True)
    ]
    assert totals == expected
    assert with_split.population_male[:2] == [60, 62]  # three quarters male, as before
    assert without.population_male[:2] == [42, 44]  # 85 and 88, halved
    assert without.population_female[:2] == [43, 44]
    assert without.population_male[-1] + without.population_female[-1] == 0
    lines = out.strip().splitlines()
    assert "85-89 band and the 90+ band is set to 0" in lines[0]
    assert lines[-1].startswith(
        "import_census: census2021-ts007a-lsoa.csv: created 0, updated 3, skipped 0"
    )


def test_ts007_single_years_fill_90_plus():
    make_lsoas("E01900001", "E01900002", "E01900003")
    out = run("import_census", "TS007", TS007)
    area = Area.objects.get(code="E01900001")
    bands = [m + f for m, f in zip(area.population_male, area.population_female, strict=True)]
    assert bands[0] == 100
    assert bands[-2:] == [30, 31]
    assert area.population == 1201
    assert "85-89" not in out


def test_ts021_stores_the_detailed_ethnic_groups_only():
    make_lsoas("E01900001", "E01900002", "E01900003")
    run("import_census", TS021)
    groups = Area.objects.get(code="E01900001").ethnic_groups
    assert len(groups) == 19
    assert groups["Asian, Asian British or Asian Welsh: Bangladeshi"] == 10
    assert groups["White: English, Welsh, Scottish, Northern Irish or British"] == 1200
    assert groups["Other ethnic group: Any other ethnic group"] == 11
    assert "White" not in groups
    assert not any(key.startswith("Total") for key in groups)
    assert sum(groups.values()) == 1410  # the file's total


def test_ts038_stores_the_four_disability_categories():
    make_lsoas("E01900001", "E01900002", "E01900003")
    run("import_census", "ts038", TS038)
    assert Area.objects.get(code="E01900002").disability == {
        "Disabled under the Equality Act: Day-to-day activities limited a lot": 121,
        "Disabled under the Equality Act: Day-to-day activities limited a little": 151,
        "Not disabled under the Equality Act: Has long term physical or mental health condition "
        "but day-to-day activities are not limited": 91,
        "Not disabled under the Equality Act: "
        "No long term physical or mental health conditions": 1101,
    }


def test_reimporting_a_census_table_updates_the_same_areas(tmp_path):
    make_lsoas("E01900001", "E01900002", "E01900003")
    run("import_census", TS038)
    column = "Disability: Disabled under the Equality Act: Day-to-day activities limited a lot"
    out = run("import_census", with_cell(TS038, tmp_path, 2, column, "7"))
    assert Area.objects.count() == 3
    assert Area.objects.get(code="E01900001").disability[column.removeprefix("Disability: ")] == 7
    assert "created 0, updated 3, skipped 0" in out


def test_naming_the_wrong_table_is_refused():
    make_lsoas("E01900001", "E01900002", "E01900003")
    with pytest.raises(CommandError) as refused:
        run("import_census", "TS038", TS021)
    assert str(refused.value) == (
        "import_census: census2021-ts021-lsoa.csv, row 1: "
        "the columns are those of TS021 (Ethnic group), not TS038"
    )
    with pytest.raises(CommandError, match="'TS999' is not a table"):
        run("import_census", "TS999", TS021)


def test_a_negative_count_refuses_the_census_file_and_changes_nothing(tmp_path):
    make_lsoas("E01900001", "E01900002", "E01900003", split=True)
    column = "Age: Aged 20 to 24 years"
    bad = with_cell(TS007A, tmp_path, 3, column, "-3")
    before = snapshot()

    with pytest.raises(CommandError) as refused:
        run("import_census", bad)

    assert str(refused.value) == (
        f'import_census: census2021-ts007a-lsoa.csv, row 3, column "{column}": '
        "'-3' is not a whole number of 0 or more"
    )
    assert snapshot() == before


def test_an_lsoa_not_in_opus_refuses_the_file_unless_asked_to_skip():
    make_lsoas("E01900001", "E01900003")
    before = snapshot()
    with pytest.raises(CommandError) as refused:
        run("import_census", TS021)
    assert str(refused.value) == (
        'import_census: census2021-ts021-lsoa.csv, row 3, column "geography code": '
        "'E01900002' is not an LSOA in Opus; import the LSOAs first (import_imd)"
    )
    assert snapshot() == before

    out = run("import_census", TS021, skip_unknown=True)
    assert "created 0, updated 2, skipped 1" in out


def test_a_census_file_in_another_layout_is_refused(tmp_path):
    path = write_csv(tmp_path / "odd.csv", [["geography code", "Sex: Female"], ["E01900001", "3"]])
    with pytest.raises(CommandError, match="row 1: these columns are not those of TS007"):
        run("import_census", path)


def test_census_import_writes_one_audit_event():
    make_lsoas("E01900001", "E01900002", "E01900003")
    run("import_census", TS007A)
    event = only_event("geography.import_census")
    assert event.object_id == "census2021-ts007a-lsoa.csv"
    assert event.summary["table"] == "TS007A"
    assert event.summary["updated"] == 3
    assert event.summary["sha256"] == hashlib.sha256(TS007A.read_bytes()).hexdigest()


# Postcodes


def test_live_postcodes_are_imported_with_coordinates_and_lsoa():
    first, _ = make_lsoas("E01900001", "E01900002")

    out = run("import_postcodes", ONSPD, no_progress=True)

    assert Postcode.objects.count() == 6
    assert not Postcode.objects.filter(postcode="ZA1 1AD").exists()  # terminated
    postcode = Postcode.objects.get(postcode="ZA1 1AA")
    assert (postcode.latitude, postcode.longitude, postcode.lsoa) == (52.400001, -1.500002, first)
    assert Postcode.objects.get(postcode="ZA2 2AA").lsoa is None  # E01900009 is not in Opus
    no_grid = Postcode.objects.get(postcode="ZA9 9ZZ")
    assert (no_grid.latitude, no_grid.longitude) == (None, None)
    assert Postcode.objects.get(postcode="ZA3 3AB").lsoa is None  # a Scottish data zone
    assert Postcode.objects.get(postcode="ZA4 4AA").lsoa is None  # pseudo code L99999999
    assert out.strip() == (
        "import_postcodes: ONSPD_2025_fake.csv: created 6, updated 0, skipped 1 "
        "(terminated 1, unchanged 0, with an lsoa 2, without coordinates 1)"
    )


def test_the_older_nspl_layout_is_read_too():
    make_lsoas("E01900001", "E01900003")
    run("import_postcodes", NSPL, no_progress=True)
    assert sorted(Postcode.objects.values_list("postcode", "lsoa__code")) == [
        ("ZA1 1AA", "E01900001"),
        ("ZA10 1AB", "E01900003"),
    ]


def test_reimporting_postcodes_updates_rather_than_duplicates(tmp_path):
    run("import_postcodes", ONSPD, no_progress=True)
    moved = with_cell(ONSPD, tmp_path, 3, "lat", "52.5")

    out = run("import_postcodes", moved, no_progress=True)

    assert Postcode.objects.count() == 6
    assert Postcode.objects.get(postcode="ZA1 1AB").latitude == 52.5
    assert "created 0, updated 1, skipped 1 (terminated 1, unchanged 5" in out


def test_postcodes_are_written_in_batches(monkeypatch):
    monkeypatch.setattr(base, "BATCH_SIZE", 2)
    make_lsoas("E01900001", "E01900002")
    run("import_postcodes", ONSPD, no_progress=True)
    assert Postcode.objects.count() == 6
    assert Postcode.objects.filter(lsoa__isnull=False).count() == 2


def test_a_bad_postcode_refuses_the_whole_file(tmp_path):
    bad = with_cell(ONSPD, tmp_path, 6, "pcds", "NOT A PC")
    before = snapshot()

    with pytest.raises(CommandError) as refused:
        run("import_postcodes", bad, no_progress=True)

    assert str(refused.value) == (
        'import_postcodes: ONSPD_2025_fake.csv, row 6, column "pcds": '
        "'NOT A PC' is not a UK postcode, like SW1A 1AA"
    )
    assert snapshot() == before


@pytest.mark.parametrize(
    "row, column, value, message",
    [
        (2, "lat", "north", "'north' is not a number"),
        (3, "lat", "91", "'91' is not a latitude from -90 to 90"),
        (5, "lsoa21cd", "LSOA-1", "'LSOA-1' is not an ONS area code, like E01000001"),
        (8, "doterm", "June 2021", "'June 2021' is not a month like 202106 (YYYYMM), nor empty"),
    ],
)
def test_bad_postcode_cells_are_named_by_row_and_column(tmp_path, row, column, value, message):
    bad = with_cell(ONSPD, tmp_path, row, column, value)
    with pytest.raises(CommandError) as refused:
        run("import_postcodes", bad, no_progress=True)
    assert str(refused.value) == (
        f'import_postcodes: ONSPD_2025_fake.csv, row {row}, column "{column}": {message}'
    )
    assert Postcode.objects.count() == 0


def test_a_postcode_file_without_an_lsoa_column_is_refused(tmp_path):
    bad = without_column(ONSPD, tmp_path, "lsoa21cd")
    with pytest.raises(CommandError) as refused:
        run("import_postcodes", bad, no_progress=True)
    assert str(refused.value) == (
        'import_postcodes: ONSPD_2025_fake.csv, row 1, column "lsoa21cd": '
        "this column is missing; is this the right file?"
    )


def test_a_short_row_is_refused(tmp_path):
    rows = read_csv(ONSPD)
    rows[2] = rows[2][:10]
    bad = write_csv(tmp_path / "ONSPD_2025_fake.csv", rows)
    with pytest.raises(CommandError) as refused:
        run("import_postcodes", bad, no_progress=True)
    assert str(refused.value) == (
        "import_postcodes: ONSPD_2025_fake.csv, row 3: this row has 10 cells but the header has 35"
    )


def test_postcode_import_writes_one_audit_event():
    run("import_postcodes", ONSPD, no_progress=True)
    event = only_event("geography.import_postcodes")
    assert event.object_id == "ONSPD_2025_fake.csv"
    assert event.summary["created"] == 6
    assert event.summary["terminated"] == 1
    assert event.summary["sha256"] == hashlib.sha256(ONSPD.read_bytes()).hexdigest()


@pytest.mark.django_db
def test_insert_values_stores_what_the_orm_would_with_defaults_for_the_rest():
    import uuid
    from datetime import UTC, datetime

    from opus.core.models import Organisation

    when = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    keys = [uuid.uuid4(), uuid.uuid4()]
    rows = [(k, f"Group {n}", f"g-{n}-{k.hex[:6]}", "charity", when) for n, k in enumerate(keys)]

    base.insert_values(Organisation, ["uuid", "name", "slug", "kind", "created_at"], rows)

    stored = {o.uuid: o for o in Organisation.objects.filter(uuid__in=keys)}
    assert [stored[k].name for k in keys] == ["Group 0", "Group 1"]
    assert {stored[k].created_at for k in keys} == {when}
    default = Organisation(name="x").size_band
    assert all(stored[k].size_band == default and stored[k].updated_at for k in keys)
