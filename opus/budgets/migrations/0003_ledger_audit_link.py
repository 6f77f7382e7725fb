"""Ledger transactions tied to their audit events (placeholder: filled by the ledger-integrity work)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("budgets", "0002_ledger_append_only")]

    operations: list[migrations.operations.base.Operation] = []
