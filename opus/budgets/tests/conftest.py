import datetime as dt
from decimal import Decimal

import pytest

from opus.budgets import services as budgets
from opus.choice import services as choice
from opus.directory import services as directory
from opus.testing import create_service

TODAY = dt.date(2026, 4, 1)


@pytest.fixture
def budget(cast):
    """Rosa's social-care budget: £5,000 from Testshire Council for 2026–27."""
    return budgets.budget_create(
        person=cast.resident,
        title="Rosa's personal budget",
        period_start=TODAY,
        period_end=dt.date(2027, 3, 31),
        sources=[("social_care", cast.council, 5_000_00)],
        by=cast.commissioner,
        needs=["befriending"],
    )


@pytest.fixture
def service(cast):
    service = create_service(name="Tea and talk", organisation=cast.charity)
    directory.service_set_cost(service=service, amount_pence=15_00, unit="hour", option="", by=None)
    return service


def request_booking(cast, service, hours="2", start=TODAY):
    return choice.booking_request(
        person=cast.resident,
        service=service,
        by=cast.resident,
        units_per_week=Decimal(hours),
        start_date=start,
        message="",
        needs=["befriending"],
        circumstances=[],
    )


@pytest.fixture
def commitment(cast, budget, service):
    """Two hours a week at £15, 53 weekly sessions to 31 March, made as Priya accepts."""
    booking = request_booking(cast, service)
    choice.booking_decide(booking=booking, accept=True, reason="", by=cast.provider)
    return booking.commitment
