"""Public feedback in the API: the published feedback on a service, a page at a time."""

from datetime import datetime
from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate

from opus.core.api import PagePagination
from opus.directory.models import Service
from opus.voice.models import RATING_DIMENSIONS, Feedback, FeedbackStatus, Restriction

router = Router(tags=["feedback"])


class FeedbackOut(Schema):
    id: UUID
    given_at: datetime
    after_a_booking: bool
    ratings: dict[str, int]
    story: str | None
    restricted: bool
    restriction_reason: str | None
    reply: str | None
    replied_at: datetime | None
    change: str | None
    change_explanation: str | None

    @staticmethod
    def resolve_given_at(obj: Feedback) -> datetime:
        return obj.created_at

    @staticmethod
    def resolve_after_a_booking(obj: Feedback) -> bool:
        return obj.booking_id is not None

    @staticmethod
    def resolve_ratings(obj: Feedback) -> dict[str, int]:
        return {key: getattr(obj, key) for key, _label in RATING_DIMENSIONS}

    @staticmethod
    def resolve_restricted(obj: Feedback) -> bool:
        return obj.restriction == Restriction.RESTRICTED

    @staticmethod
    def resolve_story(obj: Feedback) -> str | None:
        return None if obj.restriction == Restriction.RESTRICTED else obj.published_story

    @staticmethod
    def resolve_restriction_reason(obj: Feedback) -> str | None:
        return obj.restriction_reason if obj.restriction == Restriction.RESTRICTED else None

    @staticmethod
    def resolve_reply(obj: Feedback) -> str | None:
        return obj.reply or None

    @staticmethod
    def resolve_change(obj: Feedback) -> str | None:
        return str(obj.get_badge_display()) if obj.badge_shown else None

    @staticmethod
    def resolve_change_explanation(obj: Feedback) -> str | None:
        return obj.badge_explanation if obj.badge_shown else None


@router.get("/services/{service_id}", response=list[FeedbackOut], auth=None)
@paginate(PagePagination)
def service_feedback(request: HttpRequest, service_id: UUID, **kwargs: Any) -> QuerySet[Feedback]:
    """Published feedback on a service, newest first: ratings 1–5 by question, the story as
    moderated (none when restricted, with the reason), the provider's reply, and a change
    planned or made only once the person who gave the feedback has confirmed it."""
    service = get_object_or_404(Service, pk=service_id)
    return Feedback.objects.filter(service=service, status=FeedbackStatus.PUBLISHED).order_by(
        "-created_at", "id"
    )
