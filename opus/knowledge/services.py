"""Every write in the good-practice library: one transaction with its audit event."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from opus.core.audit import audit_record, changes
from opus.core.models import Membership, Organisation, User
from opus.core.roles import has_role
from opus.directory.models import TaxonomyTerm
from opus.knowledge.access import MODERATOR_ROLES, WRITER_ROLES
from opus.knowledge.models import (
    EDITABLE_STATUSES,
    Audience,
    Entry,
    EntryAudience,
    EntryStatus,
    Tag,
)

# Paths under /good-practice/ that an entry's slug must not take.
RESERVED_SLUGS = {"write", "yours", "moderation"}
TEXT_FIELDS = ("kind", "title", "summary", "body")
MAX_TAGS = 10


class EntryError(ValueError):
    """A change the rules do not allow (wrong person or wrong status)."""


def normalise_tag(text: str) -> str:
    """Lower case, single spaces, no surrounding punctuation: 'Home  Care ' → 'home care'."""
    return " ".join(text.split()).strip(" .,;:#").lower()


def split_tags(text: str) -> list[str]:
    """Comma-separated words → distinct normalised tags, in the order given."""
    found: dict[str, str] = {}
    for part in text.split(","):
        name = normalise_tag(part)
        if name and slugify(name) and slugify(name) not in found:
            found[slugify(name)] = name
    return list(found.values())


def tags_named(names: Iterable[str]) -> list[Tag]:
    tags = []
    for name in names:
        tag, _ = Tag.objects.get_or_create(slug=slugify(name)[:50], defaults={"name": name[:40]})
        tags.append(tag)
    return tags


def _unique_slug(title: str, exclude_pk: int | None = None) -> str:
    base = slugify(title)[:80].strip("-") or "entry"
    if base in RESERVED_SLUGS:
        base = f"{base}-entry"
    taken = set(
        Entry.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def _set_relations(
    entry: Entry, audiences: Sequence[str], tags: Sequence[str], needs: Iterable[TaxonomyTerm]
) -> None:
    EntryAudience.objects.filter(entry=entry).exclude(audience__in=audiences).delete()
    have = set(EntryAudience.objects.filter(entry=entry).values_list("audience", flat=True))
    EntryAudience.objects.bulk_create(
        [EntryAudience(entry=entry, audience=a) for a in sorted(set(audiences) - have)]
    )
    entry.tags.set(tags_named(tags))
    entry.needs.set(list(needs))


def _snapshot(entry: Entry) -> dict[str, Any]:
    return {
        **{name: getattr(entry, name) for name in TEXT_FIELDS},
        "organisation": entry.organisation.slug,
        "audiences": entry.audience_codes,
        "tags": sorted(t.name for t in entry.tags.all()),
        "needs": sorted(t.code for t in entry.needs.all()),
    }


def _check_writer(by: User, organisation: Organisation) -> None:
    if not Membership.objects.filter(
        user=by, organisation=organisation, role__in=WRITER_ROLES
    ).exists():
        raise EntryError("You can only write for an organisation you work for")


def _check_content(audiences: Sequence[str], tags: Sequence[str]) -> None:
    if not audiences or any(a not in Audience.values for a in audiences):
        raise EntryError("Choose who the entry is for")
    if len(tags) > MAX_TAGS:
        raise EntryError(f"Use at most {MAX_TAGS} tags")


@transaction.atomic
def entry_create(
    *,
    by: User,
    organisation: Organisation,
    kind: str,
    title: str,
    summary: str,
    body: str,
    audiences: Sequence[str],
    tags: Sequence[str] = (),
    needs: Iterable[TaxonomyTerm] = (),
) -> Entry:
    """A new draft, written by `by` for an organisation they work for."""
    _check_writer(by, organisation)
    _check_content(audiences, tags)
    entry = Entry(
        kind=kind,
        title=title,
        slug=_unique_slug(title),
        summary=summary,
        body=body,
        organisation=organisation,
        author=by,
    )
    entry.full_clean()
    entry.save(force_insert=True)
    _set_relations(entry, audiences, tags, needs)
    audit_record(actor=by, action="knowledge_entry.create", target=entry, summary=_snapshot(entry))
    return entry


def _locked(entry: Entry) -> Entry:
    return Entry.objects.select_for_update().select_related("organisation").get(pk=entry.pk)


@transaction.atomic
def entry_update(
    *,
    entry: Entry,
    by: User,
    organisation: Organisation,
    kind: str,
    title: str,
    summary: str,
    body: str,
    audiences: Sequence[str],
    tags: Sequence[str] = (),
    needs: Iterable[TaxonomyTerm] = (),
) -> Entry:
    """The author changes their entry while it is a draft or has been returned."""
    entry = _locked(entry)
    if entry.author_id != by.pk:
        raise EntryError("Only the author can change an entry")
    if entry.status not in EDITABLE_STATUSES:
        raise EntryError("An entry can only be changed while it is a draft or returned")
    _check_writer(by, organisation)
    _check_content(audiences, tags)
    before = _snapshot(entry)
    if title != entry.title:
        entry.slug = _unique_slug(title, exclude_pk=entry.pk)
    entry.kind, entry.title, entry.summary, entry.body = kind, title, summary, body
    entry.organisation = organisation
    entry.updated_at = timezone.now()
    entry.full_clean()
    entry.save()
    _set_relations(entry, audiences, tags, needs)
    audit_record(
        actor=by,
        action="knowledge_entry.update",
        target=entry,
        summary=changes(before, _snapshot(entry)),
    )
    return entry


@transaction.atomic
def entry_submit(*, entry: Entry, by: User) -> Entry:
    """The author sends a draft (or a returned entry, changed) to the moderators."""
    entry = _locked(entry)
    if entry.author_id != by.pk:
        raise EntryError("Only the author can send an entry for moderation")
    if entry.status not in EDITABLE_STATUSES:
        raise EntryError("This entry has already been sent for moderation")
    now = timezone.now()
    entry.status, entry.submitted_at, entry.updated_at = EntryStatus.SUBMITTED, now, now
    entry.save(update_fields=["status", "submitted_at", "updated_at"])
    audit_record(actor=by, action="knowledge_entry.submit", target=entry, summary={})
    return entry


def _moderate(entry: Entry, by: User) -> Entry:
    if not has_role(by, *MODERATOR_ROLES):
        raise EntryError("Only commissioners and administrators moderate entries")
    entry = _locked(entry)
    if entry.author_id == by.pk:
        raise EntryError("Another moderator must review an entry you wrote")
    if entry.status != EntryStatus.SUBMITTED:
        raise EntryError("Only entries waiting for moderation can be published or returned")
    return entry


@transaction.atomic
def entry_publish(*, entry: Entry, by: User) -> Entry:
    entry = _moderate(entry, by)
    now = timezone.now()
    entry.status = EntryStatus.PUBLISHED
    entry.moderated_by, entry.moderated_at, entry.published_at = by, now, now
    entry.return_reason = ""
    entry.save(
        update_fields=["status", "moderated_by", "moderated_at", "published_at", "return_reason"]
    )
    audit_record(
        actor=by,
        action="knowledge_entry.publish",
        target=entry,
        summary={"slug": entry.slug, "organisation": entry.organisation.slug},
    )
    return entry


@transaction.atomic
def entry_return(*, entry: Entry, by: User, reason: str) -> Entry:
    reason = reason.strip()
    if not reason:
        raise EntryError("Say why the entry is being returned")
    entry = _moderate(entry, by)
    entry.status = EntryStatus.RETURNED
    entry.moderated_by, entry.moderated_at = by, timezone.now()
    entry.return_reason = reason
    entry.save(update_fields=["status", "moderated_by", "moderated_at", "return_reason"])
    audit_record(
        actor=by, action="knowledge_entry.return", target=entry, summary={"reason": reason}
    )
    return entry
