"""Finding published entries: every word must appear in the title, summary, body or a tag.

Entries whose titles hold the words come first, then those tagged with them, then newest.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from opus.knowledge.models import Audience, Entry, EntryKind, EntryStatus, Tag

MAX_WORDS = 8


@dataclass(frozen=True)
class Query:
    q: str = ""
    kind: str = ""
    audience: str = ""
    tag: str = ""

    @classmethod
    def from_params(cls, params: dict[str, str]) -> Query:
        """Read the search form; values that are not choices are ignored rather than refused."""
        kind = params.get("kind", "")
        audience = params.get("audience", "")
        return cls(
            q=" ".join(params.get("q", "").split())[:100],
            kind=kind if kind in EntryKind.values else "",
            audience=audience if audience in Audience.values else "",
            tag=params.get("tag", "").strip()[:50],
        )

    @property
    def words(self) -> list[str]:
        return list(dict.fromkeys(w.lower() for w in self.q.split()))[:MAX_WORDS]

    @property
    def is_filtered(self) -> bool:
        return bool(self.q or self.kind or self.audience or self.tag)


def _tagged(word: str) -> Exists:
    return Exists(Tag.objects.filter(entries=OuterRef("pk"), name__icontains=word))


def search(query: Query, entries: QuerySet[Entry] | None = None) -> QuerySet[Entry]:
    found = entries if entries is not None else Entry.objects.all()
    found = found.filter(status=EntryStatus.PUBLISHED)
    if query.kind:
        found = found.filter(kind=query.kind)
    if query.audience:
        found = found.filter(audiences__audience=query.audience)
    if query.tag:
        found = found.filter(tags__slug=query.tag)
    score: list[Case] = []
    for word in query.words:
        tagged = _tagged(word)
        found = found.filter(
            Q(title__icontains=word)
            | Q(summary__icontains=word)
            | Q(body__icontains=word)
            | Q(tagged)
        )
        score += [
            Case(When(title__icontains=word, then=Value(3)), default=Value(0)),
            Case(When(tagged, then=Value(2)), default=Value(0)),
            Case(When(summary__icontains=word, then=Value(1)), default=Value(0)),
        ]
    if score:
        total = sum(score[1:], start=score[0])
        found = found.annotate(score=Coalesce(total, Value(0), output_field=IntegerField()))
        return found.order_by("-score", "-published_at", "pk")
    return found.order_by("-published_at", "pk")


def tags_in_use() -> QuerySet[Tag]:
    """Tags on at least one published entry, for the filter."""
    return Tag.objects.filter(
        Exists(Entry.objects.filter(tags=OuterRef("pk"), status=EntryStatus.PUBLISHED))
    ).order_by("name")
