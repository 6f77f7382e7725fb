"""Primary and secondary suppression of small counts and of rates on small denominators."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opus.engines import disclosure as d

FAST = settings(max_examples=150, deadline=None)


def test_a_small_count_and_its_complements_are_hidden():
    # 3 is primary; row 0 then hides its smallest other cell (10); column 0 is left with one
    # hidden cell, so hides 15; row 1 likewise hides 25, which also closes column 1.
    table = d.suppress_table([[10, 3, 20], [15, 25, 30], [40, 12, 8]])
    assert table.published() == [[None, None, 20], [None, None, 30], [40, 12, 8]]
    assert table.reasons == (
        ("secondary", "primary", None),
        ("secondary", "secondary", None),
        (None, None, None),
    )
    assert table.row_totals == [33, 70, 60]
    assert table.column_totals == [65, 40, 58]


def test_two_small_counts_in_one_column_need_only_one_more_pair():
    table = d.suppress_table([[10, 3, 20], [15, 2, 30], [40, 12, 8]])
    assert table.mask.tolist() == [[True, True, False], [True, True, False], [False] * 3]
    assert table.reasons[1][1] == "primary"


def test_zeros_are_published_and_not_chosen_while_a_non_zero_cell_remains():
    table = d.suppress_table([[0, 4, 9], [7, 8, 6]])
    assert table.reasons[0] == (None, "primary", "secondary")
    assert table.published()[0][0] == 0


def test_a_zero_is_hidden_when_it_is_the_only_other_cell():
    table = d.suppress_table([[0, 4]])
    assert table.mask.tolist() == [[True, True]]
    assert table.reasons == (("secondary", "primary"),)


def test_without_totals_only_small_counts_are_hidden():
    table = d.suppress_table([[10, 3, 20], [15, 25, 30]], with_totals=False)
    assert table.mask.tolist() == [[False, True, False], [False] * 3]


def test_the_threshold_is_configurable():
    assert not d.suppress_table([[5, 6], [7, 8]]).mask.any()
    assert d.suppress_table([[5, 6], [7, 8]], threshold=10).mask.all()


def test_results_are_read_only():
    table = d.suppress_table([[1, 2], [3, 4]])
    with pytest.raises(ValueError, match="read-only"):
        table.mask[0, 0] = False


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        ([[1, -2]], "negative"),
        ([1, 2], "2 dimension"),
        ([[1, math.nan]], "missing"),
        ("a", "numbers"),
    ],
)
def test_suppress_table_refuses_invalid_counts(counts, message):
    with pytest.raises(ValueError, match=message):
        d.suppress_table(counts)


tables = st.integers(1, 6).flatmap(
    lambda rows: st.lists(
        st.lists(st.integers(0, 30), min_size=rows, max_size=rows), min_size=1, max_size=6
    )
)


@FAST
@given(counts=tables, threshold=st.integers(1, 10))
def test_no_line_is_left_with_a_single_hidden_cell_and_every_small_count_is_hidden(
    counts, threshold
):
    table = d.suppress_table(counts, threshold=threshold)
    values, mask = np.array(counts), table.mask
    small = (values > 0) & (values < threshold)
    assert mask[small].all()
    for axis in (0, 1):
        if values.shape[axis] > 1:  # lines along this axis have more than one cell
            assert not (mask.sum(axis=axis) == 1).any()
    reasons = np.array(table.reasons, dtype=object)
    assert ((reasons == "primary") == small).all()
    assert ((reasons != None) == mask).all()  # noqa: E711 - element-wise comparison


# --- estimates --------------------------------------------------------------------------------


def test_estimates_on_small_counts_or_small_denominators_are_hidden():
    result = d.suppress_estimates([0, 3, 10, 20], [100, 100, 100, 20], min_denominator=50)
    assert result.reasons == (None, "primary", None, "small denominator")
    assert result.apply([0.0, 0.03, 0.1, 1.0]) == [0.0, None, 0.1, None]


def test_estimates_without_a_denominator_rule_hide_only_small_counts():
    result = d.suppress_estimates([4, 5], [1, 1])
    assert result.mask.tolist() == [True, False]


def test_estimates_refuse_mismatched_or_negative_input():
    with pytest.raises(ValueError, match="numerators for"):
        d.suppress_estimates([1, 2], [3])
    with pytest.raises(ValueError, match="negative"):
        d.suppress_estimates([-1], [3])
    with pytest.raises(ValueError, match="values for"):
        d.suppress_estimates([1, 2], [3, 4]).apply([1])
