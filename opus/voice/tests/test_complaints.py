"""Complaints: made, acknowledged, answered, escalated, forwarded, overdue; private to the
complainant, the body's staff and auditors."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from opus.core.models import AuditEvent, Role
from opus.notifications.models import Notification
from opus.notifications.reminders import send_reminders
from opus.testing import create_consent, create_member
from opus.voice import complaints as svc
from opus.voice.models import Complaint, ComplaintBody, ComplaintStatus, ComplaintStep
from opus.voice.views_complaints import ACTIONS

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _make(cast, **kw):
    fields = {
        "complainant": cast.resident,
        "body": cast.charity,
        "summary": "The visits stopped without warning",
        "events_on": TODAY - timedelta(days=60),
        "by": cast.resident,
    }
    fields.update(kw)
    return svc.complaint_make(**fields)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _told(user, template):
    return Notification.objects.filter(recipient=user, template=template).count()


# ------------------------------------------------------------------ making one


def test_a_resident_makes_a_complaint_with_its_clocks_and_both_sides_are_told(cast):
    complaint = _make(cast, received_on=date(2026, 12, 18) if TODAY >= date(2026, 12, 18) else None)
    stage = complaint.stages.get()
    assert complaint.regime == "lgsco" and complaint.status == ComplaintStatus.RECEIVED
    if complaint.received_on == date(2026, 12, 18):
        assert stage.acknowledge_due == date(2026, 12, 29)  # over Christmas
    assert _told(cast.resident, "complaint_update") == 1
    assert _told(cast.provider, "complaint_received") == 1
    assert _told(cast.commissioner, "complaint_received") == 0
    assert AuditEvent.objects.filter(action="complaint.make").count() == 1


def test_the_page_checks_the_answers_before_sending(cast):
    client = _client(cast.resident)
    data = {
        "body": cast.council.pk,
        "summary": "Nobody came",
        "events_on_day": str((TODAY - timedelta(days=40)).day),
        "events_on_month": str((TODAY - timedelta(days=40)).month),
        "events_on_year": str((TODAY - timedelta(days=40)).year),
    }
    # The charity is not offered: Rosa has no booking with it and names none of its services.
    assert b"Good Neighbours" not in client.get(reverse("voice:complaint_new")).content
    response = client.post(reverse("voice:complaint_new"), data)
    assert response.status_code == 200
    assert b"Check your complaint before you send it" in response.content
    assert not Complaint.objects.exists()
    response = client.post(reverse("voice:complaint_new"), {**data, "confirm": "yes"})
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and response["Location"] == complaint.get_absolute_url()
    page = client.get(complaint.get_absolute_url())
    assert b"The day we receive it is day 0" in page.content
    assert b"Acknowledgement due by" in page.content


def test_a_complaint_about_nobody_shows_the_error_summary_and_saves_nothing(cast):
    client = _client(cast.resident)
    response = client.post(
        reverse("voice:complaint_new"),
        {"summary": "Nobody came", "events_on_day": "1", "events_on_month": "1",
         "events_on_year": str(TODAY.year), "confirm": "yes"},
    )  # fmt: skip
    assert response.status_code == 400
    assert b"There is a problem" in response.content
    assert b"Choose who your complaint is to" in response.content
    assert not Complaint.objects.exists()
    with pytest.raises(svc.ComplaintError, match="Choose who"):
        _make(cast, body=None)
    assert not Complaint.objects.exists()


def test_a_complaint_more_than_twelve_months_late_is_refused(cast):
    with pytest.raises(svc.ComplaintError, match="12 months"):
        _make(cast, events_on=TODAY - timedelta(days=400))
    assert not Complaint.objects.exists()


def test_a_body_in_an_unknown_nation_is_an_error_naming_it(cast):
    ComplaintBody.objects.create(organisation=cast.charity, nation="wales")
    with pytest.raises(ValueError, match="'wales'"):
        _make(cast)


def test_a_champion_needs_consent_to_complain_for_someone(cast):
    with pytest.raises(PermissionDenied):
        _make(cast, by=cast.champion)
    create_consent(person=cast.resident, champion=cast.champion)
    complaint = _make(cast, by=cast.champion)
    assert complaint.made_by == cast.champion and complaint.complainant == cast.resident


# ------------------------------------------------------------------ privacy


def test_only_the_complainant_the_bodys_staff_and_auditors_see_a_complaint(cast):
    complaint = _make(cast)
    url = complaint.get_absolute_url()
    seen = {role: _client(user).get(url).status_code for role, user in cast.by_role().items()}
    assert seen == {
        "resident": 200,  # the complainant
        "champion": 404,  # no consent from Rosa
        "provider": 200,  # staff of Good Neighbours, the body
        "commissioner": 404,
        "councillor": 404,
        "auditor": 200,
        "admin": 404,
    }
    assert _client(cast.stranger).get(url).status_code == 404
    assert Client().get(url).status_code in (302, 404)
    other = create_member(Role.RESIDENT, cast.council)
    assert _client(other).get(url).status_code == 404


def test_a_champion_with_consent_sees_the_complaint(cast):
    complaint = _make(cast)
    create_consent(person=cast.resident, champion=cast.champion)
    assert _client(cast.champion).get(complaint.get_absolute_url()).status_code == 200


def test_the_queue_and_actions_are_only_for_the_bodys_staff(cast):
    complaint = _make(cast)
    act = reverse("voice:complaint_act", args=[complaint.pk, "acknowledge"])
    assert _client(cast.provider).get(reverse("voice:complaint_queue")).status_code == 200
    assert _client(cast.resident).get(reverse("voice:complaint_queue")).status_code == 404
    for user in (cast.resident, cast.auditor, cast.commissioner, cast.admin):
        assert _client(user).post(act, {"handler": user.pk}).status_code == 404
    with pytest.raises(PermissionDenied):
        svc.complaint_acknowledge(complaint=complaint, handler=cast.provider, by=cast.commissioner)


# ------------------------------------------------------------------ handling


def test_acknowledge_answer_escalate_with_another_handler_and_close(cast):
    complaint = _make(cast)
    svc.complaint_acknowledge(complaint=complaint, handler=cast.provider, by=cast.provider)
    stage = complaint.stages.get()
    assert stage.answer_due is not None and stage.handler == cast.provider
    svc.complaint_answer(
        complaint=complaint, outcome="partly_upheld", response="We are sorry",
        remedy="Visits restart", learning="Tell people before stopping", by=cast.provider,
    )  # fmt: skip
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ANSWERED
    svc.complaint_escalate(complaint=complaint, reason="Too little", by=cast.resident)
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ESCALATED and complaint.stage == 2
    with pytest.raises(svc.ComplaintError, match="someone other than stage 1"):
        svc.complaint_acknowledge(complaint=complaint, handler=cast.provider, by=cast.provider)
    manager = create_member(Role.PROVIDER, cast.charity, full_name="Mo Manager")
    svc.complaint_acknowledge(complaint=complaint, handler=manager, by=manager)
    second = complaint.stages.get(number=2)
    assert second.answer_due == second.acknowledged_on + timedelta(days=0) or second.answer_due
    svc.complaint_answer(complaint=complaint, outcome="upheld", response="Fixed", by=manager)
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.CLOSED
    answered = Notification.objects.filter(recipient=cast.resident, template="complaint_answered")
    assert answered.count() == 2
    assert "Local Government and Social Care Ombudsman" in answered.order_by("pk").last().body
    page = _client(cast.resident).get(complaint.get_absolute_url())
    assert b"Your right to go to the Local Government and Social Care Ombudsman" in page.content
    actions = AuditEvent.objects.filter(action__startswith="complaint.").values_list(
        "action", flat=True
    )
    assert sorted(set(actions)) == [
        "complaint.acknowledge", "complaint.answer", "complaint.escalate", "complaint.make",
    ]  # fmt: skip


def test_an_extension_needs_a_reason_and_is_allowed_once(cast):
    complaint = _make(cast)
    stage = svc.complaint_acknowledge(complaint=complaint, handler=cast.provider, by=cast.provider)
    due = stage.answer_due
    with pytest.raises(svc.ComplaintError, match="Enter why"):
        svc.complaint_extend(complaint=complaint, days=5, reason="  ", by=cast.provider)
    stage = svc.complaint_extend(complaint=complaint, days=5, reason="Waiting", by=cast.provider)
    assert stage.answer_due > due
    with pytest.raises(svc.ComplaintError, match="once"):
        svc.complaint_extend(complaint=complaint, days=2, reason="Again", by=cast.provider)
    step = ComplaintStep.objects.get(kind="extended")
    assert (step.due_before, step.due_after, step.reason) == (due, stage.answer_due, "Waiting")


def test_a_pause_needs_a_reason_and_resuming_gives_a_new_date(cast):
    complaint = _make(cast)
    svc.complaint_acknowledge(complaint=complaint, handler=cast.provider, by=cast.provider)
    with pytest.raises(svc.ComplaintError, match="paused"):
        svc.complaint_pause(complaint=complaint, reason="", by=cast.provider)
    svc.complaint_pause(
        complaint=complaint, reason="Waiting for Rosa", on=TODAY - timedelta(days=7),
        by=cast.provider,
    )  # fmt: skip
    before = complaint.stages.get().answer_due
    stage = svc.complaint_resume(complaint=complaint, on=TODAY, by=cast.provider)
    assert stage.paused_days >= 4 and stage.answer_due > before


def test_forwarding_keeps_both_records_and_restarts_the_clock_there(cast):
    complaint = _make(cast, received_on=TODAY - timedelta(days=5))
    there = svc.complaint_forward(
        complaint=complaint, to=cast.council, reason="The council arranges it", by=cast.provider
    )
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.FORWARDED
    assert there.forwarded_from == complaint and there.body == cast.council
    assert there.received_on == TODAY
    assert there.stages.get().acknowledge_due > complaint.stages.get().acknowledge_due
    assert _told(cast.commissioner, "complaint_received") == 1
    # Each body sees its own record; the complainant both.
    assert _client(cast.commissioner).get(there.get_absolute_url()).status_code == 200
    assert _client(cast.commissioner).get(complaint.get_absolute_url()).status_code == 404
    assert _client(cast.provider).get(complaint.get_absolute_url()).status_code == 200
    assert _client(cast.resident).get(there.get_absolute_url()).status_code == 200
    with pytest.raises(svc.ComplaintError, match="another body"):
        svc.complaint_forward(complaint=there, to=cast.council, reason="x", by=cast.commissioner)


# ------------------------------------------------------------------ overdue


def test_an_overdue_complaint_is_flagged_to_the_handler_and_manager_once(cast):
    manager = create_member(Role.PROVIDER, cast.charity, full_name="Mo Manager")
    complaint = _make(cast, received_on=TODAY - timedelta(days=40))
    svc.complaint_acknowledge(
        complaint=complaint, handler=cast.provider, on=TODAY - timedelta(days=39), by=cast.provider
    )
    counts = send_reminders(TODAY)
    assert counts["complaint_overdue"] == 1
    assert _told(cast.provider, "complaint_overdue") == 1
    assert _told(manager, "complaint_overdue") == 1
    assert _told(cast.resident, "complaint_overdue") == 0
    assert send_reminders(TODAY)["complaint_overdue"] == 0
    assert _told(cast.provider, "complaint_overdue") == 1


def test_a_paused_complaint_is_not_overdue(cast):
    complaint = _make(cast, received_on=TODAY - timedelta(days=40))
    svc.complaint_acknowledge(
        complaint=complaint, handler=cast.provider, on=TODAY - timedelta(days=39), by=cast.provider
    )
    svc.complaint_pause(complaint=complaint, reason="Waiting", by=cast.provider)
    assert send_reminders(TODAY)["complaint_overdue"] == 0


def test_the_resident_lists_their_complaints(cast):
    complaint = _make(cast)
    page = _client(cast.resident).get(reverse("voice:complaint_list"))
    assert complaint.reference.encode() in page.content
    assert _client(cast.provider).get(reverse("voice:complaint_list")).status_code == 404


def test_learning_rolls_up_to_the_contract_page_without_names(cast):
    from types import SimpleNamespace

    from django.template import Context, Template

    complaint = _make(cast)
    svc.complaint_acknowledge(complaint=complaint, handler=cast.provider, by=cast.provider)
    svc.complaint_answer(
        complaint=complaint, outcome="upheld", response="Sorry", learning="Ring before a gap",
        by=cast.provider,
    )  # fmt: skip
    contract = SimpleNamespace(supplier=cast.charity, supplier_id=cast.charity.pk)
    html = Template("{% load voice_complaints %}{% contract_complaints contract %}").render(
        Context({"contract": contract})
    )
    assert "Ring before a gap" in html and "Upheld" in html
    assert "Rosa" not in html and "visits stopped" not in html


@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_action_page_opens_for_the_handler(cast, action):
    complaint = _make(cast)
    page = _client(cast.provider).get(reverse("voice:complaint_act", args=[complaint.pk, action]))
    assert page.status_code == 200
    assert b"The day we receive it is day 0" in page.content


def test_the_handler_acknowledges_and_answers_through_the_pages(cast):
    complaint = _make(cast)
    client = _client(cast.provider)
    url = reverse("voice:complaint_act", args=[complaint.pk, "acknowledge"])
    response = client.post(url, {"handler": cast.provider.pk, "on": TODAY.isoformat()})
    assert response.status_code == 302
    url = reverse("voice:complaint_act", args=[complaint.pk, "answer"])
    response = client.post(url, {"outcome": "upheld", "response": "", "on": TODAY.isoformat()})
    assert response.status_code == 400 and b"Enter the answer" in response.content
    response = client.post(url, {"outcome": "upheld", "response": "Sorry", "on": TODAY.isoformat()})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ANSWERED
    page = _client(cast.resident).get(complaint.get_absolute_url())
    assert b"Ask for stage 2" in page.content
    queue = client.get(reverse("voice:complaint_queue") + "?show=all")
    assert complaint.reference.encode() in queue.content


def test_a_bodys_nation_is_set_by_command_and_an_unknown_one_is_refused_by_name(cast):
    from django.core.management import CommandError, call_command

    call_command(
        "complaint_nation", cast.charity.slug, "scotland", stdout=__import__("io").StringIO()
    )
    assert _make(cast).nation == "scotland"
    with pytest.raises(CommandError, match="'wales'"):
        call_command("complaint_nation", cast.charity.slug, "wales")
    with pytest.raises(CommandError, match="No organisation"):
        call_command("complaint_nation", "nowhere", "scotland")
    assert ComplaintBody.objects.get().nation == "scotland"


def test_an_nhs_style_complaint_is_overdue_when_nobody_has_said_why_after_six_months(cast):
    complaint = _make(
        cast, received_on=TODAY - timedelta(days=200), events_on=TODAY - timedelta(days=210)
    )
    complaint.regime = "adult_social_care"  # as for a booking of care
    complaint.save(update_fields=["regime"])
    stage = complaint.stages.get()
    stage.answer_due, stage.tell_why_due = None, TODAY - timedelta(days=15)
    stage.save(update_fields=["answer_due", "tell_why_due"])
    svc.complaint_acknowledge(
        complaint=complaint, handler=cast.provider, on=TODAY - timedelta(days=199), by=cast.provider
    )
    assert send_reminders(TODAY)["complaint_overdue"] == 1
    assert "told why" in Notification.objects.get(template="complaint_overdue").body


def test_a_service_page_leads_to_a_complaint_about_that_service(cast):
    from opus.testing import create_service

    service = create_service(organisation=cast.charity)
    page = _client(cast.resident).get(reverse("directory:service_detail", args=[service.pk]))
    link = f"{reverse('voice:complaint_new')}?service={service.pk}"
    assert link in page.content.decode()
    form = _client(cast.resident).get(link)
    assert form.status_code == 200 and cast.charity.name in form.content.decode()
