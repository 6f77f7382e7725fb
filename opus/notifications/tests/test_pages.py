"""A person's own messages page, and their choices of how to be contacted."""

from __future__ import annotations

import pytest
from django.db import transaction

from opus.core.models import AuditEvent
from opus.notifications import services
from opus.notifications.models import Notification, Preference
from opus.notifications.views import PAGE_SIZE

pytestmark = pytest.mark.django_db


def _letter(recipient, title):
    with transaction.atomic():
        services.notify(recipient=recipient, template="award_decision",
                        context={"title": title, "lot": 1, "body": f"About {title}"})  # fmt: skip


def test_a_person_sees_only_what_was_sent_to_them_newest_first(cast, client):
    _letter(cast.provider, "Day care")
    _letter(cast.provider, "Meals")
    _letter(cast.resident, "Rosa's secret")
    client.force_login(cast.provider)
    page = client.get("/notifications/").content.decode()
    assert page.index("Meals") < page.index("Day care")
    assert "Rosa&#x27;s secret" not in page and "Rosa's secret" not in page
    client.force_login(cast.stranger)
    assert "Day care" not in client.get("/notifications/").content.decode()


def test_the_page_needs_signing_in_and_is_paginated(cast, client):
    assert client.get("/notifications/").status_code == 302
    for n in range(PAGE_SIZE + 1):
        _letter(cast.resident, f"Letter {n:02d}")
    client.force_login(cast.resident)
    first = client.get("/notifications/").content.decode()
    second = client.get("/notifications/?page=2").content.decode()
    assert f"Letter {PAGE_SIZE:02d}" in first and "Letter 00" not in first
    assert "Letter 00" in second and 'rel="prev"' in second
    assert client.get("/notifications/?page=99999").status_code == 200


def test_a_resident_chooses_text_messages_with_a_mobile_number(cast, client):
    client.force_login(cast.resident)
    response = client.post("/notifications/preferences/", {
        "email_on": ["consent", "procurement", "account"], "sms_on": ["bookings"],
        "mobile": "+44 7700 900982",
    })  # fmt: skip
    assert response.status_code == 302
    preference = Preference.objects.get(user=cast.resident)
    assert preference.email_off == ["bookings"] and preference.sms_on == ["bookings"]
    assert preference.mobile == "07700900982"
    event = AuditEvent.objects.get(action="notification_preference.update")
    assert event.actor == cast.resident and "07700" not in str(event.summary)


def test_text_messages_without_a_mobile_number_are_refused_and_nothing_is_saved(cast, client):
    client.force_login(cast.resident)
    response = client.post("/notifications/preferences/", {"sms_on": ["bookings"], "mobile": ""})
    page = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in page
    assert "Enter a mobile phone number to get text messages" in page
    response = client.post("/notifications/preferences/", {"sms_on": ["bookings"],
                                                           "mobile": "12345"})  # fmt: skip
    assert "Enter a UK mobile phone number" in response.content.decode()
    assert not Preference.objects.exists()


def test_staff_are_not_offered_text_messages(cast, client):
    client.force_login(cast.provider)
    page = client.get("/notifications/preferences/").content.decode()
    assert "E-mail me about" in page and "Text me about" not in page
    client.post("/notifications/preferences/", {"email_on": ["account"], "sms_on": ["bookings"],
                                                "mobile": "07700900982"})  # fmt: skip
    preference = Preference.objects.get(user=cast.provider)
    assert preference.sms_on == [] and preference.mobile == ""


def test_nobody_changes_another_persons_choices(cast):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.preference_update(user=cast.resident, by=cast.admin, email_off=["bookings"],
                                   sms_on=[], mobile="")  # fmt: skip
    assert not Preference.objects.exists() and not Notification.objects.exists()


def test_the_administrators_dashboard_links_to_the_failed_messages(cast, client):
    client.force_login(cast.admin)
    assert (
        'href="/notifications/failed/"' in client.get("/dashboard/", follow=True).content.decode()
    )


def test_the_preferences_page_says_text_messages_need_a_mobile_and_notify(cast, client, settings):
    client.force_login(cast.resident)
    page = client.get("/notifications/preferences/").content.decode()
    assert "Text messages need a UK mobile phone number" in page
    assert "GOV.UK Notify, which it has to set up first" in page
    assert "The council has not set up text messages yet" in page
    settings.OPUS_NOTIFY_API_KEY = "test-key"
    settings.OPUS_NOTIFY_SMS_TEMPLATE_ID = "sms-template"
    page = client.get("/notifications/preferences/").content.decode()
    assert "Text messages need a UK mobile phone number" in page
    assert "The council has not set up text messages yet" not in page
