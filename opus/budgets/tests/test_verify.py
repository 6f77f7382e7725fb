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


# --- Forged and deleted money (issue 11, item 3) --------------------------------------------


def _verify_fails(match: str, *args: str) -> None:
    with pytest.raises(CommandError, match=match):
        call_command("ledger_verify", *args)


def _forge_direct_payment(budget: Budget, by_id: int, amount: int, audit_hash: str = "") -> int:
    """£`amount` out of the budget as a balanced direct payment, written with plain SQL through
    the application's own statements (no audit event of its own), running figures kept true."""
    from django.utils import timezone

    from opus.budgets import ledger_sql
    from opus.core.sql import Batch

    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM budgets_transaction")
        txn = int(cursor.fetchone()[0])
    owner = f"budget:{budget.pk}"
    writes = Batch()
    row = dict.fromkeys(ledger_sql.TRANSACTION_COLUMNS, "")
    row.update(
        id=txn, operation="direct_payment", amount_pence=amount, budget_id=budget.pk,
        commitment_id=None, funder_id=None, reverses_id=None, idempotency_key=None,
        value_date=timezone.localdate(), created_by_id=by_id, created_at=timezone.now(),
        audit_hash=audit_hash,
    )  # fmt: skip
    ledger_sql.queue_insert_transaction(writes, row)
    ledger_sql.queue_insert_entries(
        writes, txn, [("available", owner, None, -amount), ("direct", owner, None, amount)]
    )
    ledger_sql.queue_add_to(
        writes, "budgets_budget", budget.pk, {"available_pence": -amount, "direct_pence": amount}
    )
    writes.run()
    return txn


def test_a_forged_balanced_payment_inserted_into_the_tables_is_named(db, cast, budget):
    txn = _forge_direct_payment(budget, cast.commissioner.pk, 500_00)
    _verify_fails(rf"transaction #{txn} has no audit event")
    call_command("audit_verify")  # the log itself was not touched: it is the link that fails


def test_a_forged_payment_that_borrows_a_real_events_hash_is_named(db, cast, budget):
    from opus.core.models import AuditEvent

    real = AuditEvent.objects.filter(action="ledger.allocate").order_by("sequence").first()
    txn = _forge_direct_payment(budget, cast.commissioner.pk, 500_00, audit_hash=real.hash)
    _verify_fails(
        rf"transaction #{txn}'s audit event {real.sequence} records budgets.transaction:"
        rf"{real.object_id}"
    )


def test_a_second_event_claiming_a_real_payment_is_named(db, cast, budget):
    from django.db import transaction

    from opus.core.audit import audit_record

    paid = budgets.direct_payment(budget=budget, amount=100_00, by=cast.commissioner)
    with transaction.atomic():  # a well-chained event, as the application's rights allow
        extra = audit_record(
            actor=cast.commissioner,
            action="ledger.direct_payment",
            object_type="budgets.transaction",
            object_id=str(paid.pk),
            summary={"amount_pence": 100_00},
        )
    _verify_fails(
        rf"audit event {extra.sequence} \(ledger.direct_payment\) records transaction "
        rf"#{paid.pk}, which carries another event's hash"
    )


def test_deleting_a_real_payment_with_its_effects_is_named(db, cast, budget):
    from opus.core.models import AuditEvent
    from opus.testing import allow_audit_tampering

    paid = budgets.direct_payment(budget=budget, amount=100_00, by=cast.commissioner)
    event = AuditEvent.objects.get(action="ledger.direct_payment", object_id=str(paid.pk))
    allow_audit_tampering()  # as someone who can step round the append-only triggers
    Entry.objects.filter(transaction=paid).delete()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM budgets_transaction WHERE id = %s", [paid.pk])
    Budget.objects.filter(pk=budget.pk).update(available_pence=5_000_00, direct_pence=0)
    _verify_fails(
        rf"audit event {event.sequence} \(ledger.direct_payment\) records transaction "
        rf"#{paid.pk}, which is not in the ledger"
    )


