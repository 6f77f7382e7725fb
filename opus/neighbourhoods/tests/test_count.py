"""A small worked election through the services: greedy and Equal Shares fund different
projects; the ballot file's hash is published before counting; the council's ledger commits
the winners; nothing shows before the results are published; the Pabulib file round-trips."""

import hashlib

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from opus.budgets.verify import ledger_verify
from opus.core.models import Role
from opus.engines import pabulib
from opus.neighbourhoods import services as pb
from opus.neighbourhoods.models import Phase, Result
from opus.testing import create_member

from .conftest import open_process


@pytest.fixture
def election(cast, hood_budget):
    """£100 to share; six people want the two £50 projects X1 and X2, four the £40 project Y.
    Greedy funds X1 and X2 (six votes each) and Y no longer fits; Equal Shares gives the four
    their proportional share, so Y is funded with one of the X."""
    process, (x1, x2, y) = open_process(
        cast, hood_budget, costs=(50_00, 50_00, 40_00), amount=100_00
    )
    majority = [
        create_member(Role.RESIDENT, cast.council, email=f"m{n}@example.test") for n in range(6)
    ]
    minority = [
        create_member(Role.RESIDENT, cast.council, email=f"n{n}@example.test") for n in range(4)
    ]
    for person in majority:
        pb.ballot_cast(
            process=process, chosen={x1.pk: 1, x2.pk: 1}, postcode="NV1 1AA", age=30, by=person
        )
    for person in minority:
        pb.ballot_cast(process=process, chosen={y.pk: 1}, postcode="NV2 1AA", age=30, by=person)
    return process, (x1, x2, y), majority, minority


def test_closing_publishes_the_ballot_files_hash_and_the_tie_order_before_counting(cast, election):
    process, (x1, x2, y), _m, _n = election
    process = pb.process_close(process=process, by=cast.councillor)
    text = pb.process_election_text(process)
    assert process.ballots_sha256 == hashlib.sha256(text.encode()).hexdigest()
    assert sorted(process.tie_order) == sorted(str(p.pk) for p in (x1, x2, y))
    assert process.tie_order[0] == str(y.pk)  # the cheapest first
    assert not Result.objects.exists()
    with pytest.raises(pb.PBError, match="Voting is closed"):
        pb.ballot_cast(
            process=process, chosen={y.pk: 1}, postcode="NV1 1AA", age=30, by=cast.resident
        )


def test_greedy_and_equal_shares_differ_and_the_official_result_is_committed_in_the_ledger(
    cast, election, hood_budget
):
    process, (x1, x2, y), majority, minority = election
    process = pb.process_close(process=process, by=cast.councillor)
    with pytest.raises(PermissionDenied):
        pb.process_count(process=process, by=cast.resident)
    pb.process_count(process=process, by=cast.councillor)
    greedy = Result.objects.get(process=process, rule="greedy")
    shares = Result.objects.get(process=process, rule="equal-shares")
    assert set(greedy.winners) == {str(x1.pk), str(x2.pk)}
    assert str(y.pk) in shares.winners and len(shares.winners) == 2
    assert shares.official and not greedy.official
    assert (
        shares.variant["rule"] == "equal-shares"
        and shares.variant["tie_order"] == process.tie_order
    )
    assert shares.ballots_sha256 == Result.objects.get(rule="greedy").ballots_sha256
    pb.process_publish(process=process, by=cast.councillor)
    hood_budget.refresh_from_db()
    assert hood_budget.committed_pence == 90_00
    y.refresh_from_db()
    assert y.funded and y.commitment.link == f"neighbourhoods.project:{y.pk}"
    assert ledger_verify(history=True).ok


