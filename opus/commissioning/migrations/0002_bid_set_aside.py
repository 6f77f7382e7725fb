"""A bid the opening cannot open or read is set aside with the reason (issue 11, item 2)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("commissioning", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="bid",
            name="opening_note",
            field=models.CharField(
                blank=True, help_text="Why the opening set the bid aside", max_length=300
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
