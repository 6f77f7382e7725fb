"""Ledger transactions tied to their audit events; stored amounts bounded; SQLite refuses DELETE.

- `budgets_transaction.audit_hash` is the hash of the audit event written with the
  transaction (whose summary now carries the transaction's content digest): `ledger_verify`
  checks every transaction has its event and every ledger event its transaction. Transactions
  from before are linked here to the event that records them (action `ledger.<operation>`,
  object the transaction); one with no such event keeps an empty link, and ledger_verify
  names it.
- CHECK constraints keep every stored amount and running figure a whole number of pence
  within ±10^15 (on SQLite, which stores what it is given, that also refuses a fraction, text
  or a sum that overflowed into floating point).
- SQLite refuses DELETE on transactions and entries as PostgreSQL does (0002). Adding a
  column or a constraint makes Django rebuild an SQLite table, which drops its triggers, so
  they are (re)made last here: a later migration that rebuilds either table must make them
  again (`sqlite_triggers` below).
"""

from django.db import migrations, models
from django.db.models.functions import Cast

TABLES = ("budgets_transaction", "budgets_entry")
LIMIT = 10**15

LINK = """
UPDATE budgets_transaction SET audit_hash = COALESCE((
    SELECT e.hash FROM core_auditevent e
     WHERE e.object_type = 'budgets.transaction'
       AND e.object_id = CAST(budgets_transaction.id AS TEXT)
       AND e.action = 'ledger.' || budgets_transaction.operation
     ORDER BY e.sequence LIMIT 1), '')
 WHERE audit_hash = ''
"""


def sqlite_triggers() -> list[str]:
    """The SQLite triggers that keep the ledger append-only (drop and make again)."""
    statements = []
    for table in TABLES:
        for op in ("update", "delete"):
            statements += [
                f"DROP TRIGGER IF EXISTS {table}_no_{op}",
                f"""CREATE TRIGGER {table}_no_{op} BEFORE {op.upper()} ON {table}
                BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: {op.upper()} refused');
                END""",
            ]
    return statements


def link(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":  # the append-only trigger refuses UPDATE; step round it once
        schema_editor.execute(
            "ALTER TABLE budgets_transaction DISABLE TRIGGER budgets_transaction_append_only"
        )
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS budgets_transaction_no_update")
    schema_editor.execute(LINK)
    if vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE budgets_transaction ENABLE TRIGGER budgets_transaction_append_only"
        )


def make_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in sqlite_triggers():
            schema_editor.execute(statement)


def drop_sqlite_delete_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")


def _bounded(*fields):
    condition = models.Q()
    for field in fields:
        condition &= models.Q(
            **{
                f"{field}__gte": -LIMIT,
                f"{field}__lte": LIMIT,
                field: Cast(field, models.BigIntegerField()),
            }
        )
    return condition


class Migration(migrations.Migration):
    dependencies = [
        ("budgets", "0002_ledger_append_only"),
        ("core", "0010_audit_heads"),
    ]

    operations = [
        migrations.AddField(
            model_name="transaction",
            name="audit_hash",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.RunPython(link, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="budget",
            constraint=models.CheckConstraint(
                condition=_bounded(
                    "allocated_pence",
                    "available_pence",
                    "committed_pence",
                    "paid_pence",
                    "direct_pence",
                    "returned_pence",
                ),
                name="budget_figures_bounded",
            ),
        ),
        migrations.AddConstraint(
            model_name="commitment",
            constraint=models.CheckConstraint(
                condition=_bounded("total_pence", "outstanding_pence", "unpaid_pence"),
                name="commitment_figures_bounded",
            ),
        ),
        migrations.AddConstraint(
            model_name="entry",
            constraint=models.CheckConstraint(
                condition=_bounded("amount_pence"), name="entry_amount_bounded"
            ),
        ),
        migrations.AddConstraint(
            model_name="transaction",
            constraint=models.CheckConstraint(
                condition=_bounded("amount_pence"), name="transaction_amount_bounded"
            ),
        ),
        migrations.RunPython(make_sqlite_triggers, drop_sqlite_delete_triggers),
    ]
