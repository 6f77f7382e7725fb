"""Casework pages: asking the councillor, the council's list, referring and answering."""

import pytest
from django.urls import reverse

from opus.neighbourhoods import casework
from opus.neighbourhoods.models import Case, CaseStatus
from opus.neighbourhoods.tests.conftest import make_hood
from opus.testing import create_organisation

pytestmark = pytest.mark.django_db


def test_a_resident_asks_their_councillor_found_from_their_postcode(cast, client):
    make_hood(cast)
    client.force_login(cast.resident)
    page = client.get(reverse("neighbourhoods:case_new")).content.decode()
    assert "not a formal complaint" in page
    response = client.post(
        reverse("neighbourhoods:case_new"),
        {"postcode": "nv1 1aa", "subject": "Broken lamp", "details": "By the park"},
    )
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("neighbourhoods:case_detail", args=[case.pk])
    assert case.resident == cast.resident and case.council == cast.parish


def test_a_postcode_outside_every_council_asks_to_choose_and_saves_nothing(cast, client):
    make_hood(cast)
    client.force_login(cast.resident)
    response = client.post(
        reverse("neighbourhoods:case_new"),
        {"postcode": "SW1A 1AA", "subject": "Broken lamp", "details": "By the park"},
    )
    page = response.content.decode()
    assert "There is a problem" in page and "choose one" in page
    assert not Case.objects.exists()


def test_a_case_without_details_shows_the_error_summary_and_saves_nothing(cast, client):
    client.force_login(cast.resident)
    response = client.post(
        reverse("neighbourhoods:case_new"), {"council": cast.parish.pk, "subject": "Lamp"}
    )
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not Case.objects.exists()


def test_the_councillor_lists_refers_and_answers(cast, client):
    case = casework.case_raise(
        council=cast.parish, resident=cast.resident, subject="Broken lamp", details="x",
        by=cast.resident,
    )  # fmt: skip
    body = create_organisation(name="Highways Agency")
    client.force_login(cast.councillor)
    listing = client.get(reverse("neighbourhoods:case_list")).content.decode()
    assert "Broken lamp" in listing and 'class="opus-table-scroll"' in listing
    client.post(reverse("neighbourhoods:case_start", args=[case.pk]))
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    client.post(
        reverse("neighbourhoods:case_refer", args=[case.pk]),
        {"body": body.pk, "note": "Please fix it"},
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.REFERRED and case.referred_to == body
    client.post(reverse("neighbourhoods:case_answer", args=[case.pk]), {"answer": "Fixed"})
    case.refresh_from_db()
    assert case.status == CaseStatus.ANSWERED
    client.force_login(cast.resident)
    page = client.get(reverse("neighbourhoods:case_detail", args=[case.pk])).content.decode()
    assert "Fixed" in page and "Highways Agency" in page


def test_the_resident_cannot_open_the_councillors_forms(cast, client):
    case = casework.case_raise(
        council=cast.parish, resident=cast.resident, subject="Lamp", details="x", by=cast.resident
    )
    client.force_login(cast.resident)
    assert client.get(reverse("neighbourhoods:case_answer", args=[case.pk])).status_code == 404
    assert client.post(reverse("neighbourhoods:case_start", args=[case.pk])).status_code == 404


def test_the_residents_dashboard_links_to_their_councillor(cast, client):
    client.force_login(cast.resident)
    page = client.get(reverse("core:dashboard_role", args=["resident"])).content.decode()
    assert "Ask your neighbourhood councillor" in page
    assert reverse("neighbourhoods:case_new") in page
