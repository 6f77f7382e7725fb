"""Builders for good-practice tests: entries written through the services, as people would."""

from __future__ import annotations

from typing import Any

from opus.knowledge import services
from opus.knowledge.models import Audience, Entry, EntryKind


def write(author: Any, organisation: Any, **overrides: Any) -> Entry:
    """A draft by `author` for `organisation`."""
    fields: dict[str, Any] = {
        "kind": EntryKind.CASE_STUDY,
        "title": "Running a lunch club",
        "summary": "How we started a lunch club.",
        "body": "We started small.\n\nThen we grew.",
        "audiences": [Audience.PROVIDERS],
        "tags": ["lunch clubs"],
    }
    fields.update(overrides)
    return services.entry_create(by=author, organisation=organisation, **fields)


def publish(author: Any, organisation: Any, moderator: Any, **overrides: Any) -> Entry:
    entry = write(author, organisation, **overrides)
    services.entry_submit(entry=entry, by=author)
    return services.entry_publish(entry=entry, by=moderator)
