"""Ratings and feedback blocks for other apps' pages (service page, comparison, dashboards)."""

from __future__ import annotations

from typing import Any

from django import template

from opus.voice import feedback as services
from opus.voice.models import Feedback

register = template.Library()


@register.inclusion_tag("voice/feedback/_service_ratings.html", takes_context=True)
def service_ratings(context: Any, service: Any) -> dict[str, Any]:
    """The service page's block: averages with the count, the stories with replies and
    badges, and the ways to give feedback."""
    request = context.get("request")
    user = getattr(request, "user", None)
    from opus.core.models import Role
    from opus.core.roles import has_role

    return {
        "service": service,
        "summary": services.summary(service),
        "items": services.published(service, limit=5),
        "may_give": bool(user and user.is_authenticated and has_role(user, Role.RESIDENT)),
    }


@register.simple_tag
def rating_words(service: Any) -> str:
    """'4.2 out of 5 from 12 people', or 'Not rated yet' (the comparison page)."""
    found = services.summary(service)
    if not found["count"]:
        return services.rating_words(None, 0)
    return services.rating_words(found["overall"], found["count"])


@register.inclusion_tag("voice/feedback/_your_feedback.html", takes_context=True)
def your_feedback(context: Any) -> dict[str, Any]:
    user = context["request"].user
    items = Feedback.objects.filter(author=user).select_related("service")[:5]
    waiting = Feedback.objects.filter(author=user, badge_confirmed=False).exclude(badge="")
    return {"items": items, "to_confirm": list(waiting)}


@register.inclusion_tag("voice/feedback/_neighbourhood_feedback.html", takes_context=True)
def neighbourhood_feedback(context: Any) -> dict[str, Any]:
    from opus.voice.views_feedback import neighbourhood_feedback as found

    return found(context["request"].user)


@register.simple_tag(takes_context=True)
def feedback_give_link(context: Any, booking: Any) -> str:
    """The booking page's link target when its person may give feedback now, else ''."""
    from django.urls import reverse

    user = context["request"].user
    if services.may_give_on_booking(user, booking):
        return reverse("voice:feedback_give_booking", args=[booking.pk])
    return ""


@register.inclusion_tag("voice/feedback/_compare_cell.html", takes_context=True)
def compare_ratings(context: Any, service: Any) -> dict[str, Any]:
    """The comparison page's cell: the published average with its count, and what people
    with the same needs rated, only where at least ten of them stand behind it."""
    request = context.get("request")
    answers = request.session.get("opus_choice_answers", {}) if request is not None else {}
    found = services.summary(service)
    return {
        "words": services.rating_words(found["overall"], found["count"]),
        "like_you": services.people_like_you(service, answers.get("needs") or []),
        "service": service,
    }
