"""In a real browser, without JavaScript: a provider records delivery and the council pays it."""

import pytest

from opus.budgets.models import Budget, Commitment
from opus.core.demo import demo_password
from opus.testing import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_delivery_recorded_then_paid_shows_on_rosas_budget(browser, live_server, demo_world):
    rosa = Budget.objects.get(person__email="resident@demo.opus.test")
    commitment = Commitment.objects.filter(budget=rosa, outstanding_pence__gt=0).first()
    spent_before = rosa.spent_pence
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()

    sign_in(page, live_server.url, "provider@demo.opus.test", demo_password("provider"))
    page.goto(f"{live_server.url}/budgets/commitments/{commitment.pk}/deliver/")
    page.get_by_label("Amount in pounds").fill("100000")
    page.get_by_role("button", name="Record delivery").click()
    assert page.locator(".govuk-error-summary").is_visible()  # more than is committed
    page.get_by_label("Amount in pounds").fill("12.50")
    page.get_by_role("button", name="Record delivery").click()
    assert page.get_by_text("Delivery recorded").is_visible()
    context.clear_cookies()

    sign_in(page, live_server.url, "commissioner@demo.opus.test", demo_password("commissioner"))
    page.goto(f"{live_server.url}/budgets/commitments/{commitment.pk}/pay/")
    page.get_by_label("Invoice number").fill("BROWSER-1")
    page.get_by_label("Amount in pounds").fill("12.50")
    page.get_by_role("button", name="Pay the invoice").click()
    assert page.get_by_text("The invoice is paid").is_visible()
    context.clear_cookies()

    sign_in(page, live_server.url, "resident@demo.opus.test", demo_password("resident"))
    page.goto(f"{live_server.url}/budgets/")
    spent = page.locator("[data-figure=spent]").inner_text()
    rosa.refresh_from_db()
    assert rosa.spent_pence == spent_before + 12_50
    assert spent == f"£{rosa.spent_pence // 100:,}" + (
        f".{rosa.spent_pence % 100:02d}" if rosa.spent_pence % 100 else ""
    )
    context.close()
