"""In a real browser, without JavaScript: a resident answers, compares and chooses."""

import pytest

from opus.choice.models import Booking
from opus.core.demo import demo_password
from opus.testing import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _answer(page):
    page.get_by_label("Befriending", exact=False).first.check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Your postcode").fill(_a_demo_postcode())
    page.get_by_label("How far can you travel (km)?").fill("60")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Your age").fill("74")
    page.get_by_label("Older person (65 and over)").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Continue").click()


def _a_demo_postcode():
    from opus.core.models import Postcode

    return Postcode.objects.order_by("postcode").first().postcode


def test_a_resident_finds_compares_and_chooses_in_the_browser(browser, live_server, demo_world):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server.url, "resident@demo.opus.test", demo_password("resident"))
    page.goto(f"{live_server.url}/choose/questions/needs/")
    _answer(page)
    assert page.get_by_role("heading", name="Services that suit you").is_visible()
    buttons = page.get_by_role("button", name="Add to shortlist")
    assert buttons.count() >= 2
    for _ in range(2):
        page.get_by_role("button", name="Add to shortlist").first.click()
        page.goto(f"{live_server.url}/choose/results/")
    page.goto(f"{live_server.url}/choose/shortlist/")
    boxes = page.locator("input[name=service]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.get_by_role("button", name="Compare").click()
    assert page.locator("#comparison").is_visible()
    before = Booking.objects.count()
    page.locator("#comparison").get_by_role("link", name="Choose").first.click()
    page.get_by_label("How many hours or sessions a week?").fill("2")
    start = page.get_by_role("group", name="When would you like to start?")
    start.get_by_label("Day").fill("7")
    start.get_by_label("Month").fill("1")
    start.get_by_label("Year").fill("2030")
    page.get_by_role("button", name="Send the request").click()
    assert page.get_by_text("Your request has gone to").is_visible()
    assert Booking.objects.count() == before + 1
    context.close()
