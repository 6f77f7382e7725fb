"""Every change to a complaint: made, acknowledged, paused and resumed, extended, forwarded,
answered, escalated, closed, taken to the ombudsman.

Each function checks who may do it (PermissionDenied), refuses bad input with a
`ComplaintError` naming the field (nothing changes), counts every deadline with
`engines/complaint_clocks.py` on the body's nation, records a `ComplaintStep`, writes the audit
event and tells the person and the handler, all in one transaction.

Which regime: a complaint to an NHS body is an NHS complaint; one about a booking of care is an
adult social care complaint; everything else follows the Complaint Handling Code.

Overdue complaints (`overdue`, used by `notifications/reminders.py`): a stage whose
acknowledgement or answer is past its day, not paused. The handler is told, and so are the
body's other staff, who stand as the handler's managers (Opus has no manager role); a stage not
yet acknowledged has no handler, so all the body's staff are told.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from opus.choice.acting import require_acting
from opus.choice.models import Booking
from opus.core.audit import audit_record
from opus.core.models import Organisation, OrganisationKind, User
from opus.engines import complaint_clocks as clocks
from opus.engines.working_days import ENGLAND_AND_WALES, working_days_between
from opus.notifications.services import notify, site_link
from opus.voice.access import body_staff, is_complainant_side, is_staff_of
from opus.voice.models import (
    Complaint,
    ComplaintBody,
    ComplaintStage,
    ComplaintStatus,
    ComplaintStep,
    Outcome,
    StepKind,
)

TEXT_MAX = 5000


class ComplaintError(ValueError):
    """Bad input for a complaint: `field` names the form field it belongs to."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field


# ---------------------------------------------------------------- reading helpers


def nation_for(body: Organisation) -> str:
    row = ComplaintBody.objects.filter(organisation=body).first()
    return row.nation if row else ENGLAND_AND_WALES


def complaint_body_set_nation(*, organisation: Organisation, nation: str,
                              by: User | None) -> ComplaintBody:  # fmt: skip
    """Set the nation whose bank holidays a body's complaint clocks count (new complaints)."""
    from opus.engines.working_days import check_nation

    try:
        check_nation(nation)
    except ValueError as exc:
        raise ComplaintError("nation", str(exc)) from None
    with transaction.atomic():
        row, _created = ComplaintBody.objects.update_or_create(
            organisation=organisation, defaults={"nation": nation}
        )
        audit_record(actor=by, action="complaint_body.nation", target=organisation,
                     summary={"nation": nation})  # fmt: skip
    return row


def regime_code_for(body: Organisation, booking: Booking | None) -> str:
    if body.kind == OrganisationKind.NHS_BODY:
        return "nhs"
    if booking is not None:
        return "adult_social_care"
    return "lgsco"


def regime_of(complaint: Complaint) -> clocks.Regime:
    return clocks.regime_for(complaint.regime)


def current_stage(complaint: Complaint) -> ComplaintStage:
    return complaint.stages.order_by("-number").first()  # type: ignore[return-value]


def in_words(day: dt.date | None) -> str:
    return date_format(day, "j F Y") if day else ""


def _text(value: str, field: str, what: str, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ComplaintError(field, what)
    if len(value) > TEXT_MAX:
        raise ComplaintError(field, _("Keep it to %(n)s characters or fewer") % {"n": TEXT_MAX})
    return value


def _require_staff(complaint: Complaint, by: User) -> None:
    if not is_staff_of(by, complaint.body_id):
        raise PermissionDenied("Only the body's staff handle its complaints")


def _step(
    complaint: Complaint, kind: str, on: dt.date, by: User | None, reason: str = "",
    before: dt.date | None = None, after: dt.date | None = None,
) -> ComplaintStep:  # fmt: skip
    return ComplaintStep.objects.create(
        complaint=complaint, stage=complaint.stage, kind=kind, on=on, reason=reason,
        due_before=before, due_after=after, by=by,
    )  # fmt: skip


def _audit(complaint: Complaint, action: str, by: User | None, **summary: Any) -> None:
    summary = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in summary.items()}
    audit_record(actor=by, action=f"complaint.{action}", target=complaint, summary=summary)


