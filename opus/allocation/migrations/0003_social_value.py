# Placeholder filled by the part that owns it (the chain is fixed so parts can be built side by side).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("allocation", "0002_runs")]  # fmt: skip

    operations: list[migrations.operations.base.Operation] = []
