# The postcode-lottery monitor's snapshots (opus/allocation/models/monitor.py).
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("allocation", "0003_social_value"),
        ("needs", "0003_indicatordelegation"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]  # fmt: skip

    operations = [
        migrations.CreateModel(
            name="MonitorSnapshot",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("period", models.CharField(max_length=7)),
                ("as_of", models.DateField()),
                ("level", models.CharField(default="neighbourhood", max_length=16)),
                ("draws", models.PositiveIntegerField()),
                ("seed", models.PositiveIntegerField()),
                ("figures", models.JSONField(default=dict)),
                ("taken_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "assessment",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="needs.assessment",
                    ),
                ),
                (
                    "taken_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-period"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("period", "level"), name="monitor_snapshot_month"
                    )
                ],
            },
        ),
    ]
