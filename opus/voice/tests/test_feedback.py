"""Feedback and ratings: giving, moderation, restriction, replies, badges and ratings' use."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from opus.budgets import services as budgets
from opus.choice import services as choice
from opus.core.models import AuditEvent, Role
from opus.directory import services as directory
from opus.engines import matching as engine
from opus.notifications.models import Notification
from opus.testing import create_member, create_service
from opus.voice import feedback as fb
from opus.voice.models import Feedback, FeedbackStatus, ServiceRating

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
GOOD = {"overall": 5, "kindness": 4, "reliability": 4, "recommend": 5}


@pytest.fixture
def service(cast):
    service = create_service(name="Tea and talk", organisation=cast.charity)
    directory.service_set_cost(service=service, amount_pence=15_00, unit="hour", option="", by=None)
    return service


def _booking(cast, service, person=None):
    return choice.booking_request(
        person=person or cast.resident,
        service=service,
        by=person or cast.resident,
        units_per_week=Decimal("2"),
        start_date=TODAY,
        message="",
        needs=["befriending"],
        circumstances=[],
    )


@pytest.fixture
def delivered(cast, service):
    budgets.budget_create(
        person=cast.resident,
        title="Rosa's personal budget",
        period_start=TODAY,
        period_end=TODAY + dt.timedelta(days=300),
        sources=[("social_care", cast.council, 5_000_00)],
        by=cast.commissioner,
        needs=["befriending"],
    )
    booking = _booking(cast, service)
    choice.booking_decide(booking=booking, accept=True, reason="", by=cast.provider)
    budgets.deliver(commitment=booking.commitment, amount=30_00, by=cast.provider)
    return booking


def _published(cast, service, overall=5, author=None):
    author = author or create_member(Role.RESIDENT)
    item = fb.feedback_give(
        service=service, ratings={**GOOD, "overall": overall}, story="Lovely.", by=author
    )
    return fb.feedback_moderate(feedback=item, publish=True, by=cast.commissioner)


# --- Giving -------------------------------------------------------------------------------


def test_the_person_who_had_a_delivered_booking_gives_feedback_waiting_for_moderation(
    cast, delivered
):
    item = fb.feedback_give(booking=delivered, ratings=GOOD, story="Kind staff.", by=cast.resident)
    assert item.status == FeedbackStatus.PENDING
    assert item.service_id == delivered.service_id
    assert AuditEvent.objects.filter(action="feedback.give").count() == 1


def test_only_the_person_who_had_the_booking_gives_feedback_on_it(cast, delivered):
    with pytest.raises(PermissionDenied):
        fb.feedback_give(booking=delivered, ratings=GOOD, story="x", by=cast.champion)
    assert not Feedback.objects.exists()


def test_no_booking_feedback_before_delivery_nor_twice(cast, service, delivered):
    waiting = _booking(cast, service)
    with pytest.raises(fb.FeedbackError):
        fb.feedback_give(booking=waiting, ratings=GOOD, story="Early", by=cast.resident)
    fb.feedback_give(booking=delivered, ratings=GOOD, story="Once", by=cast.resident)
    with pytest.raises(fb.FeedbackError):
        fb.feedback_give(booking=delivered, ratings=GOOD, story="Twice", by=cast.resident)
    assert Feedback.objects.count() == 1


@pytest.mark.parametrize("bad", [0, 6, -1, "5", None, True])
def test_a_rating_outside_1_to_5_is_refused_and_nothing_saved(cast, service, bad):
    with pytest.raises(fb.FeedbackError) as found:
        fb.feedback_give(
            service=service, ratings={**GOOD, "kindness": bad}, story="x", by=cast.resident
        )
    assert found.value.field == "kindness"
    assert not Feedback.objects.exists()


def test_an_empty_story_is_refused_and_nothing_saved(cast, service):
    with pytest.raises(fb.FeedbackError):
        fb.feedback_give(service=service, ratings=GOOD, story="   ", by=cast.resident)
    assert not Feedback.objects.exists()


def test_the_database_refuses_a_rating_outside_1_to_5(cast, service):
    with pytest.raises(IntegrityError), transaction.atomic():
        Feedback.objects.create(
            service=service, author=cast.resident, story="x", **{**GOOD, "overall": 6}
        )


def test_only_residents_give_feedback_on_a_service(cast, service):
    with pytest.raises(PermissionDenied):
        fb.feedback_give(service=service, ratings=GOOD, story="x", by=cast.provider)


def test_the_form_shows_the_error_summary_and_saves_nothing(client, cast, service):
    client.force_login(cast.resident)
    url = reverse("voice:feedback_give", args=[service.pk])
    response = client.post(url, {**{k: str(v) for k, v in GOOD.items()}, "overall": "7"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "must be from 1 to 5" in page
    assert "Tell us what happened" in page
    assert not Feedback.objects.exists()


# --- Moderation ---------------------------------------------------------------------------


def test_moderation_publishes_an_edited_copy_and_keeps_the_original(cast, service):
    item = fb.feedback_give(
        service=service, ratings=GOOD, story="Jane at 12 High St was great.", by=cast.resident
    )
    with pytest.raises(fb.FeedbackError):  # an edit must say what was removed
        fb.feedback_moderate(
            feedback=item, publish=True, published_story="She was great.", by=cast.commissioner
        )
    fb.feedback_moderate(
        feedback=item,
        publish=True,
        published_story="[name removed] was great.",
        note="Removed a name and an address",
        by=cast.commissioner,
    )
    item.refresh_from_db()
    assert item.status == FeedbackStatus.PUBLISHED
    assert item.story == "Jane at 12 High St was great."
    assert item.published_story == "[name removed] was great."
    event = AuditEvent.objects.get(action="feedback.publish")
    assert event.summary["edited"] is True
    assert Notification.objects.filter(template="feedback_published").exists()
    assert Notification.objects.filter(template="feedback_to_answer").exists()


def test_only_moderators_moderate(cast, service):
    item = fb.feedback_give(service=service, ratings=GOOD, story="x", by=cast.resident)
    for who in (cast.resident, cast.provider, cast.councillor, cast.auditor):
        with pytest.raises(PermissionDenied):
            fb.feedback_moderate(feedback=item, publish=True, by=who)
    fb.feedback_moderate(feedback=item, publish=True, by=cast.admin)


def test_feedback_not_published_needs_a_reason_and_is_not_shown(client, cast, service):
    item = fb.feedback_give(service=service, ratings=GOOD, story="Rude words", by=cast.resident)
    fb.feedback_moderate(feedback=item, publish=False, note="Offensive words", by=cast.admin)
    page = client.get(reverse("voice:service_feedback", args=[service.pk])).content.decode()
    assert "Rude words" not in page
    assert "Not rated yet" in page


# --- Restriction, reply, badges -----------------------------------------------------------


def test_a_restriction_is_shown_as_restricted_not_hidden(client, cast, service):
    item = _published(cast, service)
    fb.feedback_restriction_ask(feedback=item, reason="Under investigation", by=cast.provider)
    with pytest.raises(PermissionDenied):
        fb.feedback_restriction_decide(feedback=item, grant=True, by=cast.provider)
    fb.feedback_restriction_decide(feedback=item, grant=True, by=cast.commissioner)
    page = client.get(reverse("directory:service_detail", args=[service.pk])).content.decode()
    assert "Restricted" in page
    assert "Under investigation" in page
    assert "Lovely." not in page
    assert "5.0 out of 5 from 1 person" in page  # its rating still counts


def test_the_provider_replies_publicly(client, cast, service):
    item = _published(cast, service)
    with pytest.raises(PermissionDenied):
        fb.feedback_reply(feedback=item, text="Thanks", by=cast.resident)
    fb.feedback_reply(feedback=item, text="Thank you, see you Tuesday", by=cast.provider)
    page = client.get(reverse("voice:service_feedback", args=[service.pk])).content.decode()
    assert "Thank you, see you Tuesday" in page
    assert Notification.objects.filter(template="feedback_replied").exists()


def test_a_badge_shows_only_explained_and_confirmed_by_the_person(client, cast, service):
    item = _published(cast, service, author=cast.resident)
    with pytest.raises(fb.FeedbackError):
        fb.feedback_badge_set(feedback=item, badge="made", explanation=" ", by=cast.provider)
    fb.feedback_badge_set(
        feedback=item, badge="made", explanation="Ramp at the door", by=cast.provider
    )
    url = reverse("voice:service_feedback", args=[service.pk])
    assert "Ramp at the door" not in client.get(url).content.decode()
    with pytest.raises(PermissionDenied):
        fb.feedback_badge_confirm(feedback=item, confirmed=True, by=cast.provider)
    fb.feedback_badge_confirm(feedback=item, confirmed=True, by=cast.resident)
    page = client.get(url).content.decode()
    assert "Change made" in page and "Ramp at the door" in page


def test_a_badge_the_person_disputes_is_taken_off(cast, service):
    item = _published(cast, service, author=cast.resident)
    fb.feedback_badge_set(feedback=item, badge="planned", explanation="Soon", by=cast.provider)
    fb.feedback_badge_confirm(feedback=item, confirmed=False, by=cast.resident)
    item.refresh_from_db()
    assert (item.badge, item.badge_explanation, item.badge_shown) == ("", "", False)
    assert AuditEvent.objects.filter(action="feedback.badge_dispute").exists()


# --- Ratings' use -------------------------------------------------------------------------


def test_published_ratings_are_summed_for_matching(cast, service):
    _published(cast, service, overall=5)
    _published(cast, service, overall=3)
    pending = create_member(Role.RESIDENT)
    fb.feedback_give(service=service, ratings=GOOD, story="Not yet", by=pending)
    row = ServiceRating.objects.get(service=service)
    assert (row.rating_sum, row.rating_count) == (8, 2)
    assert fb.rating_totals([service.pk]) == {service.pk.hex: (8, 2)}


def test_the_quality_bound_is_the_best_bayesian_average(cast, service):
    assert fb.best_rating_totals() == (0, 0)
    other = create_service(name="Walks", organisation=cast.charity)
    for _ in range(3):
        _published(cast, service, overall=5)
    _published(cast, other, overall=5)
    assert fb.best_rating_totals() == (15, 3)
    assert engine.quality_part(15, 3) > engine.quality_part(5, 1)


def test_people_like_you_only_with_ten_people_behind_it(cast, service):
    budgets_for = []
    for n in range(10):
        person = create_member(Role.RESIDENT)
        budgets.budget_create(
            person=person,
            title=f"Budget {n}",
            period_start=TODAY,
            period_end=TODAY + dt.timedelta(days=300),
            sources=[("social_care", cast.council, 5_000_00)],
            by=cast.commissioner,
            needs=["befriending"],
        )
        booking = _booking(cast, service, person=person)
        choice.booking_decide(booking=booking, accept=True, reason="", by=cast.provider)
        budgets.deliver(commitment=booking.commitment, amount=15_00, by=cast.provider)
        budgets_for.append(booking)
    for n, booking in enumerate(budgets_for):
        if n == 9:
            assert fb.people_like_you(service, ["befriending"]) is None  # nine people
        item = fb.feedback_give(booking=booking, ratings=GOOD, story="Good", by=booking.person)
        fb.feedback_moderate(feedback=item, publish=True, by=cast.commissioner)
    assert fb.people_like_you(service, ["befriending"]) == (5.0, 10)
    assert fb.people_like_you(service, ["cooking"]) is None


# --- Pages --------------------------------------------------------------------------------


def test_a_resident_rates_a_delivered_booking_and_sees_it_published_and_answered(
    client, cast, delivered
):
    client.force_login(cast.resident)
    booking_page = client.get(reverse("choice:booking_detail", args=[delivered.pk]))
    give = reverse("voice:feedback_give_booking", args=[delivered.pk])
    assert give in booking_page.content.decode()
    data = {**{k: str(v) for k, v in GOOD.items()}, "story": "Priya was kind."}
    assert client.post(give, data).status_code == 302
    item = Feedback.objects.get()

    client.force_login(cast.commissioner)
    url = reverse("voice:feedback_moderate", args=[item.pk])
    response = client.post(url, {"decision": "publish", "published_story": "", "note": ""})
    assert response.status_code == 302

    client.force_login(cast.provider)
    assert "Priya was kind." in client.get(reverse("voice:feedback_to_answer")).content.decode()
    reply = reverse("voice:feedback_reply", args=[item.pk])
    assert client.post(reply, {"reply": "Thank you!"}).status_code == 302

    client.force_login(cast.resident)
    mine = client.get(reverse("voice:feedback_mine")).content.decode()
    assert "Published" in mine and "Thank you!" in mine
    page = client.get(reverse("directory:service_detail", args=[delivered.service_id]))
    assert "Priya was kind." in page.content.decode()


def test_someone_elses_booking_gives_404(client, cast, delivered):
    client.force_login(cast.stranger)
    url = reverse("voice:feedback_give_booking", args=[delivered.pk])
    assert client.get(url).status_code == 404


def test_staff_of_another_provider_cannot_answer(client, cast, service):
    item = _published(cast, service)
    other = create_member(Role.PROVIDER)
    client.force_login(other)
    assert client.get(reverse("voice:feedback_respond", args=[item.pk])).status_code == 404
    response = client.post(reverse("voice:feedback_reply", args=[item.pk]), {"reply": "Hi"})
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.reply == ""


def test_the_rules_are_published(client):
    response = client.get(reverse("voice:feedback_rules"))
    assert response.status_code == 200
    assert "What the moderator removes" in response.content.decode()


# --- API ----------------------------------------------------------------------------------


def test_the_api_lists_published_feedback_a_page_at_a_time(client, cast, service):
    first = _published(cast, service, overall=4)
    fb.feedback_reply(feedback=first, text="Thanks", by=cast.provider)
    second = _published(cast, service, overall=2)
    fb.feedback_restriction_ask(feedback=second, reason="Investigation", by=cast.provider)
    fb.feedback_restriction_decide(feedback=second, grant=True, by=cast.admin)
    fb.feedback_give(service=service, ratings=GOOD, story="Pending", by=cast.resident)
    url = f"/api/v1/feedback/services/{service.pk}"
    body = client.get(url, {"per_page": 1}).json()
    assert (body["count"], body["pages"]) == (2, 2)
    everything = client.get(url).json()["items"]
    by_id = {item["id"]: item for item in everything}
    assert by_id[str(first.pk)]["ratings"]["overall"] == 4
    assert by_id[str(first.pk)]["reply"] == "Thanks"
    restricted = by_id[str(second.pk)]
    assert restricted["restricted"] and restricted["story"] is None
    assert restricted["restriction_reason"] == "Investigation"
    assert "Pending" not in str(everything)


def test_the_api_bounds_the_page_and_names_the_field(client, service):
    response = client.get(f"/api/v1/feedback/services/{service.pk}", {"per_page": 100000})
    assert response.status_code in (400, 422)
    assert response["Content-Type"].startswith("application/problem+json")
    assert "per_page" in response.content.decode()


# --- Who sees which page ------------------------------------------------------------------

PAGES = {  # page: the roles that may open it (everyone else: 404, or sign-in when anonymous)
    "voice:feedback_queue": {"commissioner", "admin"},
    "voice:feedback_to_answer": {"provider"},
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_moderation_and_answering_pages_role_by_role(client, cast, name):
    for role, user in cast.by_role().items():
        client.force_login(user)
        status = client.get(reverse(name)).status_code
        assert status == (200 if role in PAGES[name] else 404), (role, status)
    client.logout()
    assert client.get(reverse(name)).status_code == 302


def test_only_the_author_confirms_a_change_on_the_page(client, cast, service):
    item = _published(cast, service, author=cast.resident)
    fb.feedback_badge_set(feedback=item, badge="made", explanation="Ramp", by=cast.provider)
    url = reverse("voice:feedback_confirm", args=[item.pk])
    for user in (cast.provider, cast.champion, cast.admin, cast.stranger):
        client.force_login(user)
        assert client.post(url, {"confirmed": "yes"}).status_code == 404
    item.refresh_from_db()
    assert not item.badge_confirmed
    client.force_login(cast.resident)
    assert client.post(url, {"confirmed": "yes"}).status_code == 302
    item.refresh_from_db()
    assert item.badge_shown
