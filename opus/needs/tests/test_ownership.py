"""An indicator belongs to its agency: only its staff, or a delegate's until revoked, upload to it;
the source shown is whoever uploaded each version; a file's bad cells are all reported."""

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from opus.core.models import AuditEvent, Role
from opus.core.services import api_token_create
from opus.needs import services
from opus.needs.models import Dataset, IndicatorDelegation
from opus.testing import create_member

from .conftest import PERIOD, assess, proportion_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_staff(world):
    return create_member(Role.PROVIDER, world.agency, email="nia@nhs.test", full_name="Nia")


def _upload(world, by, agency, numerator=5):
    return services.dataset_upload(
        indicator=world.indicator,
        agency=agency,
        period=PERIOD,
        content=proportion_csv(world.lsoas, [numerator] * 20, [100] * 20),
        file_name="data.csv",
        by=by,
    )


def test_the_owners_staff_may_upload(world, owner_staff):
    assert _upload(world, owner_staff, world.agency).uploaded_by == owner_staff


def test_another_provider_may_not_upload_as_itself_to_an_indicator_it_does_not_own(world, cast):
    with pytest.raises(PermissionDenied, match="belongs to Testshire NHS"):
        _upload(world, cast.provider, cast.charity)
    assert not Dataset.objects.exists()


def test_another_provider_may_not_upload_as_the_owner(world, cast):
    with pytest.raises(PermissionDenied):
        _upload(world, cast.provider, world.agency)
    assert not Dataset.objects.exists()


def test_a_resident_may_not_upload(world, cast):
    with pytest.raises(PermissionDenied):
        _upload(world, cast.resident, cast.council)
    assert not Dataset.objects.exists()


def test_a_delegates_staff_may_upload_until_the_delegation_is_revoked(world, cast, owner_staff):
    delegation = services.delegation_grant(
        indicator=world.indicator, delegate=cast.charity, by=owner_staff
    )
    dataset = _upload(world, cast.provider, cast.charity)
    assert (dataset.agency, dataset.uploaded_by) == (cast.charity, cast.provider)
    services.delegation_revoke(delegation=delegation, by=owner_staff)
    with pytest.raises(PermissionDenied):
        _upload(world, cast.provider, cast.charity)
    assert Dataset.objects.count() == 1
    delegation.refresh_from_db()
    assert delegation.revoked_by == owner_staff and delegation.revoked_at is not None
    actions = AuditEvent.objects.filter(object_id=str(delegation.pk)).values_list(
        "action", flat=True
    )
    assert set(actions) >= {"indicator.delegate", "indicator.delegation_revoke"}


def test_only_the_owners_staff_delegate(world, cast):
    for outsider in (cast.provider, cast.commissioner, cast.resident):
        with pytest.raises(PermissionDenied):
            services.delegation_grant(indicator=world.indicator, delegate=cast.charity, by=outsider)
    assert not IndicatorDelegation.objects.exists()


def test_the_owner_grants_and_revokes_through_the_indicator_page(client, world, cast, owner_staff):
    client.force_login(owner_staff)
    page = f"/needs/indicators/{world.indicator.slug}/"
    response = client.post(f"{page}delegations/", {"delegate": cast.charity.pk})
    assert response.status_code == 302
    delegation = IndicatorDelegation.objects.get(revoked_at=None)
    assert (delegation.owner, delegation.delegate, delegation.granted_by) == (
        world.agency, cast.charity, owner_staff
    )  # fmt: skip
    assert "Good Neighbours" in client.get(page).content.decode()
    response = client.post(f"{page}delegations/{delegation.pk}/revoke/")
    assert response.status_code == 302
    assert not IndicatorDelegation.objects.filter(revoked_at=None).exists()


def test_a_delegation_without_an_organisation_is_an_error_in_the_summary(
    client, world, owner_staff
):
    client.force_login(owner_staff)
    response = client.post(f"/needs/indicators/{world.indicator.slug}/delegations/", {})
    assert response.status_code == 400 and "There is a problem" in response.content.decode()
    assert not IndicatorDelegation.objects.exists()


def test_others_may_not_grant_or_revoke_through_the_page(client, world, cast, owner_staff):
    delegation = services.delegation_grant(
        indicator=world.indicator, delegate=cast.charity, by=owner_staff
    )
    page = f"/needs/indicators/{world.indicator.slug}/delegations/"
    for outsider in (cast.provider, cast.commissioner, cast.resident, cast.stranger):
        client.force_login(outsider)
        assert client.post(page, {"delegate": cast.parish.pk}).status_code == 404
        assert client.post(f"{page}{delegation.pk}/revoke/").status_code == 404
    assert IndicatorDelegation.objects.get().revoked_at is None


def test_the_upload_page_offers_only_indicators_the_person_may_upload_to(client, world, cast):
    client.force_login(cast.provider)
    response = client.post(
        "/needs/upload/",
        {
            "indicator": world.indicator.pk,
            "agency": cast.charity.pk,
            "period": PERIOD,
            "file": SimpleUploadedFile("d.csv", proportion_csv(world.lsoas, [5] * 20, [99] * 20)),
        },
    )
    page = response.content.decode()
    assert response.status_code == 400 and "Choose an indicator your organisation may" in page
    assert not Dataset.objects.exists()


# --- The source shown is whoever uploaded the version used ---------------------------------


