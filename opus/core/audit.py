"""Writing and verifying the tamper-evident audit log.

`audit_record` must run inside the transaction of the change it records, so the
event and the change commit or roll back together.

The log is a set of hash chains. On PostgreSQL a connection always writes to the chain
its server process number picks (one of CHAINS), holding that chain's transaction-level
advisory lock until it commits: writers on other chains commit in parallel (and share
the disk flush), and one transaction never holds two chain locks, so chains cannot
deadlock each other. On SQLite, whose writers are serialised anyway, there is one chain.
Events are numbered from a sequence; each records its chain and its position there, and
`audit_verify` walks every chain.

Each chain's head (its last position and hash, `AuditChainHead`) moves forward in the same
transaction as every append, so removing a chain's newest events, which leaves a chain that
verifies on its own, is found by comparing the chain's end with its head. `publish_heads`
records every head in an `audit.heads` event on a schedule; the auditor's audit log page lists
them and offers them as CSV and JSON, so that copies kept outside Opus can show that the log
never lost what it had when they were taken.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from opus.core import sql
from opus.core.models import AuditChainHead, AuditEvent, User
from opus.engines.hashchain import (
    GENESIS,
    ChainBreak,
    ChainLink,
    Head,
    check_head,
    event_hash,
    verify_chain,
)

AUDIT_LOCK_KEY = 7_267_001


def _json_safe(summary: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(json.dumps(summary, cls=DjangoJSONEncoder))
    return result


def _payload(event: AuditEvent) -> dict[str, Any]:
    return {
        "sequence": event.sequence,
        "created_at": event.created_at.astimezone(UTC).isoformat(),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_label": event.object_label,
        "summary": event.summary,
    }


CHAINS = 1024  # enough that busy connections rarely share one


def _chain() -> int:
    if sql.vendor() != "postgresql":
        return 0
    connection.ensure_connection()
    return int(connection.connection.info.backend_pid) % CHAINS  # type: ignore[union-attr]


@dataclass(frozen=True)
class Slot:
    """Where the next event goes: its chain, its number, its position and the hash it follows."""

    chain: int
    number: int
    position: int
    previous_hash: str


def queue_slot(batch: sql.Batch) -> Callable[[list[sql.Rows]], Slot]:
    """Queue what finds the next event's place; returns how to read the answer.

    On PostgreSQL that is one call, `core_audit_slot` (migration 0009): it takes the chain's
    lock and the event's number from the sequence, then reads the chain's last event in a
    statement of its own, which therefore sees every event committed before the lock was
    granted. On SQLite, one writer at a time, the next number is the largest so far plus one.
    A caller may queue its own statements in the same batch (the ledger queues its row locks
    first, so locks are always taken in the same order).
    """
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change")
    chain = _chain()
    if sql.vendor() == "postgresql":
        found = batch.add(
            "SELECT number, next_position, previous_hash FROM core_audit_slot(%s, %s)",
            [chain, AUDIT_LOCK_KEY],
        )
        return lambda results: Slot(chain, *_typed(results[found][0]))
    numbered = batch.add("SELECT COALESCE(MAX(sequence), 0) + 1 FROM core_auditevent")
    # One step down the (chain, position) index, however long the chain (migration 0008
    # gave the events from before there were chains their positions).
    last = batch.add(
        "SELECT position, hash FROM core_auditevent"
        " WHERE chain = %s AND position IS NOT NULL ORDER BY position DESC LIMIT 1",
        [chain],
    )

    def read(results: list[sql.Rows]) -> Slot:
        number = int(results[numbered][0][0])
        if not results[last]:
            return Slot(chain, number, 1, GENESIS)
        position, previous = results[last][0]
        return Slot(chain, number, int(position) + 1, str(previous))

    return read


def _typed(row: tuple[Any, ...]) -> tuple[int, int, str]:
    return int(row[0]), int(row[1]), str(row[2])


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    summary: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. Call it inside the transaction.atomic block of the change."""
    batch = sql.Batch()
    read = queue_slot(batch)
    event = audit_event(
        read(batch.run()),
        actor=actor,
        action=action,
        target=target,
        object_type=object_type,
        object_id=object_id,
        summary=summary,
    )
    write = sql.Batch()  # one round trip on PostgreSQL
    write.add(*insert_statement(event, returning=True))
    write.add(*head_statement(event))
    event.pk = write.run()[0][0][0]
    event._state.adding = False
    event._state.db = connection.alias
    return event


def audit_event(
    slot: Slot,
    *,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    summary: dict[str, Any] | None = None,
) -> AuditEvent:
    """The event for the place `slot` holds, hashed and not yet written."""
    event = AuditEvent(
        sequence=slot.number,
        chain=slot.chain,
        position=slot.position,
        created_at=timezone.now(),
        actor_id=actor.pk if actor is not None and actor.pk else None,
        actor_label=(actor.email if actor is not None and actor.pk else "system"),
        action=action,
        object_type=object_type or (target._meta.label_lower if target is not None else ""),
        object_id=object_id or (str(target.pk) if target is not None else ""),
        object_label=str(target)[:300] if target is not None else "",
        summary=_json_safe(summary or {}),
        previous_hash=slot.previous_hash,
    )
    event.hash = event_hash(event.previous_hash, _payload(event))
    return event


# The statements here are written out rather than built by the ORM: every change in Opus
# writes an event, and on the ledger's hot path the ORM's compiling of each query cost more
# than the database's work (see bench/ledger.py).


INSERT_COLUMNS = (
    "sequence", "chain", "position", "created_at", "actor_id", "actor_label", "action",
    "object_type", "object_id", "object_label", "summary", "previous_hash", "hash",
)  # fmt: skip


