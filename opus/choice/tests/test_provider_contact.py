"""The provider's request page gives the resident's contact details to the booking's
provider staff only, and logs that they were seen (issue 12, item 6)."""

import datetime as dt
from decimal import Decimal

import pytest

from opus.choice import services as choice
from opus.core.models import AuditEvent, Role
from opus.testing import create_member, create_organisation, create_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(cast):
    service = create_service(name="Tea and talk", organisation=cast.charity)
    return choice.booking_request(
        person=cast.resident, service=service, by=cast.resident, units_per_week=Decimal("1"),
        start_date=dt.date(2026, 4, 1), message="", needs=["befriending"], circumstances=[],
    )  # fmt: skip


def test_the_providers_staff_see_the_residents_contact_details_and_it_is_logged(
    client, cast, booking
):
    client.force_login(cast.provider)
    page = client.get(f"/choose/requests/{booking.pk}/").content.decode()
    assert cast.resident.full_name in page and cast.resident.email in page
    assert f'href="mailto:{cast.resident.email}"' in page
    seen = AuditEvent.objects.filter(
        action="resident.view", actor=cast.provider, object_id=str(cast.resident.pk)
    )
    assert seen.count() == 1 and str(booking.pk) in seen.get().summary["what"]


def test_other_providers_do_not_see_them(client, cast, booking):
    other = create_member(Role.PROVIDER, create_organisation(name="Other Care Ltd"))
    client.force_login(other)
    response = client.get(f"/choose/requests/{booking.pk}/")
    assert response.status_code == 404 and cast.resident.email not in response.content.decode()
    assert not AuditEvent.objects.filter(action="resident.view", actor=other).exists()
