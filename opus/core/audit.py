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
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from opus.core import sql
from opus.core.models import AuditEvent, User
from opus.engines.hashchain import GENESIS, ChainBreak, ChainLink, event_hash, verify_chain

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
    if connection.vendor != "postgresql":
        return 0
    connection.ensure_connection()
    return int(connection.connection.info.backend_pid) % CHAINS  # type: ignore[union-attr]


def _lock_chain(chain: int) -> int | None:
    """Lock the chain; on PostgreSQL, also take the event's number from the sequence."""
    if connection.vendor != "postgresql":
        return None
    with sql.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, %s), nextval('core_auditevent_sequence_seq')",
            [AUDIT_LOCK_KEY, chain],
        )
        return int(cursor.fetchone()[1])


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
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change")
    chain = _chain()
    number = _lock_chain(chain)
    last = _last_in_chain(chain)
    if number is None:  # SQLite: one writer at a time, so the next number is safe to take
        number = _sqlite_next_number()
    event = AuditEvent(
        sequence=number,
        chain=chain,
        position=(last[1] if last else 0) + 1,
        created_at=timezone.now(),
        actor_id=actor.pk if actor is not None and actor.pk else None,
        actor_label=(actor.email if actor is not None and actor.pk else "system"),
        action=action,
        object_type=object_type or (target._meta.label_lower if target is not None else ""),
        object_id=object_id or (str(target.pk) if target is not None else ""),
        object_label=str(target)[:300] if target is not None else "",
        summary=_json_safe(summary or {}),
        previous_hash=last[2] if last else GENESIS,
    )
    event.hash = event_hash(event.previous_hash, _payload(event))
    _insert(event)
    return event


# The queries below are written out rather than built by the ORM: every change in Opus
# writes an event, and on the ledger's hot path the ORM's compiling of each query cost more
# than the database's work (see bench/ledger.py).


def _last_in_chain(chain: int) -> tuple[int, int, str] | None:
    """(sequence, position, hash) of the chain's last event."""
    with sql.cursor() as cursor:
        cursor.execute(
            "SELECT sequence, position, hash FROM core_auditevent WHERE chain = %s"
            " ORDER BY sequence DESC LIMIT 1",
            [chain],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    # Events written before there were chains have no position: theirs is their sequence.
    return int(row[0]), int(row[1] if row[1] is not None else row[0]), str(row[2])


def _sqlite_next_number() -> int:
    with sql.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(sequence), 0) + 1 FROM core_auditevent")
        return int(cursor.fetchone()[0])


INSERT_COLUMNS = (
    "sequence", "chain", "position", "created_at", "actor_id", "actor_label", "action",
    "object_type", "object_id", "object_label", "summary", "previous_hash", "hash",
)  # fmt: skip


def _insert(event: AuditEvent) -> None:
    json_mark = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
    marks = ", ".join(json_mark if c == "summary" else "%s" for c in INSERT_COLUMNS)
    values = [getattr(event, c) for c in INSERT_COLUMNS]
    values[3] = connection.ops.adapt_datetimefield_value(event.created_at)
    values[10] = json.dumps(event.summary, cls=DjangoJSONEncoder)
    with sql.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO core_auditevent ({', '.join(INSERT_COLUMNS)}) VALUES ({marks})"  # noqa: S608
            " RETURNING id",
            values,
        )
        event.pk = cursor.fetchone()[0]
    event._state.adding = False
    event._state.db = connection.alias


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


def audit_verify(
    progress: Callable[[int, int], None] | None = None, every: int = 1000
) -> tuple[int, ChainBreak | None]:
    """Walk the whole chain: (events checked, the first break or None).

    `progress(checked, total)` is called every `every` events, for long chains.
    """
    total = AuditEvent.objects.count() if progress else 0
    count = 0

    def counted_in(chain: int) -> Iterator[ChainLink]:
        nonlocal count
        for link in chain_links(chain):
            count += 1
            if progress and count % every == 0:
                progress(count, total)
            yield link

    chains = AuditEvent.objects.values_list("chain", flat=True).distinct().order_by("chain")
    for chain in list(chains):
        broken = verify_chain(counted_in(chain))
        if broken is not None:
            return count, broken
    return count, None


@transaction.atomic
def audit_system_event(action: str, summary: dict[str, Any]) -> AuditEvent:
    """An event with no human actor, e.g. an import run from the command line."""
    return audit_record(actor=None, action=action, object_type="system", summary=summary)
