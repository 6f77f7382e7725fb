"""Rows derived from the directory (cards, places, reach, search text and its index) follow
every change made through the directory's services, the importer and core's organisations."""

from datetime import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from opus.core import services as core_services
from opus.core.models import Postcode
from opus.directory import derived, importer, matching, search, services
from opus.directory.derived import radius
from opus.directory.models import LocationType, Service, TaxonomyTerm
from opus.testing import create_area, create_service

pytestmark = pytest.mark.django_db

TABLES = (derived.TABLE, derived.CARDS, derived.PLACES, derived.LISTING)
FEED = Path(__file__).parent / "data" / "oruk_feed"


def _rows() -> dict[str, list[tuple]]:
    found = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - constant names
            found[table] = sorted(cursor.fetchall(), key=repr)
    return found


def _assert_in_step() -> None:
    """What the services left behind is what deriving everything afresh gives."""
    kept = _rows()
    derived.rebuild_all()
    assert _rows() == kept


def _place(service, lat=53.90, **fields):
    return services.location_create(
        organisation=service.organisation,
        by=None,
        name="Hall",
        location_type=LocationType.PHYSICAL,
        latitude=lat,
        longitude=-1.60,
        **fields,
    )


def test_every_write_to_a_service_keeps_its_derived_rows_in_step():
    service = create_service(name="Walks", delivery=["in-person", "online"])
    _assert_in_step()
    place = _place(service, accessibility=["step-free"])
    services.service_set_locations(service=service, locations=[place], by=None)
    _assert_in_step()
    services.service_update(service=service, by=None, name="Walks and talks", minimum_age=16)
    _assert_in_step()
    walking = TaxonomyTerm.objects.get(code="walking-groups")
    services.service_set_terms(service=service, terms=[walking], by=None)
    _assert_in_step()
    services.service_set_languages(service=service, codes=["en", "ur"], by=None)
    _assert_in_step()
    services.service_set_cost(service=service, amount_pence=250, unit="session", option="", by=None)
    _assert_in_step()
    services.service_set_schedule(
        service=service, byday=["MO", "TH"], opens_at=time(10), closes_at=time(12), by=None
    )
    _assert_in_step()
    services.location_update(location=place, by=None, latitude=54.2, accessibility=[])
    _assert_in_step()
    services.service_update(service=service, by=None, status="inactive")
    _assert_in_step()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {derived.TABLE}")  # noqa: S608 - a constant
        assert cursor.fetchone()[0] == 0  # a closed service is never a candidate


def test_a_moved_place_moves_every_service_offered_there():
    first, second = create_service(name="One"), create_service(name="Two")
    place = _place(first)
    for service in (first, second):
        services.service_set_locations(service=service, locations=[place], by=None)
    Postcode.objects.create(postcode="ZY1 1AA", latitude=54.5, longitude=-1.60)
    question = matching.Question(needs=["befriending"], postcode="ZY1 1AA", remote_ok=False)
    assert matching.match(question)[1].matches == []
    services.location_update(location=place, by=None, latitude=54.5)
    assert {m.name for m in matching.match(question)[1].matches} == {"One", "Two"}
    _assert_in_step()


def test_an_import_keeps_the_derived_rows_in_step():
    create_area(code="E06900001", name="Fakeborough")
    outcome = importer.import_feed(FEED, partial=True)
    assert outcome.written and Service.objects.exists()
    _assert_in_step()


def test_a_renamed_provider_is_found_by_its_new_name():
    service = create_service(name="Tea and talk")
    assert str(service.pk) not in search.ranked_ids("Marmalade")
    core_services.organisation_update(
        organisation=service.organisation, by=None, name="Marmalade Trust"
    )
    service.refresh_from_db()
    assert "Marmalade Trust" in service.search_text
    assert str(service.pk) in search.ranked_ids("Marmalade")


def test_postgresql_keeps_its_text_vector_in_step_with_an_edit():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite keeps an FTS5 table, tested in test_search")
    service = create_service(name="Allotment club", description="Growing vegetables")
    services.service_update(service=service, by=None, description="Knitting circle")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT search_vector = to_tsvector('english', search_text), "
            "search_vector @@ to_tsquery('english', 'knit'), "
            "search_vector @@ to_tsquery('english', 'vegetable') "
            "FROM directory_service WHERE id = %s",
            [service.pk],
        )
        assert cursor.fetchone() == (True, True, False)


def _count(sql: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def test_a_radius_from_a_base_keeps_its_derived_rows_in_step():
    service = create_service(name="Visits", delivery=["at-home"])
    home = services.HomeRadius("ZY1 1AA", 53.9, -1.6, 5000)
    services.service_set_areas(service=service, areas=[], radius=home, by=None)
    _assert_in_step()
    squares = (
        f"SELECT count(*) FROM {derived.TABLE} "  # noqa: S608 - constants
        f"WHERE cell <= {radius.BASE} AND cell > {derived.NOWHERE}"
    )
    assert _count(squares) == len(radius.cells((53.9, -1.6), 5.0))
    services.service_set_areas(service=service, areas=[], by=None)
    _assert_in_step()
    assert _count(squares) == 0


@pytest.mark.django_db(transaction=True)
def test_a_migrate_makes_and_fills_a_missing_derived_table_and_a_flush_empties_them():
    import importlib

    from django.apps import apps

    # An earlier transactional test's flush empties the shipped taxonomy: put it back.
    importlib.import_module("opus.directory.migrations.0002_local_needs_taxonomy").load(apps, None)
    create_service(name="Walks")
    rows = f"SELECT count(*) FROM {derived.TABLE}"  # noqa: S608 - a constant
    assert _count(rows) > 0
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {derived.TABLE}")  # noqa: S608 - a constant
    call_command("migrate", verbosity=0)
    assert _count(rows) > 0
    _assert_in_step()
    call_command("flush", interactive=False, verbosity=0)
    for table in (derived.TABLE, derived.CARDS, derived.PLACES, derived.LISTING):
        assert _count(f"SELECT count(*) FROM {table}") == 0  # noqa: S608 - constants
