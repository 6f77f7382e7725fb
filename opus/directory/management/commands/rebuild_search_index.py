"""manage.py rebuild_search_index: recompute every service's search text and re-index it,
and derive again everything matching and ORUK's listing read (directory/derived/)."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from tqdm import tqdm

from opus.core.audit import audit_record
from opus.directory import derived
from opus.directory.derived import search_index
from opus.directory.models import Service

CHUNK = 2000


class Command(BaseCommand):
    help = (
        "Recompute each service's search text (name, description, needs, provider) and rebuild "
        "the full-text index, then derive again the cards, reach and listing rows matching and "
        "ORUK read. Run it after a SQLite VACUUM, or after loading the directory's tables in bulk."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        ids = list(Service.objects.values_list("pk", flat=True))
        with transaction.atomic():
            changed = 0
            shown = options["verbosity"] > 0 and len(ids) > CHUNK
            for start in tqdm(range(0, len(ids), CHUNK), disable=not shown, unit="chunk"):
                changed += search_index.refresh(ids[start : start + CHUNK])
            if connection.vendor == "sqlite":
                search_index.ensure_sqlite_index()
                search_index.rebuild_sqlite_index()
            rows = derived.rebuild_all()
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
