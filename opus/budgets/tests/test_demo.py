"""The demo world's budgets: true figures, a year of activity, and every role sees its part."""

from opus.budgets.models import Budget, Commitment, Transaction
from opus.budgets.verify import ledger_verify
from opus.core.models import User


def test_the_demo_ledger_verifies_and_shows_every_kind_of_operation(demo_world):
    assert ledger_verify(history=True).ok
    operations = set(Transaction.objects.values_list("operation", flat=True))
    assert {
        "allocate",
        "commit",
        "deliver",
        "pay_invoice",
        "release",
        "direct_payment",
        "direct_payment_return",
        "claw_back",
    } <= operations
    personal = Budget.objects.filter(person__isnull=False)
    assert set(personal.values_list("sources__source", flat=True)) == {
        "social_care", "health", "education"
    }  # fmt: skip
    # Neighbourhood councils' budgets come from the plan's decisions and other grants.
    councils = Budget.objects.filter(organisation__isnull=False)
    assert set(councils.values_list("sources__source", flat=True)) == {"plan", "grant"}
    assert Budget.objects.filter(status="closed", returned_pence__gt=0).exists()


def test_rosas_booking_is_committed_delivered_and_paid_and_everyone_sees_their_part(
    demo_world, client
):
    rosa = User.objects.get(email="resident@demo.opus.test")
    budget = Budget.objects.get(person=rosa)
    commitment = Commitment.objects.filter(budget=budget, status="active").first()
    paid = Transaction.objects.filter(commitment=commitment, operation="pay_invoice").first()
    assert commitment is not None and paid is not None
    service = commitment.booking.service.name

    client.force_login(rosa)
    assert service in client.get(f"/budgets/{budget.pk}/").content.decode()
    client.force_login(User.objects.get(email="provider@demo.opus.test"))
    assert "Rosa Resident" in client.get("/budgets/provider/").content.decode()
    client.force_login(User.objects.get(email="commissioner@demo.opus.test"))
    overview = client.get("/budgets/manage/").content.decode()
    assert commitment.provider.name in overview and "Underspends" in overview
    client.force_login(User.objects.get(email="auditor@demo.opus.test"))
    trace = client.get(f"/budgets/ledger/{paid.pk}/").content.decode()
    assert service in trace and "Support plan version 1" in trace and paid.reference in trace


def test_the_demo_provider_has_an_invoice_paid_and_one_waiting_on_both_sides(demo_world, client):
    from opus.budgets.models import Invoice

    paid = Invoice.objects.get(status="paid")
    waiting = Invoice.objects.get(status="submitted")
    assert paid.provider == waiting.provider
    payment = paid.lines.get().payment
    assert payment.value_date == paid.paid_on
    client.force_login(User.objects.get(email="provider@demo.opus.test"))
    page = client.get("/budgets/provider/invoices/").content.decode()
    assert paid.number in page and waiting.number in page
    client.force_login(User.objects.get(email="commissioner@demo.opus.test"))
    listing = client.get("/budgets/manage/invoices/").content.decode()
    assert waiting.number in listing
    client.force_login(User.objects.get(email="resident@demo.opus.test"))
    statement = client.get(f"/budgets/{payment.budget_id}/statement/?format=csv").content.decode()
    assert f"{payment.value_date.isoformat()},Provider paid" in statement
    assert paid.number in statement
