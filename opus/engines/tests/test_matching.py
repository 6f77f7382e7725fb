"""Matching: hard requirements exclude with a reason; preferences score, explained."""

import math

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


# --- bounds that let a database narrow a national directory ---------------------------------

CODES = ["befriending", "lunch-clubs", "social-activity", "meals", "daily-living"]
FAMILY = {
    "befriending": "social-activity",
    "lunch-clubs": "social-activity",
    "meals": "daily-living",
}
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
codes = st.frozensets(st.sampled_from(CODES), min_size=1, max_size=3)
places = st.lists(
    st.builds(
        m.Place,
        st.floats(53.5, 54.3),
        st.floats(-2.2, -1.0),
        st.frozensets(st.sampled_from(["step-free", "hearing-loop"]), max_size=2),
    ),
    max_size=3,
)
profiles = st.builds(
    m.Profile,
    needs=codes,
    home=st.one_of(st.none(), st.tuples(st.floats(53.7, 54.1), st.floats(-1.9, -1.3))),
    max_distance_km=st.floats(1, 40),
    remote_ok=st.booleans(),
    days=st.frozensets(st.sampled_from(DAYS), max_size=3),
    max_price_pence=st.one_of(st.none(), st.integers(0, 3000)),
)
candidates = st.builds(
    m.Candidate,
    id=st.just("x"),
    name=st.just("X"),
    terms=codes,
    places=places.map(tuple),
    delivery=st.frozensets(st.sampled_from(["in-person", "at-home", "online"]), max_size=2),
    price_pence=st.one_of(st.none(), st.integers(0, 5000)),
    days=st.frozensets(st.sampled_from(DAYS), max_size=5),
    vacancies=st.one_of(st.none(), st.integers(0, 3)),
    words_found=st.floats(0, 1),
)


def _families(candidate):
    return frozenset(FAMILY[t] for t in candidate.terms if t in FAMILY)


@settings(max_examples=300)
@given(person=profiles, candidate=candidates, slack=st.floats(0, 1), words=st.booleans())
def test_the_ceiling_is_never_below_the_score(person, candidate, slack, words):
    person = m.Profile(**{**person.__dict__, "need_families": tuple(FAMILY.items())})
    candidate = m.Candidate(**{**candidate.__dict__, "term_families": _families(candidate)})
    if not words:
        candidate = m.Candidate(**{**candidate.__dict__, "words_found": 0.0})
    nearest, _ = m._nearest(person, candidate)
    outline = m.Outline(
        terms=candidate.terms,
        term_families=candidate.term_families,
        remote=bool(candidate.delivery & m.REMOTE_DELIVERY),
        distance_floor_km=None if nearest is None else nearest * slack,
        lowest_price_pence=candidate.price_pence,
        vacancies=candidate.vacancies,
        days=candidate.days,
    )
    found, _ = m.parts(person, candidate)
    assert m.ceiling(person, outline, words=words) >= m.score(found) - 5e-7
    if slack == 1 and not words:  # with exact facts the ceiling is the score itself
        assert m.ceiling(person, outline, words=False) == pytest.approx(m.score(found), abs=1e-6)


@settings(max_examples=200)
@given(person=profiles, candidate=candidates, known=st.booleans())
def test_need_halves_order_services_as_the_need_part_does(person, candidate, known):
    if known:  # the person's needs with their families, as the directory gives them
        person = m.Profile(**{**person.__dict__, "need_families": tuple(FAMILY.items())})
    families = _families(candidate)
    halves = m.need_halves(person, candidate.terms, families)
    stand_in = m.Candidate(**{**candidate.__dict__, "term_families": families})
    assert halves / (2 * len(person.needs)) == pytest.approx(m._need_part(person, stand_in))


@settings(max_examples=400)
@given(
    lat=st.floats(-70, 70),
    lon=st.floats(-170, 170),
    radius=st.floats(0.5, 400),
    north=st.floats(-1, 1),
    east=st.floats(-1, 1),
)
def test_distance_scales_bound_the_great_circle_distance(lat, lon, radius, north, east):
    scales = m.distance_scales((lat, lon), radius)
    if scales is None:
        assert abs(lat) + radius / 111 >= 75 or radius > 400
        return
    dlat = north * radius / 111.0
    dlon = east * radius / (111.0 * max(math.cos(math.radians(lat)), 0.01))
    there = (lat + dlat, lon + dlon)
    if abs(there[0]) + 1e-9 > abs(lat) + radius / 111.0:
        return  # outside the band the scales are for
    exact = m.distance_km((lat, lon), there)
    low = math.hypot(dlat * scales.low_lat, dlon * scales.low_lon)
    high = math.hypot(dlat * scales.high_lat, dlon * scales.high_lon)
    assert low <= exact + 1e-9 and exact <= high + 1e-9


