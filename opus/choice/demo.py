"""The choice part of the demo world: consent for the demo champion, choices and bookings.

Twelve synthetic residents chose befriending and lunch clubs, so that "people with needs
like yours chose…" has something true (and above the threshold of ten) to show.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from opus.choice import services
from opus.core.models import User
from opus.directory.models import Service

DEMO_NEEDS = ["befriending", "lunch-clubs"]


def seed_choice(seed: int = 2026) -> None:
    resident = User.objects.filter(email="resident@demo.opus.test").first()
    champion = User.objects.filter(email="champion@demo.opus.test").first()
    popular = Service.objects.filter(terms__code__in=DEMO_NEEDS).order_by("name").distinct()
    if resident is None or champion is None or not popular.exists():
        return
    services.consent_grant(
        person=resident,
        champion=champion,
        scope="choose",
        expires_at=timezone.now() + timedelta(days=180),
    )
    first = popular.first()
    start = timezone.localdate() + timedelta(days=7)
    others = User.objects.filter(email__startswith="resident").exclude(pk=resident.pk)
    for person in others.order_by("email")[:12]:
        services.booking_request(
            person=person,
            service=first,
            by=person,
            units_per_week=Decimal(1),
            start_date=start,
            message="",
            needs=DEMO_NEEDS,
            circumstances=["older-person"],
        )
    booking = services.booking_request(
        person=resident,
        service=first,
        by=resident,
        units_per_week=Decimal(2),
        start_date=start,
        message="Tuesday mornings suit me best",
        needs=DEMO_NEEDS,
        circumstances=["older-person"],
    )
    staff = User.objects.filter(
        memberships__organisation=first.organisation, memberships__role="provider"
    ).first()
    if staff is not None:
        services.booking_decide(booking=booking, accept=True, reason="", by=staff)
