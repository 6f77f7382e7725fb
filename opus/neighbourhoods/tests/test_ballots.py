"""Ballots: who may vote, what a valid ballot is, once per person, paper and online, voiding."""

import pytest
from django.core.exceptions import PermissionDenied

from opus.core.models import AuditEvent, Role
from opus.neighbourhoods import services as pb
from opus.neighbourhoods.models import Ballot, Phase
from opus.testing import create_member

from .conftest import open_process


def vote(process, person, chosen, postcode="NV1 1AA", age=30):
    return pb.ballot_cast(process=process, chosen=chosen, postcode=postcode, age=age, by=person)


def test_a_resident_of_the_neighbourhood_votes_once_and_a_second_ballot_changes_nothing(
    cast, voting
):
    process, (a, b, _c) = voting
    vote(process, cast.resident, {a.pk: 1})
    with pytest.raises(pb.PBError, match="already voted"):
        vote(process, cast.resident, {b.pk: 1})
    ballot = Ballot.objects.get(process=process)
    assert ballot.points == {str(a.pk): 1} and ballot.lsoa.code == "E01999001"


def test_only_people_living_in_the_neighbourhood_and_old_enough_can_vote(cast, voting):
    process, (a, _b, _c) = voting
    with pytest.raises(pb.PBError, match="living in the neighbourhood"):
        vote(process, cast.resident, {a.pk: 1}, postcode="ZZ1 1ZZ")
    with pytest.raises(pb.PBError, match="11 or older"):
        vote(process, cast.resident, {a.pk: 1}, age=10)
    with pytest.raises(pb.PBError, match="whole years"):
        vote(process, cast.resident, {a.pk: 1}, age=400)
    with pytest.raises(pb.PBError, match="full postcode"):
        vote(process, cast.resident, {a.pk: 1}, postcode="nonsense")
    assert not Ballot.objects.exists()


def test_approval_ballots_respect_the_fewest_and_most_projects(cast, hood_budget):
    process, (a, b, c) = open_process(cast, hood_budget, min_choices=2, max_choices=2)
    with pytest.raises(pb.PBError, match="at least 2"):
        vote(process, cast.resident, {a.pk: 1})
    with pytest.raises(pb.PBError, match="at most 2"):
        vote(process, cast.resident, {a.pk: 1, b.pk: 1, c.pk: 1})
    with pytest.raises(pb.PBError, match="only projects on the ballot"):
        vote(process, cast.resident, {a.pk: 1, 999_999: 1})
    vote(process, cast.resident, {a.pk: 1, c.pk: 1})


def test_a_knapsack_ballot_must_fit_the_budget(cast, hood_budget):
    process, (a, b, c) = open_process(cast, hood_budget, ballot_type="knapsack")
    with pytest.raises(pb.PBError, match="cost more than the budget"):
        vote(process, cast.resident, {a.pk: 1, b.pk: 1})
    vote(process, cast.resident, {b.pk: 1, c.pk: 1})


def test_a_cumulative_ballot_shares_at_most_its_points(cast, hood_budget):
    process, (a, b, _c) = open_process(cast, hood_budget, ballot_type="cumulative", points=5)
    with pytest.raises(pb.PBError, match="5 points to share; you gave 6"):
        vote(process, cast.resident, {a.pk: 3, b.pk: 3})
    with pytest.raises(pb.PBError, match="cannot be negative"):
        vote(process, cast.resident, {a.pk: 6, b.pk: -1})
    assert vote(process, cast.resident, {a.pk: 3, b.pk: 2}).points == {str(a.pk): 3, str(b.pk): 2}


def test_paper_and_online_exclude_each_other_and_paper_numbers_are_unique(cast, voting):
    process, (a, b, _c) = voting
    neighbour = create_member(Role.RESIDENT, cast.council, email="nina@example.test")
    key = dict(process=process, chosen={a.pk: 1}, postcode="NV2 1AA", age=70, by=cast.councillor)
    pb.ballot_key_paper(voter=neighbour, paper_number=17, **key)
    with pytest.raises(pb.PBError, match="paper ballot has already been counted"):
        vote(process, neighbour, {b.pk: 1})
    vote(process, cast.resident, {b.pk: 1})
    with pytest.raises(pb.PBError, match="already voted online"):
        pb.ballot_key_paper(voter=cast.resident, paper_number=18, **key)
    third = create_member(Role.RESIDENT, cast.council, email="tom@example.test")
    with pytest.raises(pb.PBError, match="number has already been keyed"):
        pb.ballot_key_paper(voter=third, paper_number=17, **key)
    assert Ballot.objects.filter(process=process).count() == 2


def test_only_the_councils_officers_key_paper_ballots(cast, voting, other_councillor):
    process, (a, _b, _c) = voting
    for person in (cast.resident, other_councillor, cast.commissioner):
        with pytest.raises(PermissionDenied):
            pb.ballot_key_paper(
                process=process, voter=cast.resident, paper_number=1, chosen={a.pk: 1},
                postcode="NV1 1AA", age=30, by=person,
            )  # fmt: skip


def test_a_voided_ballot_is_audited_and_lets_the_person_vote_again(cast, voting):
    process, (a, b, _c) = voting
    ballot = vote(process, cast.resident, {a.pk: 1})
    with pytest.raises(pb.PBError, match="Say why"):
        pb.ballot_void(ballot=ballot, reason=" ", by=cast.councillor)
    with pytest.raises(PermissionDenied):
        pb.ballot_void(ballot=ballot, reason="Duplicate", by=cast.resident)
    pb.ballot_void(ballot=ballot, reason="Filled in by someone else", by=cast.councillor)
    event = AuditEvent.objects.filter(action="pb.ballot_void").get()
    assert event.summary["reason"] == "Filled in by someone else"
    vote(process, cast.resident, {b.pk: 1})
    assert Ballot.objects.filter(process=process, voided_at__isnull=True).count() == 1


def test_votes_outside_the_voting_phase_are_refused(cast, hood_budget):
    process, (a, _b, _c) = open_process(cast, hood_budget)
    process.phase = Phase.COUNTING
    process.save(update_fields=["phase"])
    with pytest.raises(pb.PBError, match="Voting is closed"):
        vote(process, cast.resident, {a.pk: 1})
    assert not Ballot.objects.exists()
