"""Needs pages and API: commissioners run assessments; the public sees suppressed figures."""

import pytest

from opus.core.models import AuditEvent, BackgroundJob, JobStatus
from opus.needs.models import Assessment, AssessmentStatus, Priority

from .conftest import PERIOD, assess, upload

pytestmark = pytest.mark.django_db

SMALL = [3] + [60] * 19  # one area with a count small enough to identify people


def test_a_commissioner_creates_computes_and_publishes_an_assessment(client, world, cast):
    upload(world, SMALL, [400] * 20)
    client.force_login(cast.commissioner)
    response = client.post(
        "/needs/new/",
        {
            "title": "Testshire JENA",
            "area": world.la.pk,
            "period": PERIOD,
            "indicators": [world.indicator.pk],
            "partners": [world.agency.pk],
        },
    )
    assessment = Assessment.objects.get()
    assert response["Location"] == f"/needs/{assessment.pk}/"
    job_page = client.post(f"/needs/{assessment.pk}/compute/")
    job = BackgroundJob.objects.get(kind="needs.compute")
    assert job_page["Location"] == f"/jobs/{job.pk}/" and job.status == JobStatus.SUCCEEDED
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.COMPUTED and assessment.priorities.exists()
    check = client.post(f"/needs/{assessment.pk}/publish/", {"summary": "Loneliness follows."})
    assessment.refresh_from_db()
    assert check.status_code == 200 and not assessment.is_published
    assert "Confirm and publish the assessment" in check.content.decode()
    client.post(f"/needs/{assessment.pk}/publish/", {"summary": "Loneliness.", "confirm": "yes"})
    assessment.refresh_from_db()
    assert assessment.is_published
    assert AuditEvent.objects.filter(
        action="assessment.publish", object_id=str(assessment.pk)
    ).exists()


def test_new_assessment_form_errors_are_summarised_and_nothing_is_created(client, world, cast):
    client.force_login(cast.commissioner)
    response = client.post("/needs/new/", {"title": "", "period": PERIOD})
    page = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in page
    assert "Enter a title" in page and "Choose at least one indicator" in page
    assert not Assessment.objects.exists()


def test_publishing_needs_a_summary(client, world, cast):
    upload(world, SMALL)
    assessment = assess(world)
    client.force_login(cast.commissioner)
    response = client.post(f"/needs/{assessment.pk}/publish/", {"summary": ""})
    assert response.status_code == 400
    assert "Write a short summary" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.COMPUTED


def test_drafts_are_hidden_from_everyone_but_commissioners(client, world, cast):
    upload(world, SMALL)
    assessment = assess(world)
    for user in (cast.stranger, cast.resident, cast.provider, cast.auditor):
        client.force_login(user)
        assert client.get(f"/needs/{assessment.pk}/").status_code == 404
        assert client.get(f"/api/v1/needs/assessments/{assessment.pk}").status_code == 404
        assert client.post(f"/needs/{assessment.pk}/compute/").status_code == 404
    client.force_login(cast.commissioner)
    assert client.get(f"/needs/{assessment.pk}/").status_code == 200


def _published(world, cast):
    upload(world, SMALL, [400] * 20)
    assessment = assess(world)
    from opus.needs.services import assessment_publish

    return assessment_publish(assessment=assessment, summary="Published.", by=cast.commissioner)


def test_the_public_sees_published_figures_with_small_numbers_hidden(client, world, cast):
    assessment = _published(world, cast)
    rows = client.get(
        f"/api/v1/needs/assessments/{assessment.pk}/results",
        {"indicator": "loneliness", "level": "lsoa"},
    ).json()["rows"]
    assert rows[0]["suppressed"] and rows[0]["value"] is None and rows[0]["numerator"] is None
    hidden = [r for r in rows if r["suppressed"]]
    assert len(hidden) == 2  # the small count, and one more so it cannot be worked out
    page = client.get(f"/needs/{assessment.pk}/indicators/loneliness/?level=lsoa").content.decode()
    first_row = page.split("Testshire 000")[1].split("</tr>")[0]
    assert "[c]" in first_row and 'numeric">3</td>' not in first_row


