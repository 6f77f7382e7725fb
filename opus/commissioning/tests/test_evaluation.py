"""Evaluation: conflicts block scoring, scores stay independent until moderation."""

import pytest

from opus.commissioning import services
from opus.commissioning.errors import CommissioningError
from opus.commissioning.models import BidLot, ModeratedScore, Score
from opus.commissioning.tests.helpers import closed_opportunity_with_bids
from opus.core.models import Role
from opus.testing import create_member

pytestmark = pytest.mark.django_db


def scored_by_a_panel(cast, opportunity, bids, size=2):
    """A panel of `size` (Cora the moderator first) declares, scores every answer 3, hands in."""
    users = [cast.commissioner] + [
        create_member(Role.COMMISSIONER, cast.council, full_name=f"Evaluator {n}")
        for n in range(2, size + 1)
    ]
    panel = [
        services.panel_add(opportunity=opportunity, user=u, is_moderator=u == cast.commissioner,
                           by=cast.commissioner)
        for u in users
    ]  # fmt: skip
    for member in panel:
        services.conflict_declare(member=member, has_conflict=False, details="", by=member.user)
        for b in bids:
            for q in opportunity.questions.all():
                services.score_record(member=member, bid=b, question=q, score=3, comment="OK",
                                      by=member.user)  # fmt: skip
        services.scores_submit(member=member, by=member.user)
    return panel


def evaluated(cast):
    """A closed opportunity with two bids, opened, scored by a panel of two, moderated."""
    opportunity, bids = closed_opportunity_with_bids(cast)
    services.bids_open(opportunity=opportunity, by=cast.commissioner)
    scored_by_a_panel(cast, opportunity, bids)
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


def test_a_panel_of_one_cannot_moderate(cast, client):
    opportunity, bids = closed_opportunity_with_bids(cast)
    services.bids_open(opportunity=opportunity, by=cast.commissioner)
    scored_by_a_panel(cast, opportunity, bids, size=1)
    question = opportunity.questions.first()
    with pytest.raises(CommissioningError, match="at least 2 evaluators") as refused:
        services.moderation_agree(bid=bids[0], question=question, score=3, reason="Agreed",
                                  by=cast.commissioner)  # fmt: skip
    assert refused.value.field == "score"
    client.force_login(cast.commissioner)
    page = client.get(f"/commissioning/opportunities/{opportunity.pk}/evaluation/")
    assert "at least 2 evaluators" in page.content.decode()
    response = client.post(
        f"/commissioning/opportunities/{opportunity.pk}/evaluation/moderate/",
        {"bid": bids[0].uuid, "question": question.number, "score": 3, "reason": "Agreed"},
    )
    text = response.content.decode()
    assert response.status_code == 400 and "govuk-error-summary" in text
    assert "at least 2 evaluators" in text
    assert not ModeratedScore.objects.exists()


def test_the_minimum_panel_is_a_setting(cast, settings):
    settings.COMMISSIONING_MIN_PANEL = 3
    opportunity, bids = closed_opportunity_with_bids(cast)
    services.bids_open(opportunity=opportunity, by=cast.commissioner)
    scored_by_a_panel(cast, opportunity, bids, size=2)
    assert not services.moderation_ready(opportunity)
    with pytest.raises(CommissioningError, match="at least 3 evaluators"):
        services.moderation_agree(bid=bids[0], question=opportunity.questions.first(), score=3,
                                  reason="Agreed", by=cast.commissioner)  # fmt: skip
