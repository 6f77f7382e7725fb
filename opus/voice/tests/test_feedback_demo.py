"""The demo world's feedback: most services rated, every moderation state, Rosa's part."""

from __future__ import annotations

import pytest
from django.urls import reverse

from opus.choice.models import Booking
from opus.core.models import User
from opus.directory.models import Service
from opus.voice import feedback as fb
from opus.voice.demo_feedback import seed_feedback
from opus.voice.models import Feedback, FeedbackStatus, Restriction, ServiceRating


@pytest.mark.django_db(transaction=True)
def test_the_demo_has_feedback_in_every_state_and_rosa_can_rate_her_care(demo_world, client):
    if not Feedback.objects.exists():  # until the demo builder calls it
        seed_feedback(3)
    active = Service.objects.filter(status="active").count()
    rated = ServiceRating.objects.filter(rating_count__gt=0).count()
    assert rated >= active * 0.6 or rated >= 300
    statuses = set(Feedback.objects.values_list("status", flat=True))
    assert statuses == {FeedbackStatus.PENDING, FeedbackStatus.PUBLISHED, FeedbackStatus.REJECTED}
    assert Feedback.objects.exclude(reply="").exists()
    assert Feedback.objects.filter(restriction=Restriction.RESTRICTED).count() == 1
    edited = Feedback.objects.filter(status=FeedbackStatus.PUBLISHED).exclude(moderation_note="")
    assert all(f.story != f.published_story for f in edited) and edited.exists()

    rosa = User.objects.get(email="resident@demo.opus.test")
    confirmed = Feedback.objects.get(author=rosa)
    assert confirmed.badge_shown and confirmed.reply
    client.force_login(rosa)
    page = client.get(reverse("voice:service_feedback", args=[confirmed.service_id]))
    assert "Change made" in page.content.decode()
    care = next(b for b in Booking.objects.filter(person=rosa) if fb.may_give_on_booking(rosa, b))
    assert client.get(reverse("voice:feedback_give_booking", args=[care.pk])).status_code == 200
