"""The evaluation panel: conflicts declared first, independent scores, moderation, results."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext

from opus.commissioning import access
from opus.commissioning.errors import CommissioningError
from opus.commissioning.models import (
    Bid,
    BidLot,
    ModeratedScore,
    OpeningResult,
    Opportunity,
    OpportunityStatus,
    PanelMember,
    QualityQuestion,
    Score,
)
from opus.commissioning.services.common import clock
from opus.core.audit import audit_record
from opus.core.models import Role, User
from opus.core.roles import has_role
from opus.engines import procurement


def _verified_bids(opportunity: Opportunity) -> list[Bid]:
    return list(
        opportunity.bids.filter(opening_result=OpeningResult.VERIFIED).select_related("bidder")
    )


@transaction.atomic
def panel_add(
    *, opportunity: Opportunity, user: User, is_moderator: bool = False, by: User
) -> PanelMember:
    access.require_staff(by)
    if not has_role(user, Role.COMMISSIONER):
        raise CommissioningError("Evaluators are commissioning staff", "user")
    if opportunity.panel.filter(user=user).exists():
        raise CommissioningError("They are already on the panel", "user")
    member = PanelMember.objects.create(
        opportunity=opportunity, user=user, is_moderator=is_moderator, added_by=by
    )
    audit_record(actor=by, action="panel.add", target=member,
                 summary={"opportunity": opportunity.pk, "user": user.email,
                          "moderator": is_moderator})  # fmt: skip
    return member


@transaction.atomic
def conflict_declare(
    *, member: PanelMember, has_conflict: bool, details: str, by: User, now: datetime | None = None
) -> PanelMember:
    """Each evaluator declares before scoring: no conflict, or a conflict (and then may not
    score). The opportunity's bidders are known only after opening, so this comes then."""
    member = PanelMember.objects.select_for_update().get(pk=member.pk)
    if by.pk != member.user_id:
        raise CommissioningError("Evaluators declare their own interests", "has_conflict")
    if member.declared_at is not None:
        raise CommissioningError("You have already made your declaration", "has_conflict")
    if has_conflict and not details.strip():
        raise CommissioningError("Say what the conflict is", "conflict_details")
    member.declared_at, member.has_conflict = clock(now), has_conflict
    member.conflict_details = details.strip()
    member.save(update_fields=["declared_at", "has_conflict", "conflict_details", "updated_at"])
    audit_record(actor=by, action="panel.declare", target=member,
                 summary={"has_conflict": has_conflict,
                          "details": member.conflict_details})  # fmt: skip
    return member


def _check_can_score(member: PanelMember) -> None:
    if member.opportunity.status != OpportunityStatus.OPENED:
        raise CommissioningError(
            "Scoring is open once bids are opened and until the award", "score"
        )
    if member.declared_at is None:
        raise CommissioningError("Declare any conflict of interest before scoring", "has_conflict")
    if member.has_conflict:
        raise CommissioningError(
            "You declared a conflict of interest, so you cannot score", "score"
        )
    if member.submitted_at is not None:
        raise CommissioningError("Your scores are handed in and can no longer change", "score")


@transaction.atomic
def score_record(
    *, member: PanelMember, bid: Bid, question: QualityQuestion, score: int, comment: str, by: User
) -> Score:
    member = PanelMember.objects.select_related("opportunity").get(pk=member.pk)
    bid = Bid.objects.get(pk=bid.pk)
    if by.pk != member.user_id:
        raise CommissioningError("Evaluators record their own scores", "score")
    _check_can_score(member)
    if bid.opportunity_id != member.opportunity_id or question.opportunity_id != bid.opportunity_id:
        raise CommissioningError("That bid or question is not in this evaluation", "score")
    if bid.opening_result != OpeningResult.VERIFIED:
        raise CommissioningError("Only bids that matched their receipts are scored", "score")
    if not 0 <= score <= question.max_score:
        raise CommissioningError(f"A score is from 0 to {question.max_score}", "score")
    if not comment.strip():
        raise CommissioningError("Give the reason for the score", "comment")
    row, _ = Score.objects.update_or_create(
        member=member, bid=bid, question=question,
        defaults={"score": score, "comment": comment.strip()},
    )  # fmt: skip
    audit_record(actor=by, action="score.record", target=row,
                 summary={"bid": str(bid.uuid), "question": question.number,
                          "score": score})  # fmt: skip
    return row


@transaction.atomic
def scores_submit(*, member: PanelMember, by: User, now: datetime | None = None) -> PanelMember:
    member = PanelMember.objects.select_related("opportunity").get(pk=member.pk)
    if by.pk != member.user_id:
        raise CommissioningError("Evaluators hand in their own scores", "score")
    _check_can_score(member)
    bids = _verified_bids(member.opportunity)
    needed = len(bids) * member.opportunity.questions.count()
    if member.scores.count() < needed:
        raise CommissioningError("Score every answer of every bid before handing in", "score")
    member.submitted_at = clock(now)
    member.save(update_fields=["submitted_at", "updated_at"])
    audit_record(actor=by, action="panel.submit", target=member, summary={"scores": needed})
    return member


def scorers(opportunity: Opportunity) -> list[PanelMember]:
    return [m for m in opportunity.panel.all() if m.may_score]


def min_panel() -> int:
    """The fewest evaluators free of conflict who must score before moderation
    (settings.COMMISSIONING_MIN_PANEL, 2 by default: one person's scores are not a panel's)."""
    return max(1, int(getattr(settings, "COMMISSIONING_MIN_PANEL", 2)))


