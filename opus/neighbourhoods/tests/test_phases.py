"""A process moves through its phases in order, by the council's officers only."""

import pytest
from django.core.exceptions import PermissionDenied

from opus.neighbourhoods import services as pb
from opus.neighbourhoods.models import Phase, ProjectStatus
from opus.notifications.models import Notification


def test_proposals_are_reviewed_before_voting_opens_and_proposers_are_told(cast, hood_budget):
    process = pb.process_create(
        council=cast.parish, budget=hood_budget, title="Vale decides", amount_pence=5_000_00,
        ballot_type="approval", by=cast.councillor,
    )  # fmt: skip
    idea = pb.project_propose(
        process=process, title="Benches", description="Along the river", cost_pence=2_000_00,
        by=cast.resident,
    )  # fmt: skip
    pb.process_advance(process=process, by=cast.councillor)
    with pytest.raises(pb.PBError, match="Review every proposal"):
        pb.process_advance(process=process, by=cast.councillor)
    with pytest.raises(pb.PBError, match="why the cost was corrected"):
        pb.project_review(project=idea, feasible=True, cost_pence=2_500_00, by=cast.councillor)
    pb.project_review(
        project=idea,
        feasible=True,
        cost_pence=2_500_00,
        reason="Concrete bases",
        by=cast.councillor,
    )
    process = pb.process_advance(process=process, by=cast.councillor)
    assert process.phase == Phase.VOTING
    idea.refresh_from_db()
    assert (idea.status, idea.proposed_cost_pence, idea.cost_pence) == (
        ProjectStatus.FEASIBLE, 2_000_00, 2_500_00,
    )  # fmt: skip
    told = Notification.objects.filter(recipient=cast.resident, event="pb.phase").order_by("id")
    assert told.count() == 2 and "Voting" in told.last().subject


def test_an_ineligible_idea_needs_a_reason_and_proposals_close_with_their_phase(cast, hood_budget):
    process = pb.process_create(
        council=cast.parish, budget=hood_budget, title="Vale decides", amount_pence=5_000_00,
        ballot_type="approval", by=cast.councillor,
    )  # fmt: skip
    idea = pb.project_propose(
        process=process, title="A road", description="Resurface", cost_pence=1_000_00,
        by=cast.resident,
    )  # fmt: skip
    pb.process_advance(process=process, by=cast.councillor)
    with pytest.raises(pb.PBError, match="Voting|proposals|cannot be done"):
        pb.project_propose(
            process=process, title="Late", description="x", cost_pence=1_00, by=cast.resident
        )
    with pytest.raises(pb.PBError, match="not eligible"):
        pb.project_review(project=idea, feasible=False, by=cast.councillor)
    pb.project_review(project=idea, feasible=False, reason="Highways' job", by=cast.councillor)
    with pytest.raises(pb.PBError, match="at least one project"):
        pb.process_advance(process=process, by=cast.councillor)


def test_who_may_run_a_process(cast, hood_budget, other_councillor):
    for person in (cast.resident, other_councillor, cast.commissioner):
        with pytest.raises(PermissionDenied):
            pb.process_create(
                council=cast.parish, budget=hood_budget, title="x", amount_pence=1_00,
                ballot_type="approval", by=person,
            )  # fmt: skip
    process = pb.process_create(
        council=cast.parish, budget=hood_budget, title="x", amount_pence=1_000_00,
        ballot_type="approval", by=cast.councillor,
    )  # fmt: skip
    for person in (cast.resident, other_councillor):
        with pytest.raises(PermissionDenied):
            pb.process_advance(process=process, by=person)


def test_a_cost_from_outside_is_bounded(cast, hood_budget):
    process = pb.process_create(
        council=cast.parish, budget=hood_budget, title="x", amount_pence=1_000_00,
        ballot_type="approval", by=cast.councillor,
    )  # fmt: skip
    for cost in (0, -5, 1_000_01, 10**30):
        with pytest.raises(pb.PBError, match="Enter a cost"):
            pb.project_propose(
                process=process, title="x", description="y", cost_pence=cost, by=cast.resident
            )
    assert not process.projects.exists()
