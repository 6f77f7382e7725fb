"""The demo world's feedback and ratings (a step of the demo builder, after budgets).

Most active services get a few published ratings from the demo residents; some feedback is
waiting for moderation, some was not published, some was edited (the original kept), one is
restricted at the provider's request, many have the provider's reply. Rosa's swimming
booking (delivered, then stopped) has her feedback, a reply and a "change made" she
confirmed; her care booking is left for her to rate in the demo.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from opus.choice.models import Booking
from opus.core.audit import audit_record
from opus.core.models import User
from opus.directory.models import Service
from opus.voice.feedback import booking_delivered, refresh_rating
from opus.voice.models import ChangeBadge, Feedback, FeedbackStatus, Restriction

STORIES = {
    5: [
        "Friendly, on time and they remembered what matters to me.",
        "The best part of my week. I have made real friends here.",
    ],
    4: [
        "Good support. Sometimes a different person came, but they were all kind.",
        "Helpful staff and a warm welcome. The room gets busy.",
    ],
    3: [
        "Fine, but the times changed twice without much notice.",
        "Did what it said. It took a while to get started.",
    ],
    2: [
        "Staff were kind but it was often cancelled at short notice.",
        "Hard to get to and nobody phoned back when I asked about it.",
    ],
    1: ["Nobody came on two of the days I was booked and I was not told."],
}
REPLIES = [
    "Thank you for telling us. We have passed your kind words to the team.",
    "We are sorry about the changes to times. We now text everyone a week ahead.",
    "Thank you. Please ask for the manager next time and we will sort it out the same day.",
]
EDITED_NOTE = "Removed a staff member's name and a phone number (personal details)"
REJECTED_NOTE = "Not about the service: it names and accuses a neighbour"


def seed_feedback(seed: int = 2026) -> None:
    """Feedback on most demo services, in one transaction with one audit event."""
    rng = random.Random(seed)  # noqa: S311 - made-up demo data
    residents = list(
        User.objects.filter(email__startswith="resident", email__endswith="@demo.opus.test")
        .exclude(email="resident@demo.opus.test")
        .order_by("email")
    )
    moderator = User.objects.filter(email="admin@demo.opus.test").first()
    if not residents or moderator is None:
        return
    services = list(
        Service.objects.filter(status="active").select_related("organisation").order_by("name")
    )[:400]
    now = timezone.now()
    rows: list[Feedback] = []
    restricted = False
    with transaction.atomic():
        for n, service in enumerate(services):
            if rng.random() < 0.15:
                continue  # not rated yet
            for author in rng.sample(residents, rng.choice([1, 2, 3, 4, 6, 12])):
                rows.append(_one(rng, service, author, moderator, now))
            if n >= 7 and not restricted and rows[-1].status == FeedbackStatus.PUBLISHED:
                restricted = True
                rows[-1].restriction = Restriction.RESTRICTED
                rows[-1].restriction_reason = (
                    "A safeguarding review of this visit is under way; the provider asked "
                    "for the words to be withheld until it ends"
                )
        Feedback.objects.bulk_create(rows, batch_size=1000)
        rosa_item = _rosa(moderator, now)
        refresh_rating({row.service_id for row in rows} | _ids(rosa_item))
        audit_record(
            actor=None,
            action="demo.feedback",
            summary={
                "feedback": len(rows) + (1 if rosa_item else 0),
                "services": len({row.service_id for row in rows}),
                "published": sum(r.status == FeedbackStatus.PUBLISHED for r in rows),
            },
        )


def _one(
    rng: random.Random, service: Service, author: User, moderator: User, now: dt.datetime
) -> Feedback:
    """One resident's feedback in one of the states moderation leaves it in."""
    overall = rng.choices([5, 4, 3, 2, 1], weights=[30, 35, 18, 10, 7])[0]
    story = rng.choice(STORIES[overall])
    when = now - dt.timedelta(days=rng.randint(3, 300), hours=rng.randint(0, 23))
    item = Feedback(
        service=service,
        author=author,
        story=story,
        overall=overall,
        kindness=max(1, min(5, overall + rng.choice([-1, 0, 0, 1]))),
        reliability=max(1, min(5, overall + rng.choice([-1, 0, 0]))),
        recommend=overall,
        created_at=when,
    )
    roll = rng.random()
    if roll < 0.06:
        return item  # waiting for moderation
    item.moderated_by, item.moderated_at = moderator, when + dt.timedelta(days=1)
    if roll < 0.10:
        item.status = FeedbackStatus.REJECTED
        item.story = f"{story} And my neighbour at number 4 is a thief."
        item.moderation_note = REJECTED_NOTE
        return item
    item.status, item.published_story = FeedbackStatus.PUBLISHED, story
    if roll < 0.16:
        item.story = f"{story} Ask for Sandra on 07700 900123."
        item.moderation_note = EDITED_NOTE
    if rng.random() < 0.4:
        item.reply = rng.choice(REPLIES)
        item.replied_at = when + dt.timedelta(days=3)
    return item


def _ids(item: Feedback | None) -> set[object]:
    return {item.service_id} if item is not None else set()


def _rosa(moderator: User, now: dt.datetime) -> Feedback | None:
    """Rosa's feedback on the swimming booking she stopped: answered, and a change made that
    she confirmed. Her care booking is left for her to rate."""
    rosa = User.objects.filter(email="resident@demo.opus.test").first()
    if rosa is None:
        return None
    bookings = Booking.objects.filter(person=rosa, commitment__isnull=False).order_by("-start_date")
    stopped = next(
        (b for b in bookings if b.commitment.status != "active" and booking_delivered(b)), None
    )
    if stopped is None:
        return None
    staff = stopped.service.organisation.memberships.filter(role="provider").first()
    story = "The sessions were good but the times moved to mornings, which I could not manage."
    return Feedback.objects.create(
        service=stopped.service,
        booking=stopped,
        author=rosa,
        story=story,
        published_story=story,
        overall=3,
        kindness=5,
        reliability=2,
        recommend=3,
        status=FeedbackStatus.PUBLISHED,
        moderated_by=moderator,
        moderated_at=now - dt.timedelta(days=20),
        reply="Thank you, Rosa. You were not the only one: we have brought back evening sessions.",
        replied_by=staff.user if staff else None,
        replied_at=now - dt.timedelta(days=15),
        badge=ChangeBadge.MADE,
        badge_explanation="Evening sessions on Tuesdays and Thursdays from 6pm, from this month",
        badge_confirmed=True,
        created_at=now - dt.timedelta(days=21),
    )
