"""manage.py rebuild_search_index: recompute every service's search text and re-index it,
and derive again the tables matching reads (cards and reach rows)."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from opus.core.audit import audit_record
from opus.directory import reach, search
from opus.directory.models import Service


class Command(BaseCommand):
    help = (
        "Recompute each service's search text (name, description, needs, provider) and rebuild "
        "the full-text index, then derive again the cards and reach rows matching reads. Run "
        "it after a SQLite VACUUM, or after loading the directory's tables in bulk."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            changed = search.refresh(Service.objects.values_list("pk", flat=True))
            if connection.vendor == "sqlite":
                search.ensure_sqlite_index()
                search.rebuild_sqlite_index()
            rows = reach.rebuild()
            audit_record(
                actor=None,
                action="directory.search_rebuild",
                object_type="system",
                summary={"changed": changed, "reach_rows": rows},
            )
        self.stdout.write(
            f"rebuild_search_index: {changed} services re-described; index rebuilt; "
            f"{rows} reach rows derived"
        )
