"""What matching and ORUK's term listing read, derived from the directory's own tables.

* `directory_card`: one row per service with everything the matching engine needs to judge
  it (terms and their families, eligibility, languages, lowest price, days), and
  `directory_card_place` its located places: reading a candidate in full is two key
  look-ups (facts.py).
* `directory_reach`: a row for every active service × each of its terms × each way a person
  can reach it: a place with coordinates (`cell` is its 0.1° grid square), a service area of
  a service delivered at home or online (`cell` is minus the area's id), or, for a service
  with neither, one row at NOWHERE. Each row repeats what is needed to bound and filter the
  service roughly (name, terms, eligibility, lowest price, vacancies, days, and this place's
  position and access), so that range reads on (term, remote, cell) find the services near
  a person without a join (narrowing.py).
* `directory_listing`: a row per service and term in (term, name, id) order, with what the
  full-text index needs to find its words, for ORUK's "services with this term and these
  words, by name" (listing.py).

All are derived by SQL: `refresh(ids)` after any change to those services (every write in
services.py, the importer and a provider's rename call it), `rebuild()` for everything
(after a bulk load; `manage.py rebuild_search_index` runs it). On SQLite they are WITHOUT
ROWID tables clustered on their keys; on PostgreSQL plain tables with btree indexes,
written in key order by `rebuild()`. Lists are kept as text between bars (`|carer|veteran|`)
so that both databases can test membership with a substring search.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection

TABLE = "directory_reach"
CARDS = "directory_card"
PLACES = "directory_card_place"
LISTING = "directory_listing"
NOWHERE = -(2**62)  # the cell of a service with neither a located place nor a service area
CHUNK = 500

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
COLUMNS = (
    "term_id", "cell", "service_id", "source_id", "latitude", "longitude", "remote", "name",
    "terms", "families", "minimum_age", "maximum_age", "circumstances", "residency_area_id",
    "languages", "access", "price", "vacancies", "days", "places",
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
REACH_TABLE = """CREATE TABLE IF NOT EXISTS {table} (
    term_id {uuid} NOT NULL, cell {big} NOT NULL, service_id {uuid} NOT NULL,
    source_id {uuid} NOT NULL, latitude {real} NULL, longitude {real} NULL,
    remote {bool} NOT NULL, name text NOT NULL, terms text NOT NULL, families text NOT NULL,
    minimum_age {int} NULL, maximum_age {int} NULL, circumstances text NOT NULL,
    residency_area_id {big} NULL, languages text NOT NULL, access text NOT NULL,
    price {int} NULL, vacancies {int} NULL, days text NOT NULL, places {int} NOT NULL{key}){end}"""
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


def create(schema_editor: Any, *, listing: bool = True) -> None:
    """The tables and their indexes (migrations run this; 0006 before the listing existed)."""
    vendor = schema_editor.connection.vendor
    types = TYPES[vendor]
    key = (
        ",\n    PRIMARY KEY (term_id, remote, cell, service_id, source_id)"
        if vendor == "sqlite"
        else ""
    )
    schema_editor.execute(CARD_TABLE.format(cards=CARDS, **types))
    schema_editor.execute(PLACE_TABLE.format(places=PLACES, **types))
    if listing:
        schema_editor.execute(LISTING_TABLE[vendor])
    schema_editor.execute(REACH_TABLE.format(table=TABLE, key=key, **types))
    for statement in INDEXES[vendor]:
        if listing or LISTING not in statement:
            schema_editor.execute(statement)


def drop(schema_editor: Any) -> None:
    schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")
    schema_editor.execute(f"DROP TABLE IF EXISTS {CARDS}")
    schema_editor.execute(f"DROP TABLE IF EXISTS {PLACES}")
    schema_editor.execute(f"DROP TABLE IF EXISTS {LISTING}")


def _sql(vendor: str) -> dict[str, str]:
    """The pieces of SQL that differ between the databases."""
    if vendor == "postgresql":
        return {
            "agg": "string_agg({}, '|')",
            "bars": "(SELECT string_agg(value, '|') FROM jsonb_array_elements_text({}))",
            "pairs": "coalesce((SELECT json_agg(json_build_array(code, name) ORDER BY code) "
            "FROM directory_language WHERE service_id = s.id)::text, '[]')",
            "true": "TRUE",
        }
    return {
        "agg": "group_concat({}, '|')",
        "bars": "(SELECT group_concat(value, '|') FROM json_each({}))",
        "pairs": "(SELECT json_group_array(json_array(code, name)) FROM (SELECT code, name "
        "FROM directory_language WHERE service_id = s.id ORDER BY code))",
        "true": "1",
    }


LOCATED = "l.latitude IS NOT NULL AND l.longitude IS NOT NULL"


def _bars(expression: str) -> str:
    """A list as '|a|b|' ('||' when empty), whatever the expression gives."""
    return f"'|' || coalesce({expression}, '') || '|'"


def card_sql(vendor: str, services: str) -> str:
    """SELECT of the cards of the services chosen by `services` (a condition on s)."""
    q = _sql(vendor)
    agg, bars = q["agg"].format, q["bars"].format
    lowest = "FROM directory_costoption WHERE service_id = s.id ORDER BY amount_pence, unit LIMIT 1"
    return f"""
      SELECT s.id, s.status = 'active', s.delivers_remotely, s.name,
        {_bars(bars("s.delivery"))}, s.minimum_age, s.maximum_age,
        {_bars(bars("s.circumstances"))}, s.residency_area_id, s.vacancies,
        (SELECT {_bars(agg("t.code"))} FROM directory_service_terms st
           JOIN directory_taxonomyterm t ON t.id = st.taxonomyterm_id
           WHERE st.service_id = s.id),
        (SELECT {_bars(agg("p.code"))} FROM directory_service_terms st
           JOIN directory_taxonomyterm t ON t.id = st.taxonomyterm_id
           JOIN directory_taxonomyterm p ON p.id = t.parent_id
           WHERE st.service_id = s.id),
        (SELECT {_bars(agg("code"))} FROM directory_language WHERE service_id = s.id),
        {q["pairs"]},
        (SELECT amount_pence {lowest}), (SELECT unit {lowest}),
        (SELECT {_bars(agg("replace(byday, ',', '|')"))} FROM directory_schedule
           WHERE service_id = s.id AND byday <> ''),
        (SELECT count(*) FROM directory_serviceatlocation sal
           JOIN directory_location l ON l.id = sal.location_id
           WHERE sal.service_id = s.id AND {LOCATED}),
        (SELECT count(*) FROM directory_servicearea sa
           WHERE sa.service_id = s.id AND sa.area_id IS NOT NULL)
      FROM directory_service s WHERE {services}"""  # noqa: S608 - our SQL, no values


def place_sql(vendor: str, services: str) -> str:
    """SELECT of the located places of the services chosen by `services` (on sal)."""
    bars = _sql(vendor)["bars"].format
    return f"""
      SELECT sal.service_id, l.id, l.latitude, l.longitude, {_bars(bars("l.accessibility"))}
      FROM directory_serviceatlocation sal JOIN directory_location l ON l.id = sal.location_id
      WHERE {LOCATED} AND {services}"""  # noqa: S608 - our SQL, no values


def listing_sql(vendor: str, services: str) -> str:
    """SELECT of the listing rows (a row per term) of the services chosen by `services` (on s):
    ORUK's "services with this term and these words, by name" reads them in order."""
    words = "s.rowid" if vendor == "sqlite" else "s.search_vector"
    return f"""
      SELECT st.taxonomyterm_id, s.name, s.id, {words}
      FROM directory_service s JOIN directory_service_terms st ON st.service_id = s.id
      WHERE {services}"""  # noqa: S608 - our SQL, no values


