"""Hash chain arithmetic for the tamper-evident audit log.

Each event's hash is SHA-256 over the previous event's hash and a canonical
JSON rendering of the event (sorted keys, no insignificant white space), so
changing, inserting or removing any event breaks every hash after it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def canonical_json(payload: Mapping[str, Any]) -> str:
    """The one rendering of a payload that is hashed: sorted keys, compact, UTF-8 kept."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(previous_hash: str, payload: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the previous hash, a newline, and the canonical payload."""
    material = previous_hash + "\n" + canonical_json(payload)
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainLink:
    sequence: int  # the event's number, for reports
    payload: Mapping[str, Any]
    previous_hash: str
    hash: str
    position: int | None = None  # its place in its chain; the sequence when there is one chain


@dataclass(frozen=True)
class ChainBreak:
    sequence: int
    reason: str


def verify_chain(links: Iterable[ChainLink], start_hash: str = GENESIS) -> ChainBreak | None:
    """The first link that does not verify, or None when the whole chain holds.

    Links must come in chain order; positions (or sequences, for a single chain) start at 1
    and have no gaps, so a deleted link is found even when its neighbours were re-hashed.
    """
    expected_previous = start_hash
    expected_sequence = 1
    for link in links:
        position = link.sequence if link.position is None else link.position
        if position != expected_sequence:
            return ChainBreak(link.sequence, f"expected position {expected_sequence} next")
        if link.previous_hash != expected_previous:
            return ChainBreak(link.sequence, "its previous hash does not match the event before")
        if event_hash(link.previous_hash, link.payload) != link.hash:
            return ChainBreak(link.sequence, "its content does not match its hash")
        expected_previous = link.hash
        expected_sequence += 1
    return None
