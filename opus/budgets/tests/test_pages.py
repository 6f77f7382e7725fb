from datetime import timedelta

import pytest
from django.utils import timezone

from opus.budgets import services as budgets
from opus.budgets.forms import new_once_key
from opus.budgets.models import Budget, RasVersion, Transaction
from opus.choice.services import consent_grant
from opus.core.models import AuditEvent
from opus.testing import create_member

pytestmark = pytest.mark.django_db

RAS_TEXT = (
    "Personal care | wash | Washing and bathing | On my own=0; Some help=6; Full help=12\n"
    "Social | out | Getting out and about | On my own=0; With help=4\n"
)


def test_the_holder_sees_allocated_committed_spent_and_left(client, cast, budget, commitment):
    client.force_login(cast.resident)
    page = client.get(f"/budgets/{budget.pk}/").content.decode()
    assert "£5,000" in page and "£1,590" in page and "£3,410" in page
    assert "Tea and talk" in page
    assert client.get("/budgets/").url == f"/budgets/{budget.pk}/"


@pytest.mark.parametrize("who", ["stranger", "provider", "councillor", "champion"])
def test_others_get_404(client, cast, budget, who):
    client.force_login(getattr(cast, who))
    assert client.get(f"/budgets/{budget.pk}/").status_code == 404
    assert client.get(f"/budgets/{budget.pk}/statement/").status_code == 404


def test_a_champion_with_consent_sees_it_and_the_look_is_logged(client, cast, budget):
    consent_grant(
        person=cast.resident,
        champion=cast.champion,
        scope="find",
        expires_at=timezone.now() + timedelta(days=30),
    )
    client.force_login(cast.champion)
    assert client.get(f"/budgets/{budget.pk}/").status_code == 200
    assert AuditEvent.objects.filter(
        action="budget.view", actor=cast.champion, object_id=str(budget.pk)
    ).exists()


def test_the_statement_downloads_as_csv(client, cast, budget, commitment):
    client.force_login(cast.resident)
    response = client.get(f"/budgets/{budget.pk}/statement/?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = response.content.decode("utf-8-sig").splitlines()
    assert rows[0].startswith("transaction,date,description")
    assert "Money allocated" in rows[1] and rows[1].endswith(",5000.00")
    assert "Committed to a booking" in rows[2] and rows[2].endswith(",3410.00")
    printable = client.get(f"/budgets/{budget.pk}/statement/").content.decode()
    assert "Statement: Rosa" in printable


def test_a_provider_records_delivery_and_a_commissioner_pays(client, cast, budget, commitment):
    client.force_login(cast.provider)
    assert "Rosa" in client.get("/budgets/provider/").content.decode()
    too_much = client.post(
        f"/budgets/commitments/{commitment.pk}/deliver/",
        {"amount": "2000", "memo": "", "once": new_once_key()},
    )
    assert too_much.status_code == 400 and "govuk-error-summary" in too_much.content.decode()
    assert (
        client.post(
            f"/budgets/commitments/{commitment.pk}/deliver/",
            {"amount": "30.00", "memo": "Week 1", "once": new_once_key()},
        ).status_code
        == 302
    )
    client.force_login(cast.commissioner)
    assert "Good Neighbours" in client.get("/budgets/manage/").content.decode()
    bad = client.post(
        f"/budgets/commitments/{commitment.pk}/pay/",
        {"amount": "30.005", "reference": "INV-9", "once": new_once_key()},
    )
    assert "whole pence" in bad.content.decode()
    assert (
        client.post(
            f"/budgets/commitments/{commitment.pk}/pay/",
            {"amount": "30", "reference": "INV-9", "once": new_once_key()},
        ).status_code
        == 302
    )
    assert Budget.objects.get(pk=budget.pk).paid_pence == 30_00


def test_an_auditor_traces_a_payment_to_its_booking_and_plan(client, cast, budget, commitment):
    plan = budgets.plan_write(
        budget=budget,
        outcomes=[{"outcome": "See friends", "how": "Tea"}],
        how_managed="managed",
        review_due=budget.period_end,
        by=cast.commissioner,
    )
    budgets.plan_agree(plan=plan, by=cast.commissioner)
    budgets.deliver(commitment=commitment, amount=30_00, by=cast.provider)
    paid = budgets.pay_invoice(
        commitment=commitment, amount=30_00, reference="INV-1", by=cast.commissioner
    )
    client.force_login(cast.auditor)
    assert "INV" not in client.get("/budgets/ledger/?operation=allocate").content.decode()
    page = client.get(f"/budgets/ledger/{paid.pk}/").content.decode()
    assert "Tea and talk" in page and "See friends" in page and "INV-1" in page
    assert "Audit event" in page
    assert client.post(f"/budgets/ledger/{paid.pk}/correct/", {"reason": "x"}).status_code == 404


def test_a_commissioner_opens_a_budget_and_bad_input_changes_nothing(client, cast):
    client.force_login(cast.commissioner)
    form = {
        "person": cast.resident.email,
        "title": "New budget",
        "period_start": "2026-04-01",
        "period_end": "2027-03-31",
        "social_care": "2,400.00",
        "council": cast.council.pk,
        "once": new_once_key(),
    }
    bad = client.post(
        "/budgets/manage/new/", {**form, "period_end": "2026-01-01", "social_care": "-5"}
    )
    assert bad.status_code == 400 and Budget.objects.count() == 0
    assert "The period must end after it starts" in bad.content.decode()
    response = client.post("/budgets/manage/new/", form)
    budget = Budget.objects.get()
    assert response.url == f"/budgets/{budget.pk}/" and budget.allocated_pence == 240_000


def test_ras_versions_and_an_assessment_show_the_calculation(client, cast):
    client.force_login(cast.commissioner)
    data = {
        "title": "2026 RAS",
        "price_per_point": "150",
        "minimum": "500",
        "maximum": "",
        "questions": RAS_TEXT,
        "caps": "",
        "change_note": "First version",
    }
    assert client.post("/budgets/ras/new/", {**data, "questions": "nonsense"}).status_code == 400
    assert client.post("/budgets/ras/new/", data).status_code == 302
    client.post("/budgets/ras/new/", {**data, "price_per_point": "160", "change_note": "Uplift"})
    assert list(RasVersion.objects.values_list("number", flat=True)) == [2, 1]
    page = client.post(
        "/budgets/ras/assess/", {"person": cast.resident.email, "wash": "2", "out": "1"}
    ).content.decode()
    assert "16 points" in page and "£2,560" in page


def test_direct_payment_page_refuses_more_than_is_left(client, cast, budget):
    client.force_login(cast.commissioner)
    response = client.post(
        f"/budgets/{budget.pk}/direct-payment/", {"amount": "5000.01", "once": new_once_key()}
    )
    assert response.status_code == 400 and "left to spend" in response.content.decode()
    assert Transaction.objects.filter(operation="direct_payment").count() == 0


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_overview_and_ledger_pages_do_not_query_per_budget(client, cast, budget, commitment):
    client.force_login(cast.commissioner)
    first = (_queries(client, "/budgets/manage/"), _queries(client, "/budgets/ledger/"))
    for n in range(5):
        person = create_member("resident", cast.council, full_name=f"Extra {n}")
        budgets.budget_create(person=person, title="More", period_start=budget.period_start,
                              period_end=budget.period_end, by=cast.commissioner,
                              sources=[("social_care", cast.council, 100_00)])  # fmt: skip
    assert (_queries(client, "/budgets/manage/"), _queries(client, "/budgets/ledger/")) == first
