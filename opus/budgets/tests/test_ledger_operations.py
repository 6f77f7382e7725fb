import pytest
from django.core.exceptions import PermissionDenied

from opus.budgets import services as budgets
from opus.budgets.models import Budget, Entry, Transaction
from opus.budgets.verify import ledger_verify
from opus.core.models import AuditEvent
from opus.engines.ledger import LedgerError


def figures(budget):
    budget = Budget.objects.get(pk=budget.pk)
    return {
        "allocated": budget.allocated_pence,
        "available": budget.available_pence,
        "committed": budget.committed_pence,
        "paid": budget.paid_pence,
        "direct": budget.direct_pence,
        "returned": budget.returned_pence,
    }


def test_an_accepted_booking_becomes_a_commitment_for_every_session_left(budget, commitment):
    assert commitment.weekly_pence == 30_00 and commitment.weeks == 53
    assert commitment.total_pence == commitment.outstanding_pence == 1_590_00
    assert figures(budget) == {
        "allocated": 5_000_00,
        "available": 3_410_00,
        "committed": 1_590_00,
        "paid": 0,
        "direct": 0,
        "returned": 0,
    }


def test_delivery_then_invoice_moves_committed_money_to_the_provider(cast, budget, commitment):
    budgets.deliver(commitment=commitment, amount=120_00, by=cast.provider, memo="4 weeks")
    commitment.refresh_from_db()
    assert (commitment.outstanding_pence, commitment.unpaid_pence) == (1_470_00, 120_00)
    budgets.pay_invoice(
        commitment=commitment, amount=120_00, reference="INV-1", by=cast.commissioner
    )
    commitment.refresh_from_db()
    assert commitment.unpaid_pence == 0
    assert figures(budget)["paid"] == 120_00
    assert ledger_verify().ok


def test_an_invoice_for_more_than_was_delivered_is_refused_and_writes_nothing(
    cast, budget, commitment
):
    budgets.deliver(commitment=commitment, amount=30_00, by=cast.provider)
    before = (Transaction.objects.count(), Entry.objects.count(), AuditEvent.objects.count())
    with pytest.raises(LedgerError, match="more than the £30 delivered"):
        budgets.pay_invoice(
            commitment=commitment, amount=30_01, reference="INV-2", by=cast.commissioner
        )
    assert (
        Transaction.objects.count(),
        Entry.objects.count(),
        AuditEvent.objects.count(),
    ) == before


def test_cancelling_releases_what_was_not_delivered(cast, budget, commitment):
    budgets.deliver(commitment=commitment, amount=60_00, by=cast.provider)
    budgets.release(commitment=commitment, by=cast.resident, memo="Moving away")
    commitment.refresh_from_db()
    assert commitment.outstanding_pence == 0 and commitment.status == "ended"
    assert figures(budget)["available"] == 5_000_00 - 60_00


def test_direct_payment_and_return(cast, budget):
    budgets.direct_payment(budget=budget, amount=500_00, by=cast.commissioner)
    budgets.direct_payment_return(budget=budget, amount=120_00, by=cast.commissioner)
    with pytest.raises(LedgerError, match="paid as direct payments"):
        budgets.direct_payment_return(budget=budget, amount=380_01, by=cast.commissioner)
    assert figures(budget) | {} == {
        "allocated": 5_000_00,
        "available": 4_500_00,
        "committed": 0,
        "paid": 0,
        "direct": 380_00,
        "returned": 120_00,
    }


def test_closing_a_period_releases_commitments_and_claws_back_the_rest(cast, budget, commitment):
    budgets.deliver(commitment=commitment, amount=300_00, by=cast.provider)
    budgets.pay_invoice(commitment=commitment, amount=300_00, reference="I", by=cast.commissioner)
    budgets.budget_close(budget=budget, by=cast.commissioner)
    assert figures(budget) == {
        "allocated": 5_000_00,
        "available": 0,
        "committed": 0,
        "paid": 300_00,
        "direct": 0,
        "returned": 4_700_00,
    }
    with pytest.raises(LedgerError, match="closed"):
        budgets.direct_payment(budget=budget, amount=1, by=cast.commissioner)
    assert ledger_verify(history=True).ok


