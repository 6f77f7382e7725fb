"""Evaluation: conflicts block scoring, scores stay independent until moderation."""

import pytest

from opus.commissioning import services
from opus.commissioning.errors import CommissioningError
from opus.commissioning.models import BidLot, Score
from opus.commissioning.tests.helpers import closed_opportunity_with_bids
from opus.core.models import Role
from opus.testing import create_member

pytestmark = pytest.mark.django_db


def evaluated(cast):
    """A closed opportunity with two bids, opened, scored by one evaluator, moderated."""
    opportunity, bids = closed_opportunity_with_bids(cast)
    services.bids_open(opportunity=opportunity, by=cast.commissioner)
    member = services.panel_add(opportunity=opportunity, user=cast.commissioner,
                                is_moderator=True, by=cast.commissioner)  # fmt: skip
    services.conflict_declare(member=member, has_conflict=False, details="", by=cast.commissioner)
    for b in bids:
        for q in opportunity.questions.all():
            services.score_record(member=member, bid=b, question=q, score=3, comment="OK",
                                  by=cast.commissioner)  # fmt: skip
    services.scores_submit(member=member, by=cast.commissioner)
    for b in bids:
        for q in opportunity.questions.all():
            services.moderation_agree(bid=b, question=q, score=3, reason="Agreed",
                                      by=cast.commissioner)  # fmt: skip
    services.evaluation_compute(opportunity=opportunity, by=cast.commissioner)
    return opportunity, bids


def test_a_declared_conflict_blocks_scoring(cast):
    opportunity, bids = closed_opportunity_with_bids(cast)
    services.bids_open(opportunity=opportunity, by=cast.commissioner)
    member = services.panel_add(opportunity=opportunity, user=cast.commissioner,
                                by=cast.commissioner)  # fmt: skip
    question = opportunity.questions.first()
    with pytest.raises(CommissioningError) as undeclared:
        services.score_record(member=member, bid=bids[0], question=question, score=3,
                              comment="x", by=cast.commissioner)  # fmt: skip
    assert undeclared.value.field == "has_conflict"
    services.conflict_declare(member=member, has_conflict=True, details="My sister runs Bidder 1",
                              by=cast.commissioner)  # fmt: skip
    with pytest.raises(CommissioningError, match="conflict of interest"):
        services.score_record(member=member, bid=bids[0], question=question, score=3,
                              comment="x", by=cast.commissioner)  # fmt: skip
    assert not Score.objects.exists()


def test_scores_are_out_of_range_or_for_someone_else_refused(cast):
    opportunity, bids = closed_opportunity_with_bids(cast)
    services.bids_open(opportunity=opportunity, by=cast.commissioner)
    member = services.panel_add(opportunity=opportunity, user=cast.commissioner,
                                by=cast.commissioner)  # fmt: skip
    services.conflict_declare(member=member, has_conflict=False, details="", by=cast.commissioner)
    other = create_member(Role.COMMISSIONER, cast.council)
    question = opportunity.questions.first()
    with pytest.raises(CommissioningError):
        services.score_record(member=member, bid=bids[0], question=question, score=6,
                              comment="x", by=cast.commissioner)  # fmt: skip
    with pytest.raises(CommissioningError):
        services.score_record(member=member, bid=bids[0], question=question, score=3,
                              comment="x", by=other)  # fmt: skip
    assert not Score.objects.exists()


def test_the_ranking_follows_the_published_criteria(cast):
    opportunity, bids = evaluated(cast)
    lot = opportunity.lots.get(number=1)
    rows = {r.bid_id: r for r in BidLot.objects.filter(lot=lot)}
    # Equal quality (30 of 50) and social value; bid 1 is cheaper (4.0m vs 4.5m).
    assert rows[bids[0].pk].rank == 1
    assert str(rows[bids[0].pk].price_score) == "40.000"
    assert str(rows[bids[1].pk].price_score) == "35.556"
