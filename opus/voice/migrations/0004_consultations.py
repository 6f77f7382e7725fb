# Placeholder filled by the part that owns it (the chain is fixed so parts can be built side by side).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("voice", "0003_feedback")]  # fmt: skip

    operations: list[migrations.operations.base.Operation] = []
