"""The demo world's consultations and co-design: one open with responses and themes, one
closed with "you said, we did", and a lived-experience panel beside the plan's decision."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from opus.voice.models import Consultation, ConsultationStatus, Recommendation


@pytest.mark.django_db(transaction=True)
def test_the_demo_has_an_open_and_a_concluded_consultation_and_a_codesign_panel(demo_world):
    library = Consultation.objects.get(title__startswith="Library")
    assert library.is_open() and library.responses.count() >= 20
    assert library.themes.filter(answers__isnull=False).exists()
    concluded = Consultation.objects.get(status=ConsultationStatus.CONCLUDED)
    assert concluded.you_said_we_did and concluded.has_closed()
    responses = set(Recommendation.objects.values_list("response", flat=True))
    assert responses == {"accepted", "partly", ""}

    anyone = Client()
    page = anyone.get(reverse("voice:consultation_results", args=[concluded.pk])).content.decode()
    assert "You said, we did" in page and "<svg" in page
    plan = Recommendation.objects.first().group.decision.plan
    page = anyone.get(reverse("commissioning:plan_detail", args=[plan.pk])).content.decode()
    assert "lived experience panel" in page and "Partly accepted" in page
