"""manage.py seed_demo: build the synthetic demo world."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from opus.core.demo import seed_demo
from opus.core.geography import analyse_areas
from opus.core.models import Area


class Command(BaseCommand):
    help = (
        "Build a deterministic synthetic world: --scale county (one unitary authority, 20 wards, "
        "300 LSOAs, 6 neighbourhoods, organisations of every kind and a sign-in for each role) "
        "or --scale national (33,755 LSOAs in 300 authorities, for benchmarks). "
        "All data are synthetic and marked so."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
        parser.add_argument("--scale", choices=["county", "national"], default="county")
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing if areas already exist"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            # The demo accounts' passwords are published: they must never exist in production.
            raise CommandError(
                _("seed_demo: refused under OPUS_ENV=production (the demo passwords are public)")
            )
        if Area.objects.exists():
            if options["if_empty"]:
                self.stdout.write("seed_demo: the database already has a world; left as it is")
                return
            raise CommandError("seed_demo: the database already has areas; use a fresh database")
        total = 33_755 if options["scale"] == "national" else 300
        with tqdm(
            total=total, unit="LSOA", desc="seed_demo", disable=options["verbosity"] == 0
        ) as bar:
            report = seed_demo(seed=options["seed"], scale=options["scale"], progress=bar.update)
        analyse_areas()
        self.stdout.write(
            f"seed_demo: built {report.areas} areas, {report.postcodes} postcodes, "
            f"{report.organisations} organisations and {report.users} accounts (synthetic)"
        )
