"""Reminders from dates: who hears, in words, and once only however often the command runs."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from opus.budgets import services as budgets
from opus.commissioning.models import KpiReturn
from opus.commissioning.tests.test_first_day import signed_contract
from opus.notifications import reminders
from opus.notifications.models import Notification, Reminder
from opus.testing import create_consent

pytestmark = pytest.mark.django_db


def run(today, *extra):
    out = io.StringIO()
    call_command("send_reminders", "--today", today.isoformat(), "--no-progress", *extra,
                 stdout=out)  # fmt: skip
    return out.getvalue()


@pytest.fixture
def budget(cast):
    """Rosa's personal budget for 2026–27, opened by Cora."""
    return budgets.budget_create(
        person=cast.resident, title="Rosa's personal budget", period_start=dt.date(2026, 4, 1),
        period_end=dt.date(2027, 3, 31), sources=[("social_care", cast.council, 5_000_00)],
        by=cast.commissioner, needs=["befriending"],
    )  # fmt: skip


def notices(template):
    return Notification.objects.filter(template=template).order_by("address")


# ---------------------------------------------------------------- consent expiring


def test_a_consent_ending_within_14_days_tells_the_resident_and_the_champion_once(cast):
    today = timezone.localdate()
    ends = timezone.now() + dt.timedelta(days=10)
    consent = create_consent(person=cast.resident, champion=cast.champion, expires_at=ends)
    first = run(today)
    assert "consent expiring: 1" in first
    rows = notices("consent_expiring")
    assert [n.address for n in rows] == ["charlie@example.test", "rosa@example.test"]
    when = timezone.localtime(ends)
    words = f"{when.day} {when:%B %Y}"  # "17 December 2026": never a code
    to_rosa, to_charlie = rows.get(recipient=cast.resident), rows.get(recipient=cast.champion)
    assert to_rosa.subject == f"Your consent for Charlie to help you ends on {words}"
    assert "give your consent again with a new end date" in to_rosa.body
    assert "/choose/help/" in to_rosa.body
    assert to_charlie.subject == f"Your consent to help Rosa ends on {words}"
    assert "/choose/caseload/" in to_charlie.body and when.date().isoformat() not in (
        to_rosa.body + to_charlie.body
    )
    assert Reminder.objects.get().object_id == str(consent.pk)
    assert "consent expiring: 0" in run(today)  # a second run the same day
    assert "consent expiring: 0" in run(today + dt.timedelta(days=1))  # and the next
    assert notices("consent_expiring").count() == 2


def test_a_consent_renewed_withdrawn_or_ending_later_is_not_reminded(cast):
    from opus.choice.services import consent_withdraw

    create_consent(person=cast.resident, champion=cast.champion,
                   expires_at=timezone.now() + dt.timedelta(days=10))  # fmt: skip
    create_consent(person=cast.resident, champion=cast.champion,  # the renewal, ends later
                   expires_at=timezone.now() + dt.timedelta(days=20))  # fmt: skip
    gone = create_consent(person=cast.resident, champion=cast.champion, scope="find",
                          expires_at=timezone.now() + dt.timedelta(days=5))  # fmt: skip
    consent_withdraw(consent=gone, by=cast.resident)
    assert "consent expiring: 0" in run(timezone.localdate())
    assert not notices("consent_expiring").exists()


# ---------------------------------------------------------------- KPI returns


@pytest.fixture
def contract(cast):
    _, bids, contract = signed_contract(cast)
    Notification.objects.all().delete()  # the award letters
    return contract, bids[0].submitted_by


def test_a_kpi_return_due_within_7_days_tells_the_providers_staff_only(cast, contract):
    contract, supplier = contract
    row = KpiReturn.objects.filter(kpi__contract=contract).order_by("due_date").first()
    assert "KPI return due: 0" in run(row.due_date - dt.timedelta(days=8))
    output = run(row.due_date - dt.timedelta(days=7))
    assert "KPI return due: 1" in output and "KPI return overdue: 0" in output
    [notice] = notices("kpi_return_due")
    assert notice.recipient == supplier
    due = f"{row.due_date.day} {row.due_date:%B %Y}"
    assert notice.subject == f"The return for Visits is due by {due}"
    assert contract.title in notice.body and "(target 95%)" in notice.body
    assert f"/commissioning/returns/{row.pk}/" in notice.body
    assert "KPI return due: 0" in run(row.due_date)  # still due, already told
    assert notices("kpi_return_due").count() == 1


def test_an_overdue_return_tells_the_provider_and_the_commissioner_the_day_after_once(
    cast, contract
):
    contract, supplier = contract
    row = KpiReturn.objects.filter(kpi__contract=contract).order_by("due_date").first()
    assert "KPI return overdue: 0" in run(row.due_date)
    assert "KPI return overdue: 1" in run(row.due_date + dt.timedelta(days=1))
    assert "KPI return overdue: 0" in run(row.due_date + dt.timedelta(days=2))
    rows = notices("kpi_return_overdue")
    assert sorted(n.recipient.email for n in rows) == sorted(
        [supplier.email, cast.commissioner.email]
    )
    to_cora = rows.get(recipient=cast.commissioner)
    assert to_cora.subject.startswith("Overdue: the return for Visits was due by ")
    assert f"/commissioning/contracts/{contract.pk}/" in to_cora.body
    assert contract.supplier.name in to_cora.body


