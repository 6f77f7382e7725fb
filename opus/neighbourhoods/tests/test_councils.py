"""A council's meetings, decisions, minutes and declarations: by its officers, public once
published."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from opus.core.models import AuditEvent, Role
from opus.neighbourhoods import councils
from opus.neighbourhoods.services import PBError
from opus.testing import create_member


def test_a_meeting_with_its_decisions_and_minutes_is_public_once_published(
    client, cast, hood, other_councillor
):
    with pytest.raises(PermissionDenied):
        councils.meeting_create(
            council=cast.parish,
            held_on=dt.date(2026, 12, 1),
            title="x",
            agenda="",
            by=other_councillor,
        )
    meeting = councils.meeting_create(
        council=cast.parish, held_on=dt.date(2026, 12, 1), title="December meeting",
        agenda="1. PB results", by=cast.councillor,
    )  # fmt: skip
    councils.meeting_decide(
        meeting=meeting, text="Fund the benches", votes_for=5, votes_against=1, abstentions=0,
        by=cast.councillor,
    )  # fmt: skip
    with pytest.raises(PBError, match="0 to 1,000"):
        councils.meeting_decide(
            meeting=meeting, text="x", votes_for=-1, votes_against=0, abstentions=0,
            by=cast.councillor,
        )  # fmt: skip
    page = reverse("neighbourhoods:council_meetings", args=[cast.parish.slug])
    assert "Fund the benches" not in client.get(page).content.decode()
    councils.minutes_publish(meeting=meeting, minutes="All present.", by=cast.councillor)
    body = client.get(page).content.decode()
    assert "Fund the benches" in body and "All present." in body and "1. PB results" in body


def test_a_clerk_keeps_the_minutes_and_declarations_are_public(client, cast, hood):
    clerk = create_member(Role.RESIDENT, cast.council, email="cleo@example.test")
    with pytest.raises(PermissionDenied):
        councils.clerk_appoint(council=cast.parish, user=clerk, by=cast.resident)
    councils.clerk_appoint(council=cast.parish, user=clerk, by=cast.councillor)
    meeting = councils.meeting_create(
        council=cast.parish, held_on=dt.date(2026, 12, 1), title="Clerk's", agenda="",
        by=clerk,
    )  # fmt: skip
    with pytest.raises(PermissionDenied):
        councils.interest_declare(council=cast.parish, item="Benches", interest="x", by=clerk)
    councils.interest_declare(
        council=cast.parish, meeting=meeting, item="Benches",
        interest="My brother runs the firm", by=cast.councillor,
    )  # fmt: skip
    assert AuditEvent.objects.filter(action="council.interest_declare").exists()
    page = reverse("neighbourhoods:council_meetings", args=[cast.parish.slug])
    assert "My brother runs the firm" in client.get(page).content.decode()
