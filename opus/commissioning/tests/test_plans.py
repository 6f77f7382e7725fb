"""Service-level decisions: the decision aid's proposal, and a reason for a larger level."""

import pytest
from django.test import Client
from django.urls import reverse

from opus.commissioning import services
from opus.commissioning.errors import CommissioningError
from opus.commissioning.models import PlanStatus, ServiceDecision
from opus.testing import create_area

pytestmark = pytest.mark.django_db


def _plan(cast):
    return services.plan_create(
        title="Plan",
        commissioner=cast.council,
        area=create_area(),
        period="2027/28",
        by=cast.commissioner,
    )


def test_a_larger_level_than_proposed_needs_a_reason(cast):
    plan = _plan(cast)
    personal = {"personal": True, "divisible": True}
    with pytest.raises(CommissioningError) as caught:
        services.decision_record(
            plan=plan,
            need="Help at home",
            level="commissioned",
            character=personal,
            reasons={"choice": "x"},
            by=cast.commissioner,
        )
    assert caught.value.field == "larger_level_reason" and not ServiceDecision.objects.exists()
    decision = services.decision_record(
        plan=plan,
        need="Help at home",
        level="commissioned",
        character=personal,
        reasons={"choice": "x"},
        larger_level_reason="No providers take personal budgets here yet",
        by=cast.commissioner,
    )
    assert decision.proposed_level == "individual"
    smaller = services.decision_record(
        plan=plan,
        need="Lunch club",
        level="neighbourhood",
        character={"local": True},
        reasons={"fairness": "y"},
        by=cast.commissioner,
    )
    assert smaller.proposed_level == "neighbourhood"


def test_a_plan_is_published_only_with_decisions_and_then_public(cast):
    plan = _plan(cast)
    assert Client().get(plan.get_absolute_url()).status_code == 404
    with pytest.raises(CommissioningError):
        services.plan_publish(plan=plan, by=cast.commissioner)
    services.decision_record(
        plan=plan,
        need="Lunch club",
        level="neighbourhood",
        character={"local": True},
        reasons={"fairness": "Most deprived first"},
        budget_pence=1_500_000,
        by=cast.commissioner,
    )
    services.plan_publish(plan=plan, by=cast.commissioner)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED
    page = Client().get(plan.get_absolute_url()).content.decode()
    assert "Lunch club" in page and "Most deprived first" in page and "£15,000" in page


def test_the_decision_form_shows_the_proposal_and_the_error(cast):
    plan = _plan(cast)
    client = Client()
    client.force_login(cast.commissioner)
    response = client.post(
        reverse("commissioning:decision_new", args=[plan.pk]),
        {
            "need": "Home care",
            "personal": "on",
            "divisible": "on",
            "level": "commissioned",
            "reason_choice": "x",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400 and "govuk-error-summary" in page
    assert "proposes: <strong>individual</strong>" in page
