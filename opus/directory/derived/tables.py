"""The derived tables' names, columns and shapes (DDL), on SQLite and PostgreSQL.

They are not Django models: they are built by SQL from the directory's own tables
(sql.py), so a migration never needs to know them. `ensure()` creates whatever is missing
and re-creates any whose columns no longer match these (post_migrate runs it; the rows are
derived, so dropping them loses nothing). On SQLite they are WITHOUT ROWID tables
clustered on their keys; on PostgreSQL plain tables with btree indexes, written in key
order by a rebuild. Lists are text between bars (`|carer|veteran|`) so that both databases
can test membership with a substring search.
"""

from __future__ import annotations

from typing import Any

TABLE = "directory_reach"
CARDS = "directory_card"
PLACES = "directory_card_place"
LISTING = "directory_listing"
RADIUS_CELLS = "directory_radius_cell"
NOWHERE = -(2**62)  # the cell of a service with neither a located place nor a service area

CARD_COLUMNS = (
    "service_id", "active", "remote", "name", "delivery", "minimum_age", "maximum_age",
    "circumstances", "residency_area_id", "vacancies", "terms", "families", "languages",
    "language_names", "price", "unit", "days", "places", "areas",
)  # fmt: skip
PLACE_COLUMNS = ("service_id", "location_id", "latitude", "longitude", "access")
LISTING_COLUMNS = {
    "sqlite": ("term_id", "name", "service_id", "fts_rowid"),
    "postgresql": ("term_id", "name", "service_id", "search_vector"),
}
RADIUS_COLUMNS = ("service_id", "area_id", "cell")
COLUMNS = (
    "term_id", "cell", "service_id", "source_id", "latitude", "longitude", "remote", "name",
    "terms", "families", "minimum_age", "maximum_age", "circumstances", "residency_area_id",
    "languages", "access", "price", "vacancies", "days", "places", "radius_km",
)  # fmt: skip

TYPES = {
    "sqlite": {"uuid": "char(32)", "int": "integer", "big": "integer", "real": "real",
               "bool": "integer", "end": " WITHOUT ROWID"},
    "postgresql": {"uuid": "uuid", "int": "integer", "big": "bigint",
                   "real": "double precision", "bool": "boolean", "end": ""},
}  # fmt: skip
CARD_TABLE = """CREATE TABLE IF NOT EXISTS {cards} (
    service_id {uuid} NOT NULL PRIMARY KEY, active {bool} NOT NULL, remote {bool} NOT NULL,
    name text NOT NULL, delivery text NOT NULL, minimum_age {int} NULL,
    maximum_age {int} NULL, circumstances text NOT NULL, residency_area_id {big} NULL,
    vacancies {int} NULL, terms text NOT NULL, families text NOT NULL, languages text NOT NULL,
    language_names text NOT NULL, price {int} NULL, unit text NULL, days text NOT NULL,
    places {int} NOT NULL, areas {int} NOT NULL){end}"""
PLACE_TABLE = """CREATE TABLE IF NOT EXISTS {places} (
    service_id {uuid} NOT NULL, location_id {uuid} NOT NULL, latitude {real} NOT NULL,
    longitude {real} NOT NULL, access text NOT NULL,
    PRIMARY KEY (service_id, location_id)){end}"""
RADIUS_TABLE = """CREATE TABLE IF NOT EXISTS {radius} (
    service_id {uuid} NOT NULL, area_id {uuid} NOT NULL, cell {big} NOT NULL,
    PRIMARY KEY (service_id, area_id, cell)){end}"""
REACH_TABLE = """CREATE TABLE IF NOT EXISTS {table} (
    term_id {uuid} NOT NULL, cell {big} NOT NULL, service_id {uuid} NOT NULL,
    source_id {uuid} NOT NULL, latitude {real} NULL, longitude {real} NULL,
    remote {bool} NOT NULL, name text NOT NULL, terms text NOT NULL, families text NOT NULL,
    minimum_age {int} NULL, maximum_age {int} NULL, circumstances text NOT NULL,
    residency_area_id {big} NULL, languages text NOT NULL, access text NOT NULL,
    price {int} NULL, vacancies {int} NULL, days text NOT NULL, places {int} NOT NULL,
    radius_km {real} NULL{key}){end}"""
LISTING_TABLE = {
    "sqlite": f"""CREATE TABLE IF NOT EXISTS {LISTING} (
    term_id char(32) NOT NULL, name text NOT NULL, service_id char(32) NOT NULL,
    fts_rowid integer NOT NULL, PRIMARY KEY (term_id, name, service_id)) WITHOUT ROWID""",
    "postgresql": f"""CREATE TABLE IF NOT EXISTS {LISTING} (
    term_id uuid NOT NULL, name text NOT NULL, service_id uuid NOT NULL,
    search_vector tsvector NOT NULL)""",
}
INDEXES = {
    "sqlite": [
        f"CREATE INDEX IF NOT EXISTS {TABLE}_service ON {TABLE} (service_id)",
        f"CREATE INDEX IF NOT EXISTS {LISTING}_service ON {LISTING} (service_id)",
    ],
    "postgresql": [
        f"CREATE INDEX IF NOT EXISTS {LISTING}_term ON {LISTING} (term_id, name, service_id)",
        f"CREATE INDEX IF NOT EXISTS {LISTING}_service ON {LISTING} (service_id)",
        f"CREATE INDEX IF NOT EXISTS {LISTING}_words ON {LISTING} USING gin (search_vector)",
        f"CREATE INDEX IF NOT EXISTS {TABLE}_term_cell ON {TABLE} (term_id, remote, cell)",
        f"CREATE INDEX IF NOT EXISTS {TABLE}_service ON {TABLE} (service_id)",
    ],
}
SHAPES = {
    TABLE: COLUMNS,
    CARDS: CARD_COLUMNS,
    PLACES: PLACE_COLUMNS,
    RADIUS_CELLS: RADIUS_COLUMNS,
}
ALL = (TABLE, CARDS, PLACES, LISTING, RADIUS_CELLS)


def _statements(vendor: str) -> list[str]:
    types = TYPES[vendor]
    key = (
        ",\n    PRIMARY KEY (term_id, remote, cell, service_id, source_id)"
        if vendor == "sqlite"
        else ""
    )
    return [
        CARD_TABLE.format(cards=CARDS, **types),
        PLACE_TABLE.format(places=PLACES, **types),
        RADIUS_TABLE.format(radius=RADIUS_CELLS, **types),
        LISTING_TABLE[vendor],
        REACH_TABLE.format(table=TABLE, key=key, **types),
        *INDEXES[vendor],
    ]


def _stale(connection: Any, existing: set[str]) -> list[str]:
    """The derived tables whose columns are not (or no longer) the ones above."""
    stale = []
    with connection.cursor() as cursor:
        for table in ALL:
            if table not in existing:
                continue
            found = tuple(
                c.name for c in connection.introspection.get_table_description(cursor, table)
            )
            wanted = SHAPES.get(table) or LISTING_COLUMNS[connection.vendor]
            if found != tuple(wanted):
                stale.append(table)
    return stale


def ensure(connection: Any) -> bool:
    """Create the missing tables, re-create changed ones. True when any was (re)created."""
    existing = set(connection.introspection.table_names())
    stale = _stale(connection, existing)
    with connection.cursor() as cursor:
        for table in stale:
            cursor.execute(f"DROP TABLE {table}")
        for statement in _statements(connection.vendor):
            cursor.execute(statement)
    return bool(stale) or not set(ALL) <= existing


def drop(connection: Any) -> None:
    with connection.cursor() as cursor:
        for table in ALL:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
