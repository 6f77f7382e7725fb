# The round a moratorium's grant offer led to; photos of a funded PB project's delivery.
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("neighbourhoods", "0005_casework"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="grantroundoffer",
            name="grant_round",
            field=models.OneToOneField(
                blank=True,
                help_text="The small-grant round the council opened from this offer, if it did.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="asset_offer",
                to="neighbourhoods.grantround",
            ),
        ),
        migrations.CreateModel(
            name="DeliveryPhoto",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("image", models.FileField(max_length=200, upload_to="pb/photos/")),
                ("content_type", models.CharField(max_length=20)),
                ("size", models.PositiveIntegerField()),
                ("alt_text", models.CharField(max_length=300)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "project",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="photos",
                        to="neighbourhoods.project",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"ordering": ["created_at", "id"]},
        ),
    ]
