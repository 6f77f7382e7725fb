"""Partner agencies' uploads: checked whole, versioned, audited; a bad cell stores nothing."""

import pytest

from opus.core.models import AuditEvent, Role
from opus.core.services import membership_grant
from opus.needs.models import Dataset
from opus.needs.uploads import UploadError

from .conftest import PERIOD, proportion_csv, upload

pytestmark = pytest.mark.django_db


def test_an_upload_is_stored_as_a_version_and_audited(world):
    first = upload(world, list(range(20, 40)))
    second = upload(world, list(range(21, 41)))
    assert (first.version, second.version) == (1, 2)
    assert first.rows == 20 and first.arrays()["numerator"][0] == 20
    events = AuditEvent.objects.filter(action="dataset.upload")
    assert [e.summary["version"] for e in events.order_by("sequence")] == [1, 2]


@pytest.mark.parametrize(
    "row, column, message",
    [
        ("E01999999,2025/26,all,,3,10", "area_code", "is not an area Opus knows"),
        ("E01900100,2024/25,all,,3,10", "period", "expected 2025/26"),
        ("E01900100,2025/26,all,,three,10", "numerator", "'three' is not a number"),
        ("E01900100,2025/26,all,,-1,10", "numerator", "must be a whole number of 0 or more"),
        ("E01900100,2025/26,all,,30,10", "numerator", "cannot exceed its denominator"),
        ("E01900100,2025/26,colour,blue,3,10", "breakdown", "is not one of"),
        ("E01900100,2025/26,sex,other,3,10", "group", "should be male or female"),
    ],
)
def test_a_bad_cell_is_named_by_file_row_and_column_and_nothing_is_stored(
    world, row, column, message
):
    header = "area_code,period,breakdown,group,numerator,denominator"
    content = f"{header}\nE01900101,{PERIOD},all,,1,10\n{row}\n"
    from opus.needs import services

    with pytest.raises(UploadError) as error:
        services.dataset_upload(
            indicator=world.indicator,
            agency=world.agency,
            period=PERIOD,
            content=content.encode(),
            file_name="bad.csv",
            by=None,
        )
    assert str(error.value).startswith(f'bad.csv, row 3, column "{column}"')
    assert message in str(error.value)
    assert not Dataset.objects.exists()
    assert not AuditEvent.objects.filter(action="dataset.upload").exists()


def test_a_missing_column_is_reported_on_the_header_row(world):
    from opus.needs import services

    with pytest.raises(UploadError, match='row 1, column "denominator"'):
        services.dataset_upload(
            indicator=world.indicator,
            agency=world.agency,
            period=PERIOD,
            content=b"area_code,period,breakdown,group,numerator\n",
            file_name="short.csv",
            by=None,
        )


def test_partner_staff_upload_through_the_page(client, world, cast):
    membership_grant(user=cast.provider, organisation=world.agency, role=Role.PROVIDER, by=None)
    client.force_login(cast.provider)
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = proportion_csv(world.lsoas, [5] * 20, [100] * 20)
    response = client.post(
        "/needs/upload/",
        {
            "indicator": world.indicator.pk,
            "agency": world.agency.pk,
            "period": PERIOD,
            "file": SimpleUploadedFile("data.csv", content, content_type="text/csv"),
        },
    )
    assert response.status_code == 302
    assert Dataset.objects.get().uploaded_by == cast.provider


def test_a_bad_file_on_the_page_shows_the_error_summary_and_stores_nothing(client, world, cast):
    membership_grant(user=cast.provider, organisation=world.agency, role=Role.PROVIDER, by=None)
    client.force_login(cast.provider)
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = b"area_code,period,breakdown,group,numerator,denominator\nE01900100,2025/26,all,,x,10\n"
    response = client.post(
        "/needs/upload/",
        {
            "indicator": world.indicator.pk,
            "agency": world.agency.pk,
            "period": PERIOD,
            "file": SimpleUploadedFile("bad.csv", bad, content_type="text/csv"),
        },
    )
    page = response.content.decode().replace("&quot;", '"').replace("&#x27;", "'")
    assert response.status_code == 400 and "There is a problem" in page
    assert 'bad.csv, row 2, column "numerator"' in page
    assert not Dataset.objects.exists()


