"""A person's rights over their data: everything held about them, and erasure by pseudonym.

Export finds every Opus record that points at the person (any foreign key to their account, in
any app, so a new app's records are included without a list to keep up) and writes one JSON file
per record type with a readable summary, in a ZIP. Secrets are left out (password and token
hashes, keys, sealed documents).

Erasure replaces what identifies the person (name, e-mail address, mobile number, the addresses
their notices went to and the notices' text) with a pseudonym and switches the account off. The
records themselves stay, pointing at the pseudonymous account: the ledger's entries and the audit
log's hash chains never name a person, so both still verify, and published records (feedback,
consultation responses, votes) keep their figures. Which records are kept, and why, is the
retention schedule's (`opus/core/retention.py`): its legal holds are shown before an erasure.
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from opus.core import access
from opus.core.audit import audit_record
from opus.core.models import ApiToken, Membership, Role, User
from opus.core.retention import ACCOUNT_YEARS, SCHEDULE

SECRET_PARTS = ("password", "hash", "secret", "key", "token", "sealed", "ciphertext")
ERASED_DOMAIN = "erased.invalid"
HOLD_OF = {  # app label or app.model → the retention entry that keeps such records
    "budgets": "budgets",
    "choice": "care",
    "neighbourhoods.case": "care",
    "voice.complaint": "complaints",
    "voice.feedback": "voice",
    "voice.response": "voice",
    "neighbourhoods.ballot": "voice",
}


class PersonalDataError(Exception):
    """A request about personal data that cannot be met; the message says why."""


def _links_to_people(model: type[models.Model]) -> list[str]:
    return [
        field.name
        for field in model._meta.get_fields()
        if field.concrete and getattr(field, "related_model", None) is User
    ]


def records_of(person: User) -> Iterator[tuple[type[models.Model], models.QuerySet[Any]]]:
    """Every Opus record type with rows pointing at the person, and those rows."""
    for model in apps.get_models():
        if not model.__module__.startswith("opus.") or model is User:
            continue
        links = _links_to_people(model)
        if not links:
            continue
        match = Q()
        for name in links:
            match |= Q(**{name: person})
        rows = model._default_manager.filter(match).order_by("pk")
        if rows.exists():
            yield model, rows


def _public(row: dict[str, Any]) -> dict[str, Any]:
    fields = {
        name: value
        for name, value in row["fields"].items()
        if not any(part in name.lower() for part in SECRET_PARTS)
        and not isinstance(value, bytes | memoryview)
    }
    return {"id": row["pk"], **fields}


def _serialised(rows: Any) -> list[dict[str, Any]]:
    return [_public(row) for row in serializers.serialize("python", rows)]


Found = list[tuple[type[models.Model], models.QuerySet[Any]]]


def summary(person: User, found: Found | None = None) -> list[tuple[str, int]]:
    """(record type in words, how many) for everything held about the person."""
    found = list(records_of(person)) if found is None else found
    return sorted((str(model._meta.verbose_name_plural), rows.count()) for model, rows in found)


def export_zip(person: User) -> bytes:
    """The ZIP a person downloads: account.json, one JSON file a record type, summary.txt."""
    buffer = io.BytesIO()
    now = timezone.now()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        account = _serialised([person])[0]
        archive.writestr("account.json", json.dumps(account, cls=DjangoJSONEncoder, indent=2))
        lines = [
            f"Everything Opus holds about {person.full_name} <{person.email}>",
            f"Made on {timezone.localtime(now):%d %B %Y at %H:%M}.",
            "",
            "account.json: your account",
        ]
        for model, rows in records_of(person):
            name = model._meta.label_lower.replace(".", "-") + ".json"
            data = _serialised(rows)
            archive.writestr(name, json.dumps(data, cls=DjangoJSONEncoder, indent=2))
            lines.append(f"{name}: {len(data)} {model._meta.verbose_name_plural}")
        lines += ["", "How long each kind of record is kept, and why:"]
        lines += [f"- {entry.what}: {entry.how_long} ({entry.why})" for entry in SCHEDULE]
        archive.writestr("summary.txt", "\n".join(lines) + "\n")
    return buffer.getvalue()


def holds(person: User, found: Found | None = None) -> list[str]:
    """The retention entries (keys) under which some of the person's records must be kept."""
    kept = {"audit"}
    for model, _rows in list(records_of(person)) if found is None else found:
        meta = model._meta
        key = HOLD_OF.get(meta.label_lower) or HOLD_OF.get(meta.app_label)
        if key:
            kept.add(key)
    return [entry.key for entry in SCHEDULE if entry.key in kept]


def is_erased(person: User) -> bool:
    return person.email.endswith("@" + ERASED_DOMAIN)


def _scrub_notices(person: User) -> None:
    from opus.notifications.models import Notification, Preference

    Notification.objects.filter(recipient=person).update(
        address="", subject="[erased]", body="[erased]", last_error=""
    )
    Preference.objects.filter(user=person).update(mobile="")


@transaction.atomic
def erase(person: User, *, by: User | None, reason: str) -> str:
    """Pseudonymise the person; returns the pseudonym. Audited; never names them in the log."""
    access.require_admin(by)
    if not reason.strip():
        raise PersonalDataError("Give the reason for the erasure (a request, or retention)")
    if is_erased(person):
        raise PersonalDataError("This account has been erased already")
    if by is not None and by.pk == person.pk:
        raise PersonalDataError("Ask another administrator to erase your own account")
    if Membership.objects.filter(user=person, role=Role.ADMIN).exists():
        raise PersonalDataError("Take the administrator role away before erasing this account")
    kept = holds(person)
    pseudonym = f"Erased person {person.pk}"
    person.full_name = pseudonym
    person.email = f"erased-{uuid.uuid4().hex}@{ERASED_DOMAIN}"
    person.is_active = False
    person.email_verified_at = None
    person.set_unusable_password()
    person.save()
    _scrub_notices(person)
    ApiToken.objects.filter(user=person).delete()
    audit_record(
        actor=by,
        action="personal_data.erase",
        target=person,
        summary={"reason": reason.strip()[:200], "kept_under_pseudonym": kept},
    )
    return pseudonym


def due_for_retention(now: datetime | None = None) -> models.QuerySet[User]:
    """Residents' accounts unused for the schedule's years (staff accounts are ended by people)."""
    cutoff = (now or timezone.now()) - timedelta(days=365 * ACCOUNT_YEARS)
    staff = Membership.objects.exclude(role=Role.RESIDENT).values("user")
    unused = Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff)
    return (
        User.objects.filter(unused, is_active=True)
        .exclude(pk__in=staff)
        .exclude(email__endswith="@" + ERASED_DOMAIN)
    )


def apply_retention(now: datetime | None = None) -> int:
    """Erase every account whose time is up; one audit event each. Returns how many."""
    erased = 0
    for person in due_for_retention(now).iterator():
        erase(person, by=None, reason=f"retention: no sign-in for {ACCOUNT_YEARS} years")
        erased += 1
    return erased
