"""The demo world's consultations and co-design (a step of the demo builder, after
commissioning and neighbourhoods).

Northvale Council's consultation on library opening hours is open, with responses from demo
residents (some anonymous, many with equality answers) and themes tagged; the councillor's
neighbourhood council consulted on its budget, closed it and published "you said, we did".
A lived-experience panel shapes the plan's befriending decision: members who consented,
two meetings, recommendations accepted, partly accepted and one waiting.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from opus.commissioning.models import ServiceDecision
from opus.core.models import Membership, Organisation, Role, User
from opus.voice import consultations as services
from opus.voice.models import Answer, Consultation, Question

AGE_BANDS = ["25_34", "35_49", "50_64", "65_74", "75_plus", "prefer_not"]
WRITTEN = [
    ("I work until six, so evenings would let me use it.", "Evening opening"),
    ("Please keep the computers free: I do my job search there.", "Free computers"),
    ("Saturday mornings are the only time I can bring the children.", "Weekend opening"),
    ("Evenings would help, and keep the quiet study room.", "Evening opening"),
    ("The bus stops at five, so late opening is no use without a later bus.", "Transport"),
]


def _people() -> tuple[User | None, User | None, list[User]]:
    cora = User.objects.filter(email="commissioner@demo.opus.test").first()
    colin = User.objects.filter(email="councillor@demo.opus.test").first()
    residents = list(
        User.objects.filter(email__startswith="resident", email__endswith="@demo.opus.test")
        .exclude(email="resident@demo.opus.test")
        .order_by("email")
    )
    return cora, colin, residents


def _respond(
    consultation: Consultation,
    answers: dict[int, object],
    n: int,
    rng: random.Random,
    **more: object,
) -> None:
    consent = n % 5 != 0  # one in five skips the equality page
    equality = {
        "age_band": rng.choice(AGE_BANDS),
        "sex": rng.choice(["female", "male"]),
        "disability": rng.choice(["yes", "no", "no", "no"]),
        "ethnic_group": rng.choice(["white", "white", "white", "asian", "black"]),
    }
    services.response_submit(
        consultation=consultation, answers=answers, session_key=f"demo-{consultation.pk}-{n}",
        address=f"198.51.100.{n}", equality=equality if consent else {}, consent=consent,
        **more,  # type: ignore[arg-type]
    )  # fmt: skip


def _library(cora: User, residents: list[User], rng: random.Random) -> None:
    today = timezone.localdate()
    c = services.consultation_create(
        body=Organisation.objects.get(slug="northvale-council"),
        title="Library and community hub opening hours (synthetic)",
        summary="We can open the central library later on two evenings or on Sunday mornings, "
        "not both. Tell us which would help you more, and anything else about the hub.",
        opens_on=today - timedelta(days=10), closes_on=today + timedelta(days=18), by=cora,
    )  # fmt: skip
    ask = {"consultation": c, "by": cora}
    services.document_add(
        consultation=c, title="Options paper: library opening hours",
        url="https://example.org/northvale/library-hours.pdf", by=cora,
    )  # fmt: skip
    when = services.question_add(
        text="Which would help you more?", kind="single",
        options=["Later on two evenings", "Sunday mornings", "Neither"], required=True, **ask,
    )  # fmt: skip
    agree = services.question_add(
        text="The library should open for longer even if it costs more", kind="agree",
        options=[], **ask,
    )  # fmt: skip
    written = services.question_add(
        text="Anything else we should know?", kind="text", options=[], **ask
    )
    services.consultation_publish(consultation=c, by=cora)
    _library_responses(c, (when, agree, written), residents, rng)
    _themes(c, cora)


def _library_responses(
    c: Consultation, questions: tuple[Question, ...], residents: list[User], rng: random.Random
) -> None:
    when, agree, written = questions
    for n in range(30):
        answers: dict[int, object] = {
            when.pk: rng.choice(when.choices[:2] * 3 + when.choices[2:]),
            agree.pk: rng.choice(agree.choices),
        }
        if n < len(WRITTEN):
            answers[written.pk] = WRITTEN[n][0]
        user = residents[n] if n < len(residents) and n % 3 else None
        _respond(c, answers, n + 1, rng, user=user)


def _themes(c: Consultation, cora: User) -> None:
    themes = {
        name: services.theme_add(consultation=c, name=name, by=cora)
        for name in sorted({t for _text, t in WRITTEN})
    }
    for answer in Answer.objects.filter(response__consultation=c, question__kind="text"):
        found = next(t for text, t in WRITTEN if text == answer.text)
        services.answer_tag(answer=answer, themes=[themes[found]], by=cora)


def _neighbourhood(colin: User, residents: list[User], rng: random.Random) -> None:
    council = (
        Organisation.objects.filter(memberships__user=colin, memberships__role=Role.COUNCILLOR)
        .order_by("pk")
        .first()
    )
    if council is None:
        return
    today = timezone.localdate()
    c = services.consultation_create(
        body=council, title=f"What should {council.name}'s budget fund next year? (synthetic)",
        summary="Before we set next year's neighbourhood budget, tell us what matters most.",
        opens_on=today, closes_on=today, by=colin,
    )  # fmt: skip
    pick = services.question_add(
        consultation=c, text="Which should come first?", kind="multiple",
        options=["Youth club", "Benches and shade in the park", "Lunch club for older people"],
        required=True, by=colin,
    )  # fmt: skip
    services.consultation_publish(consultation=c, by=colin)
    for n in range(14):
        chosen = rng.sample(pick.choices, k=rng.randint(1, 2))
        _respond(c, {pick.pk: chosen}, 100 + n, rng, email=f"neighbour{n:02d}@example.org")
    # The demo's history: responses were taken over the past month, then it closed.
    Consultation.objects.filter(pk=c.pk).update(
        opens_on=today - timedelta(days=60), closes_on=today - timedelta(days=30)
    )
    c.refresh_from_db()
    services.consultation_conclude(
        consultation=c, by=colin,
        text="You said the youth club and the lunch club matter most. We did: next year's "
        "budget funds both (£6,000 between them), and we will ask again about the park in "
        "the spring.",
    )  # fmt: skip


def _codesign(cora: User) -> None:
    decision = (
        ServiceDecision.objects.filter(
            need__startswith="Loneliness", plan__commissioner__memberships__user=cora
        )
        .order_by("pk")
        .first()
    )
    if decision is None:
        return
    today = timezone.localdate()
    group = services.codesign_create(
        decision=decision, name="Older people's lived experience panel (synthetic)",
        purpose="Residents who have lived with loneliness shape how befriending is bought "
        "and judged: what good looks like, and how the KPIs are worded.",
        by=cora,
    )  # fmt: skip
    for n, (name, experience, shown) in enumerate([
        ("Maureen", "Lived alone for ten years after her husband died", True),
        ("Tariq", "Cares for his father, who rarely leaves the house", True),
        ("A member", "Moved to Northvale at 70 and knew nobody", False),
        ("Joan", "Uses a befriending service now", True),
        ("A member", "Deaf; finds group activities hard to join", False),
    ]):  # fmt: skip
        services.codesign_member_add(
            group=group, name=name if shown else f"Member {n + 1}", experience=experience,
            consented=True, consented_on=today - timedelta(days=90), name_shown=shown, by=cora,
        )  # fmt: skip
    services.codesign_meeting_add(
        group=group, held_on=today - timedelta(days=80), by=cora,
        notes="What good befriending feels like; why a weekly phone call is not enough alone.",
    )  # fmt: skip
    services.codesign_meeting_add(
        group=group, held_on=today - timedelta(days=40), by=cora,
        notes="Read the draft KPIs; rewrote two in residents' words.",
    )  # fmt: skip
    _recommendations(group, cora)


def _recommendations(group: object, cora: User) -> None:
    texts = [
        ("Measure whether people feel less lonely, not only visits made", "accepted",
         "The contract's wellbeing KPI now uses the ONS loneliness question."),
        ("Same befriender every week", "partly",
         "Providers must aim for it and report changes; holidays and illness make it a goal, "
         "not a guarantee."),
        ("Pay for taxis to groups", "", ""),
    ]  # fmt: skip
    for text, response, reason in texts:
        found = services.recommendation_add(group=group, text=text, by=cora)  # type: ignore[arg-type]
        if response:
            services.recommendation_respond(
                recommendation=found, response=response, reason=reason, by=cora
            )


@override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend")
def seed_consultations(seed: int = 2026) -> None:
    cora, colin, residents = _people()
    if cora is None:
        return
    rng = random.Random(seed)  # noqa: S311 - made-up demo data
    with transaction.atomic():
        _library(cora, residents, rng)
        if colin is not None and Membership.objects.filter(user=colin).exists():
            _neighbourhood(colin, residents, rng)
        _codesign(cora)