def test_deleting_a_payment_and_its_audit_event_is_found_by_audit_verify(db, cast, budget):
    from opus.core.models import AuditEvent
    from opus.testing import allow_audit_tampering

    paid = budgets.direct_payment(budget=budget, amount=100_00, by=cast.commissioner)
    allow_audit_tampering()
    Entry.objects.filter(transaction=paid).delete()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM budgets_transaction WHERE id = %s", [paid.pk])
    Budget.objects.filter(pk=budget.pk).update(available_pence=5_000_00, direct_pence=0)
    AuditEvent.objects.filter(action="ledger.direct_payment").delete()  # the newest event
    call_command("ledger_verify")  # the ledger and what is left of the log agree...
    with pytest.raises(CommandError, match="the newest events were removed"):
        call_command("audit_verify")  # ...but the chain no longer reaches its head


def test_a_rewritten_invoice_reference_is_found_by_the_history_check(db, cast, budget, commitment):
    from opus.testing import allow_audit_tampering

    budgets.deliver(commitment=commitment, amount=30_00, by=cast.provider)
    paid = budgets.pay_invoice(
        commitment=commitment, amount=30_00, reference="INV-1", by=cast.commissioner
    )
    allow_audit_tampering()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE budgets_transaction SET reference = 'INV-2' WHERE id = %s", [paid.pk]
        )
    call_command("ledger_verify")  # every sum still holds...
    _verify_fails(  # ...but the transaction is not what its event recorded
        rf"transaction #{paid.pk} or its entries differ from what its audit event", "--history"
    )


def test_every_transaction_carries_its_events_hash_and_the_event_its_content(db, cast, budget):
    from opus.budgets.ledger import DIGEST_FIELDS, content_digest
    from opus.core.models import AuditEvent

    paid = budgets.direct_payment(budget=budget, amount=12_34, by=cast.commissioner)
    paid.refresh_from_db()
    event = AuditEvent.objects.get(hash=paid.audit_hash)
    assert (event.action, event.object_id) == ("ledger.direct_payment", str(paid.pk))
    entries = [
        (e.account.kind, e.account.owner, e.commitment_id, e.amount_pence)
        for e in paid.entries.select_related("account")
    ]
    digest = content_digest({c: getattr(paid, c) for c in DIGEST_FIELDS}, entries)
    assert event.summary["content_sha256"] == digest


def test_transactions_from_before_the_link_are_linked_to_their_events(db, cast, budget):
    import importlib
    from types import SimpleNamespace

    from opus.budgets.models import Transaction
    from opus.testing import allow_audit_tampering

    link = importlib.import_module("opus.budgets.migrations.0003_ledger_audit_link").link
    paid = budgets.direct_payment(budget=budget, amount=100_00, by=cast.commissioner)
    expected = Transaction.objects.get(pk=paid.pk).audit_hash
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as a migration has them
        allow_audit_tampering()
        cursor.execute("UPDATE budgets_transaction SET audit_hash = ''")  # as before the link
    _verify_fails(r"has no audit event")
    with connection.cursor() as cursor:
        link(None, SimpleNamespace(connection=connection, execute=cursor.execute))
    assert Transaction.objects.get(pk=paid.pk).audit_hash == expected
    call_command("ledger_verify", "--history")


# --- Bounded amounts (issue 11, item 6) ---------------------------------------------------------


