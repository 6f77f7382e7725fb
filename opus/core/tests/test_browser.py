"""In a real browser (Debian's chromium through Playwright): each role signs in to its dashboard."""

import pytest

from opus.core.demo import demo_password
from opus.core.models import Role
from opus.testing import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_each_role_signs_in_to_its_own_dashboard(browser, live_server, demo_world, settings):
    settings.AXES_ENABLED = False
    for role in Role:
        context = browser.new_context()
        page = context.new_page()
        sign_in(page, live_server.url, f"{role.value}@demo.opus.test", demo_password(role.value))
        page.wait_for_url(f"**/dashboard/{role.value}/")
        heading = page.get_by_role("heading", level=1).inner_text()
        assert heading == f"{Role(role).label} dashboard"
        context.close()


def test_a_wrong_password_shows_the_error_summary_with_javascript_off(
    browser, live_server, demo_world
):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server.url, "commissioner@demo.opus.test", "not the password")
    summary = page.locator(".govuk-error-summary")
    assert "Enter a correct e-mail address and password" in summary.inner_text()
    assert page.get_by_label("E-mail address").input_value() == "commissioner@demo.opus.test"
    context.close()


def test_area_page_renders_chart_and_table_in_the_browser(browser, live_server, demo_world):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/areas/E01900001/")
    assert page.locator("svg[aria-labelledby='pyramid-caption'] rect").count() == 38
    assert page.locator("#population-table tbody tr").count() == 19
    assert page.evaluate("document.body.classList.contains('js-enabled')")
    context.close()
