"""Every write of feedback and ratings: one transaction with its audit event and notices.

Who does what:
- the person who had a delivered booking gives feedback on it; any resident may give
  feedback on a service without a booking;
- moderators (commissioners and administrators: the council's officers who look after the
  directory, as for the good-practice library) publish, edit out personal details or
  defamatory words (the original is kept, the edit recorded), or decline to publish; they
  decide a provider's request for a restriction;
- the provider's staff reply publicly, ask for a restriction with a reason, and mark a
  change planned or made with its explanation;
- the person who gave the feedback confirms (or not) that change: a badge shows only when
  explained and confirmed.

Published overall ratings are summed per service (`ServiceRating`), which matching reads as
the quality score (a Bayesian average, `engines/matching.py`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, ExpressionWrapper, F, FloatField, Sum, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from opus.choice.models import Booking
from opus.core.audit import audit_record
from opus.core.models import Membership, Role, User
from opus.core.roles import has_role
from opus.directory.models import Service
from opus.notifications.events import provider_staff
from opus.notifications.services import notify, site_link
from opus.voice.models import (
    RATING_DIMENSIONS,
    RATING_MAX,
    RATING_MIN,
    STORY_MAX,
    ChangeBadge,
    Feedback,
    FeedbackStatus,
    Restriction,
    ServiceRating,
)

MODERATOR_ROLES = (Role.COMMISSIONER, Role.ADMIN)
# "People like you rated …" only where at least this many people stand behind the figure.
PEOPLE_LIKE_YOU_MINIMUM = 10
TEXT_MAX = 2000


class FeedbackError(ValueError):
    """A change the rules do not allow; `field` names the input at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# --- Who may ------------------------------------------------------------------------------


def is_moderator(user: Any) -> bool:
    return bool(user and user.is_authenticated and has_role(user, *MODERATOR_ROLES))


def is_provider_staff(user: Any, service: Service) -> bool:
    if not (user and user.is_authenticated):
        return False
    return Membership.objects.filter(
        user=user, organisation_id=service.organisation_id, role=Role.PROVIDER
    ).exists()


def booking_delivered(booking: Booking) -> bool:
    """Delivery is recorded on the booking's commitment in the ledger (budgets.deliver)."""
    from opus.budgets.models import Transaction

    return Transaction.objects.filter(
        commitment__booking=booking, operation="deliver", reverses__isnull=True
    ).exists()


def may_give_on_booking(user: Any, booking: Booking) -> bool:
    return (
        bool(user and user.is_authenticated)
        and booking.person_id == user.pk
        and booking_delivered(booking)
        and not Feedback.objects.filter(booking=booking).exists()
    )


# --- Checks -------------------------------------------------------------------------------


def _check(ratings: dict[str, Any], story: str) -> dict[str, int]:
    clean: dict[str, int] = {}
    for key, label in RATING_DIMENSIONS:
        value = ratings.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise FeedbackError(_("Choose a rating for %(what)s") % {"what": label}, key)
        if not RATING_MIN <= value <= RATING_MAX:
            raise FeedbackError(
                _("The rating for %(what)s must be from 1 to 5") % {"what": label}, key
            )
        clean[key] = value
    if not story.strip():
        raise FeedbackError(_("Tell us what happened"), "story")
    if len(story) > STORY_MAX:
        raise FeedbackError(_("Your story must be %(n)s characters or fewer") % {"n": STORY_MAX})
    return clean


def _text(value: str, field: str, empty: str) -> str:
    value = value.strip()
    if not value:
        raise FeedbackError(empty, field)
    if len(value) > TEXT_MAX:
        raise FeedbackError(_("Use %(n)s characters or fewer") % {"n": TEXT_MAX}, field)
    return value


def _locked(feedback: Feedback) -> Feedback:
    return Feedback.objects.select_for_update().select_related("service").get(pk=feedback.pk)


def _link(feedback: Feedback) -> str:
    return site_link(reverse("voice:service_feedback", args=[feedback.service_id]))


def _tell_author(feedback: Feedback, template: str, **more: Any) -> None:
    context = {
        "name": feedback.author.full_name or feedback.author.email,
        "service": feedback.service.name,
        "link": site_link(reverse("voice:feedback_mine")),
        **more,
    }
    notify(
        recipient=feedback.author,
        template=template,
        context=context,
        event=f"feedback.{template.removeprefix('feedback_')}",
        target=feedback,
    )