def test_post_refuses_more_than_the_configured_maximum(db, cast, budget, settings):
    from opus.budgets.ledger import Request, post
    from opus.budgets.models import Transaction
    from opus.engines import ledger as engine
    from opus.engines.ledger import Operation

    settings.OPUS_MAX_AMOUNT_PENCE = 1_000_00
    before = Transaction.objects.count()
    owner = f"budget:{budget.pk}"
    for amount, postings in [
        (1_000_01, lambda: engine.direct_payment(budget=owner, amount=1_000_01)),
        (1_00, lambda: engine.direct_payment(budget=owner, amount=2_000_00)),  # a posting
    ]:
        request = Request(Operation.DIRECT_PAYMENT, budget, cast.commissioner, amount)
        with pytest.raises(LedgerError, match="more than £1,000") as error:
            post(request, postings)
        assert error.value.field == "amount"
    assert Transaction.objects.count() == before
    settings.OPUS_MAX_AMOUNT_PENCE = 10**12
    huge = 46 * 10**15 * 100  # £46 quadrillion, as the attack tried
    request = Request(Operation.ALLOCATE, budget, cast.commissioner, huge)
    with pytest.raises(LedgerError, match="more than £10,000,000,000"):
        post(request, lambda: engine.allocate(budget=owner, funder="org:1", amount=huge))


@pytest.mark.parametrize(
    "table, column, value",
    [("budgets_budget", "allocated_pence", 10**15 + 1),
     ("budgets_budget", "available_pence", 1.5),  # SQLite would keep it; PostgreSQL rounds
     ("budgets_budget", "direct_pence", "a lot"),
     ("budgets_budget", "returned_pence", -(10**15) - 1)],
)  # fmt: skip
def test_the_database_refuses_running_figures_out_of_bounds(db, budget, table, column, value):
    from django.db import DataError, IntegrityError, transaction

    if value == 1.5 and connection.vendor == "postgresql":
        pytest.skip("PostgreSQL rounds a fraction into a bigint column")
    refused = (IntegrityError, DataError)
    with pytest.raises(refused), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {column} = %s WHERE id = %s",  # noqa: S608
            [value, budget.pk.hex if connection.vendor == "sqlite" else budget.pk],
        )


def test_three_huge_allocations_cannot_overflow_a_running_figure(db, budget):
    from django.db import IntegrityError, transaction

    huge = 46 * 10**15 * 100  # £46 quadrillion, as the attack tried
    with pytest.raises(IntegrityError), transaction.atomic():
        for _ in range(3):
            Budget.objects.filter(pk=budget.pk).update(
                allocated_pence=models_f("allocated_pence") + huge
            )
    budget.refresh_from_db()
    assert isinstance(budget.allocated_pence, int) and budget.allocated_pence == 5_000_00


def test_the_database_refuses_an_entry_amount_out_of_bounds(db, budget):
    from django.db import IntegrityError, transaction

    from opus.budgets.models import Account, Transaction

    first = Transaction.objects.order_by("id").first()
    account = Account.objects.filter(budget=budget).first()
    for value in (10**16, -(10**16), 0.5) if connection.vendor == "sqlite" else (10**16, -(10**16)):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO budgets_entry (transaction_id, account_id, amount_pence)"
                " VALUES (%s, %s, %s)",
                [first.pk, account.pk, value],
            )


def models_f(name: str):
    from django.db.models import F

    return F(name)


