"""A bid the opening cannot open or read is set aside with the reason (issue 11, item 2);
who withdrew a bid is kept for the opening to name (the log does not, before it)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("commissioning", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="bid",
            name="opening_note",
            field=models.CharField(
                blank=True, help_text="Why the opening set the bid aside", max_length=300
            ),
        ),
        migrations.AddField(
            model_name="bid",
            name="withdrawn_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="bid",
            name="opening_result",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "Not opened"),
                    ("verified", "Opened: matches its receipt"),
                    ("hash_mismatch", "Set aside: does not match its receipt"),
                    ("tampered", "Set aside: could not be decrypted"),
                    ("unreadable", "Set aside: its content cannot be read"),
                ],
                default="",
                max_length=16,
            ),
        ),
    ]
