"""The demo's commissioning: a plan from the demo needs assessment, and opportunities at
every stage — awarded with contracts and KPI returns, closed awaiting opening, and open.

The clock is real: closed opportunities closed in the past and open ones close in the
future, relative to now. Past actions go through the services with their time set back
(the injectable clock), so every past bid was sealed before its deadline; the opening uses
the server clock as always. Everything is synthetic and says so.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.test.utils import override_settings
from django.utils import timezone

from opus.commissioning import services
from opus.commissioning.models import BidLot, KpiReturn, ValueTable
from opus.core.models import Area, AreaKind, Organisation, User
from opus.needs.models import Assessment, AssessmentStatus

TABLE = Path(__file__).resolve().parent / "data" / "illustrative_value_table.csv"
KPIS = [
    {
        "name": "Planned visits made",
        "measure": "Visits made ÷ visits planned, per cent",
        "target": "95",
        "unit": "%",
        "frequency": "monthly",
    },
    {
        "name": "People feeling less lonely",
        "measure": "Share of people supported reporting less loneliness (ONS question)",
        "target": "60",
        "unit": "%",
        "frequency": "quarterly",
    },
]


def _org(slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)


def _staff(slug: str) -> User:
    return User.objects.get(email=f"staff.{slug}@demo.opus.test")


def _at(days: float, hour: int = 12) -> datetime:
    """Noon (London) `days` from today; negative is the past."""
    day = timezone.localdate() + timedelta(days=int(days))
    return timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(hours=hour)


def _answers(name: str) -> dict[int, str]:
    return {
        1: f"{name} will reach people through GP surgeries, pharmacies and the council's "
        "referral line, and visit within five working days. (Synthetic demo answer.)",
        2: f"{name} recruits, trains and supports local volunteers, with expenses paid and "
        "monthly supervision. (Synthetic demo answer.)",
    }


def _questions() -> list[dict[str, Any]]:
    return [
        {
            "text": "How will you find and reach the people who most need this service?",
            "weight": 30,
        },
        {"text": "How will you recruit, train and support volunteers?", "weight": 20},
    ]


def _opportunity(
    cora: User,
    table: ValueTable,
    *,
    title: str,
    lots: list[tuple[str, int, Area | None]],
    published: datetime,
    deadline: datetime,
    procedure: str = "light_touch",
    **extra: Any,
) -> Any:
    contract_start = (deadline + timedelta(days=30)).date()
    opportunity = services.opportunity_create(
        buyer=_org("northvale-council"),
        by=cora,
        now=published,
        title=title,
        description=extra.pop("description", f"{title}. Synthetic demonstration opportunity."),
        value_pence=sum(v for _, v, _ in lots),
        procedure=procedure,
        lots=[{"title": t, "value_pence": v, "area": a} for t, v, a in lots],
        questions=_questions(),
        price_weight=40,
        quality_weight=50,
        social_value_weight=10,
        value_table=table,
        clarification_deadline=deadline - timedelta(days=5),
        submission_deadline=deadline,
        contract_start=contract_start,
        contract_end=contract_start + timedelta(days=729),
        evaluation_by=(deadline + timedelta(days=10)).date(),
        award_by=(deadline + timedelta(days=14)).date(),
        **extra,
    )
    return services.opportunity_publish(opportunity=opportunity, by=cora, now=published)


def _bid(opportunity: Any, slug: str, prices: tuple[int, ...], when: datetime, **extra: Any) -> Any:
    organisation = _org(slug)
    return services.bid_submit(
        opportunity=opportunity,
        bidder=organisation,
        by=_staff(slug),
        now=when,
        lots=[{"lot": i, "price_pence": p} for i, p in enumerate(prices, start=1)],
        answers=_answers(organisation.name),
        declaration=True,
        social_value=extra.pop("social", [{"measure": "ILL-S1", "quantity": "200"}]),
        **extra,
    )


def _consortium(opportunity: Any, lead: str, member: str, when: datetime, confirm: bool) -> Any:
    consortium = services.consortium_create(
        opportunity=opportunity,
        name=f"{_org(lead).name} with {_org(member).name}",
        lead=_org(lead),
        work="Home visits and coordination",
        work_share=60,
        value_share=60,
        by=_staff(lead),
        now=when,
    )
    invitation = services.consortium_invite(
        consortium=consortium,
        organisation=_org(member),
        work="Carers' support and phone calls",
        work_share=40,
        value_share=40,
        by=_staff(lead),
        now=when,
    )
    if confirm:
        services.consortium_respond(
            member=invitation, confirm=True, by=_staff(member), now=when + timedelta(hours=3)
        )
    return consortium


def _evaluate(opportunity: Any, cora: User, evaluator: User, bids: list[Any]) -> None:
    services.bids_open(opportunity=opportunity, by=cora)
    panel = [
        services.panel_add(opportunity=opportunity, user=cora, is_moderator=True, by=cora),
        services.panel_add(opportunity=opportunity, user=evaluator, by=cora),
    ]
    questions = list(opportunity.questions.all())
    base = {bids[0].pk: 4, bids[1].pk: 3, bids[2].pk: 2}
    for i, member in enumerate(panel):
        services.conflict_declare(member=member, has_conflict=False, details="", by=member.user)
        for b in bids:
            for q in questions:
                services.score_record(
                    member=member,
                    bid=b,
                    question=q,
                    score=base[b.pk] + i % 2,
                    comment="Synthetic demo score",
                    by=member.user,
                )
        services.scores_submit(member=member, by=member.user)
    for b in bids:
        for q in questions:
            services.moderation_agree(
                bid=b,
                question=q,
                score=base[b.pk],
                by=cora,
                reason="Agreed at moderation (synthetic demo)",
            )
    services.evaluation_compute(opportunity=opportunity, by=cora)


def _award_and_contract(opportunity: Any, cora: User, decided: datetime) -> None:
    for lot in opportunity.lots.all():
        winner = BidLot.objects.get(lot=lot, rank=1)
        award = services.award_decide(
            lot=lot,
            bid_lot=winner,
            by=cora,
            now=decided,
            reasons="Highest total score by the published criteria",
        )
        contract = services.contract_sign(
            award=award, kpis=KPIS, by=cora, now=award.standstill_ends + timedelta(hours=9)
        )
        _returns(contract, _staff(award.bid.bidder.slug))


def _returns(contract: Any, by: User) -> None:
    """Past returns: most on time, the second late, each KPI's latest missed (left flagged)."""
    today = timezone.localdate()
    for kpi in contract.kpis.order_by("pk"):
        rows = list(KpiReturn.objects.filter(kpi=kpi, due_date__lt=today).order_by("period_start"))
        for n, row in enumerate(rows[:-1]):
            late = n == 1
            when = _at((row.due_date - today).days + (4 if late else -3))
            value = float(kpi.target) + (3 if n % 4 else -5)
            services.kpi_return_submit(kpi_return=row, value=str(value), note="", by=by, now=when)


