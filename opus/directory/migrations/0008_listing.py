"""Once made ORUK's listing table; it now belongs to directory/derived/, which makes and
fills the derived tables after every migrate (its post_migrate handler), so this does nothing."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0007_search_vector"),
    ]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
