"""Who sees which good-practice entry.

Published entries are public. Drafts, submitted and returned entries are seen by the
staff of the author's organisation (anyone holding a role there other than resident)
and by moderators (commissioners and administrators). Everyone else gets 404.
Only the author edits, and only while the entry is a draft or returned; moderators
review submitted entries, never their own.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from opus.core.models import Membership, Organisation, Role
from opus.core.roles import has_role
from opus.knowledge.models import EDITABLE_STATUSES, Entry, EntryStatus

WRITER_ROLES = (Role.PROVIDER, Role.COMMISSIONER)
MODERATOR_ROLES = (Role.COMMISSIONER, Role.ADMIN)


def can_write(user: Any) -> bool:
    return has_role(user, *WRITER_ROLES)


def can_moderate(user: Any) -> bool:
    return has_role(user, *MODERATOR_ROLES)


def writer_organisations(user: Any) -> QuerySet[Organisation]:
    """The organisations a user may write for: those where they are provider or commissioner."""
    if not getattr(user, "is_authenticated", False):
        return Organisation.objects.none()
    return Organisation.objects.filter(
        memberships__user=user, memberships__role__in=WRITER_ROLES
    ).distinct()


def entries_for_user(user: Any) -> QuerySet[Entry]:
    entries = Entry.objects.select_related("organisation", "author")
    if can_moderate(user):
        return entries
    published = Q(status=EntryStatus.PUBLISHED)
    if not getattr(user, "is_authenticated", False):
        return entries.filter(published)
    colleague = Membership.objects.filter(user=user, organisation=OuterRef("organisation")).exclude(
        role=Role.RESIDENT
    )
    return entries.filter(published | Q(Exists(colleague)))


def get_entry_for_user(user: Any, slug: str) -> Entry:
    entry = entries_for_user(user).filter(slug=slug).first()
    if entry is None:
        raise Http404("No such entry")
    return entry


def get_entry_for_editing(user: Any, slug: str) -> Entry:
    """The author's own draft or returned entry, or 404."""
    if not getattr(user, "is_authenticated", False):
        raise Http404("No such entry")
    entry = (
        Entry.objects.select_related("organisation")
        .filter(slug=slug, author=user, status__in=EDITABLE_STATUSES)
        .first()
    )
    if entry is None:
        raise Http404("No such entry")
    return entry


def get_entry_for_moderation(user: Any, slug: str) -> Entry:
    """A submitted entry someone else wrote, for a moderator; 404 otherwise."""
    if not can_moderate(user):
        raise Http404("No such entry")
    entry = (
        Entry.objects.select_related("organisation", "author")
        .filter(slug=slug, status=EntryStatus.SUBMITTED)
        .exclude(author=user)
        .first()
    )
    if entry is None:
        raise Http404("No such entry")
    return entry


def published_for_needs(codes: Iterable[str], limit: int = 5) -> list[Entry]:
    """Published ideas tagged with any of these needs (taxonomy codes), newest first.

    For other modules that want to show "ideas" beside matching needs.
    """
    return list(
        Entry.objects.filter(status=EntryStatus.PUBLISHED, needs__code__in=list(codes))
        .select_related("organisation")
        .distinct()
        .order_by("-published_at", "pk")[:limit]
    )