def test_only_staff_of_an_agency_may_upload_for_it(client, world, cast):
    client.force_login(cast.stranger)
    assert client.get("/needs/upload/").status_code == 404
    client.force_login(cast.resident)
    assert client.get("/needs/upload/").status_code == 404
    client.force_login(cast.provider)  # works for Good Neighbours, not for Testshire NHS
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        "/needs/upload/",
        {
            "indicator": world.indicator.pk,
            "agency": world.agency.pk,
            "period": PERIOD,
            "file": SimpleUploadedFile("d.csv", proportion_csv(world.lsoas, [5] * 20, [100] * 20)),
        },
    )
    assert response.status_code == 400 and not Dataset.objects.exists()


# --- issue 11 item 8: uploads that broke later steps ---------------------------------------

HEADER = "area_code,period,breakdown,group,numerator,denominator"


def _send(world, content, file_name="bad.csv", by=None):
    from opus.needs import services

    return services.dataset_upload(
        indicator=world.indicator,
        agency=world.agency,
        period=PERIOD,
        content=content if isinstance(content, bytes) else content.encode(),
        file_name=file_name,
        by=by,
    )


def _refused(world, content, file_name="bad.csv"):
    """The UploadError for content; and nothing was stored or audited."""
    with pytest.raises(UploadError) as error:
        _send(world, content, file_name)
    assert not Dataset.objects.exists()
    assert not AuditEvent.objects.filter(action="dataset.upload").exists()
    return error.value


@pytest.mark.parametrize(
    "numerator, denominator, column, message",
    [
        ("1e308", "1e308", "numerator", "more than 1,000,000,000, the largest count"),
        ("3", "1e308", "denominator", "more than 1,000,000,000, the largest count"),
        ("1000000001", "2000000000", "numerator", "the largest count"),
        ("inf", "10", "numerator", "'inf' is not a number Opus can use"),
        ("nan", "10", "numerator", "'nan' is not a number Opus can use"),
        ("3", "-inf", "denominator", "'-inf' is not a number Opus can use"),
        ("12.5", "100", "numerator", "'12.5' is not a whole number"),
        ("3", "99.9", "denominator", "'99.9' is not a whole number"),
        ("-3", "10", "numerator", "'-3' must be a whole number of 0 or more"),
        ("0/0", "10", "numerator", "'0/0' is not a number"),
        ("0", "0", "denominator", "must be more than 0"),
        ("0", "0/0", "denominator", "'0/0' is not a number"),
        ("3", "", "denominator", "a value is needed"),
        ("99999999999999999999999999999999999999", "10", "numerator", "the largest count"),
    ],
)
def test_a_count_must_be_a_whole_number_within_bounds(
    world, numerator, denominator, column, message
):
    good = f"E01900101,{PERIOD},all,,1,10"
    content = f"{HEADER}\n{good}\nE01900100,{PERIOD},all,,{numerator},{denominator}\n"
    error = _refused(world, content)
    assert str(error).startswith(f'bad.csv, row 3, column "{column}"')
    assert message in str(error)


def test_whole_numbers_written_otherwise_and_the_largest_count_are_accepted(world):
    content = (
        f"{HEADER}\nE01900100,{PERIOD},all,,12.0,1e3\n"
        f"E01900101,{PERIOD},all,,1000000000,1000000000\n"
    )
    dataset = _send(world, content, "ok.csv")
    assert list(dataset.arrays()["numerator"]) == [12, 1_000_000_000]
    assert list(dataset.arrays()["denominator"]) == [1000, 1_000_000_000]


@pytest.mark.parametrize(
    "group, message",
    [
        ("Dis\x00abled", "contains a control character"),
        ("Dis\x07abled", "contains a control character"),
        ('"Dis\nabled"', "contains a control character"),
        ('=HYPERLINK("http://evil.test";"x")', "starts with =, which spreadsheets run"),
        ("+cmd", "starts with +"),
        ("-2+3", "starts with -"),
        ("@SUM(A1)", "starts with @"),
        (" =1+1", "starts with ="),
        ("x" * 201, "this cell has 201 characters; the most a cell may have is 200"),
        ("x" * 81, "a group's name may have at most 80 characters"),
    ],
)
def test_a_group_name_with_a_control_character_or_a_formula_is_refused(world, group, message):
    content = f"{HEADER}\nE01900100,{PERIOD},disability,{group},3,10\n"
    error = _refused(world, content)
    assert str(error).startswith('bad.csv, row 2, column "group"')
    assert message in str(error)
    assert "\x00" not in str(error) and "\x07" not in str(error)


def test_a_nul_in_a_number_is_named_not_echoed(world):
    error = _refused(world, f"{HEADER}\nE01900100,{PERIOD},all,,3\x00,10\n")
    assert str(error).startswith('bad.csv, row 2, column "numerator"')
    assert "control character" in str(error) and "\x00" not in str(error)