def _name(user: User) -> str:
    return user.full_name or user.email


def _base(complaint: Complaint) -> dict[str, Any]:
    return {
        "reference": complaint.reference,
        "body": complaint.body.name,
        "link": site_link(reverse("voice:complaint_detail", args=[complaint.pk])),
        "convention": clocks.CONVENTION,
    }


def _tell_person(complaint: Complaint, what: str, due: dt.date | None = None) -> None:
    context = {**_base(complaint), "name": _name(complaint.complainant), "what": what,
               "due": in_words(due)}  # fmt: skip
    notify(recipient=complaint.complainant, template="complaint_update", context=context,
           event="complaint.update", target=complaint)  # fmt: skip


def _tell_staff(complaint: Complaint, people: Any, what: str, due: dt.date | None) -> None:
    for person in people:
        context = {**_base(complaint), "name": _name(person), "what": what, "due": in_words(due)}
        notify(recipient=person, template="complaint_received", context=context,
               event="complaint.received", target=complaint)  # fmt: skip


def _tell_handler(complaint: Complaint, stage: ComplaintStage, what: str, by: User) -> None:
    if stage.handler_id and stage.handler_id != by.pk:
        _tell_staff(complaint, [stage.handler], what, stage.current_due())  # type: ignore[arg-type]


# ---------------------------------------------------------------- making a complaint


def _check_about(
    complainant: User, body: Organisation | None, service: Any, booking: Booking | None
) -> None:
    if body is None:
        raise ComplaintError("body", _("Choose who your complaint is to"))
    if booking is not None and booking.person_id != complainant.pk:
        raise ComplaintError("about_booking", _("Choose one of your own bookings"))


def _check_dates(regime: clocks.Regime, events_on: dt.date, received_on: dt.date) -> None:
    today = timezone.localdate()
    if received_on > today:
        raise ComplaintError(None, _("A complaint cannot be received in the future"))
    if events_on > received_on:
        raise ComplaintError("events_on", _("The date it happened must be today or in the past"))
    if not clocks.in_time(regime, events_on, received_on):
        raise ComplaintError(
            "events_on",
            _("A complaint must be made within %(n)s months of what happened")
            % {"n": regime.time_limit_months},
        )


def _open_stage(complaint: Complaint, number: int, received_on: dt.date) -> ComplaintStage:
    regime = regime_of(complaint)
    clock = clocks.stage_clock(regime, number, received_on, complaint.nation)
    return ComplaintStage.objects.create(
        complaint=complaint, number=number, received_on=received_on,
        acknowledge_due=clock.acknowledge_due, answer_due=clock.answer_due,
        tell_why_due=clock.tell_why_due,
    )  # fmt: skip


def complaint_make(
    *,
    complainant: User,
    body: Organisation | None,
    summary: str,
    events_on: dt.date,
    wanted: str = "",
    about_service: Any = None,
    about_booking: Booking | None = None,
    received_on: dt.date | None = None,
    by: User,
) -> Complaint:
    """A resident's complaint (or a champion's with their consent) to a body, stage 1 started."""
    require_acting(by, complainant.pk)
    _check_about(complainant, body, about_service, about_booking)
    assert body is not None
    summary = _text(summary, "summary", _("Enter what your complaint is about"))
    wanted = _text(wanted, "wanted", "", required=False)
    received_on = received_on or timezone.localdate()
    code = regime_code_for(body, about_booking)
    _check_dates(clocks.regime_for(code), events_on, received_on)
    with transaction.atomic():
        complaint = Complaint.objects.create(
            complainant=complainant, made_by=by, body=body, regime=code, nation=nation_for(body),
            summary=summary, wanted=wanted, events_on=events_on, received_on=received_on,
            about_service=about_service, about_booking=about_booking,
        )  # fmt: skip
        stage = _open_stage(complaint, 1, received_on)
        _step(complaint, StepKind.RECEIVED, received_on, by, after=stage.acknowledge_due)
        _audit(complaint, "make", by, body=body.pk, regime=code, received_on=received_on)
        _tell_person(complaint, _("We have sent your complaint."), stage.acknowledge_due)
        _tell_staff(complaint, body_staff(body), _("A new complaint"), stage.acknowledge_due)
    return complaint


