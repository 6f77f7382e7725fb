"""The listing table ORUK's term-and-words pages read (opus/directory/listing.py).

Creates whatever of the derived tables is missing and derives them all again.
"""

from django.db import migrations


def create(apps, schema_editor):
    from opus.directory import reach

    reach.create(schema_editor)
    reach.rebuild(schema_editor.connection)


def drop(apps, schema_editor):
    schema_editor.execute("DROP TABLE IF EXISTS directory_listing")


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0007_search_vector"),
    ]

    operations = [migrations.RunPython(create, drop)]
