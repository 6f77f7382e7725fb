"""A resident finds, compares and chooses; a Choice Champion does the same only with consent."""

from datetime import timedelta

import pytest
from django.utils import timezone

from opus.choice.models import Booking, BookingStatus, ChoiceRecord, Consent
from opus.choice.services import consent_grant
from opus.core.models import AuditEvent

from .conftest import answer_questions

pytestmark = pytest.mark.django_db

START = (timezone.localdate() + timedelta(days=7)).isoformat()


def _choose(client, service):
    return client.post(
        f"/choose/services/{service.pk}/choose/",
        {"units_per_week": "2", "start_date": START, "message": "Mornings please"},
    )


def test_a_resident_finds_compares_and_chooses_a_provider(client, cast, offers):
    client.force_login(cast.resident)
    page = answer_questions(client).content.decode()
    assert "Tea and talk" in page and "£12 an hour — within your budget" in page
    for service in offers[:2]:
        client.post(f"/choose/shortlist/{service.pk}/add/")
    comparison = client.get(
        "/choose/compare/", {"service": [str(s.pk) for s in offers[:2]], "units": "2"}
    ).content.decode()
    assert 'id="comparison"' in comparison and "£24<" in comparison and "£30<" in comparison
    response = _choose(client, offers[0])
    booking = Booking.objects.get()
    assert response["Location"] == f"/choose/bookings/{booking.pk}/"
    assert booking.weekly_pence == 2400 and booking.status == BookingStatus.REQUESTED
    assert ChoiceRecord.objects.get().needs == ["befriending"]
    client.force_login(cast.provider)
    client.post(f"/choose/requests/{booking.pk}/", {"decision": "accept", "reason": ""})
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ACCEPTED and booking.decided_by == cast.provider
    assert AuditEvent.objects.filter(action="booking.accepted", object_id=str(booking.pk)).exists()


def test_a_champion_chooses_for_a_consenting_resident_and_every_look_is_logged(
    client, cast, offers
):
    consent_grant(
        person=cast.resident,
        champion=cast.champion,
        scope="choose",
        expires_at=timezone.now() + timedelta(days=30),
    )
    client.force_login(cast.champion)
    assert "Rosa" in client.get("/choose/caseload/").content.decode()
    client.post(f"/choose/caseload/{cast.resident.pk}/act/")
    page = answer_questions(client).content.decode()
    assert "You are acting for Rosa" in page
    client.post(f"/choose/shortlist/{offers[0].pk}/add/")
    client.get("/choose/shortlist/")
    _choose(client, offers[0])
    booking = Booking.objects.get()
    assert booking.person == cast.resident and booking.requested_by == cast.champion
    assert ChoiceRecord.objects.get().assisted
    views = AuditEvent.objects.filter(
        action="resident.view", actor=cast.champion, object_id=str(cast.resident.pk)
    )
    assert views.exists()


def test_without_consent_a_champion_is_refused(client, cast, offers):
    client.force_login(cast.champion)
    assert client.post(f"/choose/caseload/{cast.resident.pk}/act/").status_code == 404
    session = client.session
    session["opus_acting_for"] = cast.resident.pk  # as if they tried to forge it
    session.save()
    assert client.get("/choose/shortlist/").status_code == 404
    assert _choose(client, offers[0]).status_code == 404
    assert not Booking.objects.exists()


def test_withdrawn_or_find_only_consent_does_not_let_a_champion_book(client, cast, offers):
    consent = consent_grant(
        person=cast.resident,
        champion=cast.champion,
        scope="find",
        expires_at=timezone.now() + timedelta(days=30),
    )
    client.force_login(cast.champion)
    client.post(f"/choose/caseload/{cast.resident.pk}/act/")
    assert client.get("/choose/shortlist/").status_code == 200
    assert _choose(client, offers[0]).status_code == 404
    client.force_login(cast.resident)
    client.post(f"/choose/help/{consent.pk}/withdraw/")
    assert Consent.objects.get().withdrawn_at is not None
    client.force_login(cast.champion)
    assert client.get("/choose/shortlist/").status_code == 404


def test_a_resident_gives_consent_on_a_page_and_bad_input_is_summarised(client, cast):
    client.force_login(cast.resident)
    response = client.post("/choose/help/", {"champion": "", "scope": "", "until": "yesterday"})
    page = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in page
    assert "Choose the Choice Champion" in page and "The last day must be a real date" in page
    until = (timezone.localdate() + timedelta(days=60)).isoformat()
    client.post("/choose/help/", {"champion": cast.champion.pk, "scope": "choose", "until": until})
    consent = Consent.objects.get()
    assert consent.champion == cast.champion and consent.is_active()
    assert AuditEvent.objects.filter(action="consent.grant").exists()


@pytest.mark.parametrize(
    "step, data, message",
    [
        ("needs", {}, "Choose at least one thing you need help with"),
        ("where", {"postcode": "XX1 1XX", "max_distance_km": "10"}, "is not a UK postcode"),
        ("where", {"postcode": "ZY1 1AA", "max_distance_km": "500"}, "200 km or less"),
        ("when", {"max_price": "lots"}, "Enter an amount in pounds"),
    ],
)
def test_bad_answers_are_named_and_kept_out(client, step, data, message):
    response = client.post(f"/choose/questions/{step}/", data)
    page = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 400 and "There is a problem" in page and message in page


def test_comparing_needs_two_or_three_services_and_a_sensible_amount(client, cast, offers):
    client.force_login(cast.resident)
    for service in offers:
        client.post(f"/choose/shortlist/{service.pk}/add/")
    response = client.get("/choose/compare/", {"service": [str(offers[0].pk)]})
    assert response.status_code == 400 and "Choose two or three" in response.content.decode()
    both = [str(s.pk) for s in offers[:2]]
    response = client.get("/choose/compare/", {"service": both, "units": "lots"})
    assert response.status_code == 400 and "as a number, like 2" in response.content.decode()


def test_a_provider_must_give_a_reason_to_decline(client, cast, offers):
    client.force_login(cast.resident)
    _choose(client, offers[0])
    booking = Booking.objects.get()
    client.force_login(cast.provider)
    response = client.post(f"/choose/requests/{booking.pk}/", {"decision": "decline", "reason": ""})
    assert response.status_code == 400 and "Give the person a reason" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.REQUESTED


def test_other_providers_and_strangers_cannot_see_a_booking(client, cast, offers):
    client.force_login(cast.resident)
    _choose(client, offers[0])
    booking = Booking.objects.get()
    for user in (cast.stranger, cast.commissioner, cast.councillor):
        client.force_login(user)
        assert client.get(f"/choose/bookings/{booking.pk}/").status_code == 404, user
        assert client.get(f"/choose/requests/{booking.pk}/").status_code == 404, user