def _plan(cora: User, la: Area) -> Any:
    assessment = Assessment.objects.filter(status=AssessmentStatus.PUBLISHED).first()
    plan = services.plan_create(
        title="Northvale commissioning plan 2027/28 (synthetic)",
        commissioner=_org("northvale-council"),
        area=la,
        period="2027/28",
        assessment=assessment,
        by=cora,
        summary="How each need found by the joint equalities needs assessment will be met, "
        "at the smallest level that works. Synthetic demonstration.",
    )
    levels = [
        ("commissioned", {"local": True, "specialist": True}),
        ("neighbourhood", {"local": True}),
        ("individual", {"personal": True, "divisible": True}),
    ]
    priorities = list(assessment.priorities.order_by("rank")[:3]) if assessment else []
    for priority, (level, character) in zip(priorities, levels, strict=False):
        services.decision_record(
            plan=plan,
            priority=priority,
            need="",
            level=level,
            character=character,
            reasons={
                "fairness": "Targets the most deprived neighbourhoods, where the gap is widest",
                "diversity": "Small local providers can deliver it",
            },
            budget_pence=25_000_000,
            by=cora,
        )
    befriending = services.decision_record(
        plan=plan,
        need="Loneliness and isolation among older people",
        level="commissioned",
        character={"local": True, "economies_of_scale": False, "specialist": True},
        reasons={
            "choice": "People keep choosing their own activities with personal budgets",
            "diversity": "Lots by neighbourhood so small charities can bid",
            "accountability": "Quarterly wellbeing returns are published",
        },
        budget_pence=9_000_000,
        by=cora,
        tender_by=timezone.localdate() - timedelta(days=200),
    )
    services.plan_publish(plan=plan, by=cora)
    return plan, befriending