def test_nothing_of_the_count_leaks_before_publication_and_all_of_it_shows_after(
    client, cast, election, tmp_path
):
    process, (_x1, _x2, y), _majority, minority = election
    pb.process_close(process=process, by=cast.councillor)
    pb.process_count(process=process, by=cast.councillor)
    detail = reverse("neighbourhoods:pb_detail", args=[process.pk])
    download = reverse("neighbourhoods:pb_pabulib", args=[process.pk])
    for who in (minority[0], cast.councillor):
        client.force_login(who)
        page = client.get(detail).content.decode()
        assert "Effective support" not in page and "helped fund" not in page
        assert client.get(download).status_code == 404
    with pytest.raises(CommandError, match="No published PB process"):
        call_command("export_pabulib", str(process.pk), "--out", str(tmp_path / "x.pb"))
    pb.process_publish(process=process, by=cast.councillor)
    client.force_login(minority[0])
    page = client.get(detail).content.decode()
    assert "Effective support" in page and "Your share helped fund" in page and y.title in page
    assert "Voters with at least one funded project" in page
    assert client.get(download).status_code == 200


def test_the_pabulib_export_round_trips_and_voters_are_pseudonymous(cast, election, tmp_path):
    process, (x1, x2, y), majority, minority = election
    process = pb.process_close(process=process, by=cast.councillor)
    pb.process_count(process=process, by=cast.councillor)
    pb.process_publish(process=process, by=cast.councillor)
    out = tmp_path / "vale.pb"
    call_command("export_pabulib", str(process.pk), "--out", str(out))
    text = out.read_text(encoding="utf-8")
    assert hashlib.sha256(text.encode()).hexdigest() == process.ballots_sha256
    election_read = pabulib.parse(text)
    assert len(election_read.votes) == 10
    assert {p["project_id"] for p in election_read.projects} == {str(x1.pk), str(x2.pk), str(y.pk)}
    assert election_read.meta["budget"] == "100"
    for person in majority + minority:
        assert str(person.pk) not in {v["voter_id"] for v in election_read.votes}
        assert person.email not in text


def test_publishing_needs_a_count_and_only_the_councils_officers_step(
    cast, election, other_councillor
):
    process, _projects, _m, _n = election
    with pytest.raises(PermissionDenied):
        pb.process_close(process=process, by=other_councillor)
    pb.process_close(process=process, by=cast.councillor)
    with pytest.raises(pb.PBError, match="Count the ballots"):
        pb.process_publish(process=process, by=cast.councillor)
    process.refresh_from_db()
    assert process.phase == Phase.COUNTING and not process.published


def test_the_api_gives_no_result_before_publication(client, cast, election):
    process, _projects, _m, _n = election
    process = pb.process_close(process=process, by=cast.councillor)
    pb.process_count(process=process, by=cast.councillor)
    results = f"/api/v1/pb/processes/{process.pk}/results"
    answer = client.get(results)
    assert answer.status_code == 404 and answer["Content-Type"].startswith("application/problem")
    detail = client.get(f"/api/v1/pb/processes/{process.pk}").json()
    assert detail["ballots_sha256"] == process.ballots_sha256 and "winners" not in str(detail)
    assert client.get(f"/api/v1/pb/processes/{process.pk + 99}/results").status_code == 404
    pb.process_publish(process=process, by=cast.councillor)
    published = client.get(results).json()
    assert {r["rule"] for r in published} == {"greedy", "equal-shares"}
    assert client.get("/api/v1/pb/processes").json()["items"][0]["id"] == process.pk


def test_cumulative_ballots_are_counted_with_points_utilities(cast, hood_budget):
    process, (a, b, c) = open_process(
        cast, hood_budget, ballot_type="cumulative", points=10, costs=(60_00, 50_00, 40_00),
        amount=100_00,
    )  # fmt: skip
    for n in range(3):
        voter = create_member(Role.RESIDENT, cast.council, email=f"c{n}@example.test")
        chosen = {a.pk: 7, c.pk: 3} if n < 2 else {b.pk: 10}
        pb.ballot_cast(process=process, chosen=chosen, postcode="NV1 1AA", age=30, by=voter)
    process = pb.process_close(process=process, by=cast.councillor)
    assert "max_sum_points;10" in pb.process_election_text(process)
    pb.process_count(process=process, by=cast.councillor)
    official = Result.objects.get(process=process, official=True)
    assert official.variant["utility"] == "points"
    assert {row["id"]: row["points"] for row in official.projects}[str(a.pk)] == 14