def test_words_count_as_the_share_of_the_persons_words_found():
    (match,) = m.rank(profile(), [service(words_found=0.5)]).matches
    assert match.parts["words"] == 0.5


# --- which needs a service meets, and which it only relates to ------------------------------

SOCIAL = {
    "need_families": (("befriending", "social-activity"), ("meals", "daily-living")),
    "need_names": (
        ("befriending", "Befriending"),
        ("social-activity", "Social activity"),
        ("meals", "Meals and cooking"),
        ("daily-living", "Daily living"),
    ),
}
WALKING = {"terms": frozenset({"walking-groups"}), "term_families": frozenset({"social-activity"})}


def test_each_match_says_which_needs_it_meets_and_which_it_only_relates_to_in_words():
    person = profile(needs=frozenset({"befriending", "meals"}), **SOCIAL)
    both = service(
        terms=frozenset({"befriending", "shopping-errands"}),
        term_families=frozenset({"social-activity", "daily-living"}),
    )
    (match,) = m.rank(person, [both]).matches
    assert match.needs == (
        m.NeedFit("Befriending", True, "Social activity"),
        m.NeedFit("Meals and cooking", False, "Daily living"),
    )
    assert [f.need for f in match.meets] == ["Befriending"]
    assert [f.family for f in match.related] == ["Daily living"]
    assert match.parts["need"] == pytest.approx((1 + 0.5) / 2)


def test_a_service_tagged_with_the_family_itself_relates_to_the_need():
    person = profile(**SOCIAL)
    general = service(terms=frozenset({"social-activity"}))
    (match,) = m.rank(person, [general]).matches
    assert match.needs == (m.NeedFit("Befriending", False, "Social activity"),)
    assert match.parts["need"] == 0.5


def test_befriending_outranks_a_walking_group_for_a_befriending_need():
    """The worked example. The walking group is at the door, free, has places and is well
    rated (score 0.771); the befriending service visits at home, costs more than the person
    can pay, is full and has no ratings (score 0.7075). Related-only counts half the need
    part, but whatever the scores, a service tagged with the need itself comes first."""
    person = profile(max_price_pence=1000, **SOCIAL)
    walking = service(
        id="walk",
        name="Walking group",
        places=(m.Place(*HOME),),
        vacancies=5,
        rating_sum=5.0 * 40,
        rating_count=40,
        **WALKING,
    )
    befriending = service(
        id="befriend",
        name="Befriending at home",
        places=(),
        delivery=frozenset({"at-home"}),
        price_pence=1500,
        vacancies=0,
        term_families=frozenset({"social-activity"}),
    )
    ranking = m.rank(person, [walking, befriending])
    first, second = ranking.matches
    assert (first.id, second.id) == ("befriend", "walk")
    assert (first.score, second.score) == (0.7075, 0.770833)  # the rule's order, not the scores'
    assert first.meets == (m.NeedFit("Befriending", True, "Social activity"),)
    assert second.related == (m.NeedFit("Befriending", False, "Social activity"),)
    assert second.parts["need"] == 0.5 and first.parts["need"] == 1.0


def test_a_hard_requirement_still_decides_first():
    person = profile(age=30, **SOCIAL)
    walking = service(id="walk", name="Walking group", **WALKING)
    befriending = service(id="befriend", name="Befriending", minimum_age=65)
    ranking = m.rank(person, [befriending, walking])
    assert [x.id for x in ranking.matches] == ["walk"]
    (miss,) = ranking.near_misses
    assert miss.id == "befriend" and miss.meets == (
        m.NeedFit("Befriending", True, "Social activity"),
    )


def test_near_misses_say_which_need_they_would_have_met_and_come_exact_first():
    person = profile(needs=frozenset({"befriending", "meals"}), age=30, **SOCIAL)
    related_both = service(
        id="rel",
        name="A related club",
        terms=frozenset({"walking-groups", "shopping-errands"}),
        term_families=frozenset({"social-activity", "daily-living"}),
        minimum_age=65,
    )
    exact_one = service(id="exact", name="Z befriending", minimum_age=65)
    ranking = m.rank(person, [related_both, exact_one])
    assert [n.id for n in ranking.near_misses] == ["exact", "rel"]
    assert [f.need for f in ranking.near_misses[0].meets] == ["Befriending"]
    assert [(f.need, f.exact) for f in ranking.near_misses[1].needs] == [
        ("Befriending", False),
        ("Meals and cooking", False),
    ]


