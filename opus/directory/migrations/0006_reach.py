"""The reach table matching reads (opus/directory/reach.py), filled from the directory."""

from django.db import migrations


def create(apps, schema_editor):
    from opus.directory import reach

    reach.create(schema_editor, listing=False)  # the listing comes in 0008
    reach.rebuild(schema_editor.connection, listing=False)


def drop(apps, schema_editor):
    from opus.directory import reach

    reach.drop(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0005_location_grid_cell"),
    ]

    operations = [migrations.RunPython(create, drop)]
