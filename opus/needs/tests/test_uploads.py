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
        ("E01900100,2025/26,all,,-1,10", "numerator", "must be a number of 0 or more"),
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