def test_results_name_the_organisation_that_uploaded_the_version_used(
    client, world, cast, owner_staff
):
    services.delegation_grant(indicator=world.indicator, delegate=cast.charity, by=owner_staff)
    _upload(world, cast.provider, cast.charity)
    assessment = assess(world)
    sources = assessment.results.get(level="la").summary["sources"]
    assert [(s["agency"], s["version"]) for s in sources] == [("Good Neighbours", 1)]
    client.force_login(cast.commissioner)
    result_page = client.get(f"/needs/{assessment.pk}/indicators/loneliness/").content.decode()
    assert "Source: Good Neighbours (version 1)" in result_page
    assert "Source: Testshire NHS" not in result_page
    detail = client.get(f"/needs/{assessment.pk}/").content.decode()
    assert "from Good Neighbours" in detail
    csv = client.get(f"/needs/{assessment.pk}/indicators/loneliness/ward.csv")
    text = csv.content.decode("utf-8-sig")
    assert "source" in text.splitlines()[0] and "Good Neighbours" in text.splitlines()[1]
    api = client.get(f"/api/v1/needs/assessments/{assessment.pk}/results?indicator=loneliness")
    assert [s["agency"] for s in api.json()["sources"]] == ["Good Neighbours"]


def test_the_indicators_api_names_the_owner_and_each_versions_uploader(
    client, world, cast, owner_staff
):
    _upload(world, owner_staff, world.agency)
    services.delegation_grant(indicator=world.indicator, delegate=cast.charity, by=owner_staff)
    _upload(world, cast.provider, cast.charity)
    _upload(world, cast.provider, cast.charity, numerator=6)
    found = client.get("/api/v1/needs/indicators").json()
    (indicator,) = [i for i in found if i["slug"] == "loneliness"]
    assert indicator["owner"] == world.agency.slug
    versions = {(s["agency_name"], s["version"]) for s in indicator["sources"]}
    assert versions == {("Testshire NHS", 1), ("Good Neighbours", 2)}


def test_the_indicator_page_lists_versions_with_the_person_only_for_staff(
    client, world, cast, owner_staff
):
    _upload(world, owner_staff, world.agency)
    page = f"/needs/indicators/{world.indicator.slug}/"
    public = client.get(page).content.decode()
    assert "Testshire NHS" in public and "Nia" not in public
    client.force_login(cast.commissioner)
    staff = client.get(page).content.decode()
    assert "Testshire NHS (Nia)" in staff


# --- Every bad cell, up to 100 ------------------------------------------------------------

HEADER = "area_code,period,breakdown,group,numerator,denominator"


def _bad_file(rows=60):
    lines = [HEADER] + [f"E01900100,{PERIOD},all,,x{i},y" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def test_the_upload_page_lists_every_bad_cell_up_to_a_hundred_and_how_many_more(
    client, world, owner_staff
):
    client.force_login(owner_staff)
    response = client.post(
        "/needs/upload/",
        {
            "indicator": world.indicator.pk,
            "agency": world.agency.pk,
            "period": PERIOD,
            "file": SimpleUploadedFile("bad.csv", _bad_file(), content_type="text/csv"),
        },
    )
    page = response.content.decode().replace("&quot;", '"').replace("&#x27;", "'")
    assert response.status_code == 400 and "There is a problem" in page
    assert 'bad.csv, row 2, column "denominator"' in page
    assert 'bad.csv, row 51, column "denominator"' in page
    assert 'row 52, column "numerator"' not in page
    assert "and 20 more problems" in page
    assert not Dataset.objects.exists()


def test_the_api_lists_every_bad_cell_in_problem_json(client, world, owner_staff):
    _, secret = api_token_create(user=owner_staff, name="nhs")
    body = {"agency": world.agency.slug, "period": PERIOD, "content": _bad_file(3).decode()}
    response = client.post(
        f"/api/v1/needs/indicators/{world.indicator.slug}/datasets",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    problem = response.json()
    assert len(problem["errors"]) == 6 and problem["more"] == 0
    assert problem["errors"][1] == {
        "field": "content", "row": 2, "column": "denominator", "value": "y",
        "message": "'y' is not a number",
    }  # fmt: skip
    assert not Dataset.objects.exists()


def test_the_api_stores_a_good_file_as_the_next_version(client, world, owner_staff):
    _, secret = api_token_create(user=owner_staff, name="nhs")
    content = proportion_csv(world.lsoas, [5] * 20, [100] * 20).decode()
    body = {"agency": world.agency.slug, "period": PERIOD, "content": content}
    response = client.post(
        f"/api/v1/needs/indicators/{world.indicator.slug}/datasets",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 201 and response.json()["version"] == 1
    assert Dataset.objects.get().uploaded_by == owner_staff


def test_the_api_refuses_an_organisation_that_does_not_own_the_indicator(client, world, cast):
    _, secret = api_token_create(user=cast.provider, name="charity")
    content = proportion_csv(world.lsoas, [5] * 20, [100] * 20).decode()
    body = {"agency": cast.charity.slug, "period": PERIOD, "content": content}
    response = client.post(
        f"/api/v1/needs/indicators/{world.indicator.slug}/datasets",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 403 and not Dataset.objects.exists()


def test_the_background_job_keeps_every_bad_cell_and_the_count_of_the_rest(
    world, owner_staff, settings
):
    settings.OPUS_NEEDS_INLINE_UPLOAD_BYTES = 10
    job = services.dataset_upload_start(
        indicator=world.indicator,
        agency=world.agency,
        period=PERIOD,
        content=_bad_file(),
        file_name="bad.csv",
        by=owner_staff,
    )
    job.refresh_from_db()
    assert len(job.result["errors"]) == 100 and job.result["more"] == 20
    assert job.result["problems"][0] == {
        "row": 2, "column": "numerator", "value": "x0", "message": "'x0' is not a number"
    }  # fmt: skip
    assert not Dataset.objects.exists()
