"""Money per head by decile: sums placed in small areas count there; sums placed in larger
areas are shared by population."""

from opus.engines.per_head import SmallArea, per_head_by_decile

AREAS = [
    SmallArea(1, decile=1, population=100, parents=(10,)),
    SmallArea(2, decile=1, population=300, parents=(10,)),
    SmallArea(3, decile=5, population=100, parents=(20,)),
]


def _rows(sums):
    return {row.decile: row for row in per_head_by_decile(AREAS, sums)}


def test_a_sum_in_a_small_area_counts_in_its_decile():
    rows = _rows([(3, 5_000)])
    assert rows[5].pence == 5_000 and rows[5].pence_per_head == 50.0
    assert rows[1].pence == 0 and rows[2].population == 0 and rows[2].pence_per_head is None


def test_a_sum_in_a_larger_area_is_shared_by_population_and_nothing_is_lost():
    rows = _rows([(10, 1_000), (20, 300)])
    assert rows[1].pence == 1_000 and rows[1].pence_per_head == 2.5
    assert rows[5].pence == 300
    assert sum(row.pence for row in rows.values()) == 1_300


def test_an_empty_larger_area_is_shared_equally_and_an_unknown_place_left_out():
    empty = [SmallArea(1, 3, 0, (10,)), SmallArea(2, 4, 0, (10,))]
    rows = {r.decile: r for r in per_head_by_decile(empty, [(10, 100), (99, 7)])}
    assert rows[3].pence == 50 and rows[4].pence == 50
    assert sum(r.pence for r in rows.values()) == 100
