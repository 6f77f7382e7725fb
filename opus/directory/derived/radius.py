"""Where a service visiting homes within a radius of a base is looked for: grid squares.

A person is looked up by the square their home lies in, so each radius is written into
every square its near-miss circle (engine.NEAR_MISS_FACTOR × the radius) may touch: 0.1°
squares for small circles, 1° squares for large ones (a 100 km radius would otherwise
cover a thousand). Cells are encoded below every area's (−area id) and above NOWHERE, so
reach rows keep one integer key; the person's query asks for the two squares of home.
"""

from __future__ import annotations

from opus.engines import matching as engine

BASE = -(2**50)
LEVELS = (10, 1)  # grid squares per degree: fine, coarse
FINE_UP_TO_KM = 10.0  # circles (near misses included) this wide or less use the fine level
SPAN = 10**8  # more than any cell number (row × 10,000 + column)


def encode(level: int, cell: int) -> int:
    return BASE - (level * SPAN + cell)


def cells(base: tuple[float, float], radius_km: float) -> list[int]:
    """The encoded squares a radius's near-miss circle may touch."""
    reach = radius_km * engine.NEAR_MISS_FACTOR
    level = 0 if reach <= FINE_UP_TO_KM else 1
    return [encode(level, cell) for cell in engine.grid_cells(base, reach, LEVELS[level])]


def home_cells(home: tuple[float, float]) -> list[int]:
    """The encoded squares a home lies in, one per level."""
    return [
        encode(level, engine.grid_cells(home, 0.0, per_degree)[0])
        for level, per_degree in enumerate(LEVELS)
    ]


def is_radius_cell(cell: int) -> bool:
    return cell <= BASE
