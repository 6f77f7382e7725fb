"""Many people pressing "vote" at once: still one ballot each, enforced by the database."""

import threading

import pytest
from django.db import connections

from opus.core.models import Role
from opus.neighbourhoods import services as pb
from opus.neighbourhoods.models import Ballot
from opus.testing import create_member

from .conftest import open_process

THREADS, VOTERS = 8, 6


@pytest.fixture
def world(transactional_db, cast, hood_budget):
    process, projects = open_process(cast, hood_budget)
    voters = [
        create_member(Role.RESIDENT, cast.council, email=f"v{n}@example.test")
        for n in range(VOTERS)
    ]
    return process, projects, voters


def test_every_voter_trying_from_several_threads_at_once_gets_one_ballot(world, cast):
    process, projects, voters = world
    accepted, refused, failures = [], [], []
    start = threading.Barrier(THREADS)

    def client(n):
        try:
            start.wait()
            for voter in voters:  # every thread tries every voter: THREADS tries each
                try:
                    accepted.append(
                        pb.ballot_cast(
                            process=process,
                            chosen={projects[n % 3].pk: 1},
                            postcode="NV1 1AA",
                            age=40,
                            by=voter,
                        )  # fmt: skip
                    )
                except pb.PBError as error:
                    refused.append(str(error))
        except Exception as error:  # noqa: BLE001 - reported below with the thread
            failures.append((n, repr(error)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(accepted) == VOTERS
    assert len(refused) == VOTERS * (THREADS - 1)
    assert all("already voted" in r for r in refused)
    assert Ballot.objects.filter(process=process).count() == VOTERS


def test_the_database_itself_refuses_a_second_live_ballot(cast, voting):
    from django.db import IntegrityError, transaction

    process, (a, _b, _c) = voting
    Ballot.objects.create(process=process, voter=cast.resident, channel="online", points={})
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(process=process, voter=cast.resident, channel="online", points={})


def test_closing_while_people_vote_leaves_no_ballot_outside_the_published_hash(world, cast):
    process, projects, voters = world
    started = threading.Barrier(len(voters) + 1)
    outcomes = []

    def voter_client(voter):
        try:
            started.wait()
            pb.ballot_cast(
                process=process, chosen={projects[0].pk: 1}, postcode="NV1 1AA", age=40, by=voter
            )
            outcomes.append("cast")
        except pb.PBError as error:
            outcomes.append(str(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=voter_client, args=(v,)) for v in voters]
    for thread in threads:
        thread.start()
    started.wait()
    closed = pb.process_close(process=process, by=cast.councillor)
    for thread in threads:
        thread.join()
    assert all(o in ("cast", "Voting is closed") for o in outcomes)
    assert Ballot.objects.filter(process=process).count() == outcomes.count("cast")
    pb.process_count(process=closed, by=cast.councillor)  # the hash still matches