def test_commissioners_see_the_full_figures(client, world, cast):
    assessment = _published(world, cast)
    client.force_login(cast.commissioner)
    rows = client.get(
        f"/api/v1/needs/assessments/{assessment.pk}/results",
        {"indicator": "loneliness", "level": "lsoa"},
    ).json()["rows"]
    assert rows[0]["numerator"] == 3 and not rows[0]["suppressed"]


def test_results_download_as_csv_and_json(client, world, cast):
    assessment = _published(world, cast)
    csv_text = client.get(f"/needs/{assessment.pk}/indicators/loneliness/ward.csv").content.decode(
        "utf-8-sig"
    )
    assert csv_text.splitlines()[0].startswith("code,name,value,lower,upper")
    body = client.get(f"/needs/{assessment.pk}/indicators/loneliness/decile.json").json()
    assert len(body["rows"]) == 10 and body["unit"] == "%"
    assert client.get(f"/needs/{assessment.pk}/indicators/loneliness/ward.xls").status_code == 404


def test_indicator_page_has_charts_with_their_tables(client, world, cast):
    assessment = _published(world, cast)
    page = client.get(f"/needs/{assessment.pk}/indicators/loneliness/").content.decode()
    assert (
        page.count("<svg") == 2 and 'id="results-table"' in page and 'id="gradient-table"' in page
    )
    assert "Slope index of inequality" in page


def test_a_note_on_a_priority_is_saved_and_audited(client, world, cast):
    assessment = _published(world, cast)
    priority = Priority.objects.filter(assessment=assessment).first()
    client.force_login(cast.commissioner)
    client.post(
        f"/needs/{assessment.pk}/priorities/{priority.pk}/note/", {"note": "Fund befriending"}
    )
    priority.refresh_from_db()
    assert priority.note == "Fund befriending"
    assert AuditEvent.objects.filter(
        action="priority.annotate", object_id=str(priority.pk)
    ).exists()
    client.force_login(cast.resident)
    response = client.post(f"/needs/{assessment.pk}/priorities/{priority.pk}/note/", {"note": "x"})
    assert response.status_code == 404


def test_the_results_api_names_a_bad_level(client, world, cast):
    assessment = _published(world, cast)
    response = client.get(
        f"/api/v1/needs/assessments/{assessment.pk}/results",
        {"indicator": "loneliness", "level": "county"},
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "level"


def test_a_commissioner_adds_an_indicator_and_bad_input_is_summarised(client, world, cast):
    client.force_login(cast.commissioner)
    good = {
        "name": "Social isolation", "slug": "isolation", "definition": "Adults with no contact",
        "numerator_label": "Isolated adults", "denominator_label": "Adults", "method": "proportion",
        "multiplier": 100, "unit": "%", "polarity": "high_bad", "source_agency": world.agency.pk,
        "period": PERIOD, "breakdowns": ["disability"],
    }  # fmt: skip
    response = client.post("/needs/indicators/new/", {**good, "method": "mean", "slug": ""})
    page = response.content.decode()
    assert response.status_code == 400 and "cannot compute that method" in page
    assert "Enter a short name" in page
    assert client.post("/needs/indicators/new/", good).status_code == 302
    assert AuditEvent.objects.filter(action="indicator.create", summary__slug="isolation").exists()
    client.force_login(cast.provider)
    assert client.get("/needs/indicators/new/").status_code == 404


def test_a_note_that_is_too_long_is_reported_as_a_problem_not_a_success(client, world, cast):
    assessment = _published(world, cast)
    priority = Priority.objects.filter(assessment=assessment).first()
    client.force_login(cast.commissioner)
    url = f"/needs/{assessment.pk}/priorities/{priority.pk}/note/"
    page = client.post(url, {"note": "x" * 2_001}, follow=True).content.decode()
    assert "There is a problem" in page and "The note was not saved" in page
    priority.refresh_from_db()
    assert priority.note != "x" * 2_001
