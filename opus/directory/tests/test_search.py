"""Full-text search: stemming, synonyms and ranking, on SQLite (FTS5) and PostgreSQL (GIN)."""

import pytest
from django.db import connection

from opus.directory import search
from opus.directory.models import TaxonomyTerm
from opus.testing import create_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def services(db):
    walking = TaxonomyTerm.objects.get(code="walking-groups")
    return {
        "walk": create_service(
            name="Walking for health", description="Gentle walks each week", terms=[walking]
        ),
        "friends": create_service(name="Friendly visits", description="A volunteer visits you"),
        "shop": create_service(name="Errand runners", description="We fetch groceries and errands"),
    }


def test_words_are_stemmed(services):
    found = search.ranked_ids("walked")
    assert str(services["walk"].pk) in found and str(services["friends"].pk) not in found


def test_peoples_words_are_widened_with_synonyms(services):
    assert str(services["friends"].pk) in search.ranked_ids("lonely")  # befriending term
    assert str(services["shop"].pk) in search.ranked_ids("shopping")  # errands, groceries


def test_ranks_are_scaled_with_the_best_at_one(services):
    ranks = search.ranked_ids("walking health")
    assert max(ranks.values()) == pytest.approx(1.0)
    assert all(0 < r <= 1 for r in ranks.values())


def test_nothing_to_search_finds_nothing(services):
    assert search.ranked_ids("") == {} and search.ranked_ids("!!") == {}
    assert search.ranked_ids("zzzzqqq") == {}


def test_an_edited_service_is_found_by_its_new_words(services):
    from opus.directory.services import service_update

    service_update(service=services["shop"], by=None, description="Collecting prescriptions")
    assert str(services["shop"].pk) in search.ranked_ids("prescription")
    assert str(services["shop"].pk) not in search.ranked_ids("groceries")


def test_the_open_referral_search_uses_the_index(client, services):
    names = [
        s["name"] for s in client.get("/api/oruk/services", {"search": "walks"}).json()["contents"]
    ]
    assert names == ["Walking for health"]


def test_the_directory_page_orders_by_relevance(client, services):
    page = client.get("/directory/", {"q": "walking"}).content.decode()
    assert "Walking for health</a>" in page and "Friendly visits</a>" not in page


def test_sqlite_repairs_its_index_after_a_table_rebuild(services):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's index is a plain GIN index: nothing to repair")
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER directory_service_fts_update")
    assert search.ensure_sqlite_index() is True
    assert search.ensure_sqlite_index() is False
    assert str(services["walk"].pk) in search.ranked_ids("walking")


def test_the_index_can_be_rebuilt_from_the_services(services, capsys):
    from django.core.management import call_command

    from opus.core.models import AuditEvent

    call_command("rebuild_search_index")
    assert "index rebuilt" in capsys.readouterr().out
    assert str(services["walk"].pk) in search.ranked_ids("walking")
    assert AuditEvent.objects.filter(action="directory.search_rebuild").exists()


def test_a_search_among_some_services_looks_only_at_them(services):
    walk, friends = services["walk"], services["friends"]
    assert search.ranked_ids("walking", among=[friends.pk]) == {}
    assert list(search.ranked_ids("walking", among=[walk.pk, friends.pk])) == [str(walk.pk)]
    assert search.ranked_ids("walking", among=[]) == {}


def test_the_database_files_every_place_in_its_grid_square(services):
    from opus.directory.models import Location
    from opus.engines.matching import grid_cells

    org = services["walk"].organisation
    Location.objects.bulk_create(
        [Location(organisation=org, name="Hall", latitude=53.95, longitude=-1.55)]
    )
    place = Location.objects.get(name="Hall")
    assert place.cell == 1439 * 10_000 + 1784
    assert place.cell in grid_cells((53.95, -1.55), 1)
