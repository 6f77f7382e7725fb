"""ledger_verify finds the first discrepancy and exits non-zero; a sound ledger passes."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from opus.budgets import services as budgets
from opus.budgets.models import Budget, Commitment, Entry
from opus.engines.ledger import LedgerError

from .conftest import request_booking


def _unguard() -> None:
    """Let the test rewrite ledger rows, as someone with the database's keys could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        else:
            cursor.execute("DROP TRIGGER budgets_entry_no_update")


def test_a_sound_ledger_verifies(db, cast, budget, commitment, capsys):
    budgets.deliver(commitment=commitment, amount=10_00, by=cast.provider)
    call_command("ledger_verify", "--history")
    assert "transactions" in capsys.readouterr().out


def test_a_running_figure_that_disagrees_with_its_entries_is_named(db, budget):
    Budget.objects.filter(pk=budget.pk).update(available_pence=4_999_00)
    with pytest.raises(CommandError, match=f"budget {budget.pk}: available_pence is 499900p"):
        call_command("ledger_verify")


def test_a_changed_entry_makes_its_transaction_unbalanced(db, budget):
    _unguard()
    entry = Entry.objects.order_by("id").first()
    Entry.objects.filter(pk=entry.pk).update(amount_pence=entry.amount_pence + 1)
    with pytest.raises(CommandError, match=f"transaction #{entry.transaction_id} does not balance"):
        call_command("ledger_verify")


def test_a_commitment_figure_out_of_step_is_named(db, cast, budget, commitment):
    Commitment.objects.filter(pk=commitment.pk).update(unpaid_pence=5)
    with pytest.raises(CommandError, match=f"commitment {commitment.pk}: unpaid_pence"):
        call_command("ledger_verify")


def test_a_booking_the_provider_has_not_accepted_cannot_be_committed(db, cast, budget, service):
    booking = request_booking(cast, service)
    with pytest.raises(LedgerError, match="accepted") as error:
        budgets.commit_booking(booking=booking, by=cast.resident)
    assert error.value.field == "booking"
    assert not Commitment.objects.exists()