# ---------------------------------------------------------------- handling


def _stage_for_action(complaint: Complaint, allowed: tuple[str, ...]) -> ComplaintStage:
    if complaint.status not in allowed:
        raise ComplaintError(
            None,
            _("This cannot be done while the complaint is %(status)s")
            % {"status": complaint.get_status_display().lower()},
        )
    return current_stage(complaint)


def complaint_acknowledge(
    *, complaint: Complaint, handler: User, on: dt.date | None = None, by: User
) -> ComplaintStage:
    """Acknowledge the current stage and name its handler: the answer's clock starts. At a
    stage the regime gives to someone new, stage 1's handler is refused."""
    _require_staff(complaint, by)
    on = on or timezone.localdate()
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
        stage = _stage_for_action(complaint, (ComplaintStatus.RECEIVED, ComplaintStatus.ESCALATED))
        if not is_staff_of(handler, complaint.body_id):
            raise ComplaintError("handler", _("Choose someone who handles this body's complaints"))
        rule = regime_of(complaint).stage(stage.number)
        if rule.different_handler:
            first = complaint.stages.get(number=1)
            if first.handler_id == handler.pk:
                raise ComplaintError(
                    "handler", _("Stage 2 must be handled by someone other than stage 1's handler")
                )
        if on < stage.received_on or on > timezone.localdate():
            raise ComplaintError("on", _("The date must be between receipt and today"))
        stage.acknowledged_on, stage.handler = on, handler
        stage.answer_due = clocks.answer_due(
            regime_of(complaint), stage.number, stage.received_on, on, complaint.nation
        )
        stage.save(update_fields=["acknowledged_on", "handler", "answer_due"])
        complaint.status = ComplaintStatus.ACKNOWLEDGED
        complaint.save(update_fields=["status"])
        _step(complaint, StepKind.ACKNOWLEDGED, on, by, after=stage.answer_due)
        _audit(complaint, "acknowledge", by, stage=stage.number, handler=handler.pk, on=on)
        what = _("Your complaint has been acknowledged. %(handler)s is handling it.") % {
            "handler": _name(handler)
        }
        _tell_person(complaint, what, stage.answer_due or stage.tell_why_due)
        _tell_handler(complaint, stage, _("You are handling this complaint"), by)
    return stage


def _moved(complaint: Complaint, stage: ComplaintStage) -> dt.date | None:
    """The answer's day again, from the stage's acknowledgement, extension and pauses."""
    return clocks.answer_due(
        regime_of(complaint), stage.number, stage.received_on, stage.acknowledged_on,
        complaint.nation, extension_days=stage.extension_days, paused_days=stage.paused_days,
    )  # fmt: skip


def complaint_pause(*, complaint: Complaint, reason: str, on: dt.date | None = None,
                    by: User) -> ComplaintStage:  # fmt: skip
    """Stop the answer's clock, with a reason (waiting for the person, say)."""
    _require_staff(complaint, by)
    reason = _text(reason, "reason", _("Enter why the complaint is paused"))
    on = on or timezone.localdate()
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
        stage = _stage_for_action(complaint, (ComplaintStatus.ACKNOWLEDGED,))
        stage.paused_on = on
        stage.save(update_fields=["paused_on"])
        complaint.status = ComplaintStatus.PAUSED
        complaint.save(update_fields=["status"])
        _step(complaint, StepKind.PAUSED, on, by, reason, before=stage.answer_due)
        _audit(complaint, "pause", by, stage=stage.number, reason=reason, on=on)
        what = _("Your complaint is paused: %(reason)s") % {"reason": reason}
        _tell_person(complaint, what)
        _tell_handler(complaint, stage, what, by)
    return stage


