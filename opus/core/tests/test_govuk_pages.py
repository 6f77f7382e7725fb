"""GOV.UK patterns on every page: the feedback link, the job page a person refreshes, CSV downloads
that spreadsheets open correctly, and a complete accessibility statement and privacy notice."""

import codecs
import csv
import io

import pytest
from django.core.checks import run_checks
from django.http import HttpResponse

from opus.core import csvsafe
from opus.core.models import BackgroundJob, JobStatus
from opus.testing import create_area

pytestmark = pytest.mark.django_db


def test_the_phase_banner_links_to_feedback(client, settings):
    settings.OPUS_FEEDBACK_URL = "https://forms.example/opus-feedback"
    page = client.get("/").content.decode()
    banner = page[page.index("govuk-phase-banner") :][:1200]
    assert 'href="https://forms.example/opus-feedback"' in banner and "give your feedback" in banner


def test_a_running_job_page_does_not_refresh_itself_but_offers_check_progress(client, cast):
    job = BackgroundJob.objects.create(
        kind="audit_verify", title="Verify the audit log", requested_by=cast.auditor,
        status=JobStatus.RUNNING, done=3, total=10,
    )  # fmt: skip
    client.force_login(cast.auditor)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "http-equiv" not in page and "setTimeout" not in page and "setInterval" not in page
    assert 'id="check-progress"' in page and f'href="/jobs/{job.pk}/"' in page
    assert "Check progress" in page and 'value="30"' in page


def test_a_finished_job_page_has_no_check_progress_button(client, cast):
    client.force_login(cast.auditor)
    response = client.post("/audit/verify/")
    page = client.get(response["Location"]).content.decode()
    assert "Check progress" not in page and "http-equiv" not in page


def test_csv_written_to_a_download_starts_with_a_byte_order_mark():
    response = HttpResponse(content_type="text/csv")
    csvsafe.writer(response).writerow(["name", "=1+1"])
    assert response.content == codecs.BOM_UTF8 + b"name,'=1+1\r\n"
    response = HttpResponse(content_type="text/csv")
    writer = csvsafe.DictWriter(response, fieldnames=["a"])
    writer.writeheader()
    writer.writerow({"a": "£5"})
    assert response.content == codecs.BOM_UTF8 + "a\r\n£5\r\n".encode()
    # Text written elsewhere (not a download) is left as it is.
    out = io.StringIO()
    csvsafe.writer(out).writerow(["a"])
    assert out.getvalue() == "a\r\n"


def test_downloads_start_with_a_byte_order_mark_and_escape_formulas(client, cast):
    create_area(code="E01900123", name="=cmd|' /C calc'!A0", imd_domains={"income": 0.3})
    for url in ("/areas/E01900123/deprivation.csv", "/commissioning/diversity.csv"):
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        assert response.content.startswith(codecs.BOM_UTF8), url
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0][0] and not rows[0][0].startswith("\ufeff")
    client.force_login(cast.auditor)
    assert client.get("/audit/heads.csv").content.startswith(codecs.BOM_UTF8)


def test_csvsafe_download_names_the_file_and_does_not_double_the_mark():
    response = csvsafe.download("statement.csv", "\ufeffa,b\r\n")
    assert response["Content-Disposition"] == 'attachment; filename="statement.csv"'
    assert response.content == codecs.BOM_UTF8 + b"a,b\r\n"


def test_the_accessibility_statement_follows_the_model_statement(client, settings):
    settings.OPUS_COUNCIL_NAME = "Northvale Council"
    settings.OPUS_COUNCIL_EMAIL = "access@northvale.example"
    page = client.get("/accessibility/").content.decode()
    for heading in (
        "How accessible this website is",
        "Feedback and contact information",
        "Reporting accessibility problems with this website",
        "Enforcement procedure",
        "Compliance status",
        "Non-accessible content",
        "Preparation of this accessibility statement",
    ):
        assert heading in page, heading
    assert "partially compliant" in page and "Swagger" in page
    assert "Equality and Human Rights Commission" in page and "(ECNI)" in page
    assert "Northvale Council" in page and "mailto:access@northvale.example" in page


def test_the_privacy_notice_names_the_controller_bases_retention_and_rights(client, settings):
    settings.OPUS_COUNCIL_NAME = "Northvale Council"
    settings.OPUS_DPO_EMAIL = "dpo@northvale.example"
    page = client.get("/privacy/").content.decode()
    assert "Northvale Council is the data controller" in page
    assert "mailto:dpo@northvale.example" in page
    for words in ("Special category data", "equalities", "consent records", "Public task",
                  "Article 9(2)(h)", "How long we keep it", "subject access request",
                  "Information Commissioner", "0303 123 1113"):  # fmt: skip
        assert words in page, words


def test_production_warns_while_the_council_is_a_placeholder(settings):
    settings.PRODUCTION = True
    settings.OPUS_COUNCIL_NAME = "Example Council"
    settings.OPUS_COUNCIL_EMAIL = "opus@northvale.example"
    warnings = [m for m in run_checks() if m.id == "opus.W001"]
    assert [w.msg.split(" ")[0] for w in warnings] == ["OPUS_COUNCIL_NAME"]
    settings.OPUS_COUNCIL_NAME = "Northvale Council"
    assert not [m for m in run_checks() if m.id == "opus.W001"]
    settings.PRODUCTION = False
    settings.OPUS_COUNCIL_NAME = "Example Council"
    assert not [m for m in run_checks() if m.id == "opus.W001"]