def test_a_cell_over_the_csv_field_limit_is_named_by_row(world):
    huge = "9" * 140_000  # over the csv module's 131,072-character limit
    content = f'{HEADER}\nE01900100,{PERIOD},all,,1,10\nE01900101,{PERIOD},all,"{huge}",1,10\n'
    error = _refused(world, content)
    assert str(error).startswith("bad.csv, row 3: a cell is over 131,072 characters long")
    assert len(str(error)) < 300


def test_a_long_cell_under_the_csv_limit_is_named_by_row_and_column(world):
    content = f"{HEADER}\nE01900100,{PERIOD},all,,{'1' * 5000},10\n"
    error = _refused(world, content)
    assert str(error).startswith('bad.csv, row 2, column "numerator": this cell has 5,000')
    assert len(str(error)) < 300


def test_a_row_with_more_cells_than_the_header_is_refused(world):
    error = _refused(world, f"{HEADER}\nE01900100,{PERIOD},all,,1,10,surprise\n")
    assert str(error).startswith('bad.csv, row 2, column "7": this row has 7 cells')
    error = _refused(world, f"{HEADER}\nE01900100,{PERIOD},all,,1,10{',' * 5000}x\n")
    assert str(error).startswith('bad.csv, row 2, column "101": this row has 5006 cells')


def test_a_header_with_too_many_columns_is_refused(world):
    error = _refused(world, f"{HEADER}{',x' * 100}\n")
    assert str(error).startswith('bad.csv, row 1, column "x": the header row has 106 columns')


def test_every_bad_cell_is_reported_up_to_a_hundred_and_the_rest_counted(world):
    lines = [HEADER] + [f"E01900100,{PERIOD},all,,x{i},y" for i in range(70)]
    error = _refused(world, "\n".join(lines))
    assert len(error.errors) == 100 and error.total == 140 and error.more == 40
    assert error.errors[0].startswith('bad.csv, row 2, column "numerator"')
    assert error.errors[1].startswith('bad.csv, row 2, column "denominator"')
    assert error.errors[99].startswith('bad.csv, row 51, column "denominator"')
    assert error.problems[0].as_dict() == {
        "row": 2, "column": "numerator", "value": "x0", "message": "'x0' is not a number"
    }  # fmt: skip


def test_every_bad_cell_of_one_row_is_reported_not_only_the_first(world):
    row = "E01999999,2024/25,colour,blue,three,0"
    error = _refused(world, f"{HEADER}\n{row}\n")
    assert [(p.column, p.value) for p in error.problems] == [
        ("area_code", "E01999999"),
        ("period", "2024/25"),
        ("breakdown", "colour"),
        ("numerator", "three"),
        ("denominator", "0"),
    ]


def test_a_life_table_count_is_checked_too(world):
    from opus.needs import services
    from opus.needs.models import Method, Polarity
    from opus.needs.uploads import DEATH_COLUMNS, POPULATION_COLUMNS

    indicator = services.indicator_create(
        by=None, slug="le", name="LE", definition="d", numerator_label="n",
        denominator_label="d", method=Method.LIFE_EXPECTANCY, multiplier=1, unit="years",
        polarity=Polarity.HIGH_IS_GOOD, source_agency=world.agency, period=PERIOD,
    )  # fmt: skip
    header = ",".join(
        ["area_code", "period", "breakdown", "group"] + DEATH_COLUMNS + POPULATION_COLUMNS
    )
    deaths = ["1"] * 20
    deaths[5] = "1e308"
    row = ",".join(["E01900100", PERIOD, "all", ""] + deaths + ["100"] * 20)
    with pytest.raises(UploadError, match=f'row 2, column "{DEATH_COLUMNS[5]}".*largest count'):
        services.dataset_upload(
            indicator=indicator, agency=world.agency, period=PERIOD,
            content=f"{header}\n{row}\n".encode(), file_name="le.csv", by=None,
        )  # fmt: skip
    assert not Dataset.objects.exists()


def test_only_staff_of_the_agency_may_upload_through_the_service(world, cast):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        _send(world, proportion_csv(world.lsoas, [5] * 20, [100] * 20), by=cast.stranger)
    assert not Dataset.objects.exists()


def _grant(world, cast):
    membership_grant(user=cast.provider, organisation=world.agency, role=Role.PROVIDER, by=None)


