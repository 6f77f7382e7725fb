"""Needs for imported services: a feed's own categories mapped to Opus's needs, and needs
suggested from a service's words when it has none, for its provider or an administrator to
confirm in the review queue.

1. **Mapping.** Tables shipped as data (`data/need_mappings/*.csv`: the LGA/esd lists, Open
   Eligibility, ORUK 1.0 deliverable types and audiences, ORUK example types) map a term of a
   classification (its scheme, and its code or label, ignoring case, spaces and apostrophe
   style) to Opus needs, ``exact`` or ``related``. A council's rows (``NeedMapping``, loaded
   by ``manage.py load_need_mappings``) replace the shipped rows with the same scheme and
   code (or label). A service gets every need an ``exact`` row maps one of its terms to; only
   when none does, the needs its ``related`` rows map to. Mapped needs are attached as the
   service's own terms: they come from the feed's own classification.
2. **Suggesting.** A service with still no need is scored by `engines/need_suggestions.py`
   from its name, description and audience with the needs' labels, the words in
   `need_words.csv` and the search synonyms. Suggestions are stored as ``SuggestedNeed``
   (status suggested): they are *not* needs (matching does not see them) until confirmed.
3. **Review.** The provider's staff (their own services) and administrators (all: the
   directory's officers, as in access.py) confirm or reject suggestions, one by one or in bulk;
   confirming attaches the need through ``services.service_set_terms``; each decision is
   audited.

The import calls one entry point after writing: ``needs_for_imported(ids, source=…)``.
``needs_for_links(links)`` gives a feed writer the same mapped needs before it writes terms,
so that a re-import finds nothing changed.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from opus.core.audit import audit_record
from opus.core.models import Membership, Role
from opus.core.roles import has_role
from opus.directory import derived
from opus.directory.access import require_editor
from opus.directory.importers.richtext import html_to_text
from opus.directory.models import (
    MappingMatch,
    NeedMapping,
    Service,
    SuggestedNeed,
    SuggestionStatus,
    TaxonomyTerm,
)
from opus.directory.services import service_set_terms
from opus.directory.taxonomy import SYNONYMS, TAXONOMY_ID, TERMS
from opus.engines import need_suggestions

DATA = Path(__file__).parent / "data" / "need_mappings"
WORDS_FILE = "need_words.csv"
AUDIENCE_TAXONOMY = "Target audience"  # as importers/oruk1.py names pc_targetAudience's terms
CHUNK = 500
MAX_BULK = 200  # suggestions decided at once
MAX_FILE_ROWS = 20_000  # rows in a council's mapping file
COLUMNS = ("scheme", "code", "label", "need", "match")

# What feeds call the shipped schemes (compared without case, spaces or punctuation).
SCHEMES: dict[str, str] = {
    "esd-services": "esd-services",
    "esdservicetypes": "esd-services",
    "esdservicelist": "esd-services",
    "esdservices": "esd-services",
    "lgaservicelist": "esd-services",
    "lgsl": "esd-services",
    "localgovernmentservicelist": "esd-services",
    "esd-needs": "esd-needs",
    "esdneeds": "esd-needs",
    "esdneedslist": "esd-needs",
    "lganeedslist": "esd-needs",
    "open-eligibility": "open-eligibility",
    "openeligibility": "open-eligibility",
    "openeligibilitytaxonomy": "open-eligibility",
    "oruk-example": "oruk-example",
    "orukexample": "oruk-example",
    "orukexamples": "oruk-example",
    "orukdeliverabletype": "ORUK deliverable type",
    "deliverabletype": "ORUK deliverable type",
    "targetaudience": "Target audience",
    "pctargetaudience": "Target audience",
}
NEED_CODES = frozenset(
    [parent for parent in TERMS] + [code for _, (_, children) in TERMS.items() for code in children]
)
LEAF_NEEDS = {code: label for _, (_, children) in TERMS.items() for code, label in children.items()}
_SPACES = re.compile(r"\s+")
_SQUASH = re.compile(r"[^a-z0-9]+")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def normal(text: Any) -> str:
    """Text as mappings compare it: case, runs of spaces and apostrophe style ignored."""
    value = unicodedata.normalize("NFKC", str(text or "")).translate(_INVISIBLE)
    return _SPACES.sub(" ", value.translate(_APOSTROPHES)).strip().casefold()


def scheme_key(name: Any) -> str:
    """The scheme a taxonomy name stands for: a shipped scheme's name, or the name itself."""
    squashed = _SQUASH.sub("", normal(name))
    return SCHEMES.get(squashed) or SCHEMES.get(normal(name)) or normal(name)


