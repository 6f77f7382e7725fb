"""Ledger transactions and entries are append-only: a correction is a new transaction.

As for the audit log, PostgreSQL refuses UPDATE and DELETE; SQLite refuses UPDATE (Django's
test runner empties SQLite tables with DELETE). `ledger_verify` catches a deleted entry.
"""

from django.db import migrations

TABLES = ("budgets_transaction", "budgets_entry")
POSTGRES_UP = [
    """
CREATE OR REPLACE FUNCTION budgets_ledger_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = 'the ledger is append-only: ' || TG_OP || ' refused';
END;
$$ LANGUAGE plpgsql""",
    *[
        f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION budgets_ledger_refuse_change()"""
        for table in TABLES
    ],
]
POSTGRES_DOWN = [
    *[f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}" for table in TABLES],
    "DROP FUNCTION IF EXISTS budgets_ledger_refuse_change()",
]
SQLITE_UP = [
    f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
    BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: UPDATE refused'); END;"""
    for table in TABLES
]
SQLITE_DOWN = [f"DROP TRIGGER IF EXISTS {table}_no_update;" for table in TABLES]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("budgets", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP}),
            _run({"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN}),
        )
    ]
