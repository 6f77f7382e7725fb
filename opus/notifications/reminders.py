"""Reminders that come from dates: consents ending, KPI returns due and overdue, plan reviews.

`manage.py send_reminders` (daily) and the `send_reminders` task find what is due on a day and
tell each person once. Each reminder is recorded as a `Reminder` (kind, record, date) in the
transaction that writes its notices; the unique constraint on those makes a second run, or a
run on another machine at the same moment, find it taken and tell no one again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opus.core.audit import audit_record
from opus.core.models import Role, User
from opus.notifications.events import provider_staff
from opus.notifications.models import Reminder
from opus.notifications.services import notify, site_link

CONSENT_NOTICE_DAYS = 14  # a consent ending within this many days
KPI_DUE_DAYS = 7  # a return due within this many days and not made
OVERDUE_CATCH_UP_DAYS = 7  # "overdue" goes the day after; a missed run catches up this long
PLAN_NOTICE_DAYS = 14  # a plan review due within this many days

KINDS: dict[str, Any] = {
    "consent_expiring": gettext_lazy("consent expiring"),
    "kpi_return_due": gettext_lazy("KPI return due"),
    "kpi_return_overdue": gettext_lazy("KPI return overdue"),
    "plan_review_due": gettext_lazy("support plan review due"),
    "complaint_overdue": gettext_lazy("complaint overdue"),
}


@dataclass(frozen=True)
class Due:
    """One reminder to send: its kind, the record it is about and the date it is about."""

    kind: str
    target: models.Model
    due_date: dt.date


def in_words(day: dt.date) -> str:
    """ "14 January 2027": never a code."""
    return date_format(day, "j F Y")


def _name(user: User) -> str:
    return user.full_name or user.email


# ---------------------------------------------------------------- finding what is due


def consents_expiring(today: dt.date) -> Iterator[Due]:
    """Active consents ending within 14 days and not renewed (no later consent, same pair)."""
    from opus.choice.models import Consent

    now = timezone.now()
    last = timezone.make_aware(
        dt.datetime.combine(today + dt.timedelta(days=CONSENT_NOTICE_DAYS), dt.time.max)
    )
    renewed = Consent.objects.filter(
        person=OuterRef("person"), champion=OuterRef("champion"), withdrawn_at__isnull=True,
        expires_at__gt=OuterRef("expires_at"),
    )  # fmt: skip
    rows = (
        Consent.objects.filter(
            withdrawn_at__isnull=True,
            starts_at__lte=now,
            expires_at__gt=now,
            expires_at__lte=last,
        )  # fmt: skip
        .exclude(Exists(renewed))
        .select_related("person", "champion")
        .order_by("expires_at", "pk")
    )
    for consent in rows.iterator(chunk_size=500):
        yield Due("consent_expiring", consent, timezone.localtime(consent.expires_at).date())


def _open_returns() -> Any:
    from opus.commissioning.models import ContractStatus, KpiReturn

    return (
        KpiReturn.objects.filter(
            submitted_at__isnull=True, kpi__contract__status=ContractStatus.ACTIVE
        )
        .select_related(
            "kpi__contract__supplier",
            "kpi__contract__signed_by",
            "kpi__contract__award__decided_by",
            "kpi__contract__award__lot__opportunity__buyer",
        )  # fmt: skip
        .order_by("due_date", "pk")
    )


def kpi_returns_due(today: dt.date) -> Iterator[Due]:
    """Returns not yet made, due today or within the next 7 days."""
    rows = _open_returns().filter(
        due_date__gte=today, due_date__lte=today + dt.timedelta(days=KPI_DUE_DAYS)
    )
    for row in rows.iterator(chunk_size=500):
        yield Due("kpi_return_due", row, row.due_date)


def kpi_returns_overdue(today: dt.date) -> Iterator[Due]:
    """Returns not made by their due date: told the day after (a week's catching up at most)."""
    rows = _open_returns().filter(
        due_date__lt=today, due_date__gte=today - dt.timedelta(days=OVERDUE_CATCH_UP_DAYS)
    )
    for row in rows.iterator(chunk_size=500):
        yield Due("kpi_return_overdue", row, row.due_date)


def plan_reviews_due(today: dt.date) -> Iterator[Due]:
    """The newest plan of each open budget, its review due today or within 14 days."""
    from opus.budgets.models import BudgetStatus, SupportPlan

    newer = SupportPlan.objects.filter(budget=OuterRef("budget"), version__gt=OuterRef("version"))
    rows = (
        SupportPlan.objects.filter(
            budget__status=BudgetStatus.ACTIVE,
            review_due__gte=today,
            review_due__lte=today + dt.timedelta(days=PLAN_NOTICE_DAYS),
        )  # fmt: skip
        .exclude(Exists(newer))
        .select_related("budget__person", "written_by")
        .order_by("review_due", "pk")
    )
    for plan in rows.iterator(chunk_size=500):
        yield Due("plan_review_due", plan, plan.review_due)


def complaints_overdue(today: dt.date) -> Iterator[Due]:
    """Complaint stages past their acknowledgement's or answer's day (opus/voice/complaints.py)."""
    from opus.voice.complaints import overdue

    for stage, due_date in overdue(today):
        yield Due("complaint_overdue", stage, due_date)


def _tell_complaint_overdue(due: Due) -> int:
    from opus.voice.complaints import tell_overdue

    return tell_overdue(due.target, due.due_date)  # type: ignore[arg-type]


FINDERS: dict[str, Callable[[dt.date], Iterator[Due]]] = {
    "consent_expiring": consents_expiring,
    "kpi_return_due": kpi_returns_due,
    "kpi_return_overdue": kpi_returns_overdue,
    "plan_review_due": plan_reviews_due,
    "complaint_overdue": complaints_overdue,
}


def _key(due: Due) -> tuple[str, str, str, dt.date]:
    return (due.kind, due.target._meta.label_lower, str(due.target.pk), due.due_date)


def pending(today: dt.date) -> Iterator[Due]:
    """Every reminder due on `today` that has not been sent yet, kind by kind."""
    for kind, finder in FINDERS.items():
        found = list(finder(today))
        sent = set(
            Reminder.objects.filter(
                kind=kind, due_date__in={d.due_date for d in found}
            ).values_list("kind", "object_type", "object_id", "due_date")
        )
        yield from (due for due in found if _key(due) not in sent)


# ---------------------------------------------------------------- telling people


def _tell_consent_expiring(due: Due) -> int:
    consent: Any = due.target
    scope = (
        _("find, compare, shortlist and book services for you")
        if consent.scope == "choose"
        else _("find and compare services for you")
    )
    base = {"person": _name(consent.person), "champion": _name(consent.champion),
            "until": in_words(due.due_date)}  # fmt: skip
    sent = notify(
        recipient=consent.person, template="consent_expiring",
        context={**base, "name": _name(consent.person), "to_champion": False, "scope": scope,
                 "link": site_link(reverse("choice:consent"))},
        event="reminder.consent_expiring", target=consent,
    )  # fmt: skip
    scope = (
        _("find, compare, shortlist and book services for them")
        if consent.scope == "choose"
        else _("find and compare services for them")
    )
    sent += notify(
        recipient=consent.champion, template="consent_expiring",
        context={**base, "name": _name(consent.champion), "to_champion": True, "scope": scope,
                 "link": site_link(reverse("choice:caseload"))},
        event="reminder.consent_expiring", target=consent,
    )  # fmt: skip
    return len(sent)


def _figure(value: Decimal, unit: str) -> str:
    number = f"{value.normalize():f}"
    return f"{number}%" if unit == "%" else f"{number} {unit}".strip()


def _return_context(row: Any) -> dict[str, str]:
    kpi = row.kpi
    return {
        "contract": kpi.contract.title,
        "supplier": kpi.contract.supplier.name,
        "kpi": kpi.name,
        "measure": kpi.measure,
        "target": _figure(kpi.target, kpi.unit),
        "start": in_words(row.period_start),
        "end": in_words(row.period_end),
        "due": in_words(row.due_date),
    }


def commissioners_of(contract: Any) -> list[User]:
    """Who answers for a contract: whoever signed it and decided its award (while they are
    still commissioners); when neither is, the buying organisation's commissioners."""
    recorded = {u.pk for u in (contract.signed_by, contract.award.decided_by) if u is not None}
    people = User.objects.filter(
        is_active=True, memberships__role=Role.COMMISSIONER, pk__in=recorded
    ).distinct()
    if not people:
        people = User.objects.filter(
            is_active=True, memberships__role=Role.COMMISSIONER,
            memberships__organisation=contract.award.lot.opportunity.buyer,
        ).distinct()  # fmt: skip
    return list(people.order_by("pk"))


def _tell_kpi_return(due: Due) -> int:
    row: Any = due.target
    overdue = due.kind == "kpi_return_overdue"
    context = {
        **_return_context(row),
        "to_commissioner": False,
        "link": site_link(reverse("commissioning:kpi_return_submit", args=[row.pk])),
    }
    sent = []
    for recipient in provider_staff(row.kpi.contract.supplier):
        sent += notify(recipient=recipient, template=due.kind, context=context,
                       event=f"reminder.{due.kind}", target=row)  # fmt: skip
    if overdue:
        context = {**context, "to_commissioner": True,
                   "link": site_link(row.kpi.contract.get_absolute_url())}  # fmt: skip
        for person in commissioners_of(row.kpi.contract):
            sent += notify(recipient=person, template=due.kind, context=context,
                           event=f"reminder.{due.kind}", target=row)  # fmt: skip
    return len(sent)


def _tell_plan_review(due: Due) -> int:
    plan: Any = due.target
    person = plan.budget.person
    base = {"person": _name(person), "budget": plan.budget.title, "due": in_words(due.due_date),
            "link": site_link(reverse("budgets:plan", args=[plan.budget_id]))}  # fmt: skip
    sent = notify(recipient=person, template="plan_review_due",
                  context={**base, "name": _name(person), "yours": True},
                  event="reminder.plan_review_due", target=plan)  # fmt: skip
    writer = plan.written_by
    if writer.pk != person.pk:  # the champion or officer who wrote the plan with them
        sent += notify(recipient=writer, template="plan_review_due",
                       context={**base, "name": _name(writer), "yours": False},
                       event="reminder.plan_review_due", target=plan)  # fmt: skip
    return len(sent)


TELLERS: dict[str, Callable[[Due], int]] = {
    "consent_expiring": _tell_consent_expiring,
    "kpi_return_due": _tell_kpi_return,
    "kpi_return_overdue": _tell_kpi_return,
    "plan_review_due": _tell_plan_review,
    "complaint_overdue": _tell_complaint_overdue,
}


def reminder_send(due: Due) -> Reminder | None:
    """Record the reminder and write its notices in one transaction; None when it was
    already sent (by an earlier run, or by another machine at the same moment)."""
    kind, object_type, object_id, due_date = _key(due)
    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint: the insert that loses the race fails alone
                reminder = Reminder.objects.create(
                    kind=kind, object_type=object_type, object_id=object_id, due_date=due_date
                )
        except IntegrityError:
            return None
        reminder.notices = TELLERS[kind](due)
        reminder.save(update_fields=["notices"])
        summary = {"kind": kind, "due_date": due_date, "notices": reminder.notices}
        audit_record(actor=None, action="reminder.send", target=reminder, summary=summary)
        return reminder


def send_reminders(
    today: dt.date | None = None,
    *,
    dry_run: bool = False,
    progress: Callable[[list[Due]], Iterable[Due]] | None = None,
) -> dict[str, int]:
    """Send every reminder due on `today` (default: today in London) not sent before; how
    many were sent (or, with `dry_run`, would be) of each kind."""
    today = today or timezone.localdate()
    counts = dict.fromkeys(FINDERS, 0)
    found = list(pending(today))
    for due in progress(found) if progress else found:
        if dry_run or reminder_send(due) is not None:
            counts[due.kind] += 1
    return counts