def test_a_return_already_made_is_not_reminded(cast, contract):
    contract, supplier = contract
    row = KpiReturn.objects.filter(kpi__contract=contract).order_by("due_date").first()
    KpiReturn.objects.filter(pk=row.pk).update(submitted_at=timezone.now(), value=97)
    run(row.due_date - dt.timedelta(days=3))
    run(row.due_date + dt.timedelta(days=1))
    assert not Notification.objects.exists() and not Reminder.objects.exists()


# ---------------------------------------------------------------- support plan reviews


def test_a_plan_review_due_tells_the_resident_and_whoever_wrote_it_with_them(cast, budget):
    plan = budgets.plan_write(
        budget=budget, outcomes=[{"outcome": "Get out more", "how": "Tea and talk"}],
        how_managed="managed", review_due=dt.date(2027, 1, 14), by=cast.commissioner,
    )  # fmt: skip
    assert "support plan review due: 0" in run(dt.date(2026, 12, 30))
    assert "support plan review due: 1" in run(dt.date(2026, 12, 31))
    rows = notices("plan_review_due")
    to_rosa = rows.get(recipient=cast.resident)
    assert to_rosa.subject == "Your support plan is due for review by 14 January 2027"
    assert f"/budgets/{budget.pk}/plan/" in to_rosa.body and "2027-01-14" not in to_rosa.body
    assert rows.get(recipient=cast.commissioner).subject == (
        "Rosa's support plan is due for review by 14 January 2027"
    )
    assert rows.count() == 2
    assert "support plan review due: 0" in run(dt.date(2027, 1, 1))
    assert Reminder.objects.get().object_id == str(plan.pk)


def test_only_the_newest_plan_is_reminded(cast, budget):
    for due in (dt.date(2027, 1, 14), dt.date(2027, 6, 1)):
        budgets.plan_write(budget=budget, outcomes=[{"outcome": "Get out more", "how": ""}],
                           how_managed="managed", review_due=due, by=cast.resident)  # fmt: skip
    assert "support plan review due: 0" in run(dt.date(2027, 1, 5))


# ---------------------------------------------------------------- once only, and the command


def test_a_reminder_taken_by_another_run_is_not_sent_again(cast):
    consent = create_consent(person=cast.resident, champion=cast.champion,
                             expires_at=timezone.now() + dt.timedelta(days=3))  # fmt: skip
    [due] = list(reminders.pending(timezone.localdate()))
    assert reminders.reminder_send(due) is not None
    assert reminders.reminder_send(due) is None  # the unique constraint: another machine lost
    assert notices("consent_expiring").count() == 2
    assert Reminder.objects.get().object_id == str(consent.pk)


def test_a_dry_run_counts_and_sends_nothing(cast):
    create_consent(person=cast.resident, champion=cast.champion,
                   expires_at=timezone.now() + dt.timedelta(days=3))  # fmt: skip
    assert "send_reminders (would send): consent expiring: 1" in run(
        timezone.localdate(), "--dry-run"
    )
    assert not Reminder.objects.exists() and not notices("consent_expiring").exists()


def test_the_task_sends_the_same_reminders(cast, django_capture_on_commit_callbacks):
    from opus.notifications.tasks import send_reminders

    create_consent(person=cast.resident, champion=cast.champion,
                   expires_at=timezone.now() + dt.timedelta(days=3))  # fmt: skip
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = send_reminders.enqueue(today=timezone.localdate().isoformat())
    assert result.return_value["consent_expiring"] == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["charlie@example.test", "rosa@example.test"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("14/01/2027", "send_reminders: --today '14/01/2027' is not a date; give it as YYYY-MM-DD"),
        ("2027-02-30", "send_reminders: --today '2027-02-30' is not a date; give it as YYYY-MM-DD"),
        ("1066-10-14", "send_reminders: --today must be from 2000-01-01 to 2100-12-31"),
    ],
)
def test_a_bad_date_fails_in_one_line_and_sends_nothing(cast, value, message):
    create_consent(person=cast.resident, champion=cast.champion,
                   expires_at=timezone.now() + dt.timedelta(days=3))  # fmt: skip
    with pytest.raises(CommandError) as error:
        call_command("send_reminders", "--today", value)
    assert str(error.value) == message
    assert not Reminder.objects.exists()


def test_the_command_explains_itself():
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "manage.py", "send_reminders", "--help"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "--today YYYY-MM-DD" in done.stdout and "--dry-run" in done.stdout
    assert "once" in done.stdout


def test_four_machines_at_once_tell_each_person_once(transactional_db, cast):
    """Each found every reminder before any was sent: the unique constraint settles who sends."""
    import threading

    from django.db import connections

    from opus.testing import create_member

    people = [create_member("resident", cast.council, full_name=f"Person {n}") for n in range(3)]
    for person in people:
        create_consent(person=person, champion=cast.champion,
                       expires_at=timezone.now() + dt.timedelta(days=5))  # fmt: skip
    today, barrier = timezone.localdate(), threading.Barrier(4)
    sent, failures = [], []

    def machine():
        try:
            found = list(reminders.pending(today))
            barrier.wait(timeout=30)
            sent.extend(r for r in map(reminders.reminder_send, found) if r is not None)
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=machine) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(sent) == Reminder.objects.count() == 3
    rows = notices("consent_expiring")
    assert rows.count() == 6  # each resident and the champion, once a consent
    assert sorted(rows.filter(recipient__in=people).values_list("recipient", flat=True)) == (
        sorted(p.pk for p in people)
    )
