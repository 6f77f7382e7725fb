"""PostgreSQL: one call finds where the next audit event goes.

`core_audit_slot(chain, lock key)` takes the chain's transaction-level advisory lock, draws the
event's number from the sequence, then reads the chain's last event. A VOLATILE function takes
a fresh snapshot for each statement in it, so that read sees every event committed before the
lock was granted, which a single plain statement could not promise. It saves the audit log's
writers a statement each time (see opus/core/audit.py: queue_slot). SQLite needs none of it.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION core_audit_slot(
    p_chain integer, p_lock_key integer,
    OUT number bigint, OUT next_position bigint, OUT previous_hash text
) LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    last_position bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(p_lock_key, p_chain);
    number := nextval('core_auditevent_sequence_seq');
    SELECT e.position, e.hash INTO last_position, previous_hash
      FROM core_auditevent e
     WHERE e.chain = p_chain AND e.position IS NOT NULL
     ORDER BY e.position DESC
     LIMIT 1;
    IF last_position IS NULL THEN
        next_position := 1;
        previous_hash := repeat('0', 64);
    ELSE
        next_position := last_position + 1;
    END IF;
END
$$"""
DROP = "DROP FUNCTION IF EXISTS core_audit_slot(integer, integer)"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("core", "0008_audit_positions")]

    operations = [migrations.RunPython(forwards, backwards)]
