"""Which needs a service seems to meet, from its own words: suggestions for a person to confirm.

A service imported without any classification still says what it does in its name, its
description and who it is for. Each need comes with *cues*: the words of its label, any extra
words a directory keeps for it, and the people's words the search synonyms lead to those
words ("lonely", because people who say lonely are searched for befriending). A cue
found in the service's text scores for its need:

- 1 in the name, 0.5 in the description, 0.25 in the audience (a cue counts once, where it
  weighs most);
- divided by how many needs share the cue, so "advice" (five needs) weighs a fifth of
  "befriending" (one);
- the need's score is the sum over its cues, capped at 1.

Needs scoring at least the threshold are returned, best first (then by code, so the same
text always gives the same answer), at most `limit` of them, each with the cues that
triggered it. Pure data in, data out: nothing here knows about Django or a database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

NAME_WEIGHT = 1.0
DESCRIPTION_WEIGHT = 0.5
AUDIENCE_WEIGHT = 0.25
THRESHOLD = 0.5
LIMIT = 3
MAX_TEXT = 20_000  # characters of each field read: a description longer than this is cut

# Words too common in labels and descriptions to say anything about a need on their own.
STOPWORDS = frozenset(
    "a an and the of for to with in on at by or from your you our we us it its is are be "
    "help support service services people person living well after "
    # label words too general to point to one need on their own
    "home day care group club community night short long term condition early year special "
    "need educational staying safe daily personal".split()
)
_TOKEN = re.compile(r"[a-z0-9]+")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})


@dataclass(frozen=True)
class NeedCues:
    """A need as the engine sees it: its code, its label and any extra cue phrases."""

    code: str
    label: str
    extra: tuple[str, ...] = ()


@dataclass(frozen=True)
class Suggestion:
    code: str
    score: float  # 0 to 1, rounded to 3 places
    words: tuple[str, ...]  # the cues found, as the directory wrote them, in cue order


def stem(word: str) -> str:
    """A light English stem: possessives and plurals off ("carers'" → "carer", "clubs" → "club")."""
    word = word.casefold().translate(_APOSTROPHES).strip("'")
    if word.endswith("'s"):
        word = word[:-2]
    word = word.replace("'", "")
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def tokens(text: str) -> tuple[str, ...]:
    """The stems of a text's words, in order."""
    cleaned = text[:MAX_TEXT].casefold().translate(_APOSTROPHES).replace("'s ", " ")
    return tuple(stem(w) for w in _TOKEN.findall(cleaned.replace("'", "")))


def _phrase(text: str) -> tuple[str, ...]:
    return tokens(text)


def label_cues(label: str) -> list[str]:
    """A label's own cues: the whole label, and each of its words that is not a stopword."""
    parts = [w for w in re.split(r"[^\w'’-]+", label) if w]
    cues = [label]
    cues += [w for w in parts if stem(w) not in STOPWORDS and len(stem(w)) > 2]
    return cues


def cues_for(need: NeedCues, synonyms: Mapping[str, Sequence[str]]) -> list[str]:
    """Every cue of a need: its label's, its extra ones, and the words people use that the
    search synonyms lead to one of them ("lonely" → "befriending"). Synonyms are followed one
    way only: a people's word also leads to other needs' words ("money" → "debt")."""
    cues = label_cues(need.label) + list(need.extra)
    known = {_phrase(c) for c in cues}
    for word, others in sorted(synonyms.items()):
        if {_phrase(o) for o in others} & known:
            cues.append(word)
    seen: set[tuple[str, ...]] = set()
    unique = []
    for cue in cues:
        phrase = _phrase(cue)
        if phrase and phrase not in seen and not (len(phrase) == 1 and phrase[0] in STOPWORDS):
            seen.add(phrase)
            unique.append(cue)
    return unique


def _contains(text: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    if n == 1:
        return phrase[0] in text
    return any(text[i : i + n] == phrase for i in range(len(text) - n + 1))


@dataclass(frozen=True)
class Prepared:
    """Every need's cues as phrases with their weight divisor, worked once for many services."""

    cues: tuple[tuple[str, tuple[tuple[str, tuple[str, ...], int], ...]], ...]


def prepare(needs: Iterable[NeedCues], synonyms: Mapping[str, Sequence[str]]) -> Prepared:
    cue_lists = {need.code: cues_for(need, synonyms) for need in needs}
    sharing: dict[tuple[str, ...], int] = {}
    for cues in cue_lists.values():
        for cue in cues:
            sharing[_phrase(cue)] = sharing.get(_phrase(cue), 0) + 1
    return Prepared(
        tuple(
            (code, tuple((cue.casefold(), _phrase(cue), sharing[_phrase(cue)]) for cue in cues))
            for code, cues in cue_lists.items()
        )
    )


def suggest(
    *,
    name: str,
    description: str,
    audience: str,
    needs: Iterable[NeedCues] | Prepared,
    synonyms: Mapping[str, Sequence[str]] | None = None,
    threshold: float = THRESHOLD,
    limit: int = LIMIT,
) -> list[Suggestion]:
    """The needs a service's words point to, best first (see the module's notes). `needs` may
    be `prepare(needs, synonyms)`'s result, when many services are scored against them."""
    if not 0 < threshold <= 1:
        raise ValueError("the threshold must be above 0 and at most 1")
    if limit < 1:
        raise ValueError("the limit must be at least 1")
    prepared = needs if isinstance(needs, Prepared) else prepare(needs, synonyms or {})
    fields = (
        (tokens(name), NAME_WEIGHT),
        (tokens(description), DESCRIPTION_WEIGHT),
        (tokens(audience), AUDIENCE_WEIGHT),
    )
    present = set().union(*(set(text) for text, _ in fields))
    found: list[Suggestion] = []
    for code, cues in prepared.cues:
        total = 0.0
        words: list[str] = []
        for cue, phrase, shared in cues:
            if phrase[0] not in present:
                continue
            weight = max((w for text, w in fields if _contains(text, phrase)), default=0.0)
            if weight:
                total += weight / shared
                words.append(cue)
        score = round(min(total, 1.0), 3)
        if score >= threshold:
            found.append(Suggestion(code=code, score=score, words=tuple(words)))
    found.sort(key=lambda s: (-s.score, s.code))
    return found[:limit]
