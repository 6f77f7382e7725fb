from datetime import date
from decimal import Decimal

import pytest

from opus.choice.services import booking_request
from opus.directory import services as directory
from opus.testing import create_service


@pytest.fixture
def service(cast):
    """A befriending service of Good Neighbours (Priya's charity), £6 a session."""
    made = create_service(name="Tea and talk", organisation=cast.charity)
    directory.service_set_cost(service=made, amount_pence=600, unit="session", option="", by=None)
    return made


@pytest.fixture
def request_booking(cast, service):
    def make(person=None, by=None):
        person = person or cast.resident
        return booking_request(
            person=person, service=service, by=by or person, units_per_week=Decimal(2),
            start_date=date(2030, 1, 6), message="Tuesdays please", needs=["befriending"],
            circumstances=[],
        )  # fmt: skip

    return make