def _tell_provider(feedback: Feedback, template: str, **more: Any) -> None:
    context = {
        "service": feedback.service.name,
        "link": site_link(reverse("voice:feedback_respond", args=[feedback.pk])),
        **more,
    }
    for recipient in provider_staff(feedback.service.organisation):
        notify(
            recipient=recipient,
            template=template,
            context=context,
            event=f"feedback.{template.removeprefix('feedback_')}",
            target=feedback,
        )


def refresh_rating(service_ids: Iterable[Any]) -> None:
    """Sum the published overall ratings of these services again (inside the transaction)."""
    for service_id in set(service_ids):
        found = Feedback.objects.filter(
            service_id=service_id, status=FeedbackStatus.PUBLISHED
        ).aggregate(total=Sum("overall"), count=Count("pk"))
        ServiceRating.objects.update_or_create(
            service_id=service_id,
            defaults={"rating_sum": found["total"] or 0, "rating_count": found["count"]},
        )


# --- Writes -------------------------------------------------------------------------------


def feedback_give(
    *,
    service: Service | None = None,
    booking: Booking | None = None,
    ratings: dict[str, Any],
    story: str,
    by: User,
) -> Feedback:
    """A resident's story and ratings, waiting for moderation. With a booking: only its
    person, once, after delivery. Without: any resident, about an active service."""
    clean = _check(ratings, story)
    with transaction.atomic():
        if booking is not None:
            booking = Booking.objects.select_for_update().get(pk=booking.pk)
            if booking.person_id != by.pk:
                raise PermissionDenied("Only the person who had the booking can give feedback")
            if not booking_delivered(booking):
                raise FeedbackError(_("You can give feedback once the service has been delivered"))
            if Feedback.objects.filter(booking=booking).exists():
                raise FeedbackError(_("You have already given feedback on this booking"))
            service = booking.service
        else:
            if not has_role(by, Role.RESIDENT):
                raise PermissionDenied("Only residents give feedback on services")
            if service is None or service.status != "active":
                raise FeedbackError(_("Choose a service that is listed"))
        feedback = Feedback.objects.create(
            service=service, booking=booking, author=by, story=story.strip(), **clean
        )
        audit_record(
            actor=by,
            action="feedback.give",
            target=feedback,
            summary={"service": str(service.pk), "booking": str(booking.pk) if booking else ""},
        )
    return feedback


def feedback_moderate(
    *, feedback: Feedback, publish: bool, published_story: str = "", note: str = "", by: User
) -> Feedback:
    """Publish (with the moderator's copy of the story: what changed is said in `note`), or
    decline to publish with a reason. The original story is never changed."""
    if not is_moderator(by):
        raise PermissionDenied("Only moderators decide on feedback")
    with transaction.atomic():
        feedback = _locked(feedback)
        if feedback.status != FeedbackStatus.PENDING:
            raise FeedbackError(_("This feedback has already been moderated"))
        copy = published_story.strip() or feedback.story
        if publish and len(copy) > STORY_MAX:
            raise FeedbackError(
                _("The story must be %(n)s characters or fewer") % {"n": STORY_MAX},
                "published_story",
            )
        edited = publish and copy != feedback.story
        if (edited or not publish) and not note.strip():
            raise FeedbackError(
                _("Say what you removed and why")
                if publish
                else _("Say why this feedback is not published"),
                "note",
            )
        feedback.status = FeedbackStatus.PUBLISHED if publish else FeedbackStatus.REJECTED
        feedback.published_story = copy if publish else ""
        feedback.moderation_note = note.strip()[:TEXT_MAX]
        feedback.moderated_by = by
        feedback.moderated_at = timezone.now()
        feedback.save()
        audit_record(
            actor=by,
            action="feedback.publish" if publish else "feedback.reject",
            target=feedback,
            summary={"edited": edited, "note": feedback.moderation_note},
        )
        refresh_rating([feedback.service_id])
        if publish:
            _tell_author(feedback, "feedback_published", edited=edited)
            _tell_provider(feedback, "feedback_to_answer")
        else:
            _tell_author(feedback, "feedback_not_published", reason=feedback.moderation_note)
    return feedback