def _post(client, world, content, name="data.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        "/needs/upload/",
        {
            "indicator": world.indicator.pk,
            "agency": world.agency.pk,
            "period": PERIOD,
            "file": SimpleUploadedFile(name, content, content_type="text/csv"),
        },
    )


def _page(response):
    return response.content.decode().replace("&quot;", '"').replace("&#x27;", "'")


def test_a_huge_cell_on_the_page_is_a_clear_error_not_a_500(client, world, cast):
    _grant(world, cast)
    client.force_login(cast.provider)
    content = f'{HEADER}\nE01900100,{PERIOD},all,"{"x" * 140_000}",1,10\n'.encode()
    response = _post(client, world, content, "huge.csv")
    assert response.status_code == 400
    assert "huge.csv, row 2: a cell is over 131,072 characters long" in _page(response)
    assert not Dataset.objects.exists()


def test_a_large_upload_is_checked_by_a_job_and_stored(client, world, cast, settings, monkeypatch):
    from opus.core.models import BackgroundJob, JobStatus
    from opus.needs import uploads
    from opus.needs.models import PendingUpload

    settings.OPUS_NEEDS_INLINE_UPLOAD_BYTES = 100
    monkeypatch.setattr(uploads, "PROGRESS_EVERY", 5)
    _grant(world, cast)
    client.force_login(cast.provider)
    response = _post(client, world, proportion_csv(world.lsoas, [5] * 20, [100] * 20))
    job = BackgroundJob.objects.get(kind="needs.upload")
    assert response.status_code == 302 and response.url == f"/needs/upload/jobs/{job.pk}/"
    assert job.status == JobStatus.SUCCEEDED and job.requested_by == cast.provider
    assert job.total == 21  # the rows it reported its progress against
    dataset = Dataset.objects.get()
    assert dataset.uploaded_by == cast.provider and dataset.rows == 20
    assert job.result == {"dataset": dataset.pk, "version": 1, "rows": 20, "file_name": "data.csv"}
    event = AuditEvent.objects.get(action="dataset.upload")
    assert event.actor == cast.provider and event.summary["rows"] == 20
    assert not PendingUpload.objects.exists()
    page = client.get(response.url)
    assert page.status_code == 200 and "Uploaded 20 rows as version 1" in _page(page)


def test_a_large_upload_with_errors_ends_with_them_on_the_job_page(client, world, cast, settings):
    from opus.core.models import BackgroundJob, JobStatus
    from opus.needs.models import PendingUpload

    settings.OPUS_NEEDS_INLINE_UPLOAD_BYTES = 100
    _grant(world, cast)
    client.force_login(cast.provider)
    numerators = [5] * 18 + ["1e308", "12.5"]
    response = _post(client, world, proportion_csv(world.lsoas, numerators, [100] * 20), "big.csv")
    job = BackgroundJob.objects.get(kind="needs.upload")
    assert response.status_code == 302
    assert job.status == JobStatus.FAILED
    assert "Nothing was stored: 2 problems found in big.csv" in job.message
    assert not Dataset.objects.exists() and not PendingUpload.objects.exists()
    assert not AuditEvent.objects.filter(action="dataset.upload").exists()
    page = _page(client.get(response.url))
    assert "big.csv, row 20, column \"numerator\": '1e308' is more than" in page
    assert "big.csv, row 21, column \"numerator\": '12.5' is not a whole number" in page
    client.force_login(cast.stranger)  # someone else's job is not found
    assert client.get(response.url).status_code == 404


def test_an_upload_over_the_size_limit_is_refused_with_a_clear_error(
    client, world, cast, monkeypatch
):
    from opus.needs import services, uploads

    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 2 * 1024 * 1024)
    _grant(world, cast)
    client.force_login(cast.provider)
    content = proportion_csv(world.lsoas, [5] * 20, [100] * 20) + b"\n" * (2 * 1024 * 1024)
    response = _post(client, world, content, "big.csv")
    assert response.status_code == 400
    assert "The file must be smaller than 2 MB" in _page(response)
    with pytest.raises(UploadError, match="smaller than 2 MB"):
        services.dataset_upload_start(
            indicator=world.indicator, agency=world.agency, period=PERIOD, content=content,
            file_name="big.csv", by=None,
        )  # fmt: skip
    with pytest.raises(UploadError, match="smaller than 2 MB"):
        _send(world, content, "big.csv")
    assert not Dataset.objects.exists()


