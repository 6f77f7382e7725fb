"""The postcode-lottery monitor: snapshots from the records, the public page, CSV, the command."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from opus.allocation import monitor
from opus.allocation.models import MonitorSnapshot
from opus.budgets import services as budgets
from opus.core.models import AreaKind, AuditEvent
from opus.testing import create_area, create_user

ON = dt.date(2026, 6, 15)
# Budgets for befriending per neighbourhood, and its population: Dale has more people and no one
# helped, Croft three people (a small number, hidden when published).
WORLD = {"Ashby": (12, 1000), "Brook": (12, 1000), "Croft": (3, 1000), "Dale": (0, 3000)}


@pytest.fixture
def world(cast):
    for name, (count, population) in WORLD.items():
        hood = create_area(
            name=name,
            kind=AreaKind.NEIGHBOURHOOD,
            code=f"N9{name[:1]}000001",
            population=population,
        )
        create_area(neighbourhood=hood, population=population)
        for _ in range(count):
            budgets.budget_create(
                person=create_user(), title="Personal budget", period_start=dt.date(2026, 4, 1),
                period_end=dt.date(2027, 3, 31), sources=[("social_care", cast.council, 500_00)],
                by=cast.commissioner, needs=["befriending"], area=hood,
            )  # fmt: skip
    return cast


def social_activity(snapshot):
    return next(k for k in snapshot.figures["kinds"] if k["code"] == "social-activity")


def test_a_snapshot_reads_need_spend_and_access_from_the_records(world):
    snapshot = monitor.snapshot_take(on=ON, by=world.commissioner, draws=200)
    kind = social_activity(snapshot)
    areas = {a["name"]: a for a in kind["areas"]}
    assert {name: a["reached"] for name, a in areas.items()} == {
        n: c for n, (c, _) in WORLD.items()
    }
    assert areas["Ashby"]["spend_pence"] == 12 * 500_00
    assert areas["Dale"]["in_need"] == 3000  # no published assessment: everyone counts
    assert kind["target"] == pytest.approx(27 / 6000)
    assert areas["Dale"]["band"] == -2  # none of 3,000 helped when 13.5 would be expected
    assert kind["spend"]["gini"][1] <= kind["spend"]["gini"][0] <= kind["spend"]["gini"][2]
    assert snapshot.period == "2026-06"
    assert AuditEvent.objects.filter(action="monitor.snapshot").count() == 1


def test_budgets_not_yet_open_on_the_day_are_not_counted(world):
    snapshot = monitor.snapshot_take(on=dt.date(2026, 3, 31), by=None, draws=0)
    assert all(a["reached"] == 0 for k in snapshot.figures["kinds"] for a in k["areas"])


def test_a_second_snapshot_in_the_month_replaces_the_first(world):
    monitor.snapshot_take(on=ON, by=None, draws=0)
    monitor.snapshot_take(on=ON + dt.timedelta(days=1), by=None, draws=0)
    assert MonitorSnapshot.objects.get().as_of == ON + dt.timedelta(days=1)


def test_the_public_page_flags_the_area_and_hides_small_numbers(client, world):
    monitor.snapshot_take(on=ON, by=None, draws=100)
    page = client.get(reverse("allocation:monitor"), {"kind": "social-activity"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "Dale helps 0 of 3000 people in need" in text
    assert "Below the 99.8% limit" in text
    assert "hidden: fewer than 5 people" in text  # Croft's three
    assert "<svg" in text and 'aria-label="Access by area"' in text


def test_the_page_says_so_when_no_figures_have_been_taken(client, db):
    page = client.get(reverse("allocation:monitor"))
    assert "No figures have been worked out yet" in page.content.decode()


def test_area_csv_hides_what_the_page_hides_and_history_has_every_month(client, world):
    monitor.snapshot_take(on=dt.date(2026, 5, 31), by=None, draws=0)
    monitor.snapshot_take(on=ON, by=None, draws=0)
    areas = client.get(reverse("allocation:monitor_areas_csv"), {"kind": "social-activity"})
    lines = areas.content.decode("utf-8-sig").splitlines()
    croft = next(line for line in lines if ",Croft," in line)
    assert ",,,,,," in croft  # reached, rate and the four limits left empty
    history = client.get(reverse("allocation:monitor_history_csv")).content.decode("utf-8-sig")
    assert [line[:7] for line in history.splitlines()[1:]].count("2026-05") >= 1
    assert "2026-06" in history


def test_the_command_takes_a_snapshot_and_refuses_bad_input(world):
    out = io.StringIO()
    call_command("snapshot_monitor", "--on", "2026-06-15", "--draws", "0", "--quiet", stdout=out)
    assert "Kept the 2026-06 snapshot" in out.getvalue()
    with pytest.raises(CommandError, match="date like"):
        call_command("snapshot_monitor", "--on", "15/06/2026", "--quiet")
    with pytest.raises(CommandError, match="future"):
        call_command("snapshot_monitor", "--on", "2999-01-01", "--quiet")
    with pytest.raises(CommandError, match="from 0 to 10,000"):
        call_command("snapshot_monitor", "--draws", "20000", "--quiet")
    assert MonitorSnapshot.objects.count() == 1
