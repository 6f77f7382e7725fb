"""Count any Pabulib election (.pb) by greedy or the Method of Equal Shares, as JSON.

    manage.py pb_count FILE.pb --rule greedy|equal-shares [--completion add1|none]
        [--exhaustive-stop|--no-exhaustive-stop] [--seed TEXT] --format json

Only the ballots of the VOTES section are counted: the PROJECTS columns `votes`, `score` and
`selected` are never read. Utilities are costs for approval ballots and points for cumulative
ones (`vote_type` in META). Ties are broken by `pb.tie_order` with `--seed` (empty by default).
A bad file gets one line on stderr naming the line and the problem, and exit status 2.
"""

from __future__ import annotations

import argparse
import json
from fractions import Fraction
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opus.engines import pabulib, pb

MAX_BYTES = 512 * 1024 * 1024


def _fraction(value: Fraction | None) -> str | None:
    return None if value is None else str(value)


class Command(BaseCommand):
    help = (
        "Count a Pabulib (.pb) election by greedy or the Method of Equal Shares and print one "
        "JSON object with the winners, their cost and the variant."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the .pb file to count")
        parser.add_argument("--rule", required=True, choices=["greedy", "equal-shares"])
        parser.add_argument(
            "--completion",
            choices=["add1", "none"],
            default="add1",
            help="Equal Shares' completion: raise each voter's share by 1 until exhaustive "
            "(add1, the default) or none",
        )
        parser.add_argument(
            "--exhaustive-stop",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="with add1, stop at the first exhaustive outcome (default) or keep raising "
            "the share until the outcome would overspend",
        )
        parser.add_argument("--seed", default="", help="the published seed of the tie lot")
        parser.add_argument("--format", choices=["json"], default="json")

    def handle(self, *args: Any, **options: Any) -> None:
        election = self._read(Path(options["file"]))
        try:
            given = pabulib.count_input(election)
            variant = pb.Variant(
                rule=options["rule"],
                utility=given.utility,
                completion=options["completion"],
                exhaustive_stop=options["exhaustive_stop"],
                tie_order=pb.tie_order(given.projects, given.ballots, options["seed"]),
                add1_unit=given.scale,
            )
            outcome = pb.count(given.projects, given.ballots, given.budget, variant)
        except (pabulib.PabulibError, pb.CountError) as exc:
            raise CommandError(f"{options['file']}: {exc}", returncode=2) from exc
        self.stdout.write(json.dumps(self._report(outcome, given, options["seed"])))

    def _read(self, path: Path) -> pabulib.Election:
        try:
            if path.stat().st_size > MAX_BYTES:
                raise CommandError(f"{path}: larger than {MAX_BYTES} bytes", returncode=2)
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{path}: cannot be read ({exc})", returncode=2) from exc
        try:
            return pabulib.parse(text)
        except pabulib.PabulibError as exc:
            raise CommandError(f"{path}: {exc}", returncode=2) from exc

    def _report(self, outcome: pb.Outcome, given: pabulib.CountInput, seed: str) -> dict[str, Any]:
        variant = outcome.variant

        def amount(value: int) -> int | float:
            # Back in the file's unit: a whole number stays whole, "12.50" comes back as 12.5.
            return value // given.scale if value % given.scale == 0 else value / given.scale

        return {
            "winners": list(outcome.winners),
            "cost": amount(outcome.cost),
            "budget": amount(given.budget),
            "variant": {
                "rule": variant.rule,
                "utility": variant.utility,
                "completion": variant.completion,
                "exhaustive_stop": variant.exhaustive_stop,
                "tie_order": list(variant.tie_order),
                "seed": seed,
            },
            "projects": [
                {
                    "project_id": p.id,
                    "cost": amount(p.cost),
                    "votes": p.votes,
                    "points": p.points,
                    "funded": p.funded,
                    "effective_support": _fraction(p.effective_support),
                    "reason": p.reason,
                }
                for p in outcome.projects
            ],
        }
