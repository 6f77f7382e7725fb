"""manage.py audit_verify: walk the audit log's hash chains and check each ends at its head."""

import csv
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from opus.core.audit import audit_verify, check_kept_heads


def kept_heads(path: Path) -> list[tuple[int, int, str]]:
    """(chain, position, hash) from a CSV or JSON of published heads (the audit log page's)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
        if path.suffix.lower() == ".json":
            return [
                (int(chain), int(head["position"]), str(head["hash"]))
                for publication in json.loads(text)
                for chain, head in publication["heads"].items()
            ]
        return [
            (int(row["chain"]), int(row["position"]), str(row["hash"]))
            for row in csv.DictReader(text.splitlines())
        ]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
        raise CommandError(f"audit_verify: cannot read kept heads from {path}: {error}") from None


class Command(BaseCommand):
    help = (
        "Recompute every audit event's hash from its content and the previous event's hash, "
        "and check every chain ends at its recorded head (so removing the newest events is "
        "found). With --against, also check the log still holds every head in a CSV or JSON "
        "of published heads kept outside Opus. Exits non-zero naming the first event that "
        "does not verify."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--against",
            type=Path,
            metavar="FILE",
            help="published heads kept outside Opus (audit-heads.csv or audit-heads.json)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        kept = kept_heads(options["against"]) if options["against"] else []
        count, broken = audit_verify()
        if broken is None and kept:
            broken = check_kept_heads(kept)
        if broken is not None:
            where = f"event {broken.sequence} fails: " if broken.sequence else ""
            raise CommandError(f"audit_verify: {where}{broken.reason}")
        against = f", and it holds all {len(kept)} kept heads" if kept else ""
        self.stdout.write(
            f"audit_verify: all {count} events verify and every chain ends at its head{against}"
        )
