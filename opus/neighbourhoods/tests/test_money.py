"""A neighbourhood council's money lives in the personal budgets' ledger and is traceable
from the plan's decision to the payment."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from opus.budgets.models import Budget, BudgetSource, Source, Transaction
from opus.engines.ledger import LedgerError
from opus.neighbourhoods import money


def test_a_plan_decision_funds_the_council_budget_and_is_recorded_as_its_source(
    cast, hood_budget, decision
):
    hood_budget.refresh_from_db()
    assert hood_budget.organisation == cast.parish and hood_budget.person is None
    assert hood_budget.available_pence == 15_000_00
    line = BudgetSource.objects.get(budget=hood_budget)
    assert (line.source, line.decision, line.funder) == (Source.PLAN, decision, cast.council)
    allocation = Transaction.objects.get(budget=hood_budget, operation="allocate")
    assert allocation.funder == cast.council and "Places to meet" in allocation.memo


def test_the_same_decision_cannot_fund_a_budget_twice(cast, hood_budget, decision):
    with pytest.raises(LedgerError, match="already funds"):
        money.neighbourhood_budget_fund(budget=hood_budget, decision=decision, by=cast.commissioner)


def test_other_grants_are_lines_of_their_own(cast, hood_budget):
    for ref in ("Lottery 1", "Lottery 2"):
        money.neighbourhood_budget_fund(
            budget=hood_budget, funder=cast.charity, amount=1_000_00, reference=ref,
            by=cast.commissioner,
        )  # fmt: skip
    hood_budget.refresh_from_db()
    assert hood_budget.available_pence == 17_000_00
    assert BudgetSource.objects.filter(budget=hood_budget, source=Source.GRANT).count() == 2


def test_every_penny_is_traceable_from_decision_to_payment_and_the_ledger_verifies(
    cast, hood_budget, decision, capsys
):
    held = money.neighbourhood_commit(
        budget=hood_budget, payee=cast.charity, amount=4_000_00, purpose="PB: a bench",
        link="neighbourhoods.project:1", by=cast.councillor,
    )  # fmt: skip
    paid = money.neighbourhood_pay(
        commitment=held, amount=3_000_00, reference="INV-1", by=cast.councillor
    )
    hood_budget.refresh_from_db()
    assert (hood_budget.available_pence, hood_budget.committed_pence) == (11_000_00, 1_000_00)
    assert hood_budget.paid_pence == 3_000_00
    # payment → commitment → budget → source line → the plan's decision
    assert paid.commitment.link == "neighbourhoods.project:1"
    assert paid.budget.sources.get().decision == decision
    call_command("ledger_verify", "--history")
    assert "transactions" in capsys.readouterr().out


def test_a_councillor_of_another_council_cannot_spend_the_budget(
    cast, hood_budget, other_councillor
):
    with pytest.raises(PermissionDenied):
        money.neighbourhood_commit(
            budget=hood_budget, payee=cast.charity, amount=1_00, purpose="x", link="",
            by=other_councillor,
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        money.neighbourhood_commit(
            budget=hood_budget, payee=cast.charity, amount=1_00, purpose="x", link="",
            by=cast.resident,
        )  # fmt: skip


def test_no_commitment_beyond_what_is_available(cast, hood_budget):
    with pytest.raises(LedgerError, match="more than"):
        money.neighbourhood_commit(
            budget=hood_budget, payee=cast.charity, amount=15_000_01, purpose="Too much",
            link="", by=cast.councillor,
        )  # fmt: skip
    assert not hood_budget.commitments.exists()


def test_only_commissioners_open_and_a_budget_is_held_by_exactly_one(cast, hood):
    with pytest.raises(PermissionDenied):
        money.neighbourhood_budget_create(
            council=cast.parish, title="x", period_start=hood_date(), period_end=hood_date(),
            by=cast.councillor,
        )  # fmt: skip
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Budget.objects.create(
            person=cast.resident, organisation=cast.parish, title="both",
            period_start=hood_date(), period_end=hood_date(), created_by=cast.commissioner,
        )  # fmt: skip


def hood_date():
    import datetime as dt

    return dt.date(2026, 4, 1)
