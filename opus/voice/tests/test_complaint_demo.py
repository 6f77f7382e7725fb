"""The demo's complaints: every state, one overdue, one with the ombudsman."""

import pytest
from django.utils import timezone

from opus.core.models import OrganisationKind, Role
from opus.testing import create_member, create_organisation
from opus.voice.complaints import overdue
from opus.voice.demo_complaints import seed_complaints
from opus.voice.models import Complaint, ComplaintStatus

pytestmark = pytest.mark.django_db


def _demo_cast():
    council = create_organisation(name="Northvale Council", kind=OrganisationKind.LOCAL_AUTHORITY)
    mutual = create_organisation(name="Northvale Care Mutual", kind=OrganisationKind.MUTUAL)
    parish = create_organisation(
        name="Old Town Neighbourhood Council", kind=OrganisationKind.NEIGHBOURHOOD_COUNCIL
    )
    create_member(Role.RESIDENT, council, email="resident@demo.opus.test", full_name="Rosa")
    create_member(Role.PROVIDER, mutual, email="provider@demo.opus.test", full_name="Priya")
    create_member(Role.PROVIDER, mutual, email="staff.northvale-care-mutual@demo.opus.test")
    create_member(Role.COMMISSIONER, council, email="commissioner@demo.opus.test")
    create_member(Role.COUNCILLOR, parish, email="councillor@demo.opus.test")
    assert {council.slug, mutual.slug, parish.slug} == {
        "northvale-council", "northvale-care-mutual", "old-town-neighbourhood-council",
    }  # fmt: skip


def test_the_demo_has_complaints_in_every_state_one_overdue_and_one_with_the_ombudsman():
    _demo_cast()
    seed_complaints()
    statuses = set(Complaint.objects.values_list("status", flat=True))
    assert statuses == set(ComplaintStatus.values)
    assert len(list(overdue(timezone.localdate()))) == 1
    with_ombudsman = Complaint.objects.get(status=ComplaintStatus.OMBUDSMAN)
    assert with_ombudsman.stages.count() == 2
    first, second = with_ombudsman.stages.order_by("number")
    assert first.handler_id != second.handler_id
    assert first.received_on.month in (3, 4)  # over Easter
    late = [stage for stage, _ in overdue(timezone.localdate())][0]
    assert (late.received_on.month, late.received_on.day) == (12, 18)  # over Christmas
