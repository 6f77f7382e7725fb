"""The demo's complaints: one in every state, one overdue, one taken to the ombudsman, and
clocks that run over Christmas and Easter (dated from the last Christmas and Easter before the
demo is built, so every deadline shown has already been counted over the bank holidays)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from opus.choice.models import Booking
from opus.core.models import Organisation, User
from opus.engines.working_days import add_working_days, easter_sunday
from opus.voice import complaints as svc
from opus.voice.models import Complaint


def _last_christmas(today: dt.date) -> dt.date:
    """18 December (a Friday in 2026) of the last year whose Christmas is behind us."""
    year = today.year if today > dt.date(today.year, 12, 28) else today.year - 1
    return dt.date(year, 12, 18)


def _last_easter(today: dt.date) -> dt.date:
    """The Friday nine days before the last Easter Day that is four months or more behind us
    (long enough for both stages and the ombudsman to have happened since)."""
    recent = today > easter_sunday(today.year) + dt.timedelta(days=120)
    year = today.year if recent else today.year - 1
    return easter_sunday(year) - dt.timedelta(days=9)


def seed_complaints(seed: int = 2026) -> None:  # noqa: ARG001 - every demo step takes the seed
    """Complaints by Rosa (the demo resident) to her care provider, the council and her
    neighbourhood council, handled by their demo staff."""
    rosa = User.objects.filter(email="resident@demo.opus.test").first()
    priya = User.objects.filter(email="provider@demo.opus.test").first()
    cora = User.objects.filter(email="commissioner@demo.opus.test").first()
    colin = User.objects.filter(email="councillor@demo.opus.test").first()
    provider = Organisation.objects.filter(slug="northvale-care-mutual").first()
    council = Organisation.objects.filter(slug="northvale-council").first()
    parish = Organisation.objects.filter(slug="old-town-neighbourhood-council").first()
    colleague = User.objects.filter(email="staff.northvale-care-mutual@demo.opus.test").first()
    if None in (rosa, priya, cora, colin, provider, council, parish, colleague):
        return
    assert rosa and priya and cora and colin and provider and council and parish and colleague
    today = timezone.localdate()
    christmas, easter = _last_christmas(today), _last_easter(today)

    def make(body: Organisation, summary: str, received: dt.date, **kw: object) -> Complaint:
        return svc.complaint_make(
            complainant=rosa, body=body, summary=summary, wanted=str(kw.pop("wanted", "")),
            events_on=received - dt.timedelta(days=7), received_on=received, by=rosa, **kw,
        )  # fmt: skip

    def ack(c: Complaint, handler: User, on: dt.date) -> None:
        svc.complaint_acknowledge(complaint=c, handler=handler, on=on, by=handler)

    # Received today: waiting for its acknowledgement.
    make(council, "The bin crew left the gate open again and the dog got out.", today)
    # Overdue: received on 18 December, acknowledged over Christmas and never answered.
    late = make(provider, "My carer did not come on Christmas Eve and nobody rang me.", christmas,
                wanted="An apology and a call when a visit is missed.")  # fmt: skip
    ack(late, priya, add_working_days(christmas, 3))
    # Paused, waiting for Rosa's notes; and one extended once with a reason.
    paused = make(provider, "The new rota keeps changing my visit times.",
                  today - dt.timedelta(days=14))  # fmt: skip
    ack(paused, priya, paused.received_on + dt.timedelta(days=1))
    svc.complaint_pause(complaint=paused, reason="Waiting for Rosa's diary of the visit times",
                        on=today - dt.timedelta(days=3), by=priya)  # fmt: skip
    extended = make(council, "My blue badge renewal has taken three months.",
                    today - dt.timedelta(days=10))  # fmt: skip
    ack(extended, cora, extended.received_on + dt.timedelta(days=2))
    svc.complaint_extend(complaint=extended, days=5, reason="We are waiting for the DVLA's records",
                         by=cora)  # fmt: skip
    # Forwarded: the neighbourhood council sends a highways complaint to the council.
    wrong = make(
        parish, "The pavement on Mill Lane is broken and I fell.", today - dt.timedelta(days=2)
    )
    svc.complaint_forward(complaint=wrong, to=council, reason="Pavements are the council's",
                          by=colin)  # fmt: skip
    # Over Easter: answered at stage 1, escalated to stage 2 (another handler), answered, and
    # taken to the ombudsman.
    over_easter = make(provider, "I was charged for sessions that did not happen over Easter.",
                       easter, wanted="A refund of the missed sessions.")  # fmt: skip
    ack(over_easter, priya, add_working_days(easter, 2))
    stage1_on = add_working_days(easter, 10)
    svc.complaint_answer(
        complaint=over_easter, outcome="not_upheld", on=stage1_on,
        response="Our records show the sessions took place.", by=priya,
    )  # fmt: skip
    svc.complaint_escalate(complaint=over_easter, reason="They did not: I was away.",
                           on=stage1_on + dt.timedelta(days=3), by=rosa)  # fmt: skip
    second = over_easter.stages.get(number=2)
    ack(over_easter, colleague, add_working_days(second.received_on, 2))
    svc.complaint_answer(
        complaint=over_easter, outcome="partly_upheld", on=add_working_days(second.received_on, 15),
        response="Two sessions were charged in error; we have refunded them.",
        remedy="£36 refunded", learning="Check the visit log before invoicing bank holiday weeks",
        by=colleague,
    )  # fmt: skip
    svc.complaint_ombudsman(complaint=over_easter, on=add_working_days(second.received_on, 30),
                            by=rosa)  # fmt: skip
    # About her booking of care: an adult social care complaint (acknowledged in 3 working days,
    # no fixed day for the answer, told why at 6 months).
    booking = Booking.objects.filter(person=rosa, service__organisation=provider).first()
    if booking is not None:
        care = make(provider, "My visits are always rushed.", today - dt.timedelta(days=6),
                    about_booking=booking)  # fmt: skip
        ack(care, priya, care.received_on + dt.timedelta(days=1))
    # Answered at stage 1 and waiting: Rosa may ask for stage 2; and one closed after stage 1.
    answered = make(provider, "The carer did not know about my allergy.",
                    today - dt.timedelta(days=20))  # fmt: skip
    ack(answered, priya, answered.received_on + dt.timedelta(days=1))
    svc.complaint_answer(
        complaint=answered, outcome="upheld", on=today - dt.timedelta(days=2),
        response="You are right; we are sorry.", remedy="Your care plan now shows the allergy",
        learning="Read the care plan's alerts at every first visit", by=priya,
    )  # fmt: skip
    escalated = make(provider, "The office lost my direct payment forms twice.",
                     today - dt.timedelta(days=25))  # fmt: skip
    ack(escalated, priya, escalated.received_on + dt.timedelta(days=1))
    svc.complaint_answer(
        complaint=escalated, outcome="not_upheld", on=today - dt.timedelta(days=5),
        response="We have no record of the forms.", by=priya,
    )  # fmt: skip
    svc.complaint_escalate(complaint=escalated, reason="I have the post office receipts.",
                           on=today - dt.timedelta(days=1), by=rosa)  # fmt: skip
    closed = make(council, "The library's opening hours online were wrong.",
                  today - dt.timedelta(days=30))  # fmt: skip
    ack(closed, cora, closed.received_on + dt.timedelta(days=1))
    svc.complaint_answer(
        complaint=closed, outcome="upheld", on=closed.received_on + dt.timedelta(days=8),
        response="Thank you: the page is corrected.", by=cora,
    )  # fmt: skip
    svc.complaint_close(complaint=closed, reason="Rosa is content with the answer", by=cora)
