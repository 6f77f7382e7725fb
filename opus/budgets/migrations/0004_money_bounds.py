"""Bounded money inputs and unique invoice references (placeholder: filled by the money-boundaries work)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("budgets", "0003_ledger_audit_link")]

    operations: list[migrations.operations.base.Operation] = []