def test_needs_without_names_are_never_shown_as_codes():
    (match,) = m.rank(
        profile(needs=frozenset({"lunch-clubs"})), [service(terms=frozenset({"lunch-clubs"}))]
    ).matches
    assert match.needs == (m.NeedFit("lunch clubs", True, "lunch clubs"),)


# --- services that visit people at home in their areas -------------------------------------

WARD, OTHER_WARD = 7, 8
BOTH = frozenset({"at-home", "in-person"})
AT_HOME = {"delivery": frozenset({"at-home"}), "places": (), "home_areas": ((WARD, "Eastfield"),)}


def test_a_home_service_reaches_anyone_inside_its_area_at_distance_0_and_says_so():
    person = profile(areas=frozenset({1, WARD}))
    ranking = m.rank(person, [service(**AT_HOME)])
    match = ranking.matches[0]
    assert match.distance_km == 0.0
    assert match.parts["distance"] == 1.0
    assert match.reasons[0] == "visits you at home in Eastfield"
    assert not any("km from you" in reason for reason in match.reasons)


def test_a_home_service_does_not_reach_people_outside_its_area_and_says_where_it_goes():
    person = profile(areas=frozenset({1, OTHER_WARD}))
    ranking = m.rank(person, [service(**AT_HOME)])
    assert ranking.matches == []
    assert ranking.near_misses[0].why == ("visits people at home in Eastfield, not where you live",)


def test_outside_its_area_a_home_service_can_still_be_visited_at_its_base_nearby():
    person = profile(areas=frozenset({OTHER_WARD}))
    nearby = service(**{**AT_HOME, "delivery": BOTH, "places": (NEAR,)})
    match = m.rank(person, [nearby]).matches[0]
    assert match.reasons[0] == "1.1 km from you"
    far = service(**{**AT_HOME, "delivery": BOTH, "places": (FAR,)})
    why = m.rank(person, [far]).near_misses[0].why
    assert why[0] == "visits people at home in Eastfield, not where you live"
    assert "33.4 km away" in why[1]


def test_a_home_service_without_areas_still_visits_anyone_who_is_happy_at_home():
    match = m.rank(profile(), [service(delivery=frozenset({"at-home"}), places=())]).matches[0]
    assert match.parts["distance"] == m.REMOTE_DISTANCE_SCORE
    assert "can be at your home or online" in match.reasons


def test_a_person_who_wants_to_go_out_is_not_visited_at_home():
    person = profile(areas=frozenset({WARD}), remote_ok=False)
    assert m.rank(person, [service(**AT_HOME)]).matches == []


def test_the_ceiling_of_a_home_service_in_the_persons_area_bounds_its_score():
    person = profile(areas=frozenset({WARD}))
    candidate = service(**AT_HOME)
    found, _ = m.parts(person, candidate)
    outline = m.Outline(terms=candidate.terms, remote=True, distance_floor_km=50, covered=True)
    assert m.ceiling(person, outline, words=False) >= m.score(found)
    assert found["distance"] == 1.0


# --- services that visit people at home within a radius of a base --------------------------

BASE = m.HomeRadius(53.9100, -1.6000, 3.0, "Eastfield Hall")  # 1.1 km from HOME
RADIUS = {"delivery": frozenset({"at-home"}), "places": (), "home_radii": (BASE,)}


def test_inside_its_radius_a_home_service_is_at_distance_0_and_says_how_far_it_goes():
    match = m.rank(profile(), [service(**RADIUS)]).matches[0]
    assert match.distance_km == 0.0
    assert match.parts["distance"] == 1.0
    assert match.reasons[0] == "visits you at home within 1.9 miles of Eastfield Hall"


def test_outside_its_radius_a_home_service_is_a_near_miss_that_says_where_it_goes():
    small = m.HomeRadius(53.9100, -1.6000, 0.5, "Eastfield Hall")
    ranking = m.rank(profile(), [service(**{**RADIUS, "home_radii": (small,)})])
    assert ranking.matches == []
    assert ranking.near_misses[0].why == (
        "visits people at home within 0.3 miles of Eastfield Hall, not where you live",
    )


