"""Reading and writing Pabulib (.pb) files: what is read, what is refused and on which line."""

from __future__ import annotations

import pytest

from opus.engines import pabulib, pb

GOOD = """META
key;value
description;"Synthetic; a semicolon in a quoted field"
budget;1000
vote_type;approval
PROJECTS
project_id;cost;votes;name;selected
1;600;99;"Park; benches";1
2;400;0;Play area;0
3;500;0;Library;0
VOTES
voter_id;vote;age
v1;1,2;34
v2;2;
v3;;71
"""

CUMULATIVE = """META
key;value
budget;30
vote_type;cumulative
PROJECTS
project_id;cost
x;20
y;15
VOTES
voter_id;vote;points
1;x,y;3,1
2;y;4
"""


def test_a_good_file_is_read_with_every_column_kept_as_text():
    election = pabulib.parse(GOOD)

    assert election.meta["budget"] == "1000"
    assert election.meta["description"] == "Synthetic; a semicolon in a quoted field"
    assert election.projects[0] == {
        "project_id": "1",
        "cost": "600",
        "votes": "99",
        "name": "Park; benches",
        "selected": "1",
    }
    assert [v["vote"] for v in election.votes] == ["1,2", "2", ""]
    assert election.vote_lines == (13, 14, 15)


def test_writing_then_reading_gives_the_same_election():
    election = pabulib.parse(GOOD)
    again = pabulib.parse(pabulib.write(election))

    assert again.meta == election.meta
    assert again.projects == election.projects
    assert again.votes == election.votes
    assert '"Park; benches"' in pabulib.write(election)


def test_an_election_built_in_memory_is_written_with_the_required_columns_first():
    election = pabulib.Election(
        meta={"budget": "50", "vote_type": "approval"},
        projects=[{"name": "Bench", "cost": "50", "project_id": "7"}],
        votes=[{"vote": "7", "voter_id": "a1"}],
    )
    text = pabulib.write(election)

    assert "PROJECTS\nproject_id;cost;name\n7;50;Bench\n" in text
    assert "VOTES\nvoter_id;vote\na1;7\n" in text
    assert pabulib.count_input(pabulib.parse(text)).ballots == [pb.Ballot("a1", {"7": 1})]


def test_counting_reads_the_ballots_never_the_votes_or_selected_columns():
    given = pabulib.count_input(pabulib.parse(GOOD))

    assert given.budget == 1000
    assert given.utility == "cost"
    assert given.projects == [pb.Project("1", 600), pb.Project("2", 400), pb.Project("3", 500)]
    assert given.ballots[0] == pb.Ballot("v1", {"1": 1, "2": 1})
    assert given.ballots[2] == pb.Ballot("v3", {})


def test_cumulative_ballots_count_their_points():
    given = pabulib.count_input(pabulib.parse(CUMULATIVE))

    assert given.utility == "points"
    assert given.ballots == [pb.Ballot("1", {"x": 3, "y": 1}), pb.Ballot("2", {"y": 4})]


@pytest.mark.parametrize(
    ("change", "line", "words"),
    [
        (("1;600;99", "1;6x0;99"), 8, "the cost of project 1 is not a number"),
        (("1;600;99", "1;-5;99"), 8, "not a number ≥ 0"),
        (("v2;2;", "v2;9;"), 14, "the ballot of voter v2 names unknown project 9"),
        (("v2;2;", "v2;2,2;"), 14, "names a project twice"),
        (("v3;;71", "v1;;71"), 15, "voter v1 has two ballots (first on line 13)"),
        (("3;500;0", "2;500;0"), 10, "project 2 is listed twice"),
        (("budget;1000\n", ""), 1, "the META section has no budget"),
        (("budget;1000", "budget;lots"), 4, "budget is not a number"),
        (("PROJECTS", "PROJECTZ"), 6, "unknown section 'PROJECTZ'"),
        (("VOTES\n", "BALLOTS\n"), 11, "unknown section 'BALLOTS'"),
        (("2;400;0;Play area;0", "2;400;0"), 9, "expected 5 fields, found 3"),
        (("project_id;cost;votes", "project_id;price;votes"), 7, "no cost column"),
        (("vote_type;approval", "vote_type;ranked"), 5, "unknown vote_type 'ranked'"),
        (("1;600;99", "1;1e16;99"), 8, "the cost of project 1 is larger than"),
        (("budget;1000", "budget;1e999999"), 4, "budget is larger than"),
        (("META\n", "VOTES\n"), 1, "VOTES section out of order: expected META"),
    ],
)
def test_bad_files_are_refused_naming_the_line_and_the_problem(change, line, words):
    old, new = change
    assert old in GOOD
    with pytest.raises(pabulib.PabulibError) as caught:
        pabulib.parse(GOOD.replace(old, new, 1))

    assert caught.value.line == line
    assert words in caught.value.message
    assert str(caught.value).startswith(f"line {line}: ")


def test_a_missing_section_is_named():
    with pytest.raises(pabulib.PabulibError, match="the VOTES section is missing"):
        pabulib.parse(GOOD.split("VOTES")[0])
    with pytest.raises(pabulib.PabulibError, match="line 1: the file is empty"):
        pabulib.parse("\n\n")
    with pytest.raises(pabulib.PabulibError, match="line 1: expected the META section"):
        pabulib.parse("hello;world\n")


def test_cumulative_points_must_match_the_vote():
    bad = CUMULATIVE.replace("1;x,y;3,1", "1;x,y;3")
    with pytest.raises(pabulib.PabulibError, match="line 11: points must be 2 whole numbers"):
        pabulib.parse(bad)


def test_amounts_with_pence_are_counted_in_pence():
    given = pabulib.count_input(pabulib.parse(GOOD.replace("1;600;99", "1;600.5;99")))

    assert given.scale == 10
    assert given.budget == 10000
    assert given.projects[0] == pb.Project("1", 6005)
    assert (
        pabulib.count_input(pabulib.parse(GOOD.replace("budget;1000", "budget;1000.00"))).scale == 1
    )


def test_amounts_finer_than_a_millionth_are_refused():
    election = pabulib.parse(GOOD.replace("1;600;99", "1;600.0000001;99"))
    with pytest.raises(pabulib.PabulibError, match="line 8: .* more than 6 decimal places"):
        pabulib.count_input(election)
