"""The whole cycle through the services: plan, opportunity, consortium and single bids,
opening, independent scoring, moderation, award with standstill, contract, KPI return."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from opus.commissioning import services
from opus.commissioning.errors import CommissioningError
from opus.commissioning.models import (
    AwardNotice,
    AwardStatus,
    BidLot,
    ContractStatus,
    KpiReturn,
    LotStatus,
    OpportunityStatus,
    ReturnStatus,
)
from opus.commissioning.tests.helpers import bid, open_opportunity, provider
from opus.core.models import AuditEvent, OrganisationKind, Role
from opus.testing import create_member

pytestmark = pytest.mark.django_db


def _plan(cast):
    plan = services.plan_create(
        title="Older people 2027",
        commissioner=cast.council,
        area=cast.council.area or _area(),
        period="2027/28",
        by=cast.commissioner,
    )
    decision = services.decision_record(
        plan=plan,
        need="Loneliness among older people",
        level="commissioned",
        character={"local": True, "specialist": True},
        reasons={"diversity": "Small charities"},
        budget_pence=9_000_000,
        by=cast.commissioner,
    )
    services.plan_publish(plan=plan, by=cast.commissioner)
    return plan, decision


def _area():
    from opus.testing import create_area

    return create_area()


def test_from_plan_to_kpi_return(cast, django_capture_on_commit_callbacks):
    plan, decision = _plan(cast)
    assert decision.proposed_level == "commissioned"
    past = timezone.now() - timedelta(days=30)
    opportunity = open_opportunity(cast, now=past, plan=plan, decisions=[decision])

    lead, lead_user = provider("Hearth Trust")
    partner, partner_user = provider("Kettle CIC", OrganisationKind.SOCIAL_ENTERPRISE)
    alone, alone_user = provider("Solo Visitors", OrganisationKind.SME)
    consortium = services.consortium_create(
        opportunity=opportunity,
        name="Hearth and Kettle",
        lead=lead,
        work="Visits",
        work_share=60,
        value_share=60,
        by=lead_user,
        now=past + timedelta(days=1),
    )
    member = services.consortium_invite(
        consortium=consortium,
        organisation=partner,
        work="Phone calls",
        work_share=40,
        value_share=40,
        by=lead_user,
        now=past + timedelta(days=1),
    )
    with pytest.raises(CommissioningError, match="has not confirmed"):
        bid(opportunity, lead, lead_user, consortium=consortium, now=past + timedelta(days=2))
    services.consortium_respond(member=member, confirm=True, by=partner_user)
    together = bid(
        opportunity,
        lead,
        lead_user,
        consortium=consortium,
        prices=(4_500_000, 3_500_000),
        now=past + timedelta(days=2),
        social=[{"measure": "ILL-J1", "quantity": "2"}],
    )
    solo = bid(
        opportunity,
        alone,
        alone_user,
        prices=(4_000_000, 3_800_000),
        now=past + timedelta(days=3),
        social=[],
    )

    results = services.bids_open(opportunity=opportunity, by=cast.commissioner)
    assert set(results.values()) == {"verified"}

    second = create_member(Role.COMMISSIONER, cast.council, full_name="Evan Evaluator")
    panel = [
        services.panel_add(
            opportunity=opportunity, user=cast.commissioner, is_moderator=True, by=cast.commissioner
        ),
        services.panel_add(opportunity=opportunity, user=second, by=cast.commissioner),
    ]
    questions = list(opportunity.questions.all())
    with pytest.raises(CommissioningError, match="Declare any conflict"):
        services.score_record(
            member=panel[1], bid=solo, question=questions[0], score=3, comment="Fine", by=second
        )
    for p in panel:
        services.conflict_declare(member=p, has_conflict=False, details="", by=p.user)
    for p, base in zip(panel, (4, 3), strict=True):
        for b in (together, solo):
            for q in questions:
                services.score_record(
                    member=p,
                    bid=b,
                    question=q,
                    score=base - (b == solo),
                    comment="Clear and specific",
                    by=p.user,
                )
    with pytest.raises(CommissioningError, match="hand in"):
        services.moderation_agree(
            bid=solo, question=questions[0], score=3, reason="x", by=cast.commissioner
        )
    for p in panel:
        services.scores_submit(member=p, by=p.user)
    for b in (together, solo):
        for q in questions:
            services.moderation_agree(
                bid=b,
                question=q,
                score=4 if b == together else 3,
                reason="Agreed at the meeting",
                by=cast.commissioner,
            )
    services.evaluation_compute(opportunity=opportunity, by=cast.commissioner)

    lot1 = opportunity.lots.get(number=1)
    winner = BidLot.objects.get(lot=lot1, rank=1)
    assert winner.bid == together  # quality and social value outweigh the higher price
    with django_capture_on_commit_callbacks() as letters:
        award = services.award_decide(
            lot=lot1, bid_lot=winner, reasons="Highest total score", by=cast.commissioner
        )
    assert mail.outbox == []  # award letters leave only once the award has committed
    for send in letters:
        send()
    assert set(award.suppliers.all()) == {lead, partner}
    notices = AwardNotice.objects.filter(award=award)
    assert notices.count() == 2 and all(str(winner.total_score) in n.body for n in notices)
    assert any("not been successful" in m.body for m in mail.outbox if alone.email in m.to)
    assert award.in_standstill()
    kpis = [
        {
            "name": "Visits made",
            "measure": "Visits ÷ planned visits",
            "target": "95",
            "frequency": "quarterly",
        }
    ]
    with pytest.raises(CommissioningError, match="Standstill runs until"):
        services.contract_sign(award=award, kpis=kpis, by=cast.commissioner)
    contract = services.contract_sign(
        award=award, kpis=kpis, by=cast.commissioner, now=award.standstill_ends
    )
    award.refresh_from_db()
    assert award.status == AwardStatus.ACTIVE and contract.status == ContractStatus.ACTIVE
    first = KpiReturn.objects.filter(kpi__contract=contract).order_by("period_start").first()
    assert first.status(first.due_date) == ReturnStatus.DUE
    assert first.status(first.due_date + timedelta(days=1)) == ReturnStatus.MISSED
    late = timezone.make_aware(
        timezone.datetime.combine(first.due_date + timedelta(days=3), timezone.datetime.min.time())
    )
    services.kpi_return_submit(kpi_return=first, value="97.5", note="", by=lead_user, now=late)
    first.refresh_from_db()
    assert first.status() == ReturnStatus.LATE and first.met_target()

    lot2 = opportunity.lots.get(number=2)
    services.award_decide(
        lot=lot2,
        bid_lot=BidLot.objects.get(lot=lot2, rank=1),
        reasons="Highest total score",
        by=cast.commissioner,
    )
    opportunity.refresh_from_db()
    assert opportunity.status == OpportunityStatus.AWARDED
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "plan.publish",
        "bid.submit",
        "bids.open",
        "score.record",
        "moderation.agree",
        "award.decide",
        "contract.sign",
        "kpi_return.submit",
    } <= actions


def test_an_award_reversed_with_a_reason_reopens_the_lot(cast):
    from opus.commissioning.tests.test_evaluation import evaluated

    opportunity, _ = evaluated(cast)
    lot = opportunity.lots.get(number=1)
    award = services.award_decide(
        lot=lot,
        bid_lot=BidLot.objects.get(lot=lot, rank=1),
        reasons="Highest total",
        by=cast.commissioner,
    )
    with pytest.raises(CommissioningError, match="reason"):
        services.award_reverse(award=award, reason=" ", by=cast.commissioner)
    services.award_reverse(award=award, reason="Error in the price scores", by=cast.commissioner)
    award.refresh_from_db()
    lot.refresh_from_db()
    assert award.status == AwardStatus.CANCELLED and lot.status == LotStatus.ACTIVE
    assert AuditEvent.objects.filter(action="award.reverse", object_id=str(award.pk)).exists()
