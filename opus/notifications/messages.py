"""The notices Opus sends: each template's category, and whether a person may switch it off.

A template's words live in `templates/notifications/messages/<key>_subject.txt` and
`<key>.txt`; they are rendered once, when the event happens, and stored with the notice.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from opus.engines.money import pounds
from opus.notifications.models import Category


@dataclass(frozen=True)
class Message:
    category: str
    # A notice the law or the process relies on (an award letter) goes whatever the
    # person's e-mail preferences say.
    essential: bool = False


MESSAGES: dict[str, Message] = {
    "booking_requested": Message(Category.BOOKINGS),
    "booking_accepted": Message(Category.BOOKINGS),
    "booking_declined": Message(Category.BOOKINGS),
    "consent_given": Message(Category.CONSENT),
    "consent_withdrawn": Message(Category.CONSENT),
    "award_decision": Message(Category.PROCUREMENT, essential=True),
    "opportunity_alert": Message(Category.PROCUREMENT),
    # Keys reserved for the events being wired now; each template is written with its event.
    "consent_expiring": Message(Category.CONSENT),
    "consortium_invitation": Message(Category.PROCUREMENT),
    "clarification_answered": Message(Category.PROCUREMENT),
    "kpi_return_due": Message(Category.PROCUREMENT),
    "kpi_return_overdue": Message(Category.PROCUREMENT, essential=True),
    "plan_review_due": Message(Category.BOOKINGS),
    "invitation": Message(Category.ACCOUNT, essential=True),
    "email_verification": Message(Category.ACCOUNT, essential=True),
    "organisation_registered": Message(Category.ACCOUNT),
    "organisation_verified": Message(Category.ACCOUNT, essential=True),
    "role_changed": Message(Category.ACCOUNT, essential=True),
    "two_factor_reset": Message(Category.ACCOUNT, essential=True),
    "invoice_submitted": Message(Category.BOOKINGS),
    "invoice_decided": Message(Category.BOOKINGS, essential=True),
    # Assets of community value: statutory notices, sent whatever the preferences say.
    "acv_nominated": Message(Category.ACCOUNT, essential=True),
    "acv_decided": Message(Category.ACCOUNT, essential=True),
    "acv_reviewed": Message(Category.ACCOUNT, essential=True),
    "acv_disposal_notice": Message(Category.ACCOUNT, essential=True),
    "acv_bidder_request": Message(Category.ACCOUNT, essential=True),
    "acv_exempt_disposal": Message(Category.ACCOUNT, essential=True),
    "pb_phase_changed": Message(Category.ACCOUNT),
    "grant_decided": Message(Category.ACCOUNT, essential=True),
    # Councillors' casework (opus/neighbourhoods/casework.py)
    "case_raised": Message(Category.ACCOUNT),
    "case_update": Message(Category.ACCOUNT),
    "case_answered": Message(Category.ACCOUNT),
    "case_referred": Message(Category.ACCOUNT),
    # Complaints (voice): statutory clocks, sent whatever the preferences say.
    "complaint_received": Message(Category.ACCOUNT, essential=True),
    "complaint_update": Message(Category.ACCOUNT, essential=True),
    "complaint_answered": Message(Category.ACCOUNT, essential=True),
    "complaint_overdue": Message(Category.ACCOUNT, essential=True),
    # Feedback and ratings (opus/voice/feedback.py)
    "feedback_published": Message(Category.BOOKINGS),
    "feedback_not_published": Message(Category.BOOKINGS),
    "feedback_to_answer": Message(Category.BOOKINGS),
    "feedback_replied": Message(Category.BOOKINGS),
    "feedback_restricted": Message(Category.BOOKINGS),
    "feedback_restriction_decided": Message(Category.BOOKINGS),
    "feedback_change_to_confirm": Message(Category.BOOKINGS),
    # Consultations (opus/voice/consultations.py): "you said, we did" to those who responded
    "consultation_concluded": Message(Category.ACCOUNT),
    # Allocation runs (opus/allocation/runs.py): a published run set a council's budget
    "allocation_budget_changed": Message(Category.ACCOUNT),
}


def booking_amount(
    *, units_per_week: Decimal, price_pence: int, weekly_pence: int, unit: str
) -> str:
    """A booking's size and cost in words and pounds: "2 sessions a week at £6 a session"."""
    units = f"{units_per_week.normalize():f}"
    count = int(units_per_week) if units_per_week == int(units_per_week) else 2
    if unit == "hour":
        size = ngettext("%(n)s hour a week", "%(n)s hours a week", count) % {"n": units}
        return _("%(size)s at %(price)s an hour (%(weekly)s a week)") % {
            "size": size, "price": pounds(price_pence), "weekly": pounds(weekly_pence)
        }  # fmt: skip
    if unit == "session":
        size = ngettext("%(n)s session a week", "%(n)s sessions a week", count) % {"n": units}
        return _("%(size)s at %(price)s a session (%(weekly)s a week)") % {
            "size": size, "price": pounds(price_pence), "weekly": pounds(weekly_pence)
        }  # fmt: skip
    return _("%(weekly)s a week") % {"weekly": pounds(weekly_pence)}