def code_key(code: Any) -> str:
    """A term's code as mappings compare it: "esdServiceTypes:281", ".../service/281" → "281"."""
    value = normal(code).rstrip("/")
    return re.split(r"[:/#]", value)[-1].strip() if value else ""


# --- The tables ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MappingRow:
    scheme: str
    code: str
    label: str
    need: str
    match: str

    def key(self) -> tuple[str, str, str]:
        """What a council's row replaces: the same scheme and code, or label when no code."""
        if self.code:
            return (scheme_key(self.scheme), "code", code_key(self.code))
        return (scheme_key(self.scheme), "label", normal(self.label))


class MappingFileError(ValueError):
    """A mapping file with problems: one line each, in `lines`."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def read_rows(text: str, *, name: str) -> list[MappingRow]:
    """The rows of a mapping CSV (scheme, code, label, need, match), every problem named.

    Raises MappingFileError with one line per bad row (and none are returned).
    """
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    reader = csv.reader(io.StringIO("\n".join(lines)))
    header = [normal(h) for h in next(reader, [])]
    if tuple(header) != COLUMNS:
        raise MappingFileError([f"{name}: the first row must be the columns {', '.join(COLUMNS)}"])
    rows: list[MappingRow] = []
    problems: list[str] = []
    seen: set[tuple[str, str, str, str]] = set()
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if number > MAX_FILE_ROWS + 1:
            problems.append(f"{name}: more than {MAX_FILE_ROWS:,} rows; split the file")
            break
        where = f"{name} row {number}"
        if len(cells) != len(COLUMNS):
            problems.append(f"{where}: {len(cells)} columns, expected {len(COLUMNS)}")
            continue
        scheme, code, label, need, match = (c.strip() for c in cells)
        row = MappingRow(scheme, code, label, need.casefold(), match.casefold())
        problem = _row_problem(row)
        if problem:
            problems.append(f"{where}: {problem}")
            continue
        key = (*row.key(), row.need)
        if key in seen:
            problems.append(f"{where}: repeats an earlier row")
            continue
        seen.add(key)
        rows.append(row)
    if problems:
        raise MappingFileError(problems)
    return rows


def _row_problem(row: MappingRow) -> str | None:
    if not row.scheme:
        return "scheme is empty"
    if len(row.scheme) > 100 or len(row.code) > 200 or len(row.label) > 200:
        return "scheme is over 100 characters, or code or label over 200"
    if not row.code and not row.label:
        return "give a code or a label"
    if row.need not in NEED_CODES:
        return f"need '{row.need[:60]}' is not an Opus need code"
    if row.match not in MappingMatch.values:
        return f"match '{row.match[:20]}' must be exact or related"
    return None


@lru_cache(maxsize=1)
def shipped_rows() -> tuple[MappingRow, ...]:
    found: list[MappingRow] = []
    for path in sorted(DATA.glob("*.csv")):
        if path.name != WORDS_FILE:
            found += read_rows(path.read_text(encoding="utf-8"), name=path.name)
    return tuple(found)


@lru_cache(maxsize=1)
def need_words() -> dict[str, tuple[str, ...]]:
    """Extra words that point to each need (need_words.csv)."""
    words: dict[str, list[str]] = defaultdict(list)
    text = (DATA / WORDS_FILE).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    for row in csv.DictReader(io.StringIO("\n".join(lines))):
        words[row["need"].strip()].append(row["words"].strip())
    return {need: tuple(found) for need, found in words.items()}


class Mapper:
    """Feed terms → Opus need codes, shipped rows overridden by a council's."""

    def __init__(self, shipped: Iterable[MappingRow], council: Iterable[MappingRow] = ()) -> None:
        self.index: dict[tuple[str, str, str], list[tuple[str, str]]] = defaultdict(list)
        self.seen: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
        for row in shipped:
            self.index[row.key()].append((row.need, row.match))
        replaced: set[tuple[str, str, str]] = set()
        for row in council:
            if row.key() not in replaced:
                self.index[row.key()] = []
                replaced.add(row.key())
            self.index[row.key()].append((row.need, row.match))

    def term(self, scheme: str, code: str, label: str) -> list[tuple[str, str]]:
        """(need, match) pairs for one term: by its code if a row names it, else its label."""
        asked = (scheme, code, label)
        if asked not in self.seen:  # an import asks about the same few terms many times
            self.seen[asked] = self._term(scheme, code, label)
        return self.seen[asked]

    def _term(self, scheme: str, code: str, label: str) -> list[tuple[str, str]]:
        key = scheme_key(scheme)
        found = self.index.get((key, "code", code_key(code))) if code else None
        if not found:
            found = self.index.get((key, "label", normal(label)))
        if not found and code:
            found = self.index.get((key, "label", normal(code)))  # 1.0 terms made from names
        return list(found or [])

    def needs(self, terms: Iterable[tuple[str, str, str]]) -> list[str]:
        """The needs a service's terms map to: every exact one, or if none, the related ones."""
        exact: list[str] = []
        related: list[str] = []
        for scheme, code, label in terms:
            for need, match in self.term(scheme, code, label):
                (exact if match == MappingMatch.EXACT else related).append(need)
        return list(dict.fromkeys(exact or related))


