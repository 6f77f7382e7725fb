"""Load a council's social value model or deflator table from CSV or JSON, with its licence."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opus.allocation.social_value import SocialValueError, table_load
from opus.core.models import Organisation, OrganisationKind


class Command(BaseCommand):
    help = (
        "Load a value model (theme, outcome, code, name, unit, wellby_per_unit, proxy_per_unit) "
        "or a deflator table (year, index) from a CSV or JSON file, all or nothing. Opus bundles "
        "no licensed values: say which licence the council holds the table under."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="CSV with a header row, or a JSON list")
        parser.add_argument("--licence", required=True, help="The licence the table is held under")
        parser.add_argument("--kind", choices=["metrics", "deflators"], default="metrics")
        parser.add_argument("--name", default="", help="Its name (default: the file's)")
        parser.add_argument("--source", default="", help="Where the values come from")
        parser.add_argument("--owner", default="", help="The council's slug (default: the first)")
        parser.add_argument("--synthetic", action="store_true", help="Made-up values, for demos")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: cannot be read ({exc.strerror})") from exc
        owner = self._owner(options["owner"])
        try:
            table = table_load(
                kind=options["kind"], owner=owner, name=options["name"] or path.stem,
                source=options["source"] or path.name, licence=options["licence"],
                content=content, synthetic=options["synthetic"], by=None,
            )  # fmt: skip
        except SocialValueError as exc:
            raise CommandError(f"{path.name}: {exc}") from exc
        self.stdout.write(f"Loaded {table} for {owner} under the licence {table.licence}")

    def _owner(self, slug: str) -> Organisation:
        councils = Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY)
        owner = councils.filter(slug=slug).first() if slug else councils.order_by("pk").first()
        if owner is None:
            raise CommandError(f"No council {slug!r}" if slug else "There is no council yet")
        return owner