def test_a_correction_reverses_and_links_to_the_original(cast, budget):
    paid = budgets.direct_payment(budget=budget, amount=200_00, by=cast.commissioner)
    fix = budgets.correct(original=paid, reason="Paid twice by mistake", by=cast.commissioner)
    assert fix.reverses == paid and figures(budget)["direct"] == 0
    with pytest.raises(LedgerError, match="already been corrected"):
        budgets.correct(original=paid, reason="again", by=cast.commissioner)
    assert Transaction.objects.filter(pk=paid.pk).exists()  # the original stays


def test_a_correction_that_would_overdraw_is_refused(cast, budget, commitment):
    top_up = budgets.allocate(
        budget=budget,
        funder=cast.council,
        source="social_care",
        amount=100_00,
        by=cast.commissioner,
    )
    budgets.direct_payment(budget=budget, amount=3_500_00, by=cast.commissioner)
    with pytest.raises(LedgerError, match="left to spend"):
        budgets.correct(original=top_up, reason="Wrong person", by=cast.commissioner)


@pytest.mark.parametrize("amount", [0, -100, 12.5, "100"])
def test_bad_amounts_are_refused(cast, budget, amount):
    with pytest.raises(LedgerError) as error:
        budgets.direct_payment(budget=budget, amount=amount, by=cast.commissioner)
    assert error.value.field == "amount"
    assert Transaction.objects.count() == 1  # the allocation only


def test_a_retried_request_with_the_same_key_pays_once(cast, budget):
    first = budgets.direct_payment(budget=budget, amount=50_00, by=cast.commissioner, key="k-1")
    again = budgets.direct_payment(budget=budget, amount=50_00, by=cast.commissioner, key="k-1")
    assert first.pk == again.pk and figures(budget)["direct"] == 50_00


def test_the_same_key_with_a_different_request_is_refused(cast, budget):
    budgets.direct_payment(budget=budget, amount=50_00, by=cast.commissioner, key="k-2")
    with pytest.raises(LedgerError, match="different request") as error:
        budgets.direct_payment(budget=budget, amount=60_00, by=cast.commissioner, key="k-2")
    assert error.value.field == "idempotency_key"
    assert figures(budget)["direct"] == 50_00


def test_only_commissioners_move_public_money(cast, budget):
    for who in (cast.resident, cast.champion, cast.provider, cast.auditor, cast.stranger):
        with pytest.raises(PermissionDenied):
            budgets.direct_payment(budget=budget, amount=1_00, by=who)


def test_only_the_providers_staff_record_delivery(cast, budget, commitment):
    for who in (cast.resident, cast.commissioner, cast.stranger):
        with pytest.raises(PermissionDenied):
            budgets.deliver(commitment=commitment, amount=1_00, by=who)


def test_a_booking_that_the_budget_cannot_hold_is_accepted_but_not_committed(cast, service):
    from opus.choice import services as choice

    from .conftest import TODAY, request_booking

    small = budgets.budget_create(
        person=cast.resident,
        title="Small",
        period_start=TODAY,
        period_end=TODAY.replace(year=2027),
        by=cast.commissioner,
        sources=[("health", cast.council, 100_00)],
    )
    booking = request_booking(cast, service)
    choice.booking_decide(booking=booking, accept=True, reason="", by=cast.provider)
    booking.refresh_from_db()
    assert booking.status == "accepted"
    assert not hasattr(booking, "commitment") or booking.commitment is None
    assert figures(small)["committed"] == 0


def test_every_operation_is_in_the_audit_log(cast, budget, commitment):
    budgets.deliver(commitment=commitment, amount=30_00, by=cast.provider)
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert {"ledger.allocate", "ledger.commit", "ledger.deliver", "budget.create"} <= set(actions)


def test_the_ledger_cannot_be_rewritten(cast, budget):
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic():
        Entry.objects.update(amount_pence=1)


def test_transactions_cannot_be_rewritten_either(cast, budget):
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic():
        Transaction.objects.update(memo="changed")


def test_money_cannot_move_on_a_date_still_to_come(cast, budget):
    import datetime as dt

    from django.utils import timezone

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(LedgerError, match="date still to come"):
        budgets.direct_payment(budget=budget, amount=1_00, by=cast.commissioner, on=tomorrow)
