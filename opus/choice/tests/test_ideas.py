"""Ideas from what people with similar needs chose: shown only with ten or more behind them."""

from datetime import date
from decimal import Decimal

import pytest

from opus.choice.ideas import MINIMUM_PEOPLE, ideas_for
from opus.choice.services import booking_request
from opus.testing import create_user

pytestmark = pytest.mark.django_db


def _chosen_by(count, service, needs):
    for _ in range(count):
        person = create_user()
        booking_request(
            person=person,
            service=service,
            by=person,
            units_per_week=Decimal(1),
            start_date=date(2030, 1, 1),
            message="",
            needs=needs,
            circumstances=[],
        )


def test_a_service_chosen_by_ten_people_with_the_need_is_suggested(offers):
    _chosen_by(MINIMUM_PEOPLE, offers[0], ["befriending"])
    _chosen_by(MINIMUM_PEOPLE - 1, offers[1], ["befriending"])
    ideas = ideas_for(["befriending"])
    assert [i["name"] for i in ideas] == ["Tea and talk"]
    assert ideas[0]["people"] == MINIMUM_PEOPLE


def test_choices_for_other_needs_do_not_count(offers):
    _chosen_by(MINIMUM_PEOPLE, offers[0], ["meals"])
    assert ideas_for(["befriending"]) == []
