"""Many clients at once: the ledger still never overdraws, loses or duplicates a penny."""

import random
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from opus.budgets import services as budgets
from opus.budgets.models import Budget, Commitment, Entry, Transaction
from opus.budgets.verify import ledger_verify
from opus.choice import services as choice
from opus.choice.models import Booking
from opus.core.audit import audit_verify
from opus.core.models import AuditEvent
from opus.directory import services as directory
from opus.engines.ledger import LedgerError
from opus.testing import create_member, create_service

from .conftest import TODAY

THREADS, OPERATIONS, BUDGETS = 16, 2_000, 20


@pytest.fixture
def world(transactional_db, cast):
    service = create_service(name="Day centre", organisation=cast.charity)
    directory.service_set_cost(service=service, amount_pence=7_00, unit="hour", option="", by=None)
    people, bookings = [], []
    for n in range(BUDGETS):
        person = create_member("resident", cast.council, full_name=f"Person {n}")
        people.append(person)
        for _ in range(6):  # accepted before any budget exists, so none is committed yet
            booking = choice.booking_request(
                person=person,
                service=service,
                by=person,
                units_per_week=Decimal(1),
                start_date=TODAY,
                message="",
                needs=[],
                circumstances=[],
            )
            choice.booking_decide(booking=booking, accept=True, reason="", by=cast.provider)
            bookings.append(booking)
    for person in people:  # small budgets: room for about two commitments each
        budgets.budget_create(
            person=person,
            title="Small budget",
            period_start=TODAY,
            period_end=TODAY.replace(month=9, day=30),
            by=cast.commissioner,
            sources=[("social_care", cast.council, 400_00)],
        )
    return bookings


def _one(rng, cast, bookings):
    kind = rng.choice(["commit", "commit", "release", "deliver", "pay", "pay", "direct"])
    if kind == "commit":
        return budgets.commit_booking(booking=rng.choice(bookings), by=cast.commissioner)
    if kind == "direct":
        budget = rng.choice(list(Budget.objects.all()))
        return budgets.direct_payment(
            budget=budget, amount=rng.randint(1, 80_00), by=cast.commissioner
        )
    commitment = Commitment.objects.order_by("?").select_related("budget").first()
    if commitment is None:
        return None
    amount = rng.randint(1, 60_00)
    if kind == "release":
        return budgets.release(commitment=commitment, amount=amount, by=cast.commissioner)
    if kind == "deliver":
        return budgets.deliver(commitment=commitment, amount=amount, by=cast.provider)
    return budgets.pay_invoice(  # each invoice its own number: an invoice is paid once
        commitment=commitment,
        amount=amount,
        reference=f"I-{rng.getrandbits(64):x}",
        by=cast.commissioner,
    )


def test_sixteen_clients_never_overdraw_and_the_ledger_verifies(world, cast):
    done, refused, failures = [], [], []

    def client(seed):
        rng = random.Random(seed)
        try:
            for _ in range(OPERATIONS // THREADS):
                try:
                    done.append(_one(rng, cast, world))
                except LedgerError:
                    refused.append(seed)
        except Exception as error:  # noqa: BLE001 - reported below, with the thread's seed
            failures.append((seed, repr(error)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=client, args=(seed,)) for seed in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(done) + len(refused) == OPERATIONS
    assert refused, "small budgets should have refused some operations"
    assert len([d for d in done if d is not None]) > OPERATIONS // 10
    report = ledger_verify(history=True)
    assert report.ok, report.problem
    assert sum(Entry.objects.values_list("amount_pence", flat=True)) == 0
    assert not Budget.objects.filter(available_pence__lt=0).exists()
    assert Commitment.objects.count() <= Booking.objects.count()
    assert audit_verify()[1] is None  # every chain of the audit log still holds
    events = AuditEvent.objects.filter(action__startswith="ledger.")
    assert events.count() == Transaction.objects.count()
    if connection.vendor == "postgresql":  # sixteen connections wrote to several chains
        assert events.values("chain").distinct().count() > 1
