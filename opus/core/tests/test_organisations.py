"""Organisations: anyone can find them; provider staff edit their own, with clear errors."""

import pytest
from django.urls import reverse

from opus.core.models import AuditEvent, Organisation, OrganisationKind, Role, VerificationStatus
from opus.testing import create_member, create_organisation

pytestmark = pytest.mark.django_db

GOOD = {
    "name": "Good Neighbours",
    "kind": OrganisationKind.CHARITY,
    "description": "Befriending and lunch clubs",
    "size_band": "small",
    "charity_number": "1234567",
    "company_number": "",
    "org_id": "GB-CHC-1234567",
    "address": "1 High Street",
    "postcode": "sw1a1aa",
    "website": "https://good.example",
    "email": "hello@good.example",
}


def test_anyone_can_search_organisations_by_name_and_kind(client, cast):
    create_organisation(name="Riverside Mutual", kind=OrganisationKind.MUTUAL)
    page = client.get("/organisations/", {"q": "riverside"}).content.decode()
    assert "Riverside Mutual" in page and "Good Neighbours" not in page
    page = client.get("/organisations/", {"kind": "mutual"}).content.decode()
    assert "Riverside Mutual" in page and "Testshire Council" not in page


def test_provider_staff_edit_their_own_organisation_and_it_is_audited(client, cast):
    client.force_login(cast.provider)
    response = client.post("/organisations/good-neighbours/edit/", GOOD)
    assert response.status_code == 302
    charity = Organisation.objects.get(pk=cast.charity.pk)
    assert charity.postcode == "SW1A 1AA"
    assert charity.org_id == "GB-CHC-1234567"
    event = AuditEvent.objects.get(action="organisation.update")
    assert event.actor == cast.provider
    assert event.summary["after"]["charity_number"] == "1234567"
    assert event.summary["before"]["charity_number"] == ""


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("charity_number", "12", "is not a charity number"),
        ("company_number", "ABC", "is not a Companies House number"),
        ("org_id", "GB-COH-1234567", "should be written GB-COH-01234567"),
        ("postcode", "XX1 1XX", "is not a UK postcode"),
        ("name", "", "Enter the organisation"),
    ],
)
def test_bad_details_show_the_error_summary_keep_the_input_and_change_nothing(
    client, cast, field, value, message
):
    client.force_login(cast.provider)
    events = AuditEvent.objects.count()
    response = client.post("/organisations/good-neighbours/edit/", {**GOOD, field: value})
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page and "govuk-error-summary" in page
    assert message in page.replace("&#x27;", "'")
    assert 'value="Befriending' in page or "Befriending and lunch clubs" in page
    assert Organisation.objects.get(pk=cast.charity.pk).description == ""
    assert AuditEvent.objects.count() == events


def test_provider_staff_cannot_edit_someone_elses_organisation(client, cast):
    client.force_login(cast.provider)
    assert client.get("/organisations/testshire-council/edit/").status_code == 404
    assert client.post("/organisations/testshire-council/edit/", GOOD).status_code == 404
    assert Organisation.objects.get(pk=cast.council.pk).name == "Testshire Council"


def test_organisation_page_offers_editing_only_to_its_staff(client, cast):
    client.force_login(cast.provider)
    assert "Edit these details" in client.get("/organisations/good-neighbours/").content.decode()
    client.force_login(cast.resident)
    assert (
        "Edit these details" not in client.get("/organisations/good-neighbours/").content.decode()
    )


def test_organisation_list_runs_a_fixed_number_of_queries(
    client, cast, django_assert_max_num_queries
):
    for i in range(30):
        create_organisation(name=f"Extra {i}")
    with django_assert_max_num_queries(4):
        assert client.get("/organisations/").status_code == 200


def test_an_organisation_waiting_for_verification_is_not_public_yet(client):
    waiting = create_organisation(name="Brand New Mutual")
    Organisation.objects.filter(pk=waiting.pk).update(
        verification_status=VerificationStatus.PENDING
    )
    assert "Brand New Mutual" not in client.get(reverse("core:organisation_list")).text
    detail = reverse("core:organisation_detail", args=[waiting.slug])
    assert client.get(detail).status_code == 404
    client.force_login(create_member(Role.PROVIDER, waiting))
    assert client.get(detail).status_code == 200