def insert_statement(event: AuditEvent, *, returning: bool = False) -> tuple[str, list[Any]]:
    """The INSERT that writes `event`, as (query, parameters)."""
    json_mark = "%s::jsonb" if sql.vendor() == "postgresql" else "%s"
    marks = ", ".join(json_mark if c == "summary" else "%s" for c in INSERT_COLUMNS)
    values = [getattr(event, c) for c in INSERT_COLUMNS]
    values[3] = connection.ops.adapt_datetimefield_value(event.created_at)
    values[10] = json.dumps(event.summary, cls=DjangoJSONEncoder)
    query = f"INSERT INTO core_auditevent ({', '.join(INSERT_COLUMNS)}) VALUES ({marks})"  # noqa: S608
    return query + (" RETURNING id" if returning else ""), values


def head_statement(event: AuditEvent) -> tuple[str, list[Any]]:
    """The statement that moves `event`'s chain head to it, as (query, parameters).

    Run in the transaction that writes the event (the ledger sends it in the same statement).
    The chain's lock is held, so heads move one position at a time; the database refuses a
    move backwards and a DELETE.
    """
    return (
        "INSERT INTO core_auditchainhead (chain, position, hash) VALUES (%s, %s, %s)"
        " ON CONFLICT (chain) DO UPDATE SET position = excluded.position, hash = excluded.hash",
        [event.chain, event.position, event.hash],
    )


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The before/after summary of the fields that changed."""
    changed = {k for k in after if before.get(k) != after.get(k)}
    return {
        "before": {k: before.get(k) for k in sorted(changed)},
        "after": {k: after[k] for k in sorted(changed)},
    }


def chain_links(chain: int, batch_size: int = 2000) -> Iterator[ChainLink]:
    """One stored chain in order, as the engine's links."""
    events = AuditEvent.objects.filter(chain=chain).order_by("sequence")
    for event in events.iterator(chunk_size=batch_size):
        position = event.position if event.position is not None else event.sequence
        yield ChainLink(event.sequence, _payload(event), event.previous_hash, event.hash, position)


def heads() -> dict[int, Head]:
    """Every chain's head as the table holds it now."""
    return {
        chain: Head(position, hash_)
        for chain, position, hash_ in AuditChainHead.objects.values_list(
            "chain", "position", "hash"
        )
    }


def audit_verify(
    progress: Callable[[int, int], None] | None = None, every: int = 1000
) -> tuple[int, ChainBreak | None]:
    """Walk every chain and check it ends at its head: (events checked, first break or None).

    The heads are read before the walk and each chain's again after it, so events appended
    meanwhile by a live system are not taken for tampering. `progress(checked, total)` is
    called every `every` events, for long chains.
    """
    total = AuditEvent.objects.count() if progress else 0
    count = 0
    before = heads()

    def counted_in(chain: int) -> Iterator[ChainLink]:
        nonlocal count
        for link in chain_links(chain):
            count += 1
            if progress and count % every == 0:
                progress(count, total)
            yield link

    chains = AuditEvent.objects.values_list("chain", flat=True).distinct().order_by("chain")
    for chain in sorted(set(chains) | set(before)):
        last: ChainLink | None = None
        at_head: ChainLink | None = None
        head = before.get(chain)

        def watched(chain: int = chain, head: Head | None = head) -> Iterator[ChainLink]:
            nonlocal last, at_head
            for link in counted_in(chain):
                last = link
                if head is not None and link.position == head.position:
                    at_head = link
                yield link

        broken = verify_chain(watched())
        if broken is None:
            after = AuditChainHead.objects.filter(chain=chain).first()
            broken = check_head(
                chain,
                last,
                at_head,
                head,
                Head(after.position, after.hash) if after is not None else None,
            )
        if broken is not None:
            return count, broken
    return count, None


def check_kept_heads(kept: Iterable[tuple[int, int, str]]) -> ChainBreak | None:
    """Whether the log still holds every (chain, position, hash) head kept outside Opus.

    A head taken from a publication names the event then newest in its chain: if the event
    is gone, or another stands in its place, the log was cut back or rewritten since, even
    if whoever did it also rewrote the head table and re-chained what followed.
    """
    for chain, position, hash_ in kept:
        event = AuditEvent.objects.filter(chain=chain, position=position).first()
        if event is None:
            return ChainBreak(
                0,
                f"chain {chain} has no event at position {position}, which a kept head "
                "names: events were removed",
            )
        if event.hash != hash_:
            return ChainBreak(
                event.sequence,
                f"it stands at chain {chain}'s position {position}, where a kept head names "
                f"another event ({hash_[:12]}…): the log was rewritten",
            )
    return None


HEADS_ACTION = "audit.heads"


@transaction.atomic
def publish_heads() -> AuditEvent:
    """Record every chain's head in an `audit.heads` event (run on a schedule).

    The event itself moves one chain's head on; the heads it records are those before it.
    """
    recorded = {
        str(chain): {"position": h.position, "hash": h.hash} for chain, h in heads().items()
    }
    return audit_record(
        actor=None,
        action=HEADS_ACTION,
        object_type="system",
        summary={"chains": len(recorded), "heads": recorded},
    )


def published_heads(limit: int | None = None) -> list[AuditEvent]:
    """The newest `audit.heads` events first."""
    events = AuditEvent.objects.filter(action=HEADS_ACTION).order_by("-sequence")
    return list(events[:limit] if limit else events)


@transaction.atomic
def audit_system_event(action: str, summary: dict[str, Any]) -> AuditEvent:
    """An event with no human actor, e.g. an import run from the command line."""
    return audit_record(actor=None, action=action, object_type="system", summary=summary)
