"""Delivery of funded projects: progress, milestones and spend against cost in the ledger."""

import pytest
from django.core.exceptions import PermissionDenied

from opus.engines.ledger import LedgerError
from opus.neighbourhoods import services as pb
from opus.neighbourhoods.models import DeliveryStatus

from .conftest import open_process


@pytest.fixture
def funded(cast, hood_budget):
    process, (a, b, _c) = open_process(cast, hood_budget, costs=(3_000_00, 1_000_00, 4_500_00))
    pb.ballot_cast(process=process, chosen={a.pk: 1}, postcode="NV1 1AA", age=30, by=cast.resident)
    process = pb.process_close(process=process, by=cast.councillor)
    pb.process_count(process=process, by=cast.councillor)
    pb.process_publish(process=process, by=cast.councillor)
    a.refresh_from_db()
    return a, b


def test_progress_and_milestones_are_recorded_for_a_funded_project(cast, funded):
    project, unfunded = funded
    with pytest.raises(pb.PBError, match="from 0 to 100"):
        pb.project_progress(project=project, progress=101, by=cast.councillor)
    pb.project_progress(project=project, progress=40, milestone="Site cleared", by=cast.councillor)
    project.refresh_from_db()
    assert (project.progress, project.delivery_status) == (40, DeliveryStatus.IN_PROGRESS)
    assert project.milestones.get().text == "Site cleared"
    with pytest.raises(pb.PBError, match="Only a funded project"):
        pb.project_progress(project=unfunded, progress=10, by=cast.councillor)
    with pytest.raises(PermissionDenied):
        pb.project_progress(project=project, progress=50, by=cast.resident)


def test_payments_go_through_the_ledger_and_never_beyond_the_cost(cast, funded, hood_budget):
    project, _unfunded = funded
    pb.project_pay(project=project, amount=1_000_00, reference="INV-7", by=cast.councillor)
    with pytest.raises(LedgerError, match="more than"):
        pb.project_pay(project=project, amount=2_000_01, reference="INV-8", by=cast.councillor)
    hood_budget.refresh_from_db()
    assert hood_budget.paid_pence == 1_000_00 and hood_budget.committed_pence == 2_000_00
