"""Synthetic geography: plausible populations and an IMD built the IoD way."""

import numpy as np

from opus.engines import synthetic_geography as synth


def test_exponential_transform_spans_0_to_100_with_a_tenth_above_50():
    n = 1000
    x = synth.exponential_transform(np.arange(1, n + 1), n)
    assert x[0] == 100.0 or abs(x[0] - 100.0) < 1e-9  # rank 1, the most deprived
    assert 0 < x[-1] < 0.1
    assert abs(np.mean(x > 50) - 0.10) < 0.01


def test_rank_descending_gives_1_to_the_largest():
    assert synth.rank_descending(np.array([0.2, 0.9, 0.5])).tolist() == [3, 1, 2]


def test_small_areas_are_deterministic_and_consistent():
    def build():
        rng = np.random.default_rng(5)
        latent = synth.clustered_latent(10, np.full(10, 30), rng)
        return synth.small_areas(latent, rng)

    a, b = build(), build()
    assert np.array_equal(a.male, b.male) and np.array_equal(a.imd_score, b.imd_score)
    totals = a.male.sum(axis=1) + a.female.sum(axis=1)
    assert np.array_equal(a.ethnic.sum(axis=1), totals)
    assert np.array_equal(a.disability.sum(axis=1), totals)
    assert set(np.unique(a.imd_decile)) <= set(range(1, 11))


def test_more_deprived_areas_score_higher_and_are_younger():
    rng = np.random.default_rng(9)
    latent = np.concatenate([np.full(200, -2.0), np.full(200, 2.0)])
    areas = synth.small_areas(latent, rng)
    assert areas.imd_score[200:].mean() > areas.imd_score[:200].mean()
    assert areas.imd_rank[200:].mean() < areas.imd_rank[:200].mean()
    young = slice(0, 4)
    share = lambda rows: rows[:, young].sum() / rows.sum()  # noqa: E731
    total = areas.male + areas.female
    assert share(total[200:]) > share(total[:200])


def test_national_scale_deciles_have_equal_numbers():
    rng = np.random.default_rng(1)
    latent = synth.clustered_latent(100, np.full(100, 338), rng)[:33_755]
    areas = synth.small_areas(latent, rng)
    counts = np.bincount(areas.imd_decile)[1:]
    assert counts.max() - counts.min() <= 1
