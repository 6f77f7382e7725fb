"""The loop closed: an individual-level decision names the RAS its personal budgets are set by;
its plan shows the budgets opened under it, and the budget and RAS pages the decision."""

from datetime import date

import pytest

from opus.budgets import services as budgets
from opus.commissioning import services
from opus.commissioning.errors import CommissioningError
from opus.commissioning.models import ServiceDecision
from opus.testing import create_area, create_member

pytestmark = pytest.mark.django_db

ANSWERS = [{"label": "None", "points": 0}, {"label": "Some", "points": 10}]
QUESTIONS = [{"key": "care", "domain": "care", "text": "Help with care?", "answers": ANSWERS}]


def _ras(cast, title="RAS 2027"):
    return budgets.ras_publish(
        title=title, questions=QUESTIONS, price_per_point_pence=100_00, minimum_pence=0,
        maximum_pence=None, domain_caps={}, change_note="First", by=cast.commissioner,
    )  # fmt: skip


def _plan(cast):
    return services.plan_create(
        title="Older people 2027", commissioner=cast.council, area=create_area(),
        period="2027/28", by=cast.commissioner,
    )  # fmt: skip


def _decide(cast, plan, ras, level="individual"):
    return services.decision_record(
        plan=plan, need="Help at home", level=level, character={"personal": True},
        reasons={"choice": "People choose their own support"}, budget_pence=20_000_00,
        larger_level_reason="Scale" if level != "individual" else "", ras_version=ras,
        by=cast.commissioner,
    )  # fmt: skip


def _budget(cast, ras, person, start, amount):
    assessment = budgets.ras_assess(
        person=person, ras=ras, answers={"care": 1}, by=cast.commissioner
    )
    return budgets.budget_create(
        person=person, title="Personal budget", period_start=start,
        period_end=date(start.year + 1, start.month, start.day).replace(day=1),
        sources=[("social_care", cast.council, amount)], by=cast.commissioner,
        assessment=assessment,
    )  # fmt: skip


def test_only_an_individual_level_decision_names_a_ras(cast):
    ras, plan = _ras(cast), _plan(cast)
    with pytest.raises(CommissioningError) as error:
        _decide(cast, plan, ras, level="commissioned")
    assert error.value.field == "ras_version"
    assert not ServiceDecision.objects.exists()
    assert _decide(cast, plan, ras).ras_version == ras


def test_the_plan_shows_the_budgets_opened_under_the_decisions_ras_in_its_period(client, cast):
    ras, other_ras, plan = _ras(cast), _ras(cast, "Another"), _plan(cast)
    decision = _decide(cast, plan, ras)
    people = [create_member("resident", cast.council) for _ in range(2)]
    _budget(cast, ras, people[0], date(2027, 4, 1), 6_000_00)
    _budget(cast, ras, people[1], date(2027, 6, 1), 4_000_00)
    _budget(cast, ras, cast.resident, date(2030, 4, 1), 9_000_00)  # another year
    _budget(cast, other_ras, cast.resident, date(2027, 4, 1), 9_000_00)  # another RAS
    funded = services.plans.decision_budgets(decision)
    assert funded == {"people": 2, "allocated_pence": 10_000_00, "budget_pence": 20_000_00,
                      "left_pence": 10_000_00}  # fmt: skip
    client.force_login(cast.commissioner)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "Delivered through RAS version" in page
    assert "2 people have budgets under it in this period" in page
    assert "£10,000 allocated of £20,000" in page


def test_the_public_plan_hides_a_small_number_of_people(client, cast):
    ras, plan = _ras(cast), _plan(cast)
    _decide(cast, plan, ras)
    _budget(cast, ras, cast.resident, date(2027, 4, 1), 6_000_00)
    services.plan_publish(plan=plan, by=cast.commissioner)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "Fewer than 10 people" in page and "1 person" not in page


def test_the_budget_and_ras_pages_name_the_decision_that_funds_them(client, cast):
    ras, plan = _ras(cast), _plan(cast)
    _decide(cast, plan, ras)
    services.plan_publish(plan=plan, by=cast.commissioner)
    budget = _budget(cast, ras, cast.resident, date(2027, 4, 1), 6_000_00)
    client.force_login(cast.resident)
    page = client.get(f"/budgets/{budget.pk}/").content.decode()
    assert "Funded by the commissioning plan decision" in page and "Help at home" in page
    client.force_login(cast.commissioner)
    ras_page = client.get("/budgets/ras/").content.decode()
    assert "Funds the commissioning plan decisions:" in ras_page and "Help at home" in ras_page


def test_the_decision_form_offers_the_ras_versions(client, cast):
    ras, plan = _ras(cast), _plan(cast)
    client.force_login(cast.commissioner)
    form = client.get(f"/commissioning/plans/{plan.pk}/decisions/new/").content.decode()
    assert f"RAS version {ras.number}" in form
