"""GOV.UK's "Check your answers" before what cannot be undone: sealing a bid, awarding a lot,
publishing an opportunity, a commissioning plan and a needs assessment. The first POST shows
what will happen and changes nothing; only "Confirm and …" does it."""

import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from opus.commissioning import services
from opus.commissioning.models import (
    Award,
    Bid,
    BidDocument,
    BidLot,
    Opportunity,
    OpportunityStatus,
)
from opus.commissioning.tests.helpers import (
    open_opportunity,
    opportunity_fields,
    provider,
    value_table,
)
from opus.commissioning.tests.test_evaluation import evaluated
from opus.core.models import AuditEvent
from opus.testing import create_area

pytestmark = pytest.mark.django_db


def _hidden(page):
    return re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page)


def _resend(page):
    data = {}
    for name, value in _hidden(page):
        if name != "csrfmiddlewaretoken":
            data.setdefault(name, []).append(unescape(value))
    return data


def test_publishing_a_plan_is_checked_first(client, cast):
    area = create_area(code="E06900001", name="Testshire")
    plan = services.plan_create(title="Care 2027", commissioner=cast.council, area=area,
                                period="2027/28", by=cast.commissioner)  # fmt: skip
    services.decision_record(plan=plan, need="Loneliness among older people", level="commissioned",
                             character={"local": True, "specialist": True},
                             reasons={"diversity": "Small charities"},
                             budget_pence=9_000_000, by=cast.commissioner)  # fmt: skip
    client.force_login(cast.commissioner)
    url = reverse("commissioning:plan_publish", args=[plan.pk])
    page = client.post(url).content.decode()
    plan.refresh_from_db()
    assert not plan.is_published and "govuk-summary-list" in page
    assert "Check the plan before you publish it" in page and "2027/28" in page
    assert "Confirm and publish the plan" in page and ">Change<" in page
    assert client.post(url, {"confirm": "yes"}).status_code == 302
    plan.refresh_from_db()
    assert plan.is_published
    assert AuditEvent.objects.filter(action="plan.publish", object_id=str(plan.pk)).exists()


def test_publishing_an_opportunity_is_checked_first(client, cast):
    fields = opportunity_fields(cast, value_table(cast), timezone.now())
    draft = services.opportunity_create(by=cast.commissioner, **fields)
    client.force_login(cast.commissioner)
    url = reverse("commissioning:opportunity_publish", args=[draft.pk])
    page = unescape(client.post(url).content.decode())
    draft.refresh_from_db()
    assert draft.status == OpportunityStatus.DRAFT
    assert "Check the opportunity before you publish it" in page
    assert "1. North: £50,000" in page and "price 40, quality 50, social value 10" in page
    assert "Confirm and publish the opportunity" in page
    client.post(url, {"confirm": "yes"})
    assert Opportunity.objects.get(pk=draft.pk).status == OpportunityStatus.PUBLISHED


def test_an_award_is_checked_first_with_its_reasons_carried(client, cast):
    opportunity, bids = evaluated(cast)
    lot = opportunity.lots.get(number=1)
    row = BidLot.objects.get(lot=lot, bid=bids[0])
    client.force_login(cast.commissioner)
    url = reverse("commissioning:award_decide", args=[opportunity.pk])
    page = unescape(client.post(url, {"bid_lot": row.pk, "reasons": "Best value & quality"})
                    .content.decode())  # fmt: skip
    assert not Award.objects.exists()
    assert "Check the award before you make it" in page and bids[0].bidder.name in page
    assert ("reasons", "Best value &amp; quality") in _hidden(client.post(
        url, {"bid_lot": row.pk, "reasons": "Best value & quality"}).content.decode())  # fmt: skip
    response = client.post(url, _resend(page))
    assert response.status_code == 302
    award = Award.objects.get()
    assert award.reasons == "Best value & quality" and award.lot == lot


def test_a_bid_is_checked_then_sealed_with_its_document(cast):
    opportunity = open_opportunity(cast)
    organisation, user = provider("Check Trust")
    client = Client()
    client.force_login(user)
    url = reverse("commissioning:bid_new", args=[opportunity.pk])
    form = {"bidder": organisation.pk, "price_1": "100", "answer_1": "We visit weekly.",
            "answer_2": "Volunteers.", "declaration": "on"}  # fmt: skip
    document = SimpleUploadedFile("plan.pdf", b"%PDF secret plan", "application/pdf")
    response = client.post(url, {**form, "document": document})
    page = unescape(response.content.decode())
    assert response.status_code == 200 and not Bid.objects.exists()
    assert "Check your bid before you seal it" in page and "£100" in page
    assert "Not bidding for this lot" in page and "plan.pdf" in page
    assert "Confirm and seal the bid" in page
    # The document waits encrypted under a key only the browser holds.
    held = client.session["opus_bid_document"]
    assert "secret plan" not in str(held) and "document_key" in dict(_hidden(page))
    # "Change" returns to the form with the answers kept.
    again = _resend(page)
    assert again.get("confirm") == ["yes"]  # the Change buttons send the same form
    back = unescape(client.post(url, {**again, "change": "yes"}).content.decode())
    assert not Bid.objects.exists() and "We visit weekly." in back and "plan.pdf" in back
    response = client.post(url, {**again, "confirm": "yes"})
    assert response.status_code == 302
    bid = Bid.objects.get()
    assert "opus_bid_document" not in client.session
    assert Bid.objects.filter(pk=bid.pk).exists() and not BidDocument.objects.exists()


def test_a_forged_document_key_sends_no_document(cast):
    opportunity = open_opportunity(cast)
    organisation, user = provider("Forge Trust")
    client = Client()
    client.force_login(user)
    url = reverse("commissioning:bid_new", args=[opportunity.pk])
    form = {"bidder": organisation.pk, "price_1": "100", "answer_1": "a", "answer_2": "b",
            "declaration": "on"}  # fmt: skip
    page = client.post(url, {**form, "document": SimpleUploadedFile("a.pdf", b"x")}).content
    data = _resend(unescape(page.decode()))
    data["document_key"] = ["AAAA" * 11]
    data.pop("confirm")
    page = client.post(url, data).content.decode()
    assert "a.pdf" not in page and "None" in page