def complaint_resume(*, complaint: Complaint, on: dt.date | None = None,
                     by: User) -> ComplaintStage:  # fmt: skip
    """Start the clock again: the answer's day moves on by the working days it was paused."""
    _require_staff(complaint, by)
    on = on or timezone.localdate()
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
        stage = _stage_for_action(complaint, (ComplaintStatus.PAUSED,))
        assert stage.paused_on is not None
        if on < stage.paused_on:
            raise ComplaintError("on", _("A pause cannot end before it started"))
        before = stage.answer_due
        stage.paused_days += working_days_between(stage.paused_on, on, complaint.nation)
        stage.paused_on = None
        stage.answer_due = _moved(complaint, stage)
        stage.save(update_fields=["paused_days", "paused_on", "answer_due"])
        complaint.status = ComplaintStatus.ACKNOWLEDGED
        complaint.save(update_fields=["status"])
        _step(complaint, StepKind.RESUMED, on, by, before=before, after=stage.answer_due)
        _audit(complaint, "resume", by, stage=stage.number, answer_due=stage.answer_due)
        _tell_person(complaint, _("Work on your complaint has started again."), stage.answer_due)
        _tell_handler(complaint, stage, _("The complaint's clock has started again"), by)
    return stage


def complaint_extend(*, complaint: Complaint, days: int, reason: str,
                     by: User) -> ComplaintStage:  # fmt: skip
    """Extend the answer's day once, by up to the regime's most, with a reason."""
    _require_staff(complaint, by)
    reason = _text(reason, "reason", _("Enter why more time is needed"))
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
        stage = _stage_for_action(complaint, (ComplaintStatus.ACKNOWLEDGED,))
        try:
            clocks.check_extension(regime_of(complaint), stage.number, days, stage.extension_days)
        except ValueError as exc:
            raise ComplaintError("days", str(exc)) from None
        before = stage.answer_due
        stage.extension_days = days
        stage.answer_due = _moved(complaint, stage)
        stage.save(update_fields=["extension_days", "answer_due"])
        _step(complaint, StepKind.EXTENDED, timezone.localdate(), by, reason, before,
              stage.answer_due)  # fmt: skip
        _audit(complaint, "extend", by, stage=stage.number, days=days, reason=reason)
        what = _("We need more time to answer your complaint: %(reason)s") % {"reason": reason}
        _tell_person(complaint, what, stage.answer_due)
        _tell_handler(complaint, stage, what, by)
    return stage


def complaint_forward(*, complaint: Complaint, to: Organisation | None, reason: str,
                      by: User) -> Complaint:  # fmt: skip
    """Send the complaint to the body that should answer it: this one stays, marked forwarded,
    and a new one starts there with its clocks from today."""
    _require_staff(complaint, by)
    reason = _text(reason, "reason", _("Enter why it goes to another body"))
    if to is None or to.pk == complaint.body_id:
        raise ComplaintError("to", _("Choose another body to send it to"))
    today = timezone.localdate()
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
        _stage_for_action(complaint, (ComplaintStatus.RECEIVED, ComplaintStatus.ACKNOWLEDGED,
                                      ComplaintStatus.PAUSED))  # fmt: skip
        code = regime_code_for(to, complaint.about_booking)
        there = Complaint.objects.create(
            complainant=complaint.complainant, made_by=complaint.made_by, body=to, regime=code,
            nation=nation_for(to), summary=complaint.summary, wanted=complaint.wanted,
            events_on=complaint.events_on, received_on=today, forwarded_from=complaint,
            about_service=complaint.about_service, about_booking=complaint.about_booking,
        )  # fmt: skip
        stage = _open_stage(there, 1, today)
        complaint.status = ComplaintStatus.FORWARDED
        complaint.save(update_fields=["status"])
        _step(complaint, StepKind.FORWARDED, today, by, reason)
        _step(there, StepKind.RECEIVED, today, by, reason, after=stage.acknowledge_due)
        _audit(complaint, "forward", by, to=to.pk, new=there.pk, reason=reason)
        _audit(there, "make", by, body=to.pk, regime=code, forwarded_from=complaint.pk)
        what = _("Your complaint has been sent to %(body)s, who will answer it: %(reason)s") % {
            "body": to.name, "reason": reason
        }  # fmt: skip
        _tell_person(there, what, stage.acknowledge_due)
        _tell_staff(there, body_staff(to), _("A complaint forwarded to you"),
                    stage.acknowledge_due)  # fmt: skip
    return there


