"""Every audit event gets its place in its chain written down.

Events from before there were chains (all in chain 0) had no position: theirs was their
sequence. Finding a chain's last event then meant sorting the whole chain on every append,
which grows with the log; with every position filled in, it is one step down the
(chain, position) index. Position is not part of an event's hash, so no hash changes. The
append-only triggers are lifted for this one UPDATE and put back.
"""

from django.db import migrations

FILL = "UPDATE core_auditevent SET position = sequence WHERE position IS NULL"
POSTGRES_TRIGGER = "core_auditevent_append_only"
SQLITE_TRIGGER = """CREATE TRIGGER IF NOT EXISTS core_auditevent_no_update
    BEFORE UPDATE ON core_auditevent
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: UPDATE refused'); END;"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE core_auditevent DISABLE TRIGGER {POSTGRES_TRIGGER}")
        schema_editor.execute(FILL)
        schema_editor.execute(f"ALTER TABLE core_auditevent ENABLE TRIGGER {POSTGRES_TRIGGER}")
    else:
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditevent_no_update")
        schema_editor.execute(FILL)
        schema_editor.execute(SQLITE_TRIGGER)


class Migration(migrations.Migration):
    dependencies = [("core", "0007_audit_chains")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