def _store_regardless(budget: Budget, column: str, value: object) -> None:
    """Put a value the CHECK constraints refuse into a running figure, as before them."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # so that the table may be altered
            cursor.execute("ALTER TABLE budgets_budget DROP CONSTRAINT budget_figures_bounded")
            cursor.execute(
                f"UPDATE budgets_budget SET {column} = %s WHERE id = %s",  # noqa: S608
                [value, budget.pk],
            )
            # Back under the same name, but not checked against the rows already there.
            cursor.execute(
                "ALTER TABLE budgets_budget ADD CONSTRAINT budget_figures_bounded"
                " CHECK (available_pence <= 1000000000000000) NOT VALID"
            )
            return
        cursor.execute("PRAGMA ignore_check_constraints = ON")
        try:
            cursor.execute(
                f"UPDATE budgets_budget SET {column} = %s WHERE id = %s",  # noqa: S608
                [value, budget.pk.hex],
            )
        finally:
            cursor.execute("PRAGMA ignore_check_constraints = OFF")


@pytest.mark.parametrize(
    "value, sqlite_only",
    [(10**18, False), (2**63 - 1, False), (1.5, True), ("a lot", True), (2**70, True)],
)
def test_ledger_verify_names_a_running_figure_it_cannot_use_rather_than_crashing(
    db, budget, value, sqlite_only
):
    if sqlite_only and connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's bigint columns cannot hold it")
    stored = float(value) if isinstance(value, int) and value >= 2**63 else value
    _store_regardless(budget, "available_pence", stored)
    _verify_fails(rf"budget {budget.pk}: available_pence is stored as .*not a whole number")


def test_ledger_verify_names_an_entry_it_cannot_use_rather_than_crashing(db, budget):
    from opus.testing import allow_audit_tampering

    entry = Entry.objects.order_by("id").first()
    allow_audit_tampering()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # so that the table may be altered
            cursor.execute("ALTER TABLE budgets_entry DROP CONSTRAINT entry_amount_bounded")
            value: object = 2**62
        else:
            cursor.execute("PRAGMA ignore_check_constraints = ON")
            value = 2.5
        try:
            cursor.execute(
                "UPDATE budgets_entry SET amount_pence = %s WHERE id = %s", [value, entry.pk]
            )
        finally:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA ignore_check_constraints = OFF")
    _verify_fails(rf"entry #{entry.pk}: amount_pence is stored as")


def test_the_database_refuses_to_change_or_delete_ledger_rows(db, cast, budget):
    from django.db import DatabaseError, IntegrityError, transaction

    from opus.budgets.models import Transaction

    first = Transaction.objects.order_by("id").first()
    entry = first.entries.first()
    refused = (DatabaseError, IntegrityError)
    for statement, params in [
        ("UPDATE budgets_transaction SET memo = 'rewritten' WHERE id = %s", [first.pk]),
        ("DELETE FROM budgets_transaction WHERE id = %s", [first.pk]),
        ("UPDATE budgets_entry SET amount_pence = 1 WHERE id = %s", [entry.pk]),
        ("DELETE FROM budgets_entry WHERE id = %s", [entry.pk]),
    ]:
        with pytest.raises(refused), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, params)
    assert Transaction.objects.filter(pk=first.pk, memo=first.memo).exists()
    assert Entry.objects.filter(pk=entry.pk, amount_pence=entry.amount_pence).exists()


def test_a_ledger_operation_moves_its_audit_chains_head(db, cast, budget):
    from opus.budgets.models import Transaction
    from opus.core.models import AuditChainHead, AuditEvent

    paid = budgets.direct_payment(budget=budget, amount=5_00, by=cast.commissioner)
    event = AuditEvent.objects.get(hash=Transaction.objects.get(pk=paid.pk).audit_hash)
    head = AuditChainHead.objects.get(chain=event.chain)
    assert (head.position, head.hash) == (event.position, event.hash)
    call_command("audit_verify")


def test_three_huge_payments_written_past_the_constraints_are_named_not_crashed_on(
    db, cast, budget
):
    """As the attack did before there were bounds: three £46 quadrillion operations on one
    budget, whose sums overflow 64 bits (SQLite turned the running figures into floating
    point, and summing the entries failed)."""
    huge = 46 * 10**15 * 100
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table, name in [
                ("budgets_transaction", "transaction_amount_bounded"),
                ("budgets_entry", "entry_amount_bounded"),
                ("budgets_budget", "budget_figures_bounded"),
                ("budgets_budget", "budget_never_negative"),
            ]:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")  # noqa: S608
        else:
            cursor.execute("PRAGMA ignore_check_constraints = ON")
    try:
        first = _forge_direct_payment(budget, cast.commissioner.pk, huge)
        for _ in range(2 if connection.vendor == "sqlite" else 0):  # PostgreSQL refuses overflow
            _forge_direct_payment(budget, cast.commissioner.pk, huge)
    finally:
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA ignore_check_constraints = OFF")
    _verify_fails(rf"transaction #{first}: amount_pence is stored as {huge}, not a whole number")
