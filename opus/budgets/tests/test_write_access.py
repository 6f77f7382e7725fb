"""Who may write a support plan: the holder, a champion with consent to act, commissioners.

The auditor and a champion holding view-only consent could each replace a resident's plan
(issue 11, item 4): the service refuses them, and so do the page and every other role.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from opus.budgets import services as budgets
from opus.budgets.models import SupportPlan
from opus.choice.models import ConsentScope
from opus.choice.services import consent_grant
from opus.core.models import AuditEvent

pytestmark = pytest.mark.django_db

OUTCOMES = [{"outcome": "See friends", "how": "Tea and talk"}]
FORM = {"outcomes": "See friends: tea and talk", "how_managed": "managed"}


def _consent(cast, scope):
    return consent_grant(
        person=cast.resident,
        champion=cast.champion,
        scope=scope,
        expires_at=timezone.now() + timedelta(days=30),
    )


def _write(budget, by):
    return budgets.plan_write(
        budget=budget,
        outcomes=OUTCOMES,
        how_managed="managed",
        review_due=budget.period_end,
        by=by,
    )


@pytest.mark.parametrize("who", ["auditor", "champion", "provider", "councillor", "stranger"])
def test_the_service_refuses_a_plan_from_anyone_who_may_not_write_it(cast, budget, who):
    _consent(cast, ConsentScope.FIND)  # the champion may look, not act
    with pytest.raises(PermissionDenied):
        _write(budget, getattr(cast, who))
    assert not SupportPlan.objects.exists()
    assert not AuditEvent.objects.filter(action="plan.write").exists()


def test_withdrawn_or_expired_acting_consent_does_not_let_a_champion_write(cast, budget):
    consent = _consent(cast, ConsentScope.CHOOSE)
    _write(budget, cast.champion)
    consent.withdrawn_at = timezone.now()
    consent.save(update_fields=["withdrawn_at"])
    with pytest.raises(PermissionDenied):
        _write(budget, cast.champion)
    assert SupportPlan.objects.count() == 1


@pytest.mark.parametrize("who", ["resident", "champion", "commissioner", "admin"])
def test_the_holder_an_acting_champion_and_commissioners_write_plans(cast, budget, who):
    _consent(cast, ConsentScope.CHOOSE)
    plan = _write(budget, getattr(cast, who))
    assert plan.version == 1 and plan.written_by == getattr(cast, who)


@pytest.mark.parametrize("who", ["auditor", "champion"])
def test_the_plan_page_refuses_the_auditor_and_a_view_only_champion(client, cast, budget, who):
    _consent(cast, ConsentScope.FIND)
    _write(budget, cast.resident)
    client.force_login(getattr(cast, who))
    url = f"/budgets/{budget.pk}/plan/"
    assert client.get(url).status_code in (403, 404)
    response = client.post(url, {**FORM, "review_due": budget.period_end.isoformat()})
    assert response.status_code in (403, 404)
    assert SupportPlan.objects.get().written_by == cast.resident
    # They still see the budget itself.
    assert client.get(f"/budgets/{budget.pk}/").status_code == 200


@pytest.mark.parametrize("who", ["auditor", "champion"])
def test_the_budget_page_offers_no_plan_or_commit_button_to_who_may_not_write(
    client, cast, budget, who
):
    _consent(cast, ConsentScope.FIND)
    client.force_login(getattr(cast, who))
    page = client.get(f"/budgets/{budget.pk}/").content.decode()
    assert f"/budgets/{budget.pk}/plan/" not in page
    client.force_login(cast.resident)
    assert f"/budgets/{budget.pk}/plan/" in client.get(f"/budgets/{budget.pk}/").content.decode()
