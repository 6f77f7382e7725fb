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


@dataclass(frozen=True)
class Head:
    """Where a chain ended when its head was last moved: the last position and its hash."""

    position: int
    hash: str


def check_head(
    chain: int,
    last: ChainLink | None,
    at_head: ChainLink | None,
    before: Head | None,
    after: Head | None,
) -> ChainBreak | None:
    """Whether a chain that verified on its own ends where its head says.

    `last` is the chain's last link as walked, `at_head` the link walked at the position of
    `before` (the head read before the walk); `after` is the head read after it. Events
    appended while walking move `after` on, so only these are breaks: the chain stops short of
    `before` (its newest events were removed), the event at the head's position is not the one
    the head names, or the chain runs past its head (events written without moving it).
    """
    if before is not None:
        if last is None:
            return ChainBreak(
                0,
                f"chain {chain} has no events, but its head says it had {before.position}: "
                "they were removed",
            )
        end = last.position if last.position is not None else last.sequence
        if end < before.position:
            return ChainBreak(
                last.sequence,
                f"it is the last event of chain {chain} (position {end}), but the chain's head "
                f"is at position {before.position}: the newest events were removed",
            )
        if at_head is None or at_head.hash != before.hash:
            return ChainBreak(
                at_head.sequence if at_head is not None else last.sequence,
                f"chain {chain}'s head names another event at position {before.position}",
            )
    if last is None:
        return None
    end = last.position if last.position is not None else last.sequence
    if after is None or after.position < end:
        return ChainBreak(
            last.sequence,
            f"chain {chain} runs past its head (position "
            f"{after.position if after is not None else 'none'}): events were added without it",
        )
    if after.position == end and after.hash != last.hash:
        return ChainBreak(last.sequence, f"chain {chain}'s head names another event")
    return None