def feedback_reply(*, feedback: Feedback, text: str, by: User) -> Feedback:
    """The provider's public reply to published feedback (a new reply replaces the old)."""
    if not is_provider_staff(by, feedback.service):
        raise PermissionDenied("Only the provider's staff reply")
    text = _text(text, "reply", _("Enter your reply"))
    with transaction.atomic():
        feedback = _locked(feedback)
        if feedback.status != FeedbackStatus.PUBLISHED:
            raise FeedbackError(_("You can reply once the feedback is published"))
        feedback.reply, feedback.replied_by, feedback.replied_at = text, by, timezone.now()
        feedback.save(update_fields=["reply", "replied_by", "replied_at"])
        audit_record(actor=by, action="feedback.reply", target=feedback, summary={"reply": text})
        _tell_author(feedback, "feedback_replied", reply=text)
    return feedback


def feedback_restriction_ask(*, feedback: Feedback, reason: str, by: User) -> Feedback:
    """The provider asks moderators to restrict feedback, giving a reason."""
    if not is_provider_staff(by, feedback.service):
        raise PermissionDenied("Only the provider's staff ask for a restriction")
    reason = _text(reason, "reason", _("Say why the feedback should be restricted"))
    with transaction.atomic():
        feedback = _locked(feedback)
        if feedback.status != FeedbackStatus.PUBLISHED:
            raise FeedbackError(_("Only published feedback can be restricted"))
        if feedback.restriction in (Restriction.REQUESTED, Restriction.RESTRICTED):
            raise FeedbackError(_("A restriction has already been asked for"))
        feedback.restriction, feedback.restriction_reason = Restriction.REQUESTED, reason
        feedback.save(update_fields=["restriction", "restriction_reason"])
        audit_record(
            actor=by, action="feedback.restriction_ask", target=feedback, summary={"reason": reason}
        )
    return feedback


def feedback_restriction_decide(*, feedback: Feedback, grant: bool, by: User) -> Feedback:
    """A moderator grants (the story is shown as restricted, with the reason) or refuses."""
    if not is_moderator(by):
        raise PermissionDenied("Only moderators decide on restrictions")
    with transaction.atomic():
        feedback = _locked(feedback)
        if feedback.restriction != Restriction.REQUESTED:
            raise FeedbackError(_("No restriction is waiting for a decision"))
        feedback.restriction = Restriction.RESTRICTED if grant else Restriction.REFUSED
        feedback.save(update_fields=["restriction"])
        audit_record(
            actor=by,
            action="feedback.restriction_grant" if grant else "feedback.restriction_refuse",
            target=feedback,
            summary={"reason": feedback.restriction_reason},
        )
        _tell_provider(feedback, "feedback_restriction_decided", granted=grant)
        if grant:
            _tell_author(feedback, "feedback_restricted", reason=feedback.restriction_reason)
    return feedback


def feedback_badge_set(*, feedback: Feedback, badge: str, explanation: str, by: User) -> Feedback:
    """The provider says a change is planned or made, and explains it; the person who gave
    the feedback is asked to confirm before the badge shows."""
    if not is_provider_staff(by, feedback.service):
        raise PermissionDenied("Only the provider's staff mark a change")
    if badge not in (ChangeBadge.PLANNED, ChangeBadge.MADE):
        raise FeedbackError(_("Choose whether the change is planned or made"), "badge")
    explanation = _text(explanation, "explanation", _("Explain the change"))
    with transaction.atomic():
        feedback = _locked(feedback)
        if feedback.status != FeedbackStatus.PUBLISHED:
            raise FeedbackError(_("You can mark a change once the feedback is published"))
        feedback.badge, feedback.badge_explanation = badge, explanation
        feedback.badge_confirmed = False
        feedback.save(update_fields=["badge", "badge_explanation", "badge_confirmed"])
        audit_record(
            actor=by,
            action="feedback.badge_set",
            target=feedback,
            summary={"badge": badge, "explanation": explanation},
        )
        _tell_author(
            feedback,
            "feedback_change_to_confirm",
            change=str(ChangeBadge(badge).label),
            explanation=explanation,
        )
    return feedback


