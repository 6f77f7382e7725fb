"""The named cast for tests, one per role, and plain create_<thing>(**overrides) builders.

Rosa is a resident, Charlie a Choice Champion, Priya works for a provider,
Cora is a commissioner, Colin a neighbourhood councillor, Aude an auditor,
Ada the administrator; Sam is a stranger with an account and no role, who
should see nothing private.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from opus.core import services
from opus.core.models import (
    Area,
    AreaKind,
    Organisation,
    OrganisationKind,
    Role,
    User,
)

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


def create_user(**overrides: Any) -> User:
    n = next(_counter)
    fields: dict[str, Any] = {"email": f"person{n}@example.test", "full_name": f"Person {n}"}
    fields.update(overrides)
    return services.user_create(password=fields.pop("password", PASSWORD), by=None, **fields)


def create_organisation(**overrides: Any) -> Organisation:
    n = next(_counter)
    fields: dict[str, Any] = {"name": f"Organisation {n}", "kind": OrganisationKind.CHARITY}
    fields.update(overrides)
    return services.organisation_create(by=None, **fields)


def create_area(**overrides: Any) -> Area:
    n = next(_counter)
    fields: dict[str, Any] = {
        "code": f"E01{900000 + n:06d}",
        "name": f"Area {n}",
        "kind": AreaKind.LSOA,
        "population": 1500,
        "population_male": [40] * 19,
        "population_female": [39] * 19,
        "imd_decile": 5,
    }
    fields.update(overrides)
    return Area.objects.create(**fields)


def create_member(role: str, organisation: Organisation | None = None, **overrides: Any) -> User:
    user = create_user(**overrides)
    organisation = organisation or create_organisation()
    services.membership_grant(user=user, organisation=organisation, role=role, by=None)
    return user


@dataclass
class Cast:
    resident: User
    champion: User
    provider: User
    commissioner: User
    councillor: User
    auditor: User
    admin: User
    stranger: User
    council: Organisation
    charity: Organisation
    parish: Organisation

    def by_role(self) -> dict[str, User]:
        return {role.value: getattr(self, role.value) for role in Role}


def create_cast() -> Cast:
    council = create_organisation(name="Testshire Council", kind=OrganisationKind.LOCAL_AUTHORITY)
    charity = create_organisation(name="Good Neighbours", kind=OrganisationKind.CHARITY)
    parish = create_organisation(name="Vale Parish", kind=OrganisationKind.NEIGHBOURHOOD_COUNCIL)
    watchdog = create_organisation(name="Audit Office", kind=OrganisationKind.OTHER_PUBLIC)
    return Cast(
        resident=create_member(Role.RESIDENT, council, email="rosa@example.test", full_name="Rosa"),
        champion=create_member(
            Role.CHAMPION, charity, email="charlie@example.test", full_name="Charlie"
        ),
        provider=create_member(
            Role.PROVIDER, charity, email="priya@example.test", full_name="Priya"
        ),
        commissioner=create_member(
            Role.COMMISSIONER, council, email="cora@example.test", full_name="Cora"
        ),
        councillor=create_member(
            Role.COUNCILLOR, parish, email="colin@example.test", full_name="Colin"
        ),
        auditor=create_member(Role.AUDITOR, watchdog, email="aude@example.test", full_name="Aude"),
        admin=create_member(Role.ADMIN, council, email="ada@example.test", full_name="Ada"),
        stranger=create_user(email="sam@example.test", full_name="Sam"),
        council=council,
        charity=charity,
        parish=parish,
    )


def allow_audit_tampering() -> None:
    """Let a test rewrite or delete audit, chain-head and ledger rows, as someone with the
    database's keys could.

    PostgreSQL: replica mode skips ordinary triggers for this transaction.
    SQLite: every trigger is dropped (the test's transaction restores them).
    """
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
            return
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP TRIGGER "{name}"')


def flush_past_append_only_triggers() -> None:
    """Let Django's test runner empty SQLite tables whose triggers refuse DELETE.

    It empties SQLite tables with DELETE (PostgreSQL's TRUNCATE fires no row triggers), so
    each flush drops the `*_no_delete` triggers, empties the tables and makes them again.
    """
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    DatabaseOperations = type(connection.ops)  # noqa: N806
    original = DatabaseOperations.execute_sql_flush
    if getattr(original, "steps_past_triggers", False):
        return

    def execute_sql_flush(self: Any, sql_list: list[str]) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
                " AND name LIKE '%no_delete'"
            )
            triggers = cursor.fetchall()
            for name, _ in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
        try:
            original(self, sql_list)
        finally:
            with self.connection.cursor() as cursor:
                for _, sql in triggers:
                    cursor.execute(sql)

    execute_sql_flush.steps_past_triggers = True  # type: ignore[attr-defined]
    DatabaseOperations.execute_sql_flush = execute_sql_flush  # type: ignore[method-assign]


def create_service(**overrides: Any) -> Any:
    """A directory service with one physical location, a cost and a term, for tests."""
    from opus.directory import services as directory
    from opus.directory.models import TaxonomyTerm

    n = next(_counter)
    organisation = overrides.pop("organisation", None) or create_organisation()
    terms = overrides.pop("terms", None) or list(TaxonomyTerm.objects.filter(code="befriending"))
    fields: dict[str, Any] = {
        "name": f"Service {n}",
        "description": f"A test service number {n}",
        "minimum_age": 18,
        "delivery": ["in-person"],
    }
    fields.update(overrides)
    service = directory.service_create(organisation=organisation, by=None, **fields)
    directory.service_set_terms(service=service, terms=terms, by=None)
    return service


def sign_in(page: Any, base_url: str, email: str, password: str) -> None:
    """Sign in through the real page in a Playwright browser page."""
    page.goto(f"{base_url}/sign-in/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def create_consent(**overrides: Any) -> Any:
    """A resident's consent for a Choice Champion: to act (choose) for 30 days unless told."""
    import datetime as dt

    from django.utils import timezone

    from opus.choice.services import consent_grant

    fields: dict[str, Any] = {
        "scope": "choose",
        "expires_at": timezone.now() + dt.timedelta(days=30),
    }
    fields.update(overrides)
    return consent_grant(**fields)


def create_indicator(**overrides: Any) -> Any:
    """A loneliness proportion indicator (needs `source_agency`), made by the system unless told."""
    from opus.needs import services as needs
    from opus.needs.models import Method, Polarity

    fields: dict[str, Any] = {
        "by": None,
        "slug": f"lonely-{next(_counter)}",
        "name": "Loneliness",
        "definition": "Adults often lonely",
        "numerator_label": "Lonely",
        "denominator_label": "Surveyed",
        "method": Method.PROPORTION,
        "multiplier": 100,
        "unit": "%",
        "polarity": Polarity.HIGH_IS_BAD,
        "period": "2025/26",
    }
    fields.update(overrides)
    return needs.indicator_create(**fields)
