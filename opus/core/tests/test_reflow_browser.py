"""Every page a resident reaches reflows at 320 CSS pixels (WCAG 1.4.10): nothing makes the page
scroll sideways; wide tables scroll inside their own labelled, focusable region instead."""

import pytest

from opus.core.demo import demo_password
from opus.testing import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 320


def _resident_pages(page, base):
    """The ≈35 pages a resident reaches in the demo world, after a real choosing journey."""
    from opus.budgets.models import Budget
    from opus.choice.models import Booking
    from opus.choice.tests.test_browser import _answer
    from opus.commissioning.models import CommissioningPlan, Contract, Opportunity
    from opus.core.models import Area, Organisation, User
    from opus.directory.models import Service
    from opus.knowledge.models import Entry
    from opus.needs.models import Assessment

    resident = User.objects.get(email="resident@demo.opus.test")
    page.goto(f"{base}/choose/questions/needs/")
    _answer(page)  # the answers live in the session: results, shortlist and compare need them
    for _ in range(2):
        page.get_by_role("button", name="Add to shortlist").first.click()
        page.goto(f"{base}/choose/results/")
    service = Service.objects.filter(status="active").order_by("name").first()
    opportunity = Opportunity.objects.exclude(status="draft").order_by("pk").first()
    plan = CommissioningPlan.objects.filter(status="published").order_by("pk").first()
    contract = Contract.objects.order_by("pk").first()
    assessment = Assessment.objects.filter(published_at__isnull=False).order_by("pk").first()
    indicator = assessment.indicators.order_by("slug").first()
    area = Area.objects.filter(kind="lsoa").order_by("code").first()
    organisation = Organisation.objects.order_by("slug").first()
    entry = Entry.objects.filter(status="published").order_by("slug").first()
    booking = Booking.objects.filter(person=resident).order_by("created_at").first()
    budget = Budget.objects.filter(person=resident).order_by("created_at").first()
    pages = [
        "/",
        "/directory/",
        f"/directory/services/{service.pk}/",
        "/choose/",
        "/choose/questions/needs/",
        "/choose/questions/where/",
        "/choose/questions/about/",
        "/choose/questions/access/",
        "/choose/questions/when/",
        "/choose/results/",
        "/choose/shortlist/",
        f"/choose/services/{service.pk}/choose/",
        "/choose/bookings/",
        "/choose/help/",
        "/dashboard/",
        "/account/",
        "/notifications/",
        "/notifications/preferences/",
        "/budgets/",
        "/organisations/",
        f"/organisations/{organisation.slug}/",
        "/areas/",
        f"/areas/{area.code}/",
        "/needs/",
        f"/needs/{assessment.pk}/",
        f"/needs/{assessment.pk}/indicators/{indicator.slug}/",
        "/good-practice/",
        f"/good-practice/{entry.slug}/",
        "/commissioning/",
        f"/commissioning/opportunities/{opportunity.pk}/",
        "/commissioning/plans/",
        f"/commissioning/plans/{plan.pk}/",
        "/commissioning/contracts/",
        f"/commissioning/contracts/{contract.pk}/",
        "/commissioning/diversity/",
        "/privacy/",
        "/accessibility/",
        "/cookies/",
    ]
    if booking:
        pages.append(f"/choose/bookings/{booking.pk}/")
    if budget:
        pages += [f"/budgets/{budget.pk}/", f"/budgets/{budget.pk}/statement/"]
    return pages


def test_every_resident_page_reflows_at_320_pixels(browser, live_server, demo_world):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": WIDTH, "height": 640}
    )
    page = context.new_page()
    sign_in(page, live_server.url, "resident@demo.opus.test", demo_password("resident"))
    pages = _resident_pages(page, live_server.url)
    assert len(pages) >= 35
    page.goto(f"{live_server.url}/choose/shortlist/")
    boxes = page.locator("input[name=service]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.get_by_role("button", name="Compare").click()
    compare = page.url
    too_wide = []
    for path in [*pages, compare]:
        url = path if path.startswith("http") else f"{live_server.url}{path}"
        response = page.goto(url)
        if response.status != 200:
            too_wide.append(f"{path} answered {response.status}")
            continue
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > WIDTH:
            too_wide.append(f"{path} is {width}px wide")
        # A table never widens the page: it sits in its own labelled, focusable scroll region.
        bare = page.evaluate(
            """[...document.querySelectorAll('main table')].filter(t => {
                 const box = t.closest('.opus-table-scroll');
                 return !box || box.getAttribute('role') !== 'region' ||
                        box.getAttribute('tabindex') !== '0' || !box.getAttribute('aria-label');
               }).length"""
        )
        if bare:
            too_wide.append(f"{path} has {bare} table(s) outside a labelled scroll region")
    context.close()
    assert not too_wide, "\n".join(too_wide)


def test_a_statement_prints_without_navigation_and_with_full_width_tables(
    browser, live_server, demo_world
):
    from opus.budgets.models import Budget
    from opus.core.models import User

    resident = User.objects.get(email="resident@demo.opus.test")
    budget = Budget.objects.filter(person=resident).order_by("created_at").first()
    for javascript in (True, False):
        context = browser.new_context(java_script_enabled=javascript)
        page = context.new_page()
        sign_in(page, live_server.url, "resident@demo.opus.test", demo_password("resident"))
        page.goto(f"{live_server.url}/budgets/{budget.pk}/statement/")
        # The button prints through JavaScript, so it is there only when JavaScript runs.
        assert page.locator("#print-button").is_visible() is javascript
        if javascript:
            page.emulate_media(media="print")
            for hidden in (".govuk-header", ".govuk-service-navigation", ".govuk-footer",
                           ".govuk-phase-banner", "#print-button"):  # fmt: skip
                assert not page.locator(hidden).first.is_visible(), hidden
            table = page.locator("main table").first
            main = page.locator("main")
            assert table.bounding_box()["width"] >= main.bounding_box()["width"] - 2
            after = page.evaluate(
                "getComputedStyle(document.querySelector('main a.govuk-link'), '::after').content"
            )
            assert after in ("none", "normal", '""')
        context.close()
