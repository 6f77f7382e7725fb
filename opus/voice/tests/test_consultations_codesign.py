"""Co-design: a group of residents with lived experience beside a plan's decision, its
members (with consent), meetings and recommendations with the commissioner's response."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from opus.commissioning import services as commissioning
from opus.core.models import AuditEvent
from opus.testing import create_area
from opus.voice import consultations as services
from opus.voice.models import CodesignMember, Recommendation

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def decision(cast, publish=True):
    plan = commissioning.plan_create(
        title="Older people", commissioner=cast.council, area=create_area(), period="2027/28",
        by=cast.commissioner,
    )  # fmt: skip
    found = commissioning.decision_record(
        plan=plan, need="Loneliness", level="neighbourhood", character={"local": True},
        reasons={"decentralisation": "Local"}, larger_level_reason="Local", by=cast.commissioner,
    )  # fmt: skip
    if publish:
        commissioning.plan_publish(plan=plan, by=cast.commissioner)
    return found


def panel(cast, publish=True):
    return services.codesign_create(
        decision=decision(cast, publish), name="Lived experience panel", purpose="Shape it",
        by=cast.commissioner,
    )  # fmt: skip


def member(group, by, consented=True, **more):
    return services.codesign_member_add(
        group=group, name="Maureen", experience="Lived alone", consented=consented,
        consented_on=more.pop("on", TODAY), name_shown=more.pop("shown", False), by=by,
    )  # fmt: skip


def test_a_member_joins_only_with_recorded_consent(cast):
    group = panel(cast)
    with pytest.raises(services.ConsultationError) as error:
        member(group, cast.commissioner, consented=False)
    assert error.value.field == "consented" and not CodesignMember.objects.exists()
    with pytest.raises(services.ConsultationError):
        member(group, cast.commissioner, on=TODAY + timedelta(days=1))
    member(group, cast.commissioner)
    assert AuditEvent.objects.filter(action="codesign.member_add").count() == 1


@pytest.mark.parametrize(
    "who", ["provider", "resident", "councillor", "auditor", "admin", "stranger"]
)
def test_only_the_plans_commissioners_record_co_design(cast, who):
    group = panel(cast)
    with pytest.raises(PermissionDenied):
        member(group, getattr(cast, who))
    with pytest.raises(PermissionDenied):
        services.recommendation_add(group=group, text="Meet weekly", by=getattr(cast, who))


def test_a_response_to_a_recommendation_needs_a_reason(cast):
    group = panel(cast)
    found = services.recommendation_add(group=group, text="Meet weekly", by=cast.commissioner)
    with pytest.raises(services.ConsultationError) as error:
        services.recommendation_respond(
            recommendation=found, response="not", reason=" ", by=cast.commissioner
        )
    assert error.value.field == "reason"
    assert Recommendation.objects.get().response == ""


def test_recommendations_and_responses_show_beside_the_decision_on_the_plan(cast, client):
    group = panel(cast)
    member(group, cast.commissioner, shown=False)
    services.codesign_meeting_add(group=group, held_on=TODAY, notes="First", by=cast.commissioner)
    found = services.recommendation_add(group=group, text="Meet weekly", by=cast.commissioner)
    services.recommendation_respond(
        recommendation=found, response="partly", reason="Fortnightly to start", by=cast.commissioner
    )
    plan = group.decision.plan
    page = client.get(reverse("commissioning:plan_detail", args=[plan.pk])).content.decode()
    assert "Lived experience panel" in page and "Meet weekly" in page
    assert "Partly accepted" in page and "Fortnightly to start" in page
    detail = client.get(reverse("voice:codesign_detail", args=[group.pk])).content.decode()
    assert "Maureen" not in detail  # she did not agree to her name being shown
    assert "Lived alone" in detail


def test_a_group_on_a_draft_plan_is_hidden_from_the_public(cast, client):
    group = panel(cast, publish=False)
    assert client.get(reverse("voice:codesign_detail", args=[group.pk])).status_code == 404
    client.force_login(cast.commissioner)
    assert client.get(reverse("voice:codesign_detail", args=[group.pk])).status_code == 200


def test_recording_a_meeting_through_the_page_with_bad_input_saves_nothing(cast, client):
    group = panel(cast)
    client.force_login(cast.commissioner)
    url = reverse("voice:codesign_record", args=[group.pk, "meeting"])
    page = client.post(url, {"held_on": TODAY.isoformat(), "notes": ""})
    assert page.status_code == 400 and "govuk-error-summary" in page.content.decode()
    assert not group.meetings.exists()
    assert client.post(url, {"held_on": TODAY.isoformat(), "notes": "Met"}).status_code == 302
    client.force_login(cast.provider)
    assert client.post(url, {"held_on": TODAY.isoformat(), "notes": "Met"}).status_code == 404
    assert group.meetings.count() == 1
