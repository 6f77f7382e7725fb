# The round a moratorium's grant offer led to; photos of a funded PB project's delivery.
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("neighbourhoods", "0005_casework")]  # fmt: skip

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
    ]
