"""Consent is given for a while (at most two years), never until 9999-12-31."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.utils import timezone

from opus.choice.models import Consent
from opus.choice.services import ChoiceError, consent_grant
from opus.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_the_page_refuses_consent_until_9999_and_records_nothing(client, cast):
    client.force_login(cast.resident)
    response = client.post(
        "/choose/help/", {"champion": cast.champion.pk, "scope": "choose", "until": "9999-12-31"}
    )
    page = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in page
    assert "Consent can last up to two years" in page
    assert not Consent.objects.exists()
    assert not AuditEvent.objects.filter(action="consent.grant").exists()


def test_the_page_accepts_two_years_to_the_day(client, cast):
    client.force_login(cast.resident)
    until = (timezone.localdate() + timedelta(days=730)).isoformat()
    response = client.post(
        "/choose/help/", {"champion": cast.champion.pk, "scope": "find", "until": until}
    )
    assert response.status_code == 302
    assert timezone.localdate(Consent.objects.get().expires_at).isoformat() == until


def test_the_service_refuses_more_than_two_years(cast):
    far = datetime(9999, 12, 30, 12, 0, tzinfo=UTC)
    just_over = timezone.make_aware(
        datetime.combine(timezone.localdate() + timedelta(days=731), time.min)
    )
    for expires_at in (far, just_over):
        with pytest.raises(ChoiceError, match="up to two years"):
            consent_grant(
                person=cast.resident, champion=cast.champion, scope="find", expires_at=expires_at
            )
    assert not Consent.objects.exists()
