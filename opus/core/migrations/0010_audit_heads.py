"""Audit chains' heads, anchored (placeholder: filled by the audit-integrity work)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("core", "0009_audit_slot_function")]

    operations: list[migrations.operations.base.Operation] = []
