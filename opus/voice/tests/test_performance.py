"""Public performance figures: on-time rates against the area's, medians in working days,
ratings, small numbers withheld, and no ranking."""

from datetime import date, timedelta

import numpy as np
import pytest

from opus.core.models import OrganisationKind
from opus.engines.working_days import working_days_between
from opus.testing import create_organisation, create_service, create_user
from opus.voice import performance
from opus.voice.models import Complaint, ComplaintStage, ComplaintStatus, ServiceRating

pytestmark = pytest.mark.django_db

AS_OF = date(2027, 3, 1)


def make_complaint(body, received, due, answered=None, **fields):
    """A complaint's first stage straight into the tables: these tests read figures, and the
    services that move complaints along are tested in test_complaints.py."""
    person = fields.pop("complainant", None) or create_user()
    complaint = Complaint.objects.create(
        complainant=person, made_by=person, body=body, regime="council",
        summary="Late again", events_on=received, received_on=received, **fields,
    )  # fmt: skip
    ComplaintStage.objects.create(
        complaint=complaint, number=1, received_on=received, acknowledge_due=received,
        answer_due=due, answered_on=answered,
    )  # fmt: skip
    return complaint


def make_many(body, on_time=0, late=0, overdue=0, waiting=0):
    start = date(2027, 1, 4)
    due = date(2027, 1, 18)
    for _ in range(on_time):
        make_complaint(body, start, due, date(2027, 1, 11))
    for _ in range(late):
        make_complaint(body, start, due, date(2027, 1, 25))
    for _ in range(overdue):
        make_complaint(body, start, due)
    for _ in range(waiting):
        make_complaint(body, AS_OF - timedelta(days=2), AS_OF + timedelta(days=10))


def row_of(found, organisation):
    return next(r for r in found.rows if r.organisation_id == organisation.pk)


def test_on_time_counts_answered_by_the_due_date_and_overdue_ones_as_late():
    good = create_organisation(name="Good Care")
    slow = create_organisation(name="Slow Care")
    make_many(good, on_time=5, late=1)
    make_many(slow, on_time=3, overdue=2, waiting=1)
    found = performance.figures(AS_OF)
    a, b = row_of(found, good), row_of(found, slow)
    assert (a.received, a.decided, a.on_time) == (6, 6, 5)
    # The one not yet due is received but not decided either way.
    assert (b.received, b.decided, b.on_time) == (6, 5, 3)
    assert found.target == pytest.approx(8 / 11)
    assert a.on_time_rate == pytest.approx(5 / 6)
    assert a.lower < 5 / 6 < a.upper


def test_forwarded_complaints_count_only_where_they_were_sent():
    wrong = create_organisation(name="Wrong Body")
    make_many(wrong, on_time=6)
    moved = make_complaint(wrong, date(2027, 1, 4), date(2027, 1, 18))
    Complaint.objects.filter(pk=moved.pk).update(status=ComplaintStatus.FORWARDED)
    assert row_of(performance.figures(AS_OF), wrong).received == 6


def test_median_days_are_working_days_over_christmas_as_the_engine_counts_them():
    body = create_organisation(name="Festive Council", kind=OrganisationKind.LOCAL_AUTHORITY)
    received = date(2026, 12, 21)
    answers = [date(2026, 12, 23), date(2026, 12, 29), date(2027, 1, 4), date(2027, 1, 6),
               date(2027, 1, 8)]  # fmt: skip
    for answered in answers:
        make_complaint(body, received, date(2027, 1, 8), answered)
    expected = sorted(working_days_between(received, a) for a in answers)[2]
    assert row_of(performance.figures(AS_OF), body).median_days == expected


def test_group_medians_take_the_middle_or_the_mean_of_the_two_middles():
    groups = np.array([7, 7, 7, 3, 3, 3, 3])
    values = np.array([9, 1, 5, 4, 1, 3, 10])
    assert performance.group_medians(groups, values) == {3: 3.5, 7: 5.0}
    assert performance.group_medians(np.array([]), np.array([])) == {}


def test_small_numbers_are_withheld_and_not_plotted():
    tiny = create_organisation(name="Tiny Group")
    make_many(tiny, on_time=2, late=1)
    row = row_of(performance.figures(AS_OF), tiny)
    assert row.withheld
    assert (row.received, row.on_time_rate, row.median_days) == (None, None, None)
    assert row.band == 0


def test_an_organisation_far_below_the_areas_rate_is_outside_the_funnel():
    steady = create_organisation(name="Steady")
    poor = create_organisation(name="Poor")
    make_many(steady, on_time=60, late=5)
    make_many(poor, on_time=5, late=25)
    found = performance.figures(AS_OF)
    assert row_of(found, poor).band == -2
    assert row_of(found, poor) in found.outside
    assert row_of(found, steady).band >= 0


def test_rows_are_sorted_by_name_and_councils_appear_even_without_complaints():
    make_many(create_organisation(name="Zebra Support"), on_time=5)
    make_many(create_organisation(name="Acorn Trust"), late=5)
    council = create_organisation(name="Middle Council", kind=OrganisationKind.LOCAL_AUTHORITY)
    names = [r.name for r in performance.figures(AS_OF).rows]
    assert names == sorted(names)
    assert council.name in names
    assert row_of(performance.figures(AS_OF), council).public_body


def test_ratings_are_the_bayesian_average_and_withheld_under_the_threshold():
    rated = create_organisation(name="Rated")
    barely = create_organisation(name="Barely Rated")
    ServiceRating.objects.create(service=create_service(organisation=rated), rating_sum=45,
                                 rating_count=10)  # fmt: skip
    ServiceRating.objects.create(service=create_service(organisation=barely), rating_sum=10,
                                 rating_count=2)  # fmt: skip
    found = performance.figures(AS_OF)
    from opus.engines.matching import bayesian_rating

    assert row_of(found, rated).rating_average == pytest.approx(bayesian_rating(45, 10))
    assert row_of(found, rated).rating_count == 10
    assert row_of(found, barely).rating_average is None
    assert row_of(found, barely).rating_count is None


def test_figures_take_a_fixed_number_of_queries(django_assert_max_num_queries):
    for n in range(3):
        make_many(create_organisation(name=f"Provider {n}"), on_time=5, late=1)
    with django_assert_max_num_queries(8):
        performance.figures(AS_OF)