def panel_too_small(opportunity: Opportunity) -> str:
    """Why the panel cannot moderate yet for its size, or "" when it is large enough."""
    if len(scorers(opportunity)) >= min_panel():
        return ""
    return gettext(
        "The panel needs at least %(count)s evaluators free of conflict of interest before "
        "moderation: add another evaluator"
    ) % {"count": min_panel()}


def moderation_ready(opportunity: Opportunity) -> bool:
    """Moderation starts when every evaluator free of conflict has handed in, and there are
    at least the minimum panel of them."""
    members = scorers(opportunity)
    return (
        len(members) >= min_panel()
        and all(m.submitted_at for m in members)
        and not any(m.declared_at is None for m in opportunity.panel.all())
    )


@transaction.atomic
def moderation_agree(
    *, bid: Bid, question: QualityQuestion, score: int, reason: str, by: User,
    now: datetime | None = None,
) -> ModeratedScore:  # fmt: skip
    bid = Bid.objects.select_related("opportunity").get(pk=bid.pk)
    opportunity = bid.opportunity
    if not opportunity.panel.filter(user=by, is_moderator=True).exists():
        raise CommissioningError("Only the panel's moderator records agreed scores", "score")
    if opportunity.status != OpportunityStatus.OPENED:
        raise CommissioningError("Moderation is between opening and award", "score")
    if too_small := panel_too_small(opportunity):
        raise CommissioningError(too_small, "score")
    if not moderation_ready(opportunity):
        raise CommissioningError("Every evaluator must declare and hand in scores first", "score")
    if not 0 <= score <= question.max_score:
        raise CommissioningError(f"A score is from 0 to {question.max_score}", "score")
    if not reason.strip():
        raise CommissioningError("Give the panel's reason for the agreed score", "reason")
    row, _ = ModeratedScore.objects.update_or_create(
        bid=bid, question=question,
        defaults={"score": score, "reason": reason.strip(), "agreed_by": by,
                  "agreed_at": clock(now)},
    )  # fmt: skip
    audit_record(actor=by, action="moderation.agree", target=row,
                 summary={"bid": str(bid.uuid), "question": question.number, "score": score,
                          "reason": row.reason})  # fmt: skip
    return row


def criteria_of(opportunity: Opportunity) -> procurement.Criteria:
    return procurement.Criteria(
        price_weight=opportunity.price_weight,
        quality_weight=opportunity.quality_weight,
        social_value_weight=opportunity.social_value_weight,
        price_formula=opportunity.price_formula,
        abnormally_low_percent=opportunity.abnormally_low_percent,
        tie_break=opportunity.tie_break,
    )


@transaction.atomic
def evaluation_compute(*, opportunity: Opportunity, by: User) -> list[BidLot]:
    """Turn agreed scores into each lot's ranking by the published criteria."""
    access.require_staff(by)
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if opportunity.status != OpportunityStatus.OPENED:
        raise CommissioningError("Results are worked out between opening and award", "status")
    bids = _verified_bids(opportunity)
    questions = list(opportunity.questions.all())
    agreed = {
        (m.bid_id, m.question_id): m.score for m in ModeratedScore.objects.filter(bid__in=bids)
    }
    if len(agreed) < len(bids) * len(questions):
        raise CommissioningError("Agree a score for every answer at moderation first", "score")
    engine_questions = [procurement.Question(q.pk, q.weight, q.max_score) for q in questions]
    quality = {
        b.pk: procurement.quality_score(
            {q.pk: agreed[(b.pk, q.pk)] for q in questions}, engine_questions
        )
        for b in bids
    }
    from opus.allocation.social_value import committed_values  # each bid's ledger

    social = committed_values(bids=bids, by=by)
    order = {b.pk: i for i, b in enumerate(sorted(bids, key=lambda b: (b.submitted_at, b.pk)))}
    updated = []
    for lot in opportunity.lots.all():
        rows = list(BidLot.objects.filter(lot=lot, bid__in=bids).order_by("pk"))
        results = procurement.evaluate_lot(
            [procurement.LotBid(r.pk, r.price_pence, quality[r.bid_id], social[r.bid_id],
                                order[r.bid_id]) for r in rows],
            criteria_of(opportunity),
        )  # fmt: skip
        by_key = {r.key: r for r in results}
        for row in rows:
            result = by_key[row.pk]
            row.price_score, row.quality_score = result.price_score, result.quality_score
            row.social_value_score, row.total_score = result.social_value_score, result.total
            row.social_value_pence, row.rank = social[row.bid_id], result.rank
            row.rank_note = (
                procurement.TIE_BREAK_RULES[opportunity.tie_break] if result.tie_broken else ""
            )[:300]
            updated.append(row)
    BidLot.objects.bulk_update(
        updated, ["price_score", "quality_score", "social_value_score", "total_score",
                  "social_value_pence", "rank", "rank_note"],
    )  # fmt: skip
    audit_record(actor=by, action="evaluation.compute", target=opportunity,
                 summary={"lots": {str(r.lot_id): [str(r.bid_id), str(r.total_score), r.rank]
                                   for r in updated if r.rank == 1}})  # fmt: skip
    return updated


def total_quality(scores: dict[int, int], questions: list[QualityQuestion]) -> Decimal:
    return procurement.quality_score(
        scores, [procurement.Question(q.pk, q.weight, q.max_score) for q in questions]
    )
