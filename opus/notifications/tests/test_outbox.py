"""The outbox: a notice exists if and only if its event committed, and is sent after it."""

from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone

from opus.choice.models import Booking
from opus.core.models import AuditEvent
from opus.notifications import delivery, services
from opus.notifications.models import Channel, Notification, Preference, Status
from opus.testing import create_user

pytestmark = pytest.mark.django_db


class BrokenBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class Boom(Exception):
    pass


def test_the_notice_is_written_with_the_event_and_sent_only_after_commit(
    cast, request_booking, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        booking = request_booking()
    notice = Notification.objects.get(recipient=cast.provider)
    assert (notice.status, notice.event, notice.event_object) == (
        Status.QUEUED, "booking.request", f"choice.booking:{booking.pk}"
    )  # fmt: skip
    assert mail.outbox == [] and len(callbacks) == 1  # nothing leaves inside the transaction
    callbacks[0]()
    notice.refresh_from_db()
    assert notice.status == Status.SENT and notice.attempts == 1 and notice.sent_at
    assert [m.to for m in mail.outbox] == [["priya@example.test"]]


def test_no_notice_survives_an_event_that_rolled_back(
    cast, request_booking, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Boom), transaction.atomic():
            request_booking()
            assert Notification.objects.count() == 1
            raise Boom
    assert not Booking.objects.exists()
    assert not Notification.objects.exists()
    assert callbacks == [] and mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_notify_outside_a_transaction_is_refused():
    person = create_user()
    with pytest.raises(RuntimeError, match="inside the transaction"):
        services.notify(recipient=person, template="award_decision",
                        context={"title": "T", "lot": 1, "body": "B"})  # fmt: skip


def test_a_failing_notice_is_retried_then_failed_and_shown_to_administrators(
    cast, client, request_booking, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.BrokenBackend"
    settings.OPUS_NOTIFY_MAX_ATTEMPTS = 3
    with django_capture_on_commit_callbacks(execute=True):
        request_booking()
    notice = Notification.objects.get()
    assert (notice.status, notice.attempts) == (Status.QUEUED, 1)
    assert "SMTPServerDisconnected" in notice.last_error
    first_retry = notice.next_attempt_at
    assert first_retry > timezone.now()

    assert services.send_pending(now=first_retry - timedelta(seconds=1)) == 0  # not yet due
    notice.refresh_from_db()
    assert notice.attempts == 1
    later = first_retry
    for attempts in (2, 3):
        services.send_pending(now=later)
        notice.refresh_from_db()
        assert notice.attempts == attempts
        later = notice.next_attempt_at + timedelta(hours=3)
    assert notice.status == Status.FAILED
    services.send_pending(now=later)  # a failed notice is not tried again, and not deleted
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (Status.FAILED, 3)
    assert AuditEvent.objects.filter(action="notification.failed", object_id=str(notice.pk))
    assert Booking.objects.count() == 1  # the event it tells of stands

    client.force_login(cast.admin)
    page = client.get("/notifications/failed/").content.decode()
    assert "New booking request for Tea and talk" in page and "priya@example.test" in page
    for person in (cast.provider, cast.resident, cast.commissioner, cast.auditor, cast.stranger):
        client.force_login(person)
        assert client.get("/notifications/failed/").status_code == 404


def test_the_command_sends_what_is_due(cast, request_booking, settings, capsys):
    from django.core.management import call_command

    request_booking()  # its task never ran (the test's transaction never commits)
    call_command("send_pending_notifications")
    assert Notification.objects.get().status == Status.SENT
    assert [m.to for m in mail.outbox] == [["priya@example.test"]]
    assert "1 sent" in capsys.readouterr().out


def test_switched_off_email_is_not_sent_but_essential_letters_are(cast, request_booking):
    Preference.objects.create(user=cast.provider, email_off=["bookings"])
    request_booking()
    assert not Notification.objects.filter(recipient=cast.provider).exists()
    with transaction.atomic():
        services.notify(recipient=cast.provider, template="award_decision",
                        context={"title": "Day care", "lot": 1, "body": "Your bid…"})  # fmt: skip
    assert Notification.objects.get(recipient=cast.provider).template == "award_decision"


class FakeNotify:
    """Stands in for NotificationsAPIClient: records calls, never reaches the network."""

    calls: list[tuple[str, dict]] = []
    fail_with: int | None = None

    def __init__(self, api_key):
        self.calls.append(("init", {"api_key": api_key}))

    def _answer(self, kind, arguments):
        if self.fail_with:
            from notifications_python_client.errors import HTTPError

            raise HTTPError(type("Response", (), {"status_code": self.fail_with, "json": dict})())
        self.calls.append((kind, arguments))
        return {"id": f"notify-{len(self.calls)}"}

    def send_email_notification(self, **arguments):
        return self._answer("email", arguments)

    def send_sms_notification(self, **arguments):
        return self._answer("sms", arguments)


@pytest.fixture
def notify_client(settings, monkeypatch):
    settings.OPUS_NOTIFY_API_KEY = "test-key"
    settings.OPUS_NOTIFY_EMAIL_TEMPLATE_ID = "email-template"
    settings.OPUS_NOTIFY_SMS_TEMPLATE_ID = "sms-template"
    FakeNotify.calls, FakeNotify.fail_with = [], None
    monkeypatch.setattr(delivery, "NotifyClient", FakeNotify)
    return FakeNotify


def test_with_a_notify_key_email_and_sms_go_through_notify(
    cast, request_booking, service, notify_client
):
    from opus.choice.services import booking_decide

    Preference.objects.create(user=cast.resident, sms_on=["bookings"], mobile="07700900982")
    booking = request_booking()
    booking_decide(booking=booking, accept=True, reason="", by=cast.provider)
    rows = Notification.objects.filter(recipient=cast.resident)
    assert sorted(rows.values_list("channel", "address")) == [
        (Channel.EMAIL, "rosa@example.test"), (Channel.SMS, "07700900982")
    ]  # fmt: skip
    assert services.send_pending() == 3  # the provider's request, the resident's two answers
    kinds = [kind for kind, _ in notify_client.calls]
    assert kinds.count("init") == 3 and notify_client.calls[0][1] == {"api_key": "test-key"}
    email = next(a for k, a in notify_client.calls if k == "email" and
                 a["email_address"] == "rosa@example.test")  # fmt: skip
    assert email["template_id"] == "email-template"
    assert email["personalisation"]["subject"] == "Tea and talk has accepted your booking"
    sms = next(a for k, a in notify_client.calls if k == "sms")
    assert sms["phone_number"] == "07700900982" and sms["template_id"] == "sms-template"
    assert "2 sessions a week at £6 a session (£12 a week)" in sms["personalisation"]["body"]
    assert mail.outbox == []
    assert set(rows.values_list("provider_reference", flat=True)) <= {
        f"notify-{n}" for n in range(10)
    }


def test_notify_refusing_a_notice_fails_it_at_once(cast, request_booking, notify_client):
    notify_client.fail_with = 400  # a bad address: trying again cannot help
    request_booking()
    services.send_pending()
    notice = Notification.objects.get()
    assert (notice.status, notice.attempts) == (Status.FAILED, 1)
    assert notice.last_error.startswith("GOV.UK Notify: 400")


def test_without_notify_no_text_message_is_written(cast, request_booking):
    Preference.objects.create(user=cast.resident, sms_on=["bookings"], mobile="07700900982")
    from opus.choice.services import booking_decide

    booking_decide(booking=request_booking(), accept=True, reason="", by=cast.provider)
    assert not Notification.objects.filter(channel=Channel.SMS).exists()


def test_with_the_database_worker_a_retry_is_queued_for_when_it_is_due(
    cast, request_booking, settings
):
    from django_tasks import default_task_backend
    from django_tasks_db.models import DBTaskResult

    settings.EMAIL_BACKEND = f"{__name__}.BrokenBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert default_task_backend.supports_defer
    request_booking()
    notice = Notification.objects.get()
    assert services.notification_send(notification_id=notice.pk) == Status.QUEUED
    notice.refresh_from_db()
    [retry] = DBTaskResult.objects.filter(task_path__endswith="send_notification")
    assert retry.args_kwargs["args"] == [notice.pk]
    assert retry.run_after == notice.next_attempt_at


def test_a_notice_left_sending_by_a_stopped_worker_is_sent_again(cast, request_booking):
    request_booking()
    notice = Notification.objects.get()
    started = timezone.now() - services.STALE_SENDING - timedelta(minutes=1)
    Notification.objects.filter(pk=notice.pk).update(
        status=Status.SENDING, attempts=1, next_attempt_at=started
    )
    assert services.send_pending() == 1
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (Status.SENT, 2)


def test_the_deployment_check_warns_when_notices_would_only_reach_the_console(settings):
    from opus.notifications.checks import notices_reach_people

    settings.OPUS_NOTIFY_API_KEY = ""
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    assert [w.id for w in notices_reach_people(None)] == ["opus.notifications.W001"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert notices_reach_people(None) == []
    settings.OPUS_NOTIFY_API_KEY = "key"
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    assert notices_reach_people(None) == []


def test_a_text_message_goes_only_for_the_categories_chosen(cast, request_booking, notify_client):
    from opus.choice.services import booking_decide

    Preference.objects.create(user=cast.resident, sms_on=["consent"], mobile="07700900982")
    booking_decide(booking=request_booking(), accept=True, reason="", by=cast.provider)
    services.send_pending()
    assert [kind for kind, _ in notify_client.calls if kind != "init"] == ["email", "email"]
    assert not Notification.objects.filter(channel=Channel.SMS).exists()
