"""The retention schedule as data: what Opus holds, why, for how long, and what happens then.

One list feeds three things, so they cannot disagree: the privacy notice's "How long we keep it"
table, the legal holds shown before an erasure, and the periodic task that erases accounts
whose time is up (`personal_data.apply_retention`). A council changes its schedule here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Retention:
    key: str
    what: str | Promise
    why: str | Promise
    how_long: str | Promise
    years: int  # after the record's end (or, for accounts, the last sign-in)
    kept_under_pseudonym: bool  # a legal hold: kept whole, but no longer naming the person


SCHEDULE: tuple[Retention, ...] = (
    Retention(
        "account",
        _("Your account: name, e-mail address, mobile number and notification choices"),
        _("To let you sign in and tell you about what happens to you"),
        _("Until you ask us to erase it, or 2 years after your last sign-in"),
        2,
        False,
    ),
    Retention(
        "budgets",
        _("Personal budgets, support plans, invoices and every payment"),
        _("Legal obligation: financial records for audit"),
        _("6 years after the end of the financial year they belong to"),
        6,
        True,
    ),
    Retention(
        "care",
        _("Needs, bookings, choices, consents and casework"),
        _("Public task: care and support under the Care Act 2014"),
        _("8 years after the care or case ends"),
        8,
        True,
    ),
    Retention(
        "complaints",
        _("Complaints and their answers"),
        _("Public task: answering complaints, and the Ombudsman's right to review them"),
        _("6 years after the complaint is closed"),
        6,
        True,
    ),
    Retention(
        "voice",
        _("Feedback, ratings, consultation responses and votes"),
        _("Public task: accountability and involving residents"),
        _("As long as the service or consultation is published; your name is removed on erasure"),
        0,
        True,
    ),
    Retention(
        "audit",
        _("The audit log of changes and of who looked at your records"),
        _("Legal obligation and public task: so that every change can be checked"),
        _("As long as the records it describes"),
        0,
        True,
    ),
)
ACCOUNT_YEARS = next(entry.years for entry in SCHEDULE if entry.key == "account")
