"""`manage.py pb_count`: any Pabulib file counted from its ballots, one JSON object out."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[3]


def pb_count(name: str, *options: str) -> dict:
    out = io.StringIO()
    call_command("pb_count", str(DATA / name), *options, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def test_greedy_and_equal_shares_differ_and_the_file_s_own_tallies_are_ignored():
    # differ.pb claims 999 votes and selected=1 for a and b: only its ballots count.
    greedy = pb_count("differ.pb", "--rule", "greedy")
    shares = pb_count("differ.pb", "--rule", "equal-shares")

    assert greedy["winners"] == ["b", "a"] and greedy["cost"] == 100
    assert shares["winners"] == ["b", "d"] and shares["cost"] == 80
    assert shares["variant"] == {
        "rule": "equal-shares",
        "utility": "cost",
        "completion": "add1",
        "exhaustive_stop": True,
        "tie_order": ["b", "d", "c", "a"],
        "seed": "",
    }
    projects = {p["project_id"]: p for p in shares["projects"]}
    assert projects["a"]["votes"] == 6
    assert projects["a"]["reason"] == "not enough money left among its supporters"
    assert projects["d"]["effective_support"] == "4"


def test_cumulative_files_are_counted_with_points_utilities():
    result = pb_count("cumulative.pb", "--rule", "equal-shares")

    assert result["variant"]["utility"] == "points"
    assert result["winners"] == ["z", "y"] and result["cost"] == 25


def test_add1_completion_can_be_turned_off():
    assert pb_count("add1.pb", "--rule", "equal-shares", "--completion", "none")["winners"] == ["y"]
    assert pb_count("add1.pb", "--rule", "equal-shares", "--completion", "add1")["winners"] == [
        "y",
        "x",
    ]


def test_the_exhaustive_stop_can_be_turned_off():
    stop = pb_count("exhaustive.pb", "--rule", "equal-shares", "--exhaustive-stop")
    go_on = pb_count("exhaustive.pb", "--rule", "equal-shares", "--no-exhaustive-stop")

    assert stop["winners"] == ["b"]
    assert go_on["winners"] == ["c"] and go_on["variant"]["exhaustive_stop"] is False


def test_the_seed_is_used_for_the_tie_lot_and_reported():
    result = pb_count("differ.pb", "--rule", "greedy", "--seed", "published-2026")

    assert result["variant"]["seed"] == "published-2026"
    assert result["variant"]["tie_order"][:1] == ["b"]  # cheapest first whatever the seed


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("unknown_project.pb", "line 12: the ballot of voter 2 names unknown project z"),
        ("bad_cost.pb", "line 6: the cost of project x is not a number"),
        ("wrong_section.pb", "line 7: unknown section 'BALLOTS'"),
        ("no_such_file.pb", "cannot be read"),
    ],
)
def test_bad_files_are_refused_with_the_line_and_exit_status_2(name, words):
    with pytest.raises(CommandError) as caught:
        pb_count(name, "--rule", "equal-shares")

    assert words in str(caught.value)
    assert caught.value.returncode == 2


def test_from_the_shell_a_bad_file_prints_one_line_and_exits_2():
    done = subprocess.run(  # noqa: S603 - our own manage.py with our own arguments
        [sys.executable, "manage.py", "pb_count", str(DATA / "bad_cost.pb"), "--rule", "greedy"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,  # a busy machine can take long to start Django
        check=False,
    )

    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1
    assert "line 6" in done.stderr


def test_help_describes_the_options(capsys):
    with pytest.raises(SystemExit) as caught:
        call_command("pb_count", "--help")

    assert caught.value.code == 0
    printed = capsys.readouterr().out
    assert "--rule {greedy,equal-shares}" in printed
    assert "--exhaustive-stop" in printed and "--no-exhaustive-stop" in printed


def test_costs_in_pounds_and_pence_are_counted_exactly_and_reported_in_pounds():
    # £25 each: x's two have £50 of £60.50; Add1 raises shares £1 at a time until at £31
    # they can pay it (£62 ≥ £60.50), and x and y together cost exactly £100.
    result = pb_count("pence.pb", "--rule", "equal-shares")

    assert result["winners"] == ["y", "x"]
    assert result["cost"] == 100
    assert {p["project_id"]: p["cost"] for p in result["projects"]} == {"x": 60.5, "y": 39.5}
