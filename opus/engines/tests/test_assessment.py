"""Assessment arithmetic: grouping, comparison, local deciles, standardisation and need weights."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st_

from opus.engines import assessment as engine
from opus.engines import statistics as st


def test_group_sum_adds_rows_and_skips_ungrouped():
    values = np.array([1.0, 2.0, 3.0, 4.0])
    assert engine.group_sum(values, np.array([0, 1, 0, -1]), 2).tolist() == [4.0, 2.0]


def test_a_missing_value_makes_its_groups_sum_missing():
    sums = engine.group_sum(np.array([1.0, np.nan, 3.0]), np.array([0, 0, 1]), 2)
    assert np.isnan(sums[0]) and sums[1] == 3.0


@given(st_.lists(st_.integers(0, 50), min_size=1, max_size=30), st_.integers(1, 5))
@settings(max_examples=50)
def test_aggregating_then_estimating_equals_estimating_the_totals(counts, groups):
    x = np.array(counts, dtype=float)
    n = x + 50
    index = np.arange(len(x)) % groups
    inputs = engine.Inputs("crude_rate", 1000, x, n)
    grouped = engine.estimate(engine.aggregate(inputs, index, groups))
    for g in range(min(groups, len(x))):
        direct = st.crude_rate(x[index == g].sum(), n[index == g].sum(), multiplier=1000)
        assert grouped["value"][g] == pytest.approx(direct.value)


def test_compare_flags_intervals_that_exclude_the_reference():
    limits = {
        "lower95_0cl": np.array([11.0, 5.0, 8.0, np.nan]),
        "upper95_0cl": np.array([12.0, 9.0, 12.0, np.nan]),
    }
    assert engine.compare(limits, np.full(4, 10.0)).tolist() == [1, -1, 0, 0]


def test_local_deciles_rank_within_each_authority():
    scores = np.concatenate([np.arange(20, 0, -1), np.arange(10, 0, -1), [5.0]])
    authorities = np.array([0] * 20 + [1] * 10 + [2])
    deciles = engine.local_deciles(scores.astype(float), authorities, 3)
    assert deciles[:20].tolist() == [d for d in range(1, 11) for _ in range(2)]
    assert deciles[20:30].tolist() == list(range(1, 11))
    assert deciles[30] == 0  # an authority with fewer than 10 areas has no deciles


def test_dsr_with_an_empty_age_band_still_computes():
    pops = np.full((1, 19), 1000.0)
    pops[0, 18] = 0  # nobody aged 90+
    counts = np.full((1, 19), 5.0)
    counts[0, 18] = 0
    result = engine.estimate(engine.Inputs("dsr", 100_000, counts.sum(axis=1), None, counts, pops))
    assert np.isfinite(result["value"][0]) and result["value"][0] > 0


def test_isr_against_its_own_reference_is_100():
    pops = np.full((3, 19), 500.0)
    counts = np.tile(np.linspace(1, 20, 19), (3, 1))
    result = engine.estimate(engine.Inputs("isr", 100, counts.sum(axis=1), None, counts, pops))
    assert result["value"] == pytest.approx([100.0, 100.0, 100.0])


def test_excess_people_counts_only_the_gap_on_the_bad_side():
    values = np.array([20.0, 10.0, 5.0])
    people = engine.excess_people(
        values, np.array([100.0, 100.0, 100.0]), 10.0, 100, high_is_bad=True
    )
    assert people == pytest.approx(10.0)  # (20 − 10)% of 100 people
    good = engine.excess_people(values, np.array([100.0] * 3), 10.0, 100, high_is_bad=False)
    assert good == pytest.approx(5.0)


def test_gradient_of_a_flat_indicator_has_an_sii_near_zero():
    rng = np.random.default_rng(3)
    n = 100
    x, d = np.full(n, 200.0), np.full(n, 1000.0)
    deciles = np.repeat(np.arange(1, 11), 10)
    found = engine.gradient(
        engine.Inputs("proportion", 100, x, d),
        np.zeros(n, dtype=np.int64),
        deciles,
        1,
        high_is_bad=True,
        repetitions=2_000,
        seed=int(rng.integers(9)),
    )
    assert found.sii[0].sii == pytest.approx(0.0, abs=1e-9)
    assert found.values[0].tolist() == pytest.approx([20.0] * 10)


def test_needs_rank_by_people_affected():
    needs = [
        engine.Need("a", "a", 10, 1, 0),
        engine.Need("b", "b", 30, 1, 0),
        engine.Need("c", "c", 20, 5, 0),
    ]
    assert [n.key for n in engine.rank_needs(needs)] == ["b", "c", "a"]
