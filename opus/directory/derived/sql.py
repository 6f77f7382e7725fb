"""The SELECTs that derive each table's rows from the directory's own tables.

Each takes a condition choosing the services (on the alias it names), so that the same
SQL refreshes a few services or rebuilds them all. Ours, with no values spliced in.
"""

from __future__ import annotations

from opus.directory.derived.tables import CARDS, NOWHERE, RADIUS_CELLS

LOCATED = "l.latitude IS NOT NULL AND l.longitude IS NOT NULL"


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


def everything(vendor: str) -> str:
    """A condition true of every service."""
    return _sql(vendor)["true"]


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
           WHERE sa.service_id = s.id AND (sa.area_id IS NOT NULL OR sa.radius_m IS NOT NULL))
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


REACH_BRANCHES = 4  # how many times reach_sql repeats the condition
NO_RADIUS = "CAST(NULL AS double precision)"  # typed: PostgreSQL's UNION needs to know


def reach_sql(vendor: str, services: str) -> str:
    """SELECT of the reach rows of the active services chosen by `services` (on c, a card):
    a row per term and located place, area visited, radius cell (radius.py), or else one
    row at NOWHERE."""
    bars = _sql(vendor)["bars"].format
    shared = (
        "c.remote, c.name, c.terms, c.families, c.minimum_age, c.maximum_age, "
        "c.circumstances, c.residency_area_id, c.languages"
    )
    tail = "c.price, c.vacancies, c.days, c.places"
    cards = f"{CARDS} c JOIN directory_service_terms st ON st.service_id = c.service_id"
    areas = f"{cards} JOIN directory_servicearea sa ON sa.service_id = c.service_id"
    return f"""
      SELECT st.taxonomyterm_id, l.cell, c.service_id, sal.id, l.latitude, l.longitude,
        {shared}, {_bars(bars("l.accessibility"))}, {tail}, {NO_RADIUS}
      FROM {cards}
      JOIN directory_serviceatlocation sal ON sal.service_id = c.service_id
      JOIN directory_location l ON l.id = sal.location_id
      WHERE c.active AND {LOCATED} AND {services}
      UNION ALL
      SELECT st.taxonomyterm_id, -sa.area_id, c.service_id, sa.id, NULL, NULL, {shared}, '||',
        {tail}, {NO_RADIUS}
      FROM {areas}
      WHERE c.active AND c.remote AND sa.area_id IS NOT NULL AND {services}
      UNION ALL
      SELECT st.taxonomyterm_id, rc.cell, c.service_id, sa.id, sa.latitude, sa.longitude,
        {shared}, '||', {tail}, CAST(sa.radius_m AS double precision) / 1000
      FROM {areas} JOIN {RADIUS_CELLS} rc
        ON rc.service_id = sa.service_id AND rc.area_id = sa.id
      WHERE c.active AND c.remote AND {services}
      UNION ALL
      SELECT st.taxonomyterm_id, {NOWHERE}, c.service_id, c.service_id, NULL, NULL, {shared},
        '||', {tail}, {NO_RADIUS}
      FROM {cards}
      WHERE c.active AND c.places = 0 AND NOT (c.remote AND c.areas > 0) AND {services}"""  # noqa: S608
