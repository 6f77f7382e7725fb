"""Defects a first day found in budgets (issue 12, item 6), each shown and sent unchanged."""

import datetime as dt
import re
from html import unescape
from html.parser import HTMLParser

import pytest

from opus.budgets import services as budgets
from opus.budgets.models import SupportPlan

pytestmark = pytest.mark.django_db


class _FormValues(HTMLParser):
    """The values a browser would send for the page's own POST form (no action), as shown."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, list[str]] = {}
        self._in_form = self._done = False
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self._done:
            return
        if tag == "form" and (a.get("method") or "").lower() == "post" and not a.get("action"):
            self._in_form = True
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("radio", "checkbox") and "checked" not in a:
                return
            self.values.setdefault(name, []).append(a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.values.setdefault(name, []).append("")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.values.setdefault(self._select, []).append(a.get("value") or "")

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form" and self._in_form:
            self._in_form, self._done = False, True


def form_as_shown(html: str) -> dict[str, list[str]]:
    parser = _FormValues()
    parser.feed(html)
    return parser.values


def test_the_support_plan_review_shows_the_outcomes_and_takes_its_own_date(client, cast, budget):
    budgets.plan_write(
        budget=budget,
        outcomes=[{"outcome": "See friends", "how": "Tea and talk on Tuesdays"}],
        how_managed="managed",
        review_due=dt.date(2026, 10, 1),
        by=cast.commissioner,
    )
    client.force_login(cast.resident)
    page = client.get(f"/budgets/{budget.pk}/plan/")
    shown = form_as_shown(page.content.decode())
    assert "See friends: Tea and talk on Tuesdays" in shown["outcomes"][0]
    response = client.post(f"/budgets/{budget.pk}/plan/", shown)
    assert response.status_code == 302, unescape(re.sub(r"\s+", " ", response.content.decode()))
    review = SupportPlan.objects.filter(budget=budget).first()
    assert review.version == 2 and review.review_due == dt.date(2026, 10, 1)
    assert review.outcomes == [{"outcome": "See friends", "how": "Tea and talk on Tuesdays"}]


RAS_TEXT = (
    "Personal care | wash | Washing and bathing | On my own=0; Some help=6; Full help=12\n"
    "Social | out | Getting out and about | On my own=0; With help=4\n"
)


def _assess(client, cast):
    """An indicative budget for Rosa: 16 points at £160 a point, £2,560 a year."""
    client.force_login(cast.commissioner)
    ras = {
        "title": "2026 RAS",
        "price_per_point": "160",
        "minimum": "",
        "maximum": "",
        "questions": RAS_TEXT,
        "caps": "",
        "change_note": "First version",
    }
    assert client.post("/budgets/ras/new/", ras).status_code == 302
    page = client.post(
        "/budgets/ras/assess/", {"person": cast.resident.email, "wash": "2", "out": "1"}
    )
    assert "£2,560" in page.content.decode()
    link = re.search(r'href="(/budgets/manage/new/[^"]*)"', page.content.decode())
    return unescape(link.group(1))


def test_open_a_budget_from_an_assessment_carries_the_person_and_amount(client, cast):
    from opus.budgets.models import Budget, RasAssessment

    url = _assess(client, cast)
    page = client.get(url).content.decode()
    shown = form_as_shown(page)
    assert shown["person"] == [cast.resident.email]
    assert shown["social_care"] == ["2560.00"]
    # An annual figure for a half year: the form warns and says what it is pro rata.
    half = {
        **shown,
        "period_start": "2026-10-01",
        "period_end": "2027-03-31",
        "council": "",
    }
    again = client.post(url, half)
    assert again.status_code == 400 and Budget.objects.count() == 0
    text = unescape(again.content.decode())
    assert "govuk-warning-text" in text and "£1,276.49" in text  # 182 days of 365
    # Sent with the council chosen, it opens and records that assessment.
    response = client.post(url, {**half, "council": cast.council.pk})
    assert response.status_code == 302
    budget = Budget.objects.get()
    assert budget.assessment == RasAssessment.objects.get() and budget.person == cast.resident
    assert budget.allocated_pence == 2_560_00


def test_a_full_year_period_has_no_pro_rata_warning(client, cast):
    url = _assess(client, cast)
    shown = form_as_shown(client.get(url).content.decode())
    full = {**shown, "period_start": "2026-04-01", "period_end": "2027-03-31", "council": ""}
    text = client.post(url, full).content.decode()
    assert "govuk-warning-text" not in text