def reach_sql(vendor: str, services: str) -> str:
    """SELECT of the reach rows of the active services chosen by `services` (on c, a card)."""
    bars = _sql(vendor)["bars"].format
    shared = (
        "c.remote, c.name, c.terms, c.families, c.minimum_age, c.maximum_age, "
        "c.circumstances, c.residency_area_id, c.languages"
    )
    tail = "c.price, c.vacancies, c.days, c.places"
    cards = f"{CARDS} c JOIN directory_service_terms st ON st.service_id = c.service_id"
    return f"""
      SELECT st.taxonomyterm_id, l.cell, c.service_id, sal.id, l.latitude, l.longitude,
        {shared}, {_bars(bars("l.accessibility"))}, {tail}
      FROM {cards}
      JOIN directory_serviceatlocation sal ON sal.service_id = c.service_id
      JOIN directory_location l ON l.id = sal.location_id
      WHERE c.active AND {LOCATED} AND {services}
      UNION ALL
      SELECT st.taxonomyterm_id, -sa.area_id, c.service_id, sa.id, NULL, NULL, {shared}, '||',
        {tail}
      FROM {cards} JOIN directory_servicearea sa ON sa.service_id = c.service_id
      WHERE c.active AND c.remote AND sa.area_id IS NOT NULL AND {services}
      UNION ALL
      SELECT st.taxonomyterm_id, {NOWHERE}, c.service_id, c.service_id, NULL, NULL, {shared},
        '||', {tail}
      FROM {cards}
      WHERE c.active AND c.places = 0 AND NOT (c.remote AND c.areas > 0) AND {services}"""  # noqa: S608


