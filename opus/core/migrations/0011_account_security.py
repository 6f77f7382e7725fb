"""API tokens' lifecycle and account security (placeholder: filled by the accounts work)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("core", "0010_audit_heads")]

    operations: list[migrations.operations.base.Operation] = []