def test_the_page_stops_reading_a_file_past_the_limit(client, world, cast, monkeypatch):
    """Neither kept in memory nor written to disk: the file handlers never complete a file."""
    from django.core.files import uploadhandler

    from opus.needs import uploads

    completed = []
    for handler in (
        uploadhandler.MemoryFileUploadHandler,
        uploadhandler.TemporaryFileUploadHandler,
    ):
        original = handler.file_complete
        monkeypatch.setattr(
            handler,
            "file_complete",
            lambda self, size, original=original: completed.append(size) or original(self, size),
        )
    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 2 * 1024 * 1024)
    _grant(world, cast)
    client.force_login(cast.provider)
    csv = proportion_csv(world.lsoas, [5] * 20, [100] * 20)
    for padding in (2 * 1024 * 1024, 4 * 1024 * 1024):  # over by a little, and by a lot
        response = _post(client, world, csv + b"\n" * padding, "big.csv")
        assert response.status_code == 400
        assert "The file must be smaller than 2 MB" in _page(response)
    assert completed == [] and not Dataset.objects.exists()
    response = _post(client, world, csv, "small.csv")  # and a file within it still arrives
    assert response.status_code == 302 and completed == [len(csv)]


def test_the_upload_page_still_checks_the_csrf_token(world, cast):
    from django.test import Client

    _grant(world, cast)
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.provider)
    csv = proportion_csv(world.lsoas, [5] * 20, [100] * 20)
    assert _post(client, world, csv).status_code == 403
    page = _page(client.get("/needs/upload/"))
    assert "a whole number from 0 to 1,000,000,000" in page and "Files over 1 MB" in page
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        "/needs/upload/",
        {
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
            "indicator": world.indicator.pk,
            "agency": world.agency.pk,
            "period": PERIOD,
            "file": SimpleUploadedFile("data.csv", csv, content_type="text/csv"),
        },
    )
    assert response.status_code == 302 and Dataset.objects.count() == 1


def test_an_assessment_leaves_out_a_stored_impossible_figure_with_a_warning(world):
    """Data stored before the checks (1e308 twice in a ward) no longer fails the assessment."""
    import numpy as np

    from opus.needs.models import Result, pack

    from .conftest import assess

    numerators = np.array([1e308, 1e308] + [5.0] * 18)
    denominators = np.array([1e308, 1e308] + [200.0] * 18)
    Dataset.objects.create(
        indicator=world.indicator, agency=world.agency, period=PERIOD, version=1,
        file_name="old.csv", sha256="0" * 64, rows=20,
        table=pack({
            "area_id": np.array([a.pk for a in world.lsoas], dtype=np.int64),
            "breakdown": np.array(["all"] * 20), "group": np.array([""] * 20),
            "numerator": numerators, "denominator": denominators,
        }),
    )  # fmt: skip
    assessment = assess(world)
    lsoa = Result.objects.get(assessment=assessment, level="lsoa")
    values = lsoa.arrays()["value"]
    assert np.isnan(values[:2]).all() and values[2] == pytest.approx(2.5)
    assert "2 stored rows with an impossible figure" in lsoa.summary["warnings"][0]


def test_an_assessment_survives_a_stored_group_name_longer_than_a_priority_label(world):
    """Before the 80-character limit a group's name could be any length; the label is cut."""
    import numpy as np

    from opus.needs.models import Priority, pack

    from .conftest import assess

    group = "G" * 1000
    Dataset.objects.create(
        indicator=world.indicator, agency=world.agency, period=PERIOD, version=1,
        file_name="old.csv", sha256="0" * 64, rows=22,
        table=pack({
            "area_id": np.array([a.pk for a in world.lsoas] + [world.la.pk] * 2, dtype=np.int64),
            "breakdown": np.array(["all"] * 20 + ["disability"] * 2),
            "group": np.array([""] * 20 + [group, "Not disabled"]),
            "numerator": np.array([5.0] * 20 + [60, 120]),
            "denominator": np.array([200.0] * 20 + [300, 2400]),
        }),
    )  # fmt: skip
    assessment = assess(world)
    label = Priority.objects.get(assessment=assessment, rank=1).label
    assert label.startswith("Loneliness: GGG") and len(label) == 300


def test_a_spreadsheets_csv_with_a_bom_crlf_and_a_blank_last_line_is_accepted(world):
    lines = [HEADER] + [f"{a.code},{PERIOD},all,,5,100" for a in world.lsoas]
    content = "\ufeff".encode() + ("\r\n".join(lines) + "\r\n\r\n").encode()
    assert _send(world, content, "excel.csv").rows == 20
