"""The budgets part of the demo world: a RAS, budgets from each source, and a year of activity.

All synthetic. Rosa holds a social-care budget: her accepted bookings became commitments,
providers recorded monthly deliveries and the council paid their invoices; one commitment was
cancelled. Other demo residents hold an NHS personal health budget taken as a direct payment
(with a return of unused money), an integrated budget from three sources, and last year's
budget, closed with its unspent money clawed back. Everything goes through the ledger
services, with value dates over the past year, so every figure on every page is true.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
from django.utils import timezone

from opus.budgets import invoices, services
from opus.budgets.models import Budget, Commitment, Invoice, RasVersion
from opus.choice import services as choice
from opus.choice.models import Booking, BookingStatus
from opus.core.models import Area, AreaKind, Organisation, OrganisationKind, Role, User
from opus.directory.models import Service
from opus.engines.ledger import LedgerError

QUESTIONS = [
    ("Personal care", "washing", "Washing and bathing",
     [("On my own", 0), ("With some help", 6), ("With help every time", 12)]),
    ("Personal care", "dressing", "Getting dressed",
     [("On my own", 0), ("With some help", 4), ("With help every time", 8)]),
    ("Daily living", "meals", "Preparing meals",
     [("On my own", 0), ("With some help", 4), ("Someone does it for me", 8)]),
    ("Daily living", "home", "Keeping my home",
     [("On my own", 0), ("With some help", 3), ("Someone does it for me", 6)]),
    ("Social activity", "out", "Getting out and seeing people",
     [("As much as I like", 0), ("Less than I would like", 5), ("Hardly ever", 10)]),
    ("Carers' support", "carer", "The person who cares for me",
     [("Copes well", 0), ("Needs a break sometimes", 4), ("Is at breaking point", 9)]),
]  # fmt: skip


def _questions() -> list[dict[str, object]]:
    return [
        {"domain": d, "key": k, "text": t, "answers": [{"label": a, "points": p} for a, p in ans]}
        for d, k, t, ans in QUESTIONS
    ]


def financial_year(today: dt.date) -> tuple[dt.date, dt.date]:
    start_year = today.year if today.month >= 4 else today.year - 1
    return dt.date(start_year, 4, 1), dt.date(start_year + 1, 3, 31)


def seed_budgets(seed: int = 2026) -> None:
    commissioner = User.objects.filter(email="commissioner@demo.opus.test").first()
    council = Organisation.objects.filter(slug="northvale-council").first()
    icb = Organisation.objects.filter(kind=OrganisationKind.NHS_BODY).first()
    if commissioner is None or council is None or icb is None:
        return
    rng = np.random.default_rng(seed + 5)
    today = timezone.localdate()
    start, end = financial_year(today)
    _publish_ras(commissioner)
    _rosa(commissioner, council, start, end, today)
    _health_direct_payment(commissioner, icb, start, end, today)
    _integrated(commissioner, council, icb, start, end, today)
    _last_year(commissioner, council, start, today)
    _others(commissioner, council, start, end, today, rng)


def _publish_ras(by: User) -> None:
    common = {
        "questions": _questions(),
        "minimum_pence": 1_000_00,
        "maximum_pence": 40_000_00,
        "domain_caps": {"Personal care": 16},
        "by": by,
    }
    services.ras_publish(
        title="Adult social care RAS",
        price_per_point_pence=120_00,
        change_note="First published version (synthetic)",
        **common,
    )
    services.ras_publish(title="Adult social care RAS", price_per_point_pence=126_00,
                         change_note="Price per point raised 5% for provider fee uplift "
                         "(synthetic)", **common)  # fmt: skip


def _staff(organisation: Organisation) -> User | None:
    return User.objects.filter(
        memberships__organisation=organisation, memberships__role=Role.PROVIDER
    ).first()


def _area(index: int) -> Area | None:
    areas = list(Area.objects.filter(kind=AreaKind.NEIGHBOURHOOD).order_by("code"))
    return areas[index % len(areas)] if areas else None


def _book(person: User, service: Service, hours: str, start: dt.date, by: User) -> Booking:
    booking = choice.booking_request(person=person, service=service, by=person,
                                     units_per_week=Decimal(hours), start_date=start, message="",
                                     needs=list(service.terms.values_list("code", flat=True)),
                                     circumstances=["older-person"])  # fmt: skip
    choice.booking_decide(booking=booking, accept=True, reason="", by=by)
    return booking


def _commit(booking: Booking, by: User) -> Commitment:
    """Commit a booking accepted before its budget opened, a week before it starts."""
    on = min(booking.start_date - dt.timedelta(days=7), timezone.localdate())
    budget_start = services.budget_for_booking(booking)
    if budget_start is not None:
        on = max(on, budget_start.period_start)
    return services.commit_booking(booking=booking, by=by, on=on)


def _month_ends(first: dt.date, last: dt.date) -> list[dt.date]:
    ends, year, month = [], first.year, first.month
    while True:
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        month_end = following - dt.timedelta(days=1)
        if month_end > last:
            return ends
        ends.append(month_end)
        year, month = following.year, following.month


def _deliver_and_invoice(commitment: Commitment, by: User, staff: User, until: dt.date,
                         today: dt.date, tag: str) -> None:  # fmt: skip
    """Monthly delivery at the weekly rate, each invoice paid ten days after the month ends."""
    start = commitment.start_date
    for n, month_end in enumerate(_month_ends(start, min(until, today))):
        days = (month_end - max(start, month_end.replace(day=1))).days + 1
        amount = min(commitment.weekly_pence * max(1, round(days / 7)),
                     Commitment.objects.get(pk=commitment.pk).outstanding_pence)  # fmt: skip
        if amount <= 0:
            return
        services.deliver(commitment=commitment, amount=amount, by=staff,
                         memo=f"Sessions in {month_end:%B %Y}", on=month_end)  # fmt: skip
        paid_on = month_end + dt.timedelta(days=10)
        if paid_on <= today:
            services.pay_invoice(commitment=commitment, amount=amount, by=by,
                                 reference=f"{tag}-{n + 1:03d}", on=paid_on)  # fmt: skip


def _invoices_sent(commitment: Commitment, by: User, staff: User, today: dt.date) -> None:
    """This month's sessions invoiced through Opus: one invoice paid, the next waiting.

    Priya sees both on her invoices and payments page; the commissioner has one to decide.
    """
    for days_ago in (7, 0):
        left = Commitment.objects.get(pk=commitment.pk).outstanding_pence
        on = max(commitment.start_date, today - dt.timedelta(days=days_ago))
        if left > 0 and on <= today:
            services.deliver(commitment=commitment, amount=min(commitment.weekly_pence, left),
                             by=staff, memo="A week's sessions", on=on)  # fmt: skip
    commitment.refresh_from_db()
    latest = min(commitment.weekly_pence, commitment.unpaid_pence)
    earlier = commitment.unpaid_pence - latest
    price = commitment.booking.price_pence or 1

    def send(number: str, amount: int) -> Invoice:
        line = invoices.LineIn(commitment, max(1, amount // price), amount)
        return invoices.invoice_submit(provider=commitment.provider, number=number,
                                       invoice_date=today, lines=[line], by=staff)  # fmt: skip

    if earlier > 0:
        paid = invoices.invoice_approve(invoice=send(f"NCM-{today:%Y%m}-1", earlier), by=by)
        invoices.invoices_pay(invoices=[paid], by=by, key=f"demo-pay-{paid.pk}", on=today)
    if latest > 0:
        send(f"NCM-{today:%Y%m}-2", latest)


def _provider_service(slug: str, skip: int = 0) -> Service | None:
    return (
        Service.objects.filter(organisation__slug=slug, cost_options__isnull=False)
        .order_by("name")
        .distinct()[skip : skip + 1]
        .first()
    )


def _rosa(by: User, council: Organisation, start: dt.date, end: dt.date, today: dt.date) -> None:
    rosa = User.objects.filter(email="resident@demo.opus.test").first()
    priya = User.objects.filter(email="provider@demo.opus.test").first()
    mutual = Organisation.objects.filter(slug="northvale-care-mutual").first()
    service = _provider_service("northvale-care-mutual")
    if rosa is None or priya is None or mutual is None or service is None:
        return
    answers = {"washing": 1, "dressing": 1, "meals": 1, "home": 1, "out": 2, "carer": 0}
    assessment = services.ras_assess(person=rosa, ras=RasVersion.objects.first(), answers=answers,
                                     by=by)  # fmt: skip
    extra = _provider_service("northvale-care-mutual", skip=1) or service
    swim = _book(rosa, extra, "1", start + dt.timedelta(days=61), priya)
    care = _book(rosa, service, "4", start + dt.timedelta(days=14), priya)
    budget = services.budget_create(
        person=rosa, title="Rosa's personal budget", period_start=start, period_end=end,
        sources=[("social_care", council, assessment.indicative_pence)], by=by,
        assessment=assessment, needs=["befriending", "lunch-clubs"], area=_area(0), on=start,
    )  # fmt: skip
    plan = services.plan_write(
        budget=budget,
        outcomes=[
            {"outcome": "Get out of the house and see people twice a week",
             "how": "Lunch club and befriending visits"},
            {"outcome": "Stay safe and well at home", "how": "Help with washing and meals"},
        ],
        how_managed="managed", review_due=end - dt.timedelta(days=60), by=rosa,
    )  # fmt: skip
    services.plan_agree(plan=plan, by=by)
    commitment = _commit(care, by)
    _deliver_and_invoice(commitment, by, priya, end, today, "NCM-ROSA")
    _invoices_sent(commitment, by, priya, today)
    cancelled = _commit(swim, by)
    stop = min(start + dt.timedelta(days=122), today)
    _deliver_and_invoice(cancelled, by, priya, stop, today, "NCM-ROSA-B")
    services.release(commitment=cancelled, by=rosa, memo="Rosa stopped: the times no longer "
                     "suited her", on=stop)  # fmt: skip
    waiting = Booking.objects.filter(person=rosa, status=BookingStatus.ACCEPTED,
                                     commitment__isnull=True).first()  # fmt: skip
    if waiting is not None and waiting.weekly_pence:  # accepted before the budget existed
        services.commit_booking(booking=waiting, by=rosa)


def _resident(n: int) -> User | None:
    return User.objects.filter(email=f"resident{n:02d}@demo.opus.test").first()


def _health_direct_payment(by: User, icb: Organisation, start: dt.date, end: dt.date,
                           today: dt.date) -> None:  # fmt: skip
    person = _resident(20)
    if person is None:
        return
    budget = services.budget_create(
        person=person, title="Personal health budget", period_start=start, period_end=end,
        sources=[("health", icb, 6_240_00)], by=by, needs=["respite"], area=_area(1),
        on=start,
    )  # fmt: skip
    for month_start in [start] + [d + dt.timedelta(days=1) for d in _month_ends(start, today)]:
        if month_start <= today and month_start <= end:
            services.direct_payment(budget=budget, amount=520_00, by=by,
                                    memo=f"Direct payment for {month_start:%B %Y}",
                                    on=month_start)  # fmt: skip
    returned_on = min(start + dt.timedelta(days=190), today)
    services.direct_payment_return(
        budget=budget,
        amount=186_40,
        by=by,
        on=returned_on,
        memo="Unused carer hours over the summer returned",
    )


def _paid_service(index: int) -> Service | None:
    """The index-th service with a price whose provider has staff to accept bookings."""
    found = (
        Service.objects.filter(
            cost_options__amount_pence__gt=0, organisation__memberships__role=Role.PROVIDER
        )
        .order_by("name")
        .distinct()
    )
    count = found.count()
    return found[index % count] if count else None


def _booked(person: User, index: int, hours: str, starts: dt.date) -> Booking | None:
    service = _paid_service(index)
    staff = _staff(service.organisation) if service else None
    if service is None or staff is None:
        return None
    return _book(person, service, hours, starts, staff)


def _run_commitment(booking: Booking | None, by: User, until: dt.date, today: dt.date,
                    tag: str) -> None:  # fmt: skip
    if booking is None:
        return
    commitment = _commit(booking, by)
    staff = _staff(commitment.provider)
    if staff is not None:
        _deliver_and_invoice(commitment, by, staff, until, today, tag)


def _integrated(by: User, council: Organisation, icb: Organisation, start: dt.date,
                end: dt.date, today: dt.date) -> None:  # fmt: skip
    person = _resident(21)
    if person is None:
        return
    booking = _booked(person, 3, "3", start + dt.timedelta(days=30))
    services.budget_create(
        person=person, title="Integrated personal budget", period_start=start, period_end=end,
        sources=[("social_care", council, 2_400_00), ("health", icb, 1_200_00),
                 ("education", council, 900_00)],
        by=by, needs=["supported-employment"], area=_area(2), on=start,
    )  # fmt: skip
    _run_commitment(booking, by, end, today, "INT-21")
    budget = Budget.objects.get(person=person, period_start=start)
    services.direct_payment(budget=budget, amount=300_00, by=by, memo="College travel",
                            on=start + dt.timedelta(days=5))  # fmt: skip


def _last_year(by: User, council: Organisation, start: dt.date, today: dt.date) -> None:
    person = _resident(22)
    if person is None:
        return
    last_start, last_end = dt.date(start.year - 1, 4, 1), start - dt.timedelta(days=1)
    booking = _booked(person, 5, "2", last_start + dt.timedelta(days=20))
    budget = services.budget_create(
        person=person, title=f"Personal budget {last_start:%Y}–{last_end:%y}",
        period_start=last_start, period_end=last_end, sources=[("social_care", council, 4_800_00)],
        by=by, needs=["befriending"], area=_area(3), on=last_start,
    )  # fmt: skip
    _run_commitment(booking, by, last_end, today, "LY-22")
    services.budget_close(budget=budget, by=by, on=last_end)


def _others(by: User, council: Organisation, start: dt.date, end: dt.date, today: dt.date,
            rng: np.random.Generator) -> None:  # fmt: skip
    """Twelve more budgets across the neighbourhoods, most with a provider booked."""
    needs = ["befriending", "lunch-clubs", "personal-care", "day-opportunities", "respite"]
    for n in range(1, 13):
        person = _resident(n)
        if person is None:
            continue
        booking = None
        if n % 4:  # a quarter have not booked anything yet: the underspends
            starts = start + dt.timedelta(days=int(rng.integers(7, 150)))
            booking = _booked(person, 7 + n, str(int(rng.integers(1, 4))), starts)
        services.budget_create(
            person=person, title="Personal budget", period_start=start, period_end=end,
            sources=[("social_care", council, int(rng.integers(15, 60)) * 100_00)], by=by,
            needs=[needs[n % len(needs)]], area=_area(n), on=start,
        )  # fmt: skip
        try:
            _run_commitment(booking, by, end, today, f"PB-{n:02d}")
        except LedgerError:
            pass  # a budget too small for the booking: it shows as waiting, with the reason
