"""The council's entry pages: its officers add a meeting with its agenda, record decisions with
votes, check and publish the minutes; a councillor declares an interest. Others get nothing."""

import datetime as dt

from django.urls import reverse

from opus.core.models import AuditEvent, Role
from opus.neighbourhoods import councils
from opus.neighbourhoods.models import Declaration, Meeting, MeetingDecision
from opus.testing import create_member


def _meeting(cast):
    return councils.meeting_create(
        council=cast.parish, held_on=dt.date(2026, 12, 1), title="December meeting",
        agenda="1. Benches", by=cast.councillor,
    )  # fmt: skip


def test_a_councillor_adds_a_meeting_with_its_agenda(client, cast):
    client.force_login(cast.councillor)
    url = reverse("neighbourhoods:council_meeting_new", args=[cast.parish.slug])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"title": "January meeting", "held_on_day": "12", "held_on_month": "1",
         "held_on_year": "2027", "agenda": "1. Play area"},
    )  # fmt: skip
    assert response.status_code == 302
    meeting = Meeting.objects.get(council=cast.parish)
    assert meeting.held_on == dt.date(2027, 1, 12) and meeting.agenda == "1. Play area"
    assert AuditEvent.objects.filter(action="council.meeting_create").exists()
    manage = client.get(reverse("neighbourhoods:council_manage", args=[cast.parish.slug]))
    body = manage.content.decode()
    assert "January meeting" in body and "Not published" in body


def test_a_meeting_without_a_title_or_with_a_bad_date_is_refused_and_kept(client, cast):
    client.force_login(cast.councillor)
    url = reverse("neighbourhoods:council_meeting_new", args=[cast.parish.slug])
    response = client.post(
        url, {"title": "", "held_on_day": "31", "held_on_month": "2", "held_on_year": "2027",
              "agenda": "Kept agenda"},
    )  # fmt: skip
    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in body
    assert "Kept agenda" in body
    assert not Meeting.objects.exists()


def test_a_decision_is_recorded_with_its_votes_and_votes_are_bounded(client, cast):
    meeting = _meeting(cast)
    client.force_login(cast.councillor)
    url = reverse("neighbourhoods:council_decide", args=[cast.parish.slug, meeting.pk])
    bad = client.post(
        url, {"text": "Fund the benches", "votes_for": "5000", "votes_against": "0",
              "abstentions": "0"},
    )  # fmt: skip
    assert "There is a problem" in bad.content.decode()
    assert not MeetingDecision.objects.exists()
    client.post(
        url, {"text": "Fund the benches", "votes_for": "5", "votes_against": "1",
              "abstentions": "2"},
    )  # fmt: skip
    decision = MeetingDecision.objects.get(meeting=meeting)
    assert (decision.votes_for, decision.votes_against, decision.abstentions) == (5, 1, 2)


def test_minutes_are_checked_before_they_are_published(client, cast):
    meeting = _meeting(cast)
    councils.meeting_decide(
        meeting=meeting, text="Fund the benches", votes_for=5, votes_against=1, abstentions=0,
        by=cast.councillor,
    )  # fmt: skip
    public = reverse("neighbourhoods:council_meetings", args=[cast.parish.slug])
    client.force_login(cast.councillor)
    url = reverse("neighbourhoods:council_minutes", args=[cast.parish.slug, meeting.pk])
    check = client.post(url, {"minutes": "All present."})
    body = check.content.decode()
    assert "Check the minutes before you publish them" in body and "All present." in body
    meeting.refresh_from_db()
    assert meeting.published_at is None
    assert "Fund the benches" not in client.get(public).content.decode()
    changed = client.post(url, {"minutes": "All present.", "change": "yes", "confirm": "yes"})
    assert "All present." in changed.content.decode()
    meeting.refresh_from_db()
    assert meeting.published_at is None
    done = client.post(url, {"minutes": "All present.", "confirm": "yes"})
    assert done.status_code == 302
    meeting.refresh_from_db()
    assert meeting.published_at is not None and meeting.minutes == "All present."
    body = client.get(public).content.decode()
    assert "Fund the benches" in body and "All present." in body


def test_a_clerk_can_keep_the_minutes_but_not_declare_and_others_see_nothing(
    client, cast, other_councillor
):
    meeting = _meeting(cast)
    clerk = create_member(Role.RESIDENT, cast.council, email="cleo@example.test")
    councils.clerk_appoint(council=cast.parish, user=clerk, by=cast.councillor)
    client.force_login(clerk)
    slug = cast.parish.slug
    assert client.get(reverse("neighbourhoods:council_manage", args=[slug])).status_code == 200
    decide = reverse("neighbourhoods:council_decide", args=[slug, meeting.pk])
    assert client.get(decide).status_code == 200
    assert client.get(reverse("neighbourhoods:council_declare", args=[slug])).status_code == 404
    for outsider in (other_councillor, cast.resident):
        client.force_login(outsider)
        assert client.get(decide).status_code == 404
        posted = client.post(
            decide, {"text": "x", "votes_for": "1", "votes_against": "0", "abstentions": "0"}
        )
        assert posted.status_code == 404
    assert not MeetingDecision.objects.exists()


def test_a_councillor_declares_an_interest_and_it_is_public(client, cast):
    meeting = _meeting(cast)
    client.force_login(cast.councillor)
    url = reverse("neighbourhoods:council_declare", args=[cast.parish.slug])
    empty = client.post(url, {"meeting": str(meeting.pk), "item": "", "interest": ""})
    assert "There is a problem" in empty.content.decode()
    assert not Declaration.objects.exists()
    client.post(
        url,
        {"meeting": str(meeting.pk), "item": "Benches", "interest": "My brother runs the firm"},
    )
    declaration = Declaration.objects.get()
    assert declaration.meeting == meeting and declaration.councillor == cast.councillor
    public = reverse("neighbourhoods:council_meetings", args=[cast.parish.slug])
    assert "My brother runs the firm" in client.get(public).content.decode()
