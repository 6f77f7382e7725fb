"""Everything matching and ORUK's listing derive from the directory: one owner, one way in.

* `directory_card` (+ `directory_card_place`): a row per service with everything the
  matching engine needs, read by key (matching/facts.py);
* `directory_reach`: a row per active service × term × way a person can reach it (a place,
  an area it visits homes in, a square its home-visiting radius touches, or NOWHERE), for
  the range reads of matching/narrowing.py;
* `directory_listing`: a row per service and term in (term, name, id) order for ORUK's
  "services with this term and these words" (oruk/listing.py);
* each service's search text and SQLite's full-text index of it (search_index.py).

Every write that changes a service calls `services_changed(ids)` in its transaction (the
directory's services, the importer, needs mapping and a provider's rename); `rebuild_all()`
derives everything again and runs after every migrate and test flush (signals.py), so
migrations and tests need not know these tables exist. Shapes: tables.py; SQL: sql.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection

from opus.directory.derived import radius, search_index, tables
from opus.directory.derived.sql import (
    REACH_BRANCHES,
    card_sql,
    everything,
    listing_sql,
    place_sql,
    reach_sql,
)
from opus.directory.derived.tables import (
    CARD_COLUMNS,
    CARDS,
    COLUMNS,
    LISTING,
    LISTING_COLUMNS,
    NOWHERE,
    PLACE_COLUMNS,
    PLACES,
    RADIUS_CELLS,
    TABLE,
)

__all__ = [
    "CARDS", "LISTING", "NOWHERE", "PLACES", "TABLE", "rebuild_all", "services_at",
    "services_changed",
]  # fmt: skip
CHUNK = 500


def services_changed(service_ids: Iterable[Any], *, text: bool = True) -> None:
    """Bring everything derived from these services up to date (inactive ones: no reach).

    `text=False` when only lists that are not in the search text changed (prices, times,
    places, areas): the search text is then left as it is.
    """
    ids = list(dict.fromkeys(service_ids))
    if text:
        search_index.refresh(ids)
    keys = [_key(i) for i in ids]
    with connection.cursor() as cursor:
        for start in range(0, len(keys), CHUNK):
            _refresh(cursor, keys[start : start + CHUNK])


def _refresh(cursor: Any, part: list[Any]) -> None:
    vendor = connection.vendor
    marks = ", ".join(["%s"] * len(part))
    for table in (TABLE, CARDS, PLACES, LISTING, RADIUS_CELLS):
        cursor.execute(f"DELETE FROM {table} WHERE service_id IN ({marks})", part)  # noqa: S608
    cursor.execute(_insert(CARDS, CARD_COLUMNS, card_sql(vendor, f"s.id IN ({marks})")), part)
    places = place_sql(vendor, f"sal.service_id IN ({marks})")
    cursor.execute(_insert(PLACES, PLACE_COLUMNS, places), part)
    listing = listing_sql(vendor, f"s.id IN ({marks})")
    cursor.execute(_insert(LISTING, LISTING_COLUMNS[vendor], listing), part)
    _radius_cells(cursor, f"service_id IN ({marks})", part)
    reach = reach_sql(vendor, f"c.service_id IN ({marks})")
    cursor.execute(_insert(TABLE, COLUMNS, reach), part * REACH_BRANCHES)


def rebuild_all(db: Any = None) -> int:
    """Derive every row again, in key order (after a bulk load, a migrate or a flush).

    Creates the tables first if they are missing or their shape changed. The number of
    reach rows.
    """
    db = db or connection
    tables.ensure(db)
    search_index.ensure_sqlite_index(db)
    every = everything(db.vendor)
    with db.cursor() as cursor:
        for table in tables.ALL:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - a constant
        cards = f"SELECT * FROM ({card_sql(db.vendor, every)}) AS r ORDER BY 1"  # noqa: S608
        cursor.execute(_insert(CARDS, CARD_COLUMNS, cards))
        places = place_sql(db.vendor, every)
        cursor.execute(_insert(PLACES, PLACE_COLUMNS, f"{places} ORDER BY 1, 2"))
        rows = f"{listing_sql(db.vendor, every)} ORDER BY 1, 2, 3"
        cursor.execute(_insert(LISTING, LISTING_COLUMNS[db.vendor], rows))
        _radius_cells(cursor, every, [], db)
        cursor.execute(_insert(TABLE, COLUMNS, reach_sql(db.vendor, every), order=True))
        for table in tables.ALL:
            cursor.execute(f"ANALYZE {table}")
        cursor.execute(f"SELECT count(*) FROM {TABLE}")  # noqa: S608 - a constant
        return int(cursor.fetchone()[0])


def _radius_cells(cursor: Any, services: str, params: list[Any], db: Any = None) -> None:
    """The grid squares of the radius areas of these services (`services`: on service_id)."""
    cursor.execute(
        "SELECT service_id, id, latitude, longitude, radius_m FROM directory_servicearea "  # noqa: S608
        f"WHERE radius_m IS NOT NULL AND latitude IS NOT NULL AND {services}",
        params,
    )
    rows = [
        (sid, aid, cell)
        for sid, aid, lat, lon, metres in cursor.fetchall()
        for cell in radius.cells((float(lat), float(lon)), metres / 1000)
    ]
    marks = ", ".join(["%s"] * len(tables.RADIUS_COLUMNS))
    insert = f"INSERT INTO {RADIUS_CELLS} VALUES ({marks})"  # noqa: S608 - a constant
    for start in range(0, len(rows), 5000):
        cursor.executemany(insert, rows[start : start + 5000])


def _insert(table: str, columns: tuple[str, ...], select: str, *, order: bool = False) -> str:
    ordered = f"SELECT * FROM ({select}) AS r ORDER BY 1, 7, 2" if order else select  # noqa: S608
    return f"INSERT INTO {table} ({', '.join(columns)}) {ordered}"  # noqa: S608 - our SQL


def services_at(location_ids: Iterable[Any]) -> list[Any]:
    """The services offered at these places (whose rows change when a place does)."""
    from opus.directory.models import ServiceAtLocation

    wanted = list(location_ids)
    found: list[Any] = []
    for start in range(0, len(wanted), CHUNK):
        rows = ServiceAtLocation.objects.filter(location_id__in=wanted[start : start + CHUNK])
        found += rows.values_list("service_id", flat=True)
    return found


def _key(value: Any) -> Any:
    """A service id as the database keeps it (SQLite: 32 hex digits)."""
    from uuid import UUID

    found = value if isinstance(value, UUID) else UUID(str(value))
    return found.hex if connection.vendor == "sqlite" else found