def complaint_answer(
    *, complaint: Complaint, outcome: str, response: str, remedy: str = "", learning: str = "",
    on: dt.date | None = None, by: User,
) -> ComplaintStage:  # fmt: skip
    """The stage's answer, with its outcome, any remedy and what was learnt. At the last stage
    the complaint closes and the person is told they may go to the ombudsman."""
    _require_staff(complaint, by)
    if outcome not in Outcome.values:
        raise ComplaintError("outcome", _("Choose the outcome"))
    response = _text(response, "response", _("Enter the answer"))
    remedy = _text(remedy, "remedy", "", required=False)
    learning = _text(learning, "learning", "", required=False)
    on = on or timezone.localdate()
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
        stage = _stage_for_action(complaint, (ComplaintStatus.ACKNOWLEDGED,))
        if not stage.acknowledged_on <= on <= timezone.localdate():  # type: ignore[operator]
            raise ComplaintError("on", _("The date must be between the acknowledgement and today"))
        stage.answered_on, stage.outcome, stage.response = on, outcome, response
        stage.remedy, stage.learning = remedy, learning
        stage.save(update_fields=["answered_on", "outcome", "response", "remedy", "learning"])
        regime = regime_of(complaint)
        final = stage.number == regime.last_stage
        complaint.status = ComplaintStatus.CLOSED if final else ComplaintStatus.ANSWERED
        complaint.save(update_fields=["status"])
        _step(complaint, StepKind.ANSWERED, on, by, Outcome(outcome).label)
        _audit(complaint, "answer", by, stage=stage.number, outcome=outcome, final=final)
        _tell_answer(complaint, stage, final)
        _tell_handler(complaint, stage, _("The complaint has been answered"), by)
    return stage


def _tell_answer(complaint: Complaint, stage: ComplaintStage, final: bool) -> None:
    ombudsman = regime_of(complaint).ombudsman
    context = {
        **_base(complaint), "name": _name(complaint.complainant), "stage": stage.number,
        "outcome": stage.get_outcome_display(), "response": stage.response,
        "remedy": stage.remedy, "final": final, "ombudsman": ombudsman.name,
        "ombudsman_url": ombudsman.url, "what_to_send": list(ombudsman.what_to_send),
    }  # fmt: skip
    notify(recipient=complaint.complainant, template="complaint_answered", context=context,
           event="complaint.answer", target=complaint)  # fmt: skip


def complaint_escalate(*, complaint: Complaint, reason: str, on: dt.date | None = None,
                       by: User) -> ComplaintStage:  # fmt: skip
    """The person is not satisfied with stage 1's answer: stage 2 starts on the day they ask
    (today, unless recorded later)."""
    if not is_complainant_side(by, complaint):
        raise PermissionDenied("Only the complainant asks for stage 2")
    require_acting(by, complaint.complainant_id)
    reason = _text(reason, "reason", _("Enter why you are not satisfied"))
    today = on or timezone.localdate()
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
        current = _stage_for_action(complaint, (ComplaintStatus.ANSWERED,))
        if current.number >= regime_of(complaint).last_stage:
            raise ComplaintError(None, _("This complaint has no further stage"))
        if not current.answered_on <= today <= timezone.localdate():  # type: ignore[operator]
            raise ComplaintError("on", _("The date must be between the answer and today"))
        complaint.stage = current.number + 1
        complaint.status = ComplaintStatus.ESCALATED
        complaint.save(update_fields=["stage", "status"])
        stage = _open_stage(complaint, complaint.stage, today)
        _step(complaint, StepKind.ESCALATED, today, by, reason, after=stage.acknowledge_due)
        _audit(complaint, "escalate", by, stage=stage.number, reason=reason)
        _tell_person(complaint, _("You have asked for stage 2."), stage.acknowledge_due)
        first = complaint.stages.get(number=1)
        people = [p for p in body_staff(complaint.body) if p.pk != first.handler_id]
        _tell_staff(complaint, people, _("A complaint escalated to stage 2"),
                    stage.acknowledge_due)  # fmt: skip
    return stage


