"""PostgreSQL: the full-text vector kept in a stored generated column with a GIN index.

The database recomputes it whenever search_text changes, so searches read it instead of
running to_tsvector on every row. SQLite keeps its FTS5 table (migration 0003).
"""

from django.db import migrations

FORWARD = [
    "ALTER TABLE directory_service ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english', search_text)) STORED",
    "CREATE INDEX IF NOT EXISTS directory_service_search_vector ON directory_service "
    "USING gin (search_vector)",
    "DROP INDEX IF EXISTS directory_service_search_gin",
]
BACKWARD = [
    "CREATE INDEX IF NOT EXISTS directory_service_search_gin ON directory_service "
    "USING gin (to_tsvector('english', search_text))",
    "DROP INDEX IF EXISTS directory_service_search_vector",
    "ALTER TABLE directory_service DROP COLUMN IF EXISTS search_vector",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0006_reach"),
    ]

    operations = [migrations.RunPython(forward, backward)]
