"""Once made matching's derived tables; they now belong to directory/derived/, which makes
and fills them after every migrate (its post_migrate handler), so this does nothing."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0005_location_grid_cell"),
    ]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
