"""Which feed source created each record manage.py import_oruk wrote (directory.ImportedRecord).

Records that existed before have no source, so no import changes them.
"""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0008_listing"),
    ]

    operations = [
        migrations.CreateModel(
            name="ImportedRecord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("source", models.CharField(max_length=100)),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("service", "Service"),
                            ("organisation", "Organisation"),
                            ("location", "Location"),
                            ("taxonomy", "Taxonomy"),
                            ("term", "Taxonomy term"),
                        ],
                        max_length=20,
                    ),
                ),
                ("external_id", models.UUIDField()),
                ("first_imported_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("last_imported_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                "indexes": [models.Index(fields=["source", "kind"], name="imported_record_source")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("kind", "external_id"), name="directory_imported_record_unique"
                    )
                ],
            },
        ),
    ]