def feedback_badge_confirm(*, feedback: Feedback, confirmed: bool, by: User) -> Feedback:
    """The person who gave the feedback confirms the change (the badge shows) or does not
    (the badge and its explanation are taken off)."""
    if feedback.author_id != by.pk:
        raise PermissionDenied("Only the person who gave the feedback confirms a change")
    with transaction.atomic():
        feedback = _locked(feedback)
        if not feedback.badge or feedback.badge_confirmed:
            raise FeedbackError(_("There is no change waiting for you to confirm"))
        badge = feedback.badge
        if confirmed:
            feedback.badge_confirmed = True
        else:
            feedback.badge, feedback.badge_explanation = ChangeBadge.NONE, ""
        feedback.save(update_fields=["badge", "badge_explanation", "badge_confirmed"])
        audit_record(
            actor=by,
            action="feedback.badge_confirm" if confirmed else "feedback.badge_dispute",
            target=feedback,
            summary={"badge": badge},
        )
    return feedback


# --- Reads for matching and pages ---------------------------------------------------------


def rating_totals(service_ids: Iterable[Any]) -> dict[str, tuple[int, int]]:
    """Published overall ratings (sum, count) by service id as text (32 hex digits or
    hyphenated, as given)."""
    ids = list(service_ids)
    if not ids:
        return {}
    rows = ServiceRating.objects.filter(service_id__in=ids, rating_count__gt=0)
    return {r.service_id.hex: (r.rating_sum, r.rating_count) for r in rows}


def best_rating_totals() -> tuple[int, int]:
    """The (sum, count) whose Bayesian average is the highest of any service: the bound on
    the quality part that narrowing's ceilings use. (0, 0) when nothing is rated.

    The database orders by the average; the engine picks among the first few, so the bound
    is the engine's own arithmetic on a real service's figures."""
    from opus.engines import matching as engine

    prior = engine.QUALITY_PRIOR_MEAN * engine.QUALITY_PRIOR_COUNT
    average = ExpressionWrapper(
        (Value(float(prior)) + F("rating_sum"))
        / (Value(float(engine.QUALITY_PRIOR_COUNT)) + F("rating_count")),
        output_field=FloatField(),
    )
    rows = (
        ServiceRating.objects.filter(rating_count__gt=0)
        .annotate(average=average)
        .order_by("-average")
        .values_list("rating_sum", "rating_count")[:10]
    )
    found = [(0, 0), *rows]
    return max(found, key=lambda pair: engine.bayesian_rating(pair[0], pair[1]))


def rating_words(average: float | None, count: int) -> str:
    if not count or average is None:
        return _("Not rated yet")
    return ngettext(
        "%(average)s out of 5 from %(count)s person",
        "%(average)s out of 5 from %(count)s people",
        count,
    ) % {"average": f"{average:.1f}", "count": count}


def people_like_you(service: Service, needs: Iterable[str]) -> tuple[float, int] | None:
    """The average overall rating of this service from people who booked it for one of the
    same needs (one rating a person, their latest), or None when fewer than
    PEOPLE_LIKE_YOU_MINIMUM people stand behind it."""
    wanted = set(needs)
    if not wanted:
        return None
    rows = (
        Feedback.objects.filter(
            service=service, status=FeedbackStatus.PUBLISHED, booking__choice__isnull=False
        )
        .order_by("created_at")
        .values_list("author_id", "overall", "booking__choice__needs")
    )
    latest = {author: overall for author, overall, had in rows if wanted & set(had or [])}
    if len(latest) < PEOPLE_LIKE_YOU_MINIMUM:
        return None
    return round(sum(latest.values()) / len(latest), 1), len(latest)


def published(service: Service, limit: int | None = None) -> list[Feedback]:
    """Published feedback on a service, newest first (the first `limit` when given)."""
    found = Feedback.objects.filter(
        service=service, status=FeedbackStatus.PUBLISHED
    ).select_related("service__organisation")
    return list(found[:limit] if limit is not None else found)


def summary(service: Service) -> dict[str, Any]:
    """Average of each dimension over published feedback, with the count."""
    rows = Feedback.objects.filter(service=service, status=FeedbackStatus.PUBLISHED)
    found = rows.aggregate(count=Count("pk"), **{k: Sum(k) for k, _label in RATING_DIMENSIONS})
    count = found["count"]
    averages = [
        (str(label), round(found[k] / count, 1) if count else None)
        for k, label in RATING_DIMENSIONS
    ]
    return {"count": count, "averages": averages, "overall": averages[0][1]}
