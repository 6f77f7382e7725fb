"""manage.py bootstrap: a fresh installation's local authority and its first administrator."""

from __future__ import annotations

import getpass
import os
import sys
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from opus.core import services
from opus.core.models import Membership, OrganisationKind, Role, User

ENV_VARIABLE = "OPUS_NEW_PASSWORD"


def _one_line(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


class Command(BaseCommand):
    help = (
        "Create the local authority organisation and its first administrator, in one "
        "transaction with their audit events. The password comes from OPUS_NEW_PASSWORD, or is "
        "asked for twice when that is unset and the command runs in a terminal. Refuses when "
        "an administrator already exists."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--email", required=True, help="the administrator's e-mail address")
        parser.add_argument(
            "--organisation", required=True, metavar="NAME", help="the local authority's name"
        )
        parser.add_argument(
            "--full-name", default="", metavar="NAME", help="the administrator's full name"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip().lower()
        name = options["organisation"].strip()
        full_name = options["full_name"].strip() or email.split("@")[0]
        self._check_input(email, name)
        self._refuse_if_bootstrapped(email)
        password = self._password()
        try:
            validate_password(password, User(email=email, full_name=full_name))
        except ValidationError as error:
            raise CommandError(
                f"bootstrap: the password is not good enough: {_one_line(error)}"
            ) from None
        with transaction.atomic():
            self._refuse_if_bootstrapped(email)
            organisation = services.organisation_create(
                by=None, name=name, kind=OrganisationKind.LOCAL_AUTHORITY
            )
            user = services.user_create(
                email=email, full_name=full_name, password=password, by=None
            )
            services.membership_grant(
                user=user, organisation=organisation, role=Role.ADMIN, by=None
            )
        self.stdout.write(
            f"bootstrap: {user.email} is the administrator of {organisation.name}; "
            "sign in to invite the others."
        )

    def _check_input(self, email: str, name: str) -> None:
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(
                f"bootstrap: --email must be an e-mail address, like name@example.gov.uk, "
                f"not {email!r}"
            ) from None
        if not name or len(name) > 200:
            raise CommandError("bootstrap: --organisation must be a name of 1 to 200 characters")

    def _refuse_if_bootstrapped(self, email: str) -> None:
        admin = Membership.objects.filter(role=Role.ADMIN).select_related("user").first()
        if admin is not None:
            raise CommandError(
                f"bootstrap: an administrator already exists ({admin.user.email}); "
                "nothing was changed. Administrators invite everyone else."
            )
        if User.objects.filter(email=email).exists():
            raise CommandError(f"bootstrap: an account for {email} already exists")

    def _password(self) -> str:
        password = os.environ.get(ENV_VARIABLE)
        if password:
            return password
        if not sys.stdin.isatty():
            raise CommandError(
                f"bootstrap: set {ENV_VARIABLE}, or run the command in a terminal to be "
                "asked for the password"
            )
        password = getpass.getpass("Password for the administrator: ")
        if getpass.getpass("The same password again: ") != password:
            raise CommandError("bootstrap: the two passwords are not the same")
        if not password:
            raise CommandError("bootstrap: the password cannot be empty")
        return password