def test_a_radius_and_areas_are_both_said_when_the_person_is_outside_them():
    far = m.HomeRadius(54.2, -1.6, 1.609344, "Northby")
    candidate = service(**{**AT_HOME, "home_radii": (far,)})
    why = m.rank(profile(areas=frozenset({OTHER_WARD})), [candidate]).near_misses[0].why
    assert why == ("visits people at home in Eastfield or within 1 mile of Northby, not where "
                   "you live",)  # fmt: skip


def test_a_person_without_a_postcode_is_not_judged_inside_a_radius():
    person = profile(home=None)
    assert m.home_area(person, service(**RADIUS)) is None


# --- the bounds a directory works per row ---------------------------------------------------

radii = st.lists(
    st.builds(
        m.HomeRadius,
        st.floats(53.6, 54.2),
        st.floats(-2.0, -1.2),
        st.floats(0.1, 100),
        st.just("B"),
    ),
    max_size=2,
)
ratings = st.tuples(st.floats(0, 500), st.integers(0, 100)).map(
    lambda pair: (min(pair[0], 5.0 * pair[1]), pair[1])  # never above 5 stars on average
)


def _row_of(person, candidate, slack):
    """The row of the candidate's that explains its score, as a directory derives it: the
    area it visits the person at home in, else its nearest place (distance floored by
    slack), else its one row at nowhere (an area row too: cell < 0)."""
    nearest, _ = m._nearest(person, candidate)
    covered = m.home_area(person, candidate) is not None or not candidate.places
    return m.Outline(
        terms=candidate.terms,
        term_families=candidate.term_families,
        remote=bool(candidate.delivery & m.REMOTE_DELIVERY),
        distance_floor_km=None if nearest is None else nearest * slack,
        lowest_price_pence=candidate.price_pence,
        vacancies=candidate.vacancies,
        days=candidate.days,
        covered=covered and person.home is not None,
    )


@settings(max_examples=400)
@given(
    person=profiles,
    candidate=candidates,
    home_radii=radii,
    rating=ratings,
    slack=st.floats(0, 1),
    words=st.booleans(),
)
def test_the_bounds_are_never_below_a_real_score(
    person, candidate, home_radii, rating, slack, words
):
    person = m.Profile(**{**person.__dict__, "need_families": tuple(FAMILY.items())})
    candidate = m.Candidate(
        **{
            **candidate.__dict__,
            "term_families": _families(candidate),
            "home_radii": tuple(home_radii),
            "rating_sum": rating[0],
            "rating_count": rating[1],
            "words_found": candidate.words_found if words else 0.0,
        }
    )
    if m.exclusions(person, candidate):
        return  # only services the person can use are scored
    found, _ = m.parts(person, candidate)
    bounds = m.bounds(person, words=words, best_rating=rating)
    assert bounds.evaluate(_row_of(person, candidate, slack)) >= m.score(found) - 5e-7


@settings(max_examples=200)
@given(person=profiles, candidate=candidates, words=st.booleans())
def test_with_exact_facts_the_bounds_are_the_ceiling(person, candidate, words):
    person = m.Profile(**{**person.__dict__, "need_families": tuple(FAMILY.items())})
    nearest, _ = m._nearest(person, candidate)
    outline = m.Outline(
        terms=candidate.terms,
        term_families=_families(candidate),
        remote=bool(candidate.delivery & m.REMOTE_DELIVERY),
        distance_floor_km=nearest,
        lowest_price_pence=candidate.price_pence,
        vacancies=candidate.vacancies,
        days=candidate.days,
    )
    if person.home is not None and nearest is None:
        return  # no place: the ceiling says "half", a directory's row at nowhere says more
    bounds = m.bounds(person, words=words, best_rating=(0.0, 0))
    assert bounds.evaluate(outline) == pytest.approx(m.ceiling(person, outline, words=words))


def test_need_tests_say_met_related_and_unrelated_as_need_fits_does():
    person = profile(needs=frozenset({"befriending", "meals"}), need_families=tuple(FAMILY.items()))
    tests = {t.need: t for t in m.need_tests(person, broad=frozenset({"social-activity"}))}
    assert tests["befriending"].halves(frozenset({"befriending"}), frozenset()) == 2
    assert (
        tests["befriending"].halves(frozenset({"lunch-clubs"}), frozenset({"social-activity"})) == 1
    )
    assert tests["befriending"].halves(frozenset({"social-activity"}), frozenset()) == 1
    assert tests["meals"].halves(frozenset({"other"}), frozenset({"daily-living"})) == 0  # narrow
