"""manage.py demo_accounts: print the demo sign-in for each role."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from opus.core.demo import demo_accounts
from opus.core.models import Role


class Command(BaseCommand):
    help = "Print the e-mail address and password of the demo account for each role."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError(
                _("demo_accounts: refused under OPUS_ENV=production (no demo accounts there)")
            )
        accounts = demo_accounts()
        if not accounts:
            self.stdout.write("demo_accounts: no demo accounts here; run manage.py seed_demo")
            return
        self.stdout.write(
            f"\nOpus demo (synthetic data) — sign in at {settings.SITE_URL}/sign-in/\n"
        )
        for account in accounts:
            label = Role(account.role).label
            self.stdout.write(
                f"  {label:<26} {account.email:<32} password: {account.password}"
                f"   ({account.organisation})"
            )
        self.stdout.write("")
