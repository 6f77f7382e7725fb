"""Statistical disclosure control for published counts and rates.

Primary suppression hides small counts (0 < count < threshold, default 5) and rates on small
denominators. Secondary (complementary) suppression then hides further cells so that a hidden
cell cannot be worked out by subtraction from a published row or column total: wherever a line
(row or column) with a published total has exactly one hidden cell, the smallest non-zero
visible cell of that line is hidden too, and this repeats until no such line remains.

Zeros are published: they are not small counts of people. The totals themselves are published
as they are; a caller who also needs small totals hidden should suppress them separately. The
rule guards against recovery from a single line; it is the common first defence, not a full
audit against every combination of equations (a cell-suppression solver does that).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from opus.engines.statistics import FloatArray

PRIMARY = "primary"
SECONDARY = "secondary"
SMALL_DENOMINATOR = "small denominator"
DEFAULT_THRESHOLD = 5

Cell = tuple[int, int]


def _counts(values: ArrayLike, name: str, ndim: int) -> FloatArray:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be numbers") from error
    if array.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), not {array.ndim}")
    if (array < 0).any():
        raise ValueError(f"{name} must not be negative")
    return array


def _small(counts: FloatArray, threshold: float) -> NDArray[np.bool_]:
    if threshold <= 0:
        raise ValueError("threshold must be greater than zero")
    return (counts > 0) & (counts < threshold)


@dataclass(frozen=True, eq=False)
class SuppressedTable:
    """A table of counts with the cells to hide: ``mask`` is True where suppressed and
    ``reasons`` holds 'primary', 'secondary' or None per cell. Arrays are read-only."""

    counts: FloatArray
    mask: NDArray[np.bool_]
    reasons: tuple[tuple[str | None, ...], ...]
    threshold: float
    with_totals: bool

    def published(self) -> list[list[float | None]]:
        """The counts as rows, with None in every suppressed cell."""
        return [
            [
                None if hidden else float(value)
                for value, hidden in zip(row, hidden_row, strict=True)
            ]
            for row, hidden_row in zip(self.counts, self.mask, strict=True)
        ]

    @property
    def row_totals(self) -> list[float]:
        """Totals of the full rows (published when ``with_totals``)."""
        return [float(total) for total in self.counts.sum(axis=1)]

    @property
    def column_totals(self) -> list[float]:
        """Totals of the full columns (published when ``with_totals``)."""
        return [float(total) for total in self.counts.sum(axis=0)]


def suppress_table(
    counts: ArrayLike, *, threshold: float = DEFAULT_THRESHOLD, with_totals: bool = True
) -> SuppressedTable:
    """Primary and secondary suppression of a 2-D table of counts (a list of rows, or an array).

    Counts in (0, ``threshold``) are suppressed ('primary'). When row and column totals are
    published (``with_totals``), every row or column of two or more cells left with exactly one
    suppressed cell also loses its smallest visible non-zero cell ('secondary'; a zero only when
    nothing else is left), until none is left; ties go to a cell whose other line already has
    a suppressed cell. Without totals only primary suppression applies.
    """
    table = _counts(counts, "counts", 2)
    if np.isnan(table).any():
        raise ValueError("counts must not be missing (nan)")
    reasons = np.where(_small(table, threshold), PRIMARY, "").astype(object)
    if with_totals:
        while (cell := _next_secondary(table, reasons != "")) is not None:
            reasons[cell] = SECONDARY
    mask = reasons != ""
    table.setflags(write=False)
    mask.setflags(write=False)
    labels = tuple(tuple(reason or None for reason in row) for row in reasons.tolist())
    return SuppressedTable(table, mask, labels, threshold, with_totals)


def _exposed_lines(mask: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """(axis, index) of every line of 2+ cells with exactly one suppressed cell; axis 0 = row."""
    lines = []
    for axis in (0, 1):
        per_line = mask.sum(axis=1 - axis)
        if mask.shape[1 - axis] > 1:
            lines += [(axis, int(i)) for i in np.flatnonzero(per_line == 1)]
    return lines


def _next_secondary(table: FloatArray, mask: NDArray[np.bool_]) -> Cell | None:
    """The cell to hide next, or None when no line with a published total is exposed."""
    exposed = _exposed_lines(mask)
    if not exposed:
        return None
    axis, index = exposed[0]
    cells: list[Cell] = [
        (index, j) if axis == 0 else (j, index) for j in range(table.shape[1 - axis])
    ]
    visible = [cell for cell in cells if not mask[cell]]
    return min(visible, key=lambda cell: _preference(table, mask, cell, axis))


def _preference(
    table: FloatArray, mask: NDArray[np.bool_], cell: Cell, axis: int
) -> tuple[bool, float, int, Cell]:
    """Sort key: non-zero first, then smallest, then whose crossing line is already exposed
    (hiding it closes that line too), then already has suppressions, then position."""
    crossing = mask[:, cell[1]] if axis == 0 else mask[cell[0], :]
    already = int(crossing.sum())
    rank = 0 if already == 1 else 1 if already > 1 else 2
    return (table[cell] == 0, float(table[cell]), rank, cell)


@dataclass(frozen=True, eq=False)
class SuppressedEstimates:
    """Which estimates to hide: ``mask`` per row and ``reasons`` ('primary' for a small count,
    'small denominator', or None)."""

    mask: NDArray[np.bool_]
    reasons: tuple[str | None, ...]

    def apply(self, values: ArrayLike) -> list[float | None]:
        """The values (e.g. rates, or their limits) with None where suppressed."""
        data = np.asarray(values, dtype=np.float64).ravel()
        if data.shape != self.mask.shape:
            raise ValueError(f"there are {data.size} values for {self.mask.size} rows")
        return [None if hidden else float(v) for v, hidden in zip(data, self.mask, strict=True)]


def suppress_estimates(
    numerators: ArrayLike,
    denominators: ArrayLike,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    min_denominator: float | None = None,
) -> SuppressedEstimates:
    """Primary suppression of rows of estimates (a count, proportion or rate per row).

    A row is hidden when its numerator is in (0, ``threshold``) ('primary'), or when its
    denominator is below ``min_denominator`` ('small denominator'; no check when None). The
    row's value, limits and numerator should all be withheld: use ``apply`` on each column.
    Missing (nan) numerators or denominators are left to the caller (nothing to hide).
    """
    x = _counts(numerators, "numerators", 1)
    n = _counts(denominators, "denominators", 1)
    if x.shape != n.shape:
        raise ValueError(f"there are {x.size} numerators for {n.size} denominators")
    small_count = _small(x, threshold)
    small_base = n < min_denominator if min_denominator is not None else np.zeros_like(small_count)
    reasons = tuple(
        PRIMARY if count else SMALL_DENOMINATOR if base else None
        for count, base in zip(small_count.tolist(), small_base.tolist(), strict=True)
    )
    mask = small_count | small_base
    mask.setflags(write=False)
    return SuppressedEstimates(mask, reasons)
