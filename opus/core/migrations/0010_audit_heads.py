"""Audit chains' heads, anchored; and SQLite refuses DELETE on audit events too.

`core_auditchainhead` holds each chain's last position and hash, moved forward in the same
transaction as every append (opus/core/audit.py), so that removing a chain's newest events,
which leaves a chain that verifies on its own, no longer goes unnoticed: `audit_verify`
compares every chain's end with its head. The heads of the events already written are
filled in here. The database refuses to DELETE a head or to move one anywhere but forward.

SQLite now refuses DELETE on audit events as PostgreSQL does (0002). Django's test runner
empties SQLite tables with DELETE; the tests step around the `*_no_delete` triggers
(opus/testing.py: flush_past_append_only_triggers).
"""

from django.db import migrations, models

FILL_HEADS = """
INSERT INTO core_auditchainhead (chain, position, hash)
SELECT e.chain, e.position, e.hash FROM core_auditevent e
 WHERE e.position = (SELECT MAX(l.position) FROM core_auditevent l WHERE l.chain = e.chain)
"""

POSTGRES_UP = [
    """
CREATE OR REPLACE FUNCTION core_auditchainhead_forward_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION USING MESSAGE = 'audit chain heads are never deleted';
    END IF;
    IF NEW.chain <> OLD.chain OR NEW.position <= OLD.position THEN
        RAISE EXCEPTION USING MESSAGE = 'an audit chain head only moves forward';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql""",
    """CREATE TRIGGER core_auditchainhead_forward_only
    BEFORE UPDATE OR DELETE ON core_auditchainhead
    FOR EACH ROW EXECUTE FUNCTION core_auditchainhead_forward_only()""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS core_auditchainhead_forward_only ON core_auditchainhead",
    "DROP FUNCTION IF EXISTS core_auditchainhead_forward_only()",
]
SQLITE_UP = [
    """CREATE TRIGGER core_auditevent_no_delete BEFORE DELETE ON core_auditevent
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: DELETE refused'); END;""",
    """CREATE TRIGGER core_auditchainhead_no_delete BEFORE DELETE ON core_auditchainhead
       BEGIN SELECT RAISE(ABORT, 'audit chain heads are never deleted'); END;""",
    """CREATE TRIGGER core_auditchainhead_forward_only BEFORE UPDATE ON core_auditchainhead
       WHEN NEW.chain <> OLD.chain OR NEW.position <= OLD.position
       BEGIN SELECT RAISE(ABORT, 'an audit chain head only moves forward'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS core_auditevent_no_delete;",
    "DROP TRIGGER IF EXISTS core_auditchainhead_no_delete;",
    "DROP TRIGGER IF EXISTS core_auditchainhead_forward_only;",
]


def forwards(apps, schema_editor):
    schema_editor.execute(FILL_HEADS)
    for statement in {"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP}.get(
        schema_editor.connection.vendor, []
    ):
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    for statement in {"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN}.get(
        schema_editor.connection.vendor, []
    ):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("core", "0009_audit_slot_function")]

    operations = [
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                ("chain", models.PositiveSmallIntegerField(primary_key=True, serialize=False)),
                ("position", models.PositiveBigIntegerField()),
                ("hash", models.CharField(max_length=64)),
            ],
            options={"ordering": ["chain"]},
        ),
        migrations.RunPython(forwards, backwards),
    ]