def council_rows() -> list[MappingRow]:
    return [
        MappingRow(m.scheme, m.code, m.label, m.need, m.match) for m in NeedMapping.objects.all()
    ]


def mapper() -> Mapper:
    return Mapper(shipped_rows(), council_rows())


@transaction.atomic
def need_mappings_load(*, rows: Sequence[MappingRow], file: str, by: Any = None) -> int:
    """A council's mapping rows: they replace its earlier rows and the shipped rows for the
    same scheme and code (or label). One audit event for the file."""
    if by is not None and not has_role(by, Role.ADMIN):
        raise PermissionDenied("Only administrators can change how feeds map to needs")
    keys = {row.key() for row in rows}
    stale = [m.pk for m in NeedMapping.objects.all() if _stored(m).key() in keys]
    NeedMapping.objects.filter(pk__in=stale).delete()
    now = timezone.now()
    NeedMapping.objects.bulk_create(
        [
            NeedMapping(
                scheme=scheme_key(r.scheme)[:100],
                code=r.code,
                label=r.label,
                need=r.need,
                match=r.match,
                loaded_at=now,
            )
            for r in rows
        ]
    )
    audit_record(
        actor=by,
        action="directory.need_mappings_load",
        object_type="file",
        object_id=Path(file).name[:64],
        summary={"file": Path(file).name, "rows": len(rows), "replaced": len(stale)},
    )
    return len(rows)


def _stored(m: NeedMapping) -> MappingRow:
    return MappingRow(m.scheme, m.code, m.label, m.need, m.match)


# --- Imported services ---------------------------------------------------------------------


