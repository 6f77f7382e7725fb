"""Batches of plain SQL run in order, answer each statement, and keep all-or-nothing."""

import pytest
from django.db import IntegrityError, connection, transaction

from opus.core.models import Organisation
from opus.core.sql import Batch
from opus.testing import create_organisation

pytestmark = pytest.mark.django_db


def _names() -> list[str]:
    return sorted(Organisation.objects.values_list("name", flat=True))


def test_a_batch_answers_each_statement_in_the_order_queued():
    create_organisation(name="Alpha Trust")
    batch = Batch()
    first = batch.add("SELECT name FROM core_organisation WHERE name = %s", ["Alpha Trust"])
    written = batch.add(
        "UPDATE core_organisation SET name = %s WHERE name = %s", ["Beta", "Alpha Trust"]
    )
    after = batch.add("SELECT COUNT(*) FROM core_organisation WHERE name = %s", ["Beta"])
    with transaction.atomic():
        results = batch.run()
    assert results[first] == [("Alpha Trust",)]
    assert results[written] == []
    assert results[after] == [(1,)]  # the read ran after the write before it


def test_writes_run_as_one_all_land():
    a = create_organisation(name="Alpha Trust")
    b = create_organisation(name="Beta Mutual")
    batch = Batch()
    batch.add("UPDATE core_organisation SET name = %s WHERE id = %s", ["Alpha CIC", a.pk])
    batch.add("UPDATE core_organisation SET name = %s WHERE id = %s", ["Beta CIC", b.pk])
    with transaction.atomic():
        batch.run_as_one()
    assert _names() == ["Alpha CIC", "Beta CIC"]


@pytest.mark.parametrize("together", [False, True])
def test_a_failing_statement_fails_the_batch_as_django_error_and_changes_nothing(together):
    a = create_organisation(name="Alpha Trust")
    b = create_organisation(name="Beta Mutual")
    batch = Batch()
    batch.add("UPDATE core_organisation SET name = %s WHERE id = %s", ["Gamma", a.pk])
    batch.add(
        "UPDATE core_organisation SET slug = (SELECT slug FROM core_organisation WHERE id = %s)"
        " WHERE id = %s",
        [a.pk, b.pk],
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        batch.run_as_one() if together else batch.run()
    assert _names() == ["Alpha Trust", "Beta Mutual"]
    assert connection.is_usable()


def _prepared(text: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM pg_prepared_statements WHERE statement = %s", [text])
        return int(cursor.fetchone()[0])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
@pytest.mark.parametrize("setting", [True, False])
def test_hot_statements_are_prepared_on_postgresql_unless_turned_off(settings, setting):
    settings.OPUS_PREPARED_STATEMENTS = setting
    text = f"SELECT COUNT(*) FROM core_organisation WHERE name <> $1 AND {int(setting)} = 1"  # noqa: S608
    for _ in range(2):
        batch = Batch()
        batch.add(text.replace("$1", "%s"), ["nobody"])
        with transaction.atomic():
            batch.run()
    assert _prepared(text) == (1 if setting else 0)