def _insert(table: str, columns: tuple[str, ...], select: str, *, order: bool = False) -> str:
    ordered = f"SELECT * FROM ({select}) AS r ORDER BY 1, 7, 2" if order else select  # noqa: S608
    return f"INSERT INTO {table} ({', '.join(columns)}) {ordered}"  # noqa: S608 - our SQL


def refresh(service_ids: Iterable[Any]) -> None:
    """Re-derive the card and reach rows of these services (inactive ones have no reach)."""
    ids = [_key(i) for i in dict.fromkeys(service_ids)]
    vendor = connection.vendor
    with connection.cursor() as cursor:
        for start in range(0, len(ids), CHUNK):
            part = ids[start : start + CHUNK]
            marks = ", ".join(["%s"] * len(part))
            for table in (TABLE, CARDS, PLACES, LISTING):
                cursor.execute(f"DELETE FROM {table} WHERE service_id IN ({marks})", part)  # noqa: S608
            cards = card_sql(vendor, f"s.id IN ({marks})")
            cursor.execute(_insert(CARDS, CARD_COLUMNS, cards), part)
            places = place_sql(vendor, f"sal.service_id IN ({marks})")
            cursor.execute(_insert(PLACES, PLACE_COLUMNS, places), part)
            listing = listing_sql(vendor, f"s.id IN ({marks})")
            cursor.execute(_insert(LISTING, LISTING_COLUMNS[vendor], listing), part)
            reach = reach_sql(vendor, f"c.service_id IN ({marks})")
            cursor.execute(_insert(TABLE, COLUMNS, reach), part * 3)


def rebuild(using: Any = None, *, listing: bool = True) -> int:
    """Re-derive every row, in key order (after a bulk load). The number of reach rows."""
    db = using or connection
    everything = _sql(db.vendor)["true"]
    tables = (TABLE, CARDS, PLACES, LISTING) if listing else (TABLE, CARDS, PLACES)
    with db.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - a constant
        cards = f"SELECT * FROM ({card_sql(db.vendor, everything)}) AS r ORDER BY 1"  # noqa: S608
        cursor.execute(_insert(CARDS, CARD_COLUMNS, cards))
        places = place_sql(db.vendor, everything)
        cursor.execute(_insert(PLACES, PLACE_COLUMNS, f"{places} ORDER BY 1, 2"))
        if listing:
            rows = f"{listing_sql(db.vendor, everything)} ORDER BY 1, 2, 3"
            cursor.execute(_insert(LISTING, LISTING_COLUMNS[db.vendor], rows))
        cursor.execute(_insert(TABLE, COLUMNS, reach_sql(db.vendor, everything), order=True))
        for table in tables:
            cursor.execute(f"ANALYZE {table}")
        cursor.execute(f"SELECT count(*) FROM {TABLE}")  # noqa: S608 - a constant
        return int(cursor.fetchone()[0])


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
