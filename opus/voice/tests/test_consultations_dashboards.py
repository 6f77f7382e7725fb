"""Voice where it shows: the resident's consultations, the staff's consultations, and the
feedback themes beside a contract's KPIs."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.urls import reverse

from opus.testing import create_service
from opus.voice import feedback as fb
from opus.voice.tests.test_consultations import make, respond

pytestmark = pytest.mark.django_db


def test_the_residents_dashboard_lists_the_consultations_they_responded_to(cast, client):
    c = make(cast)
    respond(c, 1, user=cast.resident)
    client.force_login(cast.resident)
    page = client.get(reverse("core:dashboard"), follow=True).content.decode()
    assert "You responded to" in page and c.title in page
    assert "1 consultation is open" in page


def test_the_commissioners_dashboard_lists_the_councils_consultations(cast, client):
    c = make(cast)
    client.force_login(cast.commissioner)
    page = client.get(reverse("core:dashboard"), follow=True).content.decode()
    assert c.title in page and reverse("voice:consultation_new") in page


def _feedback(cast, service, overall, kindness):
    ratings = {"overall": overall, "kindness": kindness, "reliability": 4, "recommend": 4}
    item = fb.feedback_give(service=service, ratings=ratings, story="Fine", by=cast.resident)
    return fb.feedback_moderate(feedback=item, publish=True, by=cast.admin)


def test_the_contract_shows_feedback_themes_weakest_first_without_names(cast):
    service = create_service(name="Tea and talk", organisation=cast.charity)
    _feedback(cast, service, 5, 2)
    replied = _feedback(cast, service, 3, 2)
    fb.feedback_reply(feedback=replied, text="Thanks", by=cast.provider)
    contract = SimpleNamespace(supplier=cast.charity, supplier_id=cast.charity.pk)
    html = Template("{% load voice_contract %}{% contract_feedback contract %}").render(
        Context({"contract": contract})
    )
    assert "2 published stories" in html and "1 has no reply" in html
    assert html.index("Kindness and respect") < html.index("Overall")  # 2.0 before 4.0
    assert "Rosa" not in html