@override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend")
def seed_commissioning(seed: int = 2026) -> None:
    cora = User.objects.filter(email="commissioner@demo.opus.test").first()
    la = Area.objects.filter(kind=AreaKind.LOCAL_AUTHORITY).order_by("code").first()
    if cora is None or la is None:
        return
    evaluator = _staff("northvale-integrated-care-board")
    hoods = list(Area.objects.filter(kind=AreaKind.NEIGHBOURHOOD).order_by("code"))
    table = services.value_table_load(
        owner=_org("northvale-council"),
        name="Illustrative social value table",
        source="Made-up round numbers for the demo, not proxy values: load your own licensed table",
        content=TABLE.read_bytes(),
        illustrative=True,
        price_year="2026",
        by=cora,
    )
    plan, befriending = _plan(cora, la)

    awarded = _opportunity(
        cora,
        table,
        title="Befriending and loneliness support for older people",
        lots=[
            (f"{hoods[0].name} befriending", 5_000_000, hoods[0]),
            (f"{hoods[1].name} befriending", 4_000_000, hoods[1]),
        ],
        published=_at(-210),
        deadline=_at(-180),
        plan=plan,
    )
    awarded.decisions.set([befriending])
    consortium = _consortium(awarded, "age-well-northvale", "vale-carers-network", _at(-205), True)
    bids = [
        _bid(
            awarded,
            "age-well-northvale",
            (4_600_000, 3_700_000),
            _at(-190),
            consortium=consortium,
            social=[
                {"measure": "ILL-J1", "quantity": "2"},
                {"measure": "ILL-S1", "quantity": "400"},
            ],
        ),
        _bid(awarded, "northvale-mind", (4_400_000, 3_900_000), _at(-186)),
        _bid(awarded, "nationwide-care-services-plc", (3_900_000, 3_100_000), _at(-181), social=[]),
    ]
    _evaluate(awarded, cora, evaluator, bids)
    _award_and_contract(awarded, cora, _at(-170))

    carers = _opportunity(
        cora,
        table,
        title="Short breaks for unpaid carers",
        lots=[("Day breaks", 4_500_000, None), ("Overnight breaks", 3_500_000, None)],
        published=_at(-35),
        deadline=_at(-3),
    )
    carers_consortium = _consortium(
        carers, "brightsteps-social-enterprise", "green-shoots-gardening-cic", _at(-30), True
    )
    _bid(
        carers,
        "brightsteps-social-enterprise",
        (4_200_000,),
        _at(-10),
        consortium=carers_consortium,
    )
    _bid(carers, "northvale-care-mutual", (4_300_000, 3_300_000), _at(-6))
    _bid(carers, "vale-carers-network", (3_400_000,), _at(-5))

    employment = _opportunity(
        cora,
        table,
        title="Supported employment for disabled adults",
        procedure="open",
        lots=[(f"{h.name} supported employment", 8_000_000, h) for h in hoods[:3]],
        published=_at(-5),
        deadline=_at(20),
    )
    _bid(employment, "brightsteps-social-enterprise", (7_600_000,), _at(-1))
    _consortium(employment, "kinship-home-support-ltd", "moorland-minibus-co", _at(-2), False)

    gardening = _opportunity(
        cora,
        table,
        title="Therapeutic gardening for mental wellbeing",
        lots=[("Allotment sessions", 3_000_000, None), ("Hospital garden", 2_500_000, None)],
        published=_at(-7),
        deadline=_at(12),
        reservation="vcse_sme",
        reservation_reason="Below the threshold: reserved for small firms and the voluntary sector",
    )
    question = services.clarification_ask(
        opportunity=gardening,
        question="Can we bid for one lot only?",
        organisation=_org("green-shoots-gardening-cic"),
        by=_staff("green-shoots-gardening-cic"),
        now=_at(-4),
    )
    services.clarification_answer(
        clarification=question, by=cora, now=_at(-3), answer="Yes: each lot is awarded separately."
    )
