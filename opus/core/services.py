"""Every write in core: typed, keyword-only, one transaction with its audit event."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from opus.core import access
from opus.core.audit import audit_record, changes
from opus.core.models import ApiToken, Membership, Organisation, TokenRevocation, User

ORGANISATION_FIELDS = [
    "name", "kind", "description", "charity_number", "company_number", "org_id", "size_band",
    "address", "postcode", "latitude", "longitude", "website", "email",
]  # fmt: skip


def _snapshot(obj: Any, fields: list[str]) -> dict[str, Any]:
    return {field: getattr(obj, field) for field in fields}


def unique_slug(name: str, taken: Callable[[str], bool] | None = None) -> str:
    """An organisation's slug: its name slugified (200 characters at most), then -2, -3…
    until `taken` (by default: a query) says it is free. Bulk loads pass a set's membership."""
    is_taken = taken or (lambda slug: Organisation.objects.filter(slug=slug).exists())
    base = slugify(name)[:200] or "organisation"
    slug, n = base, 1
    while is_taken(slug):
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def user_create(
    *, email: str, full_name: str, password: str | None, by: User | None = None
) -> User:
    access.require_admin(by)
    user = User.objects.create_user(email=email, password=password, full_name=full_name)
    audit_record(actor=by, action="user.create", target=user, summary={"email": user.email})
    return user


@transaction.atomic
def organisation_create(*, by: User | None, **fields: Any) -> Organisation:
    access.require_admin(by)
    organisation = Organisation(slug=unique_slug(fields["name"]), **fields)
    organisation.full_clean()
    organisation.save(force_insert=True)
    audit_record(
        actor=by,
        action="organisation.create",
        target=organisation,
        summary={"after": _snapshot(organisation, ORGANISATION_FIELDS)},
    )
    return organisation


@transaction.atomic
def organisation_update(*, organisation: Organisation, by: User, **fields: Any) -> Organisation:
    access.require_organisation_editor(by, organisation)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    before = _snapshot(organisation, ORGANISATION_FIELDS)
    for name, value in fields.items():
        if name not in ORGANISATION_FIELDS:
            raise ValueError(f"{name} cannot be changed here")
        setattr(organisation, name, value)
    organisation.updated_at = timezone.now()
    organisation.full_clean()
    organisation.save(update_fields=[*fields, "updated_at"])
    diff = changes(before, _snapshot(organisation, ORGANISATION_FIELDS))
    audit_record(actor=by, action="organisation.update", target=organisation, summary=diff)
    return organisation


@transaction.atomic
def membership_grant(
    *, user: User, organisation: Organisation, role: str, by: User | None
) -> Membership:
    access.require_admin(by)
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=organisation, role=role
    )
    if created:
        audit_record(
            actor=by,
            action="membership.grant",
            target=membership,
            summary={"user": user.email, "organisation": organisation.slug, "role": role},
        )
    return membership


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token and its secret; the secret is returned once and never stored."""
    secret = ApiToken.new_secret()
    token = ApiToken.objects.create(
        user=user, name=name, key_hash=ApiToken.hash_secret(secret), hint=secret[-4:]
    )
    audit_record(
        actor=user,
        action="api_token.create",
        target=token,
        summary={"name": name, "expires_at": token.expires_at},
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    access.require_token_owner(by, token)
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_reason = TokenRevocation.OWNER
        token.save(update_fields=["revoked_at", "revoked_reason"])
        audit_record(actor=by, action="api_token.revoke", target=token, summary={"reason": "owner"})
    return token
