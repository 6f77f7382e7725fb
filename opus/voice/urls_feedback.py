"""Routes of feedback and ratings (joined to urls.py's namespace)."""

from django.urls import URLPattern, path

from opus.voice import views_feedback as v

urlpatterns: list[URLPattern] = [
    path("feedback/rules/", v.rules, name="feedback_rules"),
    path("feedback/yours/", v.mine, name="feedback_mine"),
    path("feedback/moderation/", v.queue, name="feedback_queue"),
    path("feedback/to-answer/", v.to_answer, name="feedback_to_answer"),
    path("feedback/services/<uuid:service_id>/", v.service_feedback, name="service_feedback"),
    path("feedback/services/<uuid:service_id>/give/", v.give_on_service, name="feedback_give"),
    path(
        "feedback/bookings/<uuid:booking_id>/give/",
        v.give_on_booking,
        name="feedback_give_booking",
    ),
    path("feedback/<uuid:feedback_id>/confirm/", v.confirm, name="feedback_confirm"),
    path("feedback/<uuid:feedback_id>/moderate/", v.moderate, name="feedback_moderate"),
    path(
        "feedback/<uuid:feedback_id>/restriction/",
        v.restriction_decide,
        name="feedback_restriction_decide",
    ),
    path("feedback/<uuid:feedback_id>/answer/", v.respond, name="feedback_respond"),
    path("feedback/<uuid:feedback_id>/reply/", v.reply, name="feedback_reply"),
    path("feedback/<uuid:feedback_id>/change/", v.badge, name="feedback_badge"),
    path(
        "feedback/<uuid:feedback_id>/ask-restriction/",
        v.restriction_ask,
        name="feedback_restriction_ask",
    ),
]