@dataclass
class Summary:
    """What needs_for_imported found and did, for the import's report."""

    services: int = 0
    with_needs: int = 0  # have at least one Opus need now (mapped, their own, or confirmed)
    mapped: int = 0  # of those, given a need by mapping in this call
    awaiting_review: int = 0  # without a need, with a suggestion waiting for review
    suggestions_created: int = 0
    without_needs: int = 0  # neither a need nor a suggestion waiting
    needs_added: dict[str, int] = field(default_factory=dict)  # need code → services
    changed: bool = False  # whether anything was added or suggested

    def add(self, other: Summary) -> None:
        """Another call's counts added to these (an import's batches)."""
        for name in (
            "services",
            "with_needs",
            "mapped",
            "awaiting_review",
            "suggestions_created",
            "without_needs",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for code, n in other.needs_added.items():
            self.needs_added[code] = self.needs_added.get(code, 0) + n
        self.changed = self.changed or other.changed

    def as_dict(self) -> dict[str, Any]:
        return {
            "services": self.services,
            "with_needs": self.with_needs,
            "mapped": self.mapped,
            "awaiting_review": self.awaiting_review,
            "suggestions_created": self.suggestions_created,
            "without_needs": self.without_needs,
        }


def _opus_terms() -> dict[str, TaxonomyTerm]:
    return {t.code: t for t in TaxonomyTerm.objects.filter(taxonomy_id=TAXONOMY_ID)}


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _terms_of(ids: Sequence[Any]) -> dict[Any, list[tuple[Any, str, str, str, Any]]]:
    """Each service's terms: (term id, taxonomy name, code, name, taxonomy id)."""
    through = Service.terms.through
    found: dict[Any, list[tuple[Any, str, str, str, Any]]] = defaultdict(list)
    for part in _chunks(list(ids)):
        for sid, tid, scheme, code, name, taxonomy in through.objects.filter(
            service_id__in=part
        ).values_list(
            "service_id",
            "taxonomyterm_id",
            "taxonomyterm__taxonomy__name",
            "taxonomyterm__code",
            "taxonomyterm__name",
            "taxonomyterm__taxonomy_id",
        ):
            found[sid].append((tid, scheme, code, name, taxonomy))
    return found


def _confirmed(ids: Sequence[Any]) -> dict[Any, set[Any]]:
    found: dict[Any, set[Any]] = defaultdict(set)
    for part in _chunks(list(ids)):
        for sid, tid in SuggestedNeed.objects.filter(
            service_id__in=part, status=SuggestionStatus.CONFIRMED
        ).values_list("service_id", "term_id"):
            found[sid].add(tid)
    return found


def needs_for_links(links: Mapping[uuid.UUID, Sequence[uuid.UUID]]) -> dict[uuid.UUID, list]:
    """A feed writer's planned terms per service, with the needs they map to and any need the
    service's provider confirmed, so that writing them leaves the service's needs in place."""
    term_ids = sorted({t for terms in links.values() for t in terms}, key=str)
    described: dict[Any, tuple[str, str, str, Any]] = {}
    for part in _chunks(term_ids):
        for tid, scheme, code, name, taxonomy in TaxonomyTerm.objects.filter(
            pk__in=part
        ).values_list("pk", "taxonomy__name", "code", "name", "taxonomy_id"):
            described[tid] = (scheme, code, name, taxonomy)
    table, opus = mapper(), _opus_terms()
    confirmed = _confirmed(list(links))
    result: dict[uuid.UUID, list] = {}
    for sid, terms in links.items():
        feed = [
            described[t][:3] for t in terms if t in described and described[t][3] != TAXONOMY_ID
        ]
        wanted = [opus[code].pk for code in table.needs(feed) if code in opus]
        result[sid] = list(
            dict.fromkeys([*terms, *wanted, *sorted(confirmed.get(sid, ()), key=str)])
        )
    return result


def needs_for_imported(service_ids: Sequence[Any], *, source: str, audit: bool = True) -> Summary:
    """Give these (just imported) services the needs their feed terms map to, re-attach needs
    their providers confirmed, and suggest needs for those left without any.

    Idempotent: a second call adds nothing. One audit event describes what it did (none when
    it changed nothing). A feed writer that also passes its planned terms through
    ``needs_for_links`` (after saving new terms) writes the same needs itself, so that a
    re-import finds the service's terms unchanged. With `audit` False the caller records
    what was done (an import called a batch at a time records it once, with ``audit_needs``)."""
    ids = list(dict.fromkeys(service_ids))
    summary = Summary(services=len(ids))
    if not ids:
        return summary
    with transaction.atomic():
        confirmed = _confirmed(ids)
        opus = _opus_terms()
        by_pk = {t.pk: t for t in opus.values()}
        table = mapper()
        terms = _terms_of(ids)
        through = Service.terms.through
        new_rows = []
        mapped: set[Any] = set()
        has_need: set[Any] = set()
        for sid in ids:
            own = {tid for tid, _, _, _, tax in terms.get(sid, []) if tax == TAXONOMY_ID}
            feed = [(s, c, n) for _, s, c, n, tax in terms.get(sid, []) if tax != TAXONOMY_ID]
            wanted = {opus[code].pk for code in table.needs(feed) if code in opus}
            adding = (wanted | confirmed.get(sid, set())) - own
            if adding:
                new_rows += [through(service_id=sid, taxonomyterm_id=tid) for tid in adding]
                for tid in adding:
                    code = by_pk[tid].code
                    summary.needs_added[code] = summary.needs_added.get(code, 0) + 1
                if wanted - own:
                    mapped.add(sid)
            if own or wanted or confirmed.get(sid):
                has_need.add(sid)
        through.objects.bulk_create(new_rows, batch_size=CHUNK)
        changed = sorted({row.service_id for row in new_rows}, key=str)
        if changed:
            derived.services_changed(changed)
        summary.mapped = len(mapped)
        summary.with_needs = len(has_need)
        waiting, created = _suggest([sid for sid in ids if sid not in has_need], terms, source)
        summary.awaiting_review, summary.suggestions_created = waiting, created
        summary.without_needs = summary.services - summary.with_needs - waiting
        summary.changed = bool(new_rows or created)
        if audit:
            audit_needs(summary, source)
    return summary


def audit_needs(summary: Summary, source: str) -> None:
    """One event for what needs_for_imported did (none when it changed nothing)."""
    if not summary.changed:
        return
    audit_record(
        actor=None,
        action="directory.needs_for_imported",
        object_type="import",
        object_id=source[:64],
        summary={
            "source": source,
            **summary.as_dict(),
            "needs_added": dict(sorted(summary.needs_added.items())),
        },
    )


@lru_cache(maxsize=1)
def prepared_cues() -> need_suggestions.Prepared:
    """Opus's needs with their words and the search synonyms, worked once."""
    return need_suggestions.prepare(suggestion_cues(), SYNONYMS)


def suggestion_cues() -> list[need_suggestions.NeedCues]:
    words = need_words()
    return [
        need_suggestions.NeedCues(code=code, label=label, extra=words.get(code, ()))
        for code, label in LEAF_NEEDS.items()
    ]


def _suggest(
    ids: Sequence[Any], terms: Mapping[Any, list[tuple[Any, str, str, str, Any]]], source: str
) -> tuple[int, int]:
    """Suggestions for services without a need: (services with one waiting, rows created)."""
    if not ids:
        return 0, 0
    opus = _opus_terms()
    cues = prepared_cues()
    known: dict[Any, set[Any]] = defaultdict(set)
    rows: list[SuggestedNeed] = []
    for part in _chunks(list(ids)):
        for sid, tid in SuggestedNeed.objects.filter(service_id__in=part).values_list(
            "service_id", "term_id"
        ):
            known[sid].add(tid)
        services = Service.objects.filter(pk__in=part).values_list(
            "pk", "name", "description", "eligibility_description"
        )
        for sid, name, description, eligibility in services:
            feed = terms.get(sid, [])
            audience = [
                n for _, s, _, n, _ in feed if scheme_key(s) == scheme_key(AUDIENCE_TAXONOMY)
            ]
            others = [n for _, s, _, n, _ in feed if scheme_key(s) != scheme_key(AUDIENCE_TAXONOMY)]
            found = need_suggestions.suggest(
                name=name,
                description=" ".join([html_to_text(description or ""), *others]),
                audience=" ".join([*audience, eligibility or ""]),
                needs=cues,
            )
            for s in found:
                term = opus.get(s.code)
                if term is not None and term.pk not in known[sid]:
                    known[sid].add(term.pk)
                    rows.append(
                        SuggestedNeed(
                            service_id=sid,
                            term=term,
                            score=s.score,
                            words=list(s.words),
                            source=source[:100],
                        )
                    )
    SuggestedNeed.objects.bulk_create(rows, batch_size=CHUNK)
    waiting: set[Any] = set()
    for part in _chunks(list(ids)):
        waiting.update(
            SuggestedNeed.objects.filter(
                service_id__in=part, status=SuggestionStatus.SUGGESTED
            ).values_list("service_id", flat=True)
        )
    return len(waiting), len(rows)


def awaiting_review(service_ids: Sequence[Any]) -> int:
    """How many of these services have no need yet but a suggestion waiting for review."""
    through = Service.terms.through
    with_needs: set[Any] = set()
    waiting: set[Any] = set()
    for part in _chunks(list(service_ids)):
        with_needs.update(
            through.objects.filter(
                service_id__in=part, taxonomyterm__taxonomy_id=TAXONOMY_ID
            ).values_list("service_id", flat=True)
        )
        waiting.update(
            SuggestedNeed.objects.filter(
                service_id__in=part, status=SuggestionStatus.SUGGESTED
            ).values_list("service_id", flat=True)
        )
    return len(waiting - with_needs)


# --- The review queue ----------------------------------------------------------------------


def may_review(user: Any) -> bool:
    """Provider staff (their own services) and administrators (every service)."""
    return has_role(user, Role.ADMIN, Role.PROVIDER)


def suggestions_for_user(user: Any) -> QuerySet[SuggestedNeed]:
    """The suggestions waiting for this person: all for administrators, their organisations'
    services' for provider staff, none for anyone else."""
    waiting = SuggestedNeed.objects.filter(status=SuggestionStatus.SUGGESTED).select_related(
        "service", "service__organisation", "term"
    )
    if has_role(user, Role.ADMIN):
        return waiting
    if not has_role(user, Role.PROVIDER):
        return waiting.none()
    mine = Membership.objects.filter(user=user, role=Role.PROVIDER).values("organisation_id")
    return waiting.filter(service__organisation_id__in=mine)


def get_suggestion_for_user(user: Any, pk: Any) -> SuggestedNeed:
    """A suggestion this person may decide (any status), or 404."""
    if not may_review(user):
        raise Http404("No such suggestion")
    found = SuggestedNeed.objects.select_related("service", "service__organisation", "term")
    suggestion = found.filter(pk=pk).first()
    if suggestion is None:
        raise Http404("No such suggestion")
    if (
        not has_role(user, Role.ADMIN)
        and not Membership.objects.filter(
            user=user, organisation_id=suggestion.service.organisation_id, role=Role.PROVIDER
        ).exists()
    ):
        raise Http404("No such suggestion")
    return suggestion


class AlreadyDecided(ValueError):
    pass


def _decide(rows: list[SuggestedNeed], *, confirm: bool, by: Any) -> None:
    now = timezone.now()
    status = SuggestionStatus.CONFIRMED if confirm else SuggestionStatus.REJECTED
    for row in rows:
        require_editor(by, row.service.organisation_id)
        if row.status != SuggestionStatus.SUGGESTED:
            raise AlreadyDecided(
                f"The suggestion of {row.term.name} for {row.service.name} was already {row.status}"
            )
    by_service: dict[Any, list[SuggestedNeed]] = defaultdict(list)
    for row in rows:
        by_service[row.service_id].append(row)
    for group in by_service.values():
        service = group[0].service
        SuggestedNeed.objects.filter(pk__in=[r.pk for r in group]).update(
            status=status, decided_by=by, decided_at=now
        )
        if confirm:
            current = list(service.terms.all())
            have = {t.pk for t in current}
            service_set_terms(
                service=service,
                terms=current + [r.term for r in group if r.term_id not in have],
                by=by,
            )
        for row in group:
            row.status, row.decided_by, row.decided_at = status, by, now
            audit_record(
                actor=by,
                action=f"service.need_suggestion.{'confirm' if confirm else 'reject'}",
                target=service,
                summary={
                    "suggestion": row.pk,
                    "need": row.term.code,
                    "score": row.score,
                    "words": row.words,
                },
            )


@transaction.atomic
def suggested_need_decide(*, suggestion: SuggestedNeed, confirm: bool, by: Any) -> SuggestedNeed:
    """Confirm (the need becomes the service's) or reject one suggestion."""
    locked = list(
        SuggestedNeed.objects.select_for_update()
        .filter(pk=suggestion.pk)
        .values_list("pk", flat=True)
    )
    rows = list(
        SuggestedNeed.objects.filter(pk__in=locked).select_related(
            "service", "service__organisation", "term"
        )
    )
    if not rows:
        raise SuggestedNeed.DoesNotExist("No such suggestion")
    _decide(rows, confirm=confirm, by=by)
    return rows[0]


@transaction.atomic
def suggested_needs_decide(*, ids: Sequence[Any], confirm: bool, by: Any) -> list[SuggestedNeed]:
    """Confirm or reject several suggestions at once: all of them, or (on any problem) none."""
    wanted = list(dict.fromkeys(int(i) for i in ids))
    if not wanted:
        raise ValueError("Select at least one suggestion")
    if len(wanted) > MAX_BULK:
        raise ValueError(f"Decide at most {MAX_BULK} suggestions at once")
    list(
        SuggestedNeed.objects.select_for_update().filter(pk__in=wanted).values_list("pk", flat=True)
    )
    rows = list(
        SuggestedNeed.objects.filter(pk__in=wanted)
        .select_related("service", "service__organisation", "term")
        .order_by("pk")
    )
    if len(rows) != len(wanted):
        raise SuggestedNeed.DoesNotExist("No such suggestion")
    _decide(rows, confirm=confirm, by=by)
    return rows
