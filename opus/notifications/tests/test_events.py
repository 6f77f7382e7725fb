"""The first events: a booking request reaches the provider, the answer reaches the resident."""

from __future__ import annotations

import pytest
from django.core import mail

from opus.choice.services import booking_decide
from opus.notifications.models import Notification
from opus.testing import create_consent

pytestmark = pytest.mark.django_db


def test_a_booking_request_emails_the_providers_staff(
    cast, request_booking, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://opus.northvale.gov.uk"
    with django_capture_on_commit_callbacks(execute=True):
        booking = request_booking()
    [message] = mail.outbox
    assert message.to == ["priya@example.test"]
    assert message.subject == "New booking request for Tea and talk"
    assert "Rosa has asked to book Tea and talk" in message.body
    assert "2 sessions a week at £6 a session (£12 a week), starting on 6 January 2030" in (
        message.body
    )
    assert f"https://opus.northvale.gov.uk/choose/requests/{booking.pk}/" in message.body
    assert "600" not in message.body  # pounds, never pence


def test_accepting_emails_the_resident(cast, request_booking, django_capture_on_commit_callbacks):
    booking = request_booking()
    with django_capture_on_commit_callbacks(execute=True):
        booking_decide(booking=booking, accept=True, reason="See you Tuesday", by=cast.provider)
    [message] = mail.outbox
    assert message.to == ["rosa@example.test"]
    assert message.subject == "Tea and talk has accepted your booking"
    assert "Dear Rosa," in message.body and "See you Tuesday" in message.body
    assert f"/choose/bookings/{booking.pk}/" in message.body


def test_declining_emails_the_resident_and_the_champion_who_asked(
    cast, request_booking, django_capture_on_commit_callbacks
):
    create_consent(person=cast.resident, champion=cast.champion)
    booking = request_booking(by=cast.champion)
    with django_capture_on_commit_callbacks(execute=True):
        booking_decide(booking=booking, accept=False, reason="We are full", by=cast.provider)
    assert sorted(m.to[0] for m in mail.outbox) == ["charlie@example.test", "rosa@example.test"]
    assert all("The provider's reason: We are full" in m.body for m in mail.outbox)
    assert all(m.subject == "Tea and talk could not accept your booking" for m in mail.outbox)


def test_the_providers_answer_on_its_page_emails_the_resident_after_commit(
    cast, client, request_booking, django_capture_on_commit_callbacks
):
    booking = request_booking()
    client.force_login(cast.provider)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/choose/requests/{booking.pk}/", {"decision": "accept"})
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["rosa@example.test"]]
    assert Notification.objects.get(recipient=cast.resident).status == "sent"
    client.force_login(cast.resident)
    page = client.get("/notifications/").content.decode()
    assert "Tea and talk has accepted your booking" in page


def test_consent_given_tells_the_champion_and_withdrawn_tells_the_other_side(
    cast, django_capture_on_commit_callbacks
):
    from opus.choice.services import consent_withdraw

    with django_capture_on_commit_callbacks(execute=True):
        consent = create_consent(person=cast.resident, champion=cast.champion)
    [given] = mail.outbox
    assert given.to == ["charlie@example.test"]
    assert given.subject == "Rosa has asked for your help to choose"
    assert "consent to find, compare, shortlist and book services for them, until" in given.body
    with django_capture_on_commit_callbacks(execute=True):
        consent_withdraw(consent=consent, by=cast.resident)
    withdrawn = mail.outbox[1]
    assert withdrawn.to == ["charlie@example.test"]
    assert "Charlie can no longer act for Rosa" in withdrawn.body

    mail.outbox.clear()
    other = create_consent(person=cast.resident, champion=cast.champion, scope="find")
    with django_capture_on_commit_callbacks(execute=True):
        consent_withdraw(consent=other, by=cast.champion)
    assert [m.to for m in mail.outbox] == [["rosa@example.test"]]
