"""Matching: hard requirements exclude with a reason; preferences score, explained."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opus.engines import matching as m

HOME = (53.9000, -1.6000)
NEAR = m.Place(53.9100, -1.6000, frozenset({"step-free"}))  # about 1.1 km north
FAR = m.Place(54.2000, -1.6000, frozenset({"step-free"}))  # about 33 km north


def profile(**overrides):
    fields = {"needs": frozenset({"befriending"}), "home": HOME, "max_distance_km": 10, "age": 70}
    fields.update(overrides)
    return m.Profile(**fields)


def service(**overrides):
    fields = {
        "id": "a",
        "name": "A",
        "terms": frozenset({"befriending"}),
        "places": (NEAR,),
        "delivery": frozenset({"in-person"}),
    }
    fields.update(overrides)
    return m.Candidate(**fields)


def test_distance_is_great_circle_kilometres():
    assert m.distance_km(HOME, (NEAR.latitude, NEAR.longitude)) == pytest.approx(1.112, abs=0.01)


@pytest.mark.parametrize(
    "overrides, reason",
    [
        ({"minimum_age": 18, "maximum_age": 64}, "for ages 18 to 64"),
        ({"circumstances": frozenset({"carer"})}, "circumstances you did not mention"),
        ({"residency_area": 99}, "live in another area"),
        ({"places": (FAR,)}, "33.4 km away, further than 10 km"),
        ({"places": (m.Place(53.91, -1.6),)}, "missing access you need: step-free"),
        ({"places": ()}, "no place to go to"),
    ],
)
def test_hard_requirements_exclude_with_a_reason(overrides, reason):
    person = profile(accessibility=frozenset({"step-free"}))
    ranking = m.rank(person, [service(**overrides)])
    assert ranking.matches == []
    assert any(reason in why for why in ranking.near_misses[0].why)


def test_language_is_a_requirement_only_when_the_person_says_so():
    person = profile(languages=frozenset({"ur"}))
    assert m.rank(person, [service()]).matches
    required = profile(languages=frozenset({"ur"}), language_required=True)
    assert not m.rank(required, [service()]).matches


def test_a_far_service_delivered_at_home_is_kept():
    ranking = m.rank(profile(), [service(places=(FAR,), delivery=frozenset({"at-home"}))])
    assert ranking.matches and "can be at your home or online" in ranking.matches[0].reasons


def test_reasons_say_why_in_plain_english():
    candidate = service(
        languages=frozenset({"en", "ur"}),
        language_names=(("ur", "Urdu"),),
        price_pence=1800,
        unit="hour",
        rating_sum=4.6 * 37,
        rating_count=37,
        vacancies=3,
    )
    person = profile(
        languages=frozenset({"ur"}), accessibility=frozenset({"step-free"}), max_price_pence=2000
    )
    (match,) = m.rank(person, [candidate]).matches
    assert match.reasons == (
        "1.1 km from you",
        "offers sessions in Urdu",
        "step free",
        "£18 an hour — within your budget",
        "rated 4.6 by 37 people",
        "has places now",
    )


def test_a_closer_cheaper_better_fitting_service_ranks_first():
    good = service(id="good", name="Good", price_pence=1000, vacancies=2)
    costly = service(id="costly", name="Costly", price_pence=4000, vacancies=2)
    partial = service(
        id="partial",
        name="Partial",
        terms=frozenset({"lunch-clubs"}),
        term_families=frozenset({"befriending"}),
    )
    order = [x.id for x in m.rank(profile(max_price_pence=2000), [partial, costly, good]).matches]
    assert order == ["good", "costly", "partial"]


def test_few_reviews_neither_bury_nor_inflate_a_small_provider():
    assert m.bayesian_rating(5.0, 1) == pytest.approx((3.5 * 5 + 5) / 6)
    assert m.bayesian_rating(1.0, 1) > 3.0
    assert m.bayesian_rating(4.8 * 200, 200) == pytest.approx(4.77, abs=0.01)


def test_ties_are_broken_deterministically():
    twins = [service(id=i, name="Same") for i in ("b", "a", "c")]
    assert [x.id for x in m.rank(profile(), twins).matches] == ["a", "b", "c"]


def test_the_score_is_the_weighted_sum_of_its_parts():
    (match,) = m.rank(profile(), [service()]).matches
    assert match.score == pytest.approx(sum(c for _, _, c in m.explain(match)))
    assert sum(m.WEIGHTS.values()) == pytest.approx(1.0)


@settings(max_examples=60)
@given(
    price=st.one_of(st.none(), st.integers(0, 10_000)),
    vacancies=st.one_of(st.none(), st.integers(0, 5)),
    ratings=st.integers(0, 50),
    lat=st.floats(53.85, 53.95),
)
def test_scores_stay_between_0_and_1(price, vacancies, ratings, lat):
    candidate = service(
        places=(m.Place(lat, -1.6, frozenset()),),
        price_pence=price,
        vacancies=vacancies,
        rating_sum=4.0 * ratings,
        rating_count=ratings,
    )
    for match in m.rank(profile(max_price_pence=2000), [candidate]).matches:
        assert 0.0 <= match.score <= 1.0


def test_grid_cells_cover_the_box_around_home():
    cells = m.grid_cells((53.9, -1.6), 10)
    row, col = int((53.9 + 90) * 10), int((-1.6 + 180) * 10)
    assert row * 10_000 + col in cells
    assert len(cells) == len(set(cells)) and 4 <= len(cells) <= 20
    assert all(abs(c // 10_000 - row) <= 1 for c in cells)
