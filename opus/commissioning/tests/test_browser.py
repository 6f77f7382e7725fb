"""In a real browser, without JavaScript: a small charity finds an opportunity, bids, checks
its answers, and gets a receipt whose fingerprint matches what is sealed."""

import pytest

from opus.commissioning.models import Bid, BidLot, SealedContent
from opus.core.demo import demo_password
from opus.testing import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_provider_finds_bids_and_keeps_a_receipt(browser, live_server, demo_world):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(
        page, live_server.url, "staff.vale-carers-network@demo.opus.test", demo_password("provider")
    )
    page.goto(f"{live_server.url}/commissioning/")
    page.get_by_label("Words").fill("gardening")
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_role("link", name="Therapeutic gardening for mental wellbeing").click()
    assert page.get_by_text("Can we bid for one lot only?").is_visible()
    page.get_by_role("link", name="Bid for this opportunity").click()
    page.get_by_label("Price for lot 1: Allotment sessions (£)").fill("27500")
    page.get_by_label("Q1.", exact=False).fill("Through our carers' groups. UNIQUE-BROWSER-ANSWER")
    page.get_by_label("Q2.", exact=False).fill("Volunteer gardeners, trained and supported.")
    page.get_by_label("I make the supplier declaration above").check()
    page.get_by_role("button", name="Continue").click()
    # Check your answers: Change goes back with the answers kept, then confirm seals the bid.
    assert page.get_by_role("heading", name="Check your bid before you seal it").is_visible()
    assert not Bid.objects.filter(
        bidder__slug="vale-carers-network", opportunity__title__startswith="Ther"
    ).exists()
    page.get_by_role("button", name="Change the answer to question 2").click()
    assert page.get_by_label("Q1.", exact=False).input_value().endswith("UNIQUE-BROWSER-ANSWER")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Confirm and seal the bid").click()
    assert page.get_by_role("heading", name="Bid submitted").is_visible()
    shown = page.locator("#receipt-hash").inner_text()
    bid = Bid.objects.get(bidder__slug="vale-carers-network", opportunity__title__startswith="Ther")
    assert shown == bid.receipt_sha256
    sealed = bytes(SealedContent.objects.get(bid=bid).ciphertext)
    assert b"UNIQUE-BROWSER-ANSWER" not in sealed and b"2750000" not in sealed
    assert not BidLot.objects.filter(bid=bid).exists()
    context.close()