def complaint_close(*, complaint: Complaint, reason: str, by: User) -> Complaint:
    """Close without a further stage (the person is content with stage 1, or withdrew): the
    person is told they may still go to the ombudsman."""
    _require_staff(complaint, by)
    reason = _text(reason, "reason", _("Enter why the complaint is closed"))
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
        stage = _stage_for_action(
            complaint, (ComplaintStatus.ANSWERED, ComplaintStatus.ACKNOWLEDGED,
                        ComplaintStatus.RECEIVED, ComplaintStatus.PAUSED),
        )  # fmt: skip
        complaint.status = ComplaintStatus.CLOSED
        complaint.save(update_fields=["status"])
        _step(complaint, StepKind.CLOSED, timezone.localdate(), by, reason)
        _audit(complaint, "close", by, stage=stage.number, reason=reason)
        _tell_answer(complaint, stage, final=True)
    return complaint


def complaint_ombudsman(*, complaint: Complaint, on: dt.date | None = None,
                        by: User) -> Complaint:  # fmt: skip
    """Record that the person has taken the closed complaint to the ombudsman."""
    if not (is_staff_of(by, complaint.body_id) or is_complainant_side(by, complaint)):
        raise PermissionDenied("Only the complainant or the body record this")
    on = on or timezone.localdate()
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
        _stage_for_action(complaint, (ComplaintStatus.CLOSED,))
        if on > timezone.localdate():
            raise ComplaintError("on", _("The date must be today or in the past"))
        complaint.status, complaint.ombudsman_on = ComplaintStatus.OMBUDSMAN, on
        complaint.save(update_fields=["status", "ombudsman_on"])
        _step(complaint, StepKind.OMBUDSMAN, on, by, regime_of(complaint).ombudsman.name)
        _audit(complaint, "ombudsman", by, on=on)
    return complaint


# ---------------------------------------------------------------- overdue (reminders)


def overdue(today: dt.date) -> Iterator[tuple[ComplaintStage, dt.date]]:
    """Open stages whose acknowledgement or answer is past its day (not while paused), with
    the day missed."""
    from django.db.models import Q

    rows = (
        ComplaintStage.objects.filter(
            complaint__status__in=(
                ComplaintStatus.RECEIVED,
                ComplaintStatus.ACKNOWLEDGED,
                ComplaintStatus.ESCALATED,
            ),
            answered_on__isnull=True,
            paused_on__isnull=True,
        )  # fmt: skip
        .filter(
            Q(acknowledged_on__isnull=True, acknowledge_due__lt=today)
            | Q(acknowledged_on__isnull=False, answer_due__lt=today)
            | Q(acknowledged_on__isnull=False, answer_due__isnull=True, tell_why_due__lt=today)
        )
        .select_related("complaint__body", "complaint__complainant", "handler")
        .order_by("pk")
    )
    for stage in rows.iterator(chunk_size=500):
        if stage.complaint.stage == stage.number:
            yield stage, stage.current_due()  # type: ignore[misc]


def tell_overdue(stage: ComplaintStage, due: dt.date) -> int:
    """Tell the handler and the body's other staff (its managers) that a stage is overdue."""
    complaint = stage.complaint
    if stage.acknowledged_on is None:
        what = _("The acknowledgement was due on %(day)s")
    elif stage.answer_due is None:
        what = _("There is no answer after 6 months: the person was to be told why by %(day)s")
    else:
        what = _("The answer was due on %(day)s")
    what = what % {"day": in_words(due)}
    sent = 0
    for person in body_staff(complaint.body):
        context = {**_base(complaint), "name": _name(person), "what": what,
                   "handler": _name(stage.handler) if stage.handler else "",
                   "yours": person.pk == stage.handler_id}  # fmt: skip
        sent += len(notify(recipient=person, template="complaint_overdue", context=context,
                           event="reminder.complaint_overdue", target=stage))  # fmt: skip
    return sent
