"""Published ratings feed matching's quality score (a Bayesian average) and keep narrowing
exact: reading a few services ranks as judging every candidate with its ratings."""

from __future__ import annotations

import dataclasses
import random
import uuid

import pytest

from opus.core.models import Role
from opus.directory import matching, search
from opus.directory import services as directory
from opus.directory.models import LocationType, Service
from opus.directory.tests.test_narrowing import (
    _as_candidate,
    _directory,
    _question,
    _reference_ids,
)
from opus.engines import matching as engine
from opus.testing import create_member, create_service
from opus.voice import feedback as fb
from opus.voice.models import ServiceRating

pytestmark = pytest.mark.django_db
RATINGS = {"kindness": 4, "reliability": 4, "recommend": 4}


def _rate(cast, service, overall, times=1):
    for _ in range(times):
        item = fb.feedback_give(
            service=service,
            ratings={**RATINGS, "overall": overall},
            story="Fine",
            by=create_member(Role.RESIDENT),
        )
        fb.feedback_moderate(feedback=item, publish=True, by=cast.commissioner)


def _service(cast, name):
    service = create_service(name=name, organisation=cast.charity)
    place = directory.location_create(
        organisation=cast.charity,
        by=None,
        name=f"{name} hall",
        location_type=LocationType.PHYSICAL,
        latitude=53.90,
        longitude=-1.60,
    )
    directory.service_set_locations(service=service, locations=[place], by=None)
    return service


def _order(question):
    profile = matching.profile_from(question)
    return [m.name for m in matching.ranked(profile, "", limit=5, near_misses=0).matches]


def test_a_well_rated_service_ranks_above_an_otherwise_equal_one(cast):
    _service(cast, "Alpha club")
    beta = _service(cast, "Beta club")
    question = matching.Question(needs=["befriending"])
    assert _order(question) == ["Alpha club", "Beta club"]  # equal: by name
    _rate(cast, beta, 5, times=3)
    assert _order(question) == ["Beta club", "Alpha club"]
    found = matching.ranked(matching.profile_from(question), "", limit=1, near_misses=0)
    best = found.matches[0]
    assert best.parts["quality"] == pytest.approx(engine.quality_part(15, 3))
    assert "rated 5.0 by 3 people" in best.reasons


def test_a_few_poor_ratings_pull_towards_the_prior_not_to_the_bottom(cast):
    alpha = _service(cast, "Alpha club")
    _service(cast, "Beta club")
    _rate(cast, alpha, 1)
    question = matching.Question(needs=["befriending"])
    assert _order(question) == ["Beta club", "Alpha club"]
    # one 1-star review among five 3.5-star pseudo-reviews: (17.5 + 1) / 6
    assert engine.bayesian_rating(1, 1) == pytest.approx(18.5 / 6)


def test_feedback_not_published_does_not_count(cast):
    alpha = _service(cast, "Alpha club")
    item = fb.feedback_give(
        service=alpha, ratings={**RATINGS, "overall": 1}, story="x", by=cast.resident
    )
    fb.feedback_moderate(feedback=item, publish=False, note="Names", by=cast.admin)
    (card,) = matching.candidates_for([alpha.pk])
    assert (card.rating_sum, card.rating_count) == (0, 0)


def test_reading_a_few_ranks_exactly_as_judging_every_rated_candidate():
    rng = random.Random(29)
    _directory(rng, count=120)
    for pk in Service.objects.values_list("pk", flat=True):
        if rng.random() < 0.6:
            count = rng.choice([1, 2, 5, 12, 40])
            total = sum(rng.randint(1, 5) for _ in range(count))
            ServiceRating.objects.create(service_id=pk, rating_sum=total, rating_count=count)
    rated = {r.service_id: (r.rating_sum, r.rating_count) for r in ServiceRating.objects.all()}
    checked = 0
    for _ in range(50):
        question = _question(rng)
        profile = matching.profile_from(question)
        limit, near = rng.choice([(1, 1), (2, 5), (5, 2), (20, 5)])
        got = matching.ranked(profile, question.words, limit=limit, near_misses=near)
        services = _reference_ids(profile)
        groups = search.word_groups(question.words)
        found = search.words_found(groups, [s.pk for s in services]) if groups else {}
        everyone = []
        for s in services:
            total, count = rated.get(uuid.UUID(str(s.pk)), (0, 0))
            candidate = _as_candidate(s, found)
            everyone.append(
                dataclasses.replace(candidate, rating_sum=float(total), rating_count=count)
            )
        expected = engine.rank(profile, everyone, limit=limit, near_misses=near)
        assert got == expected, question
        checked += bool(got.matches)
    assert checked > 20  # most questions found something
