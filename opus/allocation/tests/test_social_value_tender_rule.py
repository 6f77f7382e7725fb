"""A tender cannot be published with social value weighted under the council's minimum."""

import pytest
from django.utils import timezone

from opus.commissioning import services
from opus.commissioning.errors import CommissioningError
from opus.commissioning.models import Opportunity, OpportunityStatus
from opus.commissioning.tests.helpers import opportunity_fields, value_table

pytestmark = pytest.mark.django_db


def _draft(cast, **weights):
    fields = {**opportunity_fields(cast, value_table(cast), timezone.now()), **weights}
    fields["questions"] = [
        {"text": "How will you reach people?", "weight": fields["quality_weight"]}
    ]
    return services.opportunity_create(by=cast.commissioner, **fields)


def test_a_tender_under_ten_percent_social_value_is_not_published(cast):
    draft = _draft(cast, price_weight=40, quality_weight=55, social_value_weight=5)
    with pytest.raises(CommissioningError, match="at least 10%") as refused:
        services.opportunity_publish(opportunity=draft, by=cast.commissioner)
    assert refused.value.field == "social_value_weight"
    assert Opportunity.objects.get().status == OpportunityStatus.DRAFT


def test_the_minimum_is_a_setting(cast, settings):
    settings.OPUS_SOCIAL_VALUE_MIN_WEIGHT = 20
    draft = _draft(cast, price_weight=40, quality_weight=45, social_value_weight=15)
    with pytest.raises(CommissioningError, match="at least 20%"):
        services.opportunity_publish(opportunity=draft, by=cast.commissioner)
    settings.OPUS_SOCIAL_VALUE_MIN_WEIGHT = 15
    assert services.opportunity_publish(opportunity=draft, by=cast.commissioner).published_at


def test_the_refusal_reaches_the_commissioner_on_the_page(client, cast):
    draft = _draft(
        cast, price_weight=40, quality_weight=60, social_value_weight=0, value_table=None
    )
    client.force_login(cast.commissioner)
    response = client.post(f"/commissioning/opportunities/{draft.pk}/publish/", {"confirm": "yes"},
                           follow=True)  # fmt: skip
    assert "Social value must be weighted at least 10%" in response.content.decode()
    assert Opportunity.objects.get().status == OpportunityStatus.DRAFT
