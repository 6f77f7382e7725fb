"""The audit log is a hash chain that nobody can quietly rewrite."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, IntegrityError, connection, transaction

from opus.core import services
from opus.core.audit import audit_record, audit_verify
from opus.core.models import AuditChainHead, AuditEvent, Organisation, Role
from opus.testing import allow_audit_tampering, create_member, create_organisation

pytestmark = pytest.mark.django_db


def _some_events():
    organisation = create_organisation(name="Chained Charity")
    user = create_member(Role.PROVIDER, organisation)  # its own staff may change it
    services.organisation_update(
        organisation=organisation, by=user, description="Now with a purpose"
    )
    return organisation


def test_every_event_links_to_the_one_before():
    _some_events()
    events = list(AuditEvent.objects.order_by("sequence"))
    assert len({e.chain for e in events}) == 1  # one connection writes to one chain
    assert [e.position for e in events] == list(range(1, len(events) + 1))
    for before, after in zip(events, events[1:], strict=False):
        assert after.previous_hash == before.hash
    assert audit_verify() == (len(events), None)


def test_an_update_records_who_changed_what_before_and_after():
    organisation = _some_events()
    event = AuditEvent.objects.filter(action="organisation.update").get()
    assert event.object_id == str(organisation.pk)
    assert event.summary == {
        "before": {"description": ""},
        "after": {"description": "Now with a purpose"},
    }


@pytest.mark.parametrize(
    "field, value",
    [("action", "organisation.delete"), ("summary", {"after": {"name": "Forged"}}),
     ("actor_label", "someone-else@example.test"), ("hash", "0" * 64)],
)  # fmt: skip
def test_tampering_with_any_audit_row_makes_audit_verify_fail(field, value):
    _some_events()
    allow_audit_tampering()
    victim = AuditEvent.objects.order_by("sequence")[1]
    AuditEvent.objects.filter(pk=victim.pk).update(**{field: value})
    with pytest.raises(CommandError, match=f"event {victim.sequence} fails"):
        call_command("audit_verify")


def test_deleting_an_event_breaks_the_chain():
    _some_events()
    allow_audit_tampering()
    events = list(AuditEvent.objects.order_by("sequence"))
    events[1].delete()
    with pytest.raises(CommandError, match=f"audit_verify: event {events[2].sequence} fails"):
        call_command("audit_verify")


def test_an_intact_chain_verifies(capsys):
    _some_events()
    call_command("audit_verify")
    assert "events verify" in capsys.readouterr().out


def test_the_database_refuses_to_update_audit_events():
    _some_events()
    event = AuditEvent.objects.first()
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="rewritten")
    assert AuditEvent.objects.filter(pk=event.pk, action=event.action).exists()


def test_the_database_refuses_to_delete_audit_events():
    _some_events()
    event = AuditEvent.objects.first()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_an_event_is_written_in_the_same_transaction_as_its_change():
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        create_organisation(name="Rolled Back")
        raise RuntimeError("the change fails after the event was written")
    assert AuditEvent.objects.count() == before
    assert not Organisation.objects.filter(name="Rolled Back").exists()


@pytest.mark.django_db(transaction=True)
def test_audit_record_refuses_to_run_outside_a_transaction():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_record(actor=None, action="x", object_type="y")
    assert not AuditEvent.objects.exists()


def test_events_from_before_chains_get_their_positions_and_the_log_stays_append_only():
    import importlib
    from types import SimpleNamespace

    fill = importlib.import_module("opus.core.migrations.0008_audit_positions").forwards
    _some_events()
    with connection.cursor() as cursor:  # an event as written before there were chains
        cursor.execute(
            "INSERT INTO core_auditevent (sequence, chain, position, created_at, actor_label,"
            " action, object_type, object_id, object_label, summary, previous_hash, hash)"
            " VALUES (9999, 0, NULL, %s, 'system', 'legacy', '', '', '', '{}', %s, %s)",
            [AuditEvent.objects.first().created_at, "0" * 64, "f" * 64],
        )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # the deferred checks a migration has not got
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        fill(None, SimpleNamespace(connection=connection, execute=cursor.execute))
    assert AuditEvent.objects.get(sequence=9999).position == 9999
    assert not AuditEvent.objects.filter(position__isnull=True).exists()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(sequence=9999).update(action="rewritten")


# --- Chain heads (issue 11, item 3) ---------------------------------------------------------


def _newest_per_chain() -> list[AuditEvent]:
    chains = AuditEvent.objects.order_by("chain").values_list("chain", flat=True).distinct()
    return [AuditEvent.objects.filter(chain=c).order_by("-position").first() for c in chains]


def test_every_append_moves_its_chains_head():
    _some_events()
    for newest in _newest_per_chain():
        head = AuditChainHead.objects.get(chain=newest.chain)
        assert (head.position, head.hash) == (newest.position, newest.hash)


def test_deleting_the_newest_event_of_every_chain_is_named():
    _some_events()
    allow_audit_tampering()  # as someone who can step round the append-only triggers
    newest = _newest_per_chain()
    AuditEvent.objects.filter(pk__in=[e.pk for e in newest]).delete()
    assert audit_verify()[1] is not None
    with pytest.raises(CommandError, match="the newest events were removed"):
        call_command("audit_verify")


def test_deleting_a_whole_chain_is_named():
    _some_events()
    allow_audit_tampering()
    AuditEvent.objects.all().delete()
    with pytest.raises(CommandError, match=r"chain \d+ has no events, but its head says"):
        call_command("audit_verify")


def test_events_written_without_moving_the_head_are_named():
    _some_events()
    newest = _newest_per_chain()[0]
    forged = AuditEvent(  # a well-formed next link, inserted straight into the table
        sequence=newest.sequence + 1000,
        chain=newest.chain,
        position=newest.position + 1,
        created_at=newest.created_at,
        actor_label="system",
        action="forged",
        summary={},
        previous_hash=newest.hash,
    )
    from opus.core.audit import _payload
    from opus.engines.hashchain import event_hash

    forged.hash = event_hash(forged.previous_hash, _payload(forged))
    forged.save()
    with pytest.raises(CommandError, match="runs past its head"):
        call_command("audit_verify")


def test_the_database_refuses_to_delete_a_head_or_move_it_back():
    _some_events()
    head = AuditChainHead.objects.first()
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
        AuditChainHead.objects.filter(pk=head.pk).delete()
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
        AuditChainHead.objects.filter(pk=head.pk).update(position=head.position - 1)
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
        AuditChainHead.objects.filter(pk=head.pk).update(hash="0" * 64)
    assert AuditChainHead.objects.get(pk=head.pk).position == head.position


def test_heads_of_events_from_before_them_are_filled_in():
    import importlib

    fill = importlib.import_module("opus.core.migrations.0010_audit_heads").FILL_HEADS
    _some_events()
    allow_audit_tampering()
    AuditChainHead.objects.all().delete()  # as before there were heads
    with connection.cursor() as cursor:
        cursor.execute(fill)
    assert audit_verify()[1] is None
    assert AuditChainHead.objects.count() == len(_newest_per_chain())


def test_published_heads_record_every_chain(capsys):
    _some_events()
    expected = {
        str(h.chain): {"position": h.position, "hash": h.hash} for h in AuditChainHead.objects.all()
    }
    call_command("publish_audit_heads")
    event = AuditEvent.objects.get(action="audit.heads")
    assert event.summary == {"chains": len(expected), "heads": expected}
    assert f"event {event.sequence} records" in capsys.readouterr().out
    assert audit_verify()[1] is None


def test_the_audit_log_page_lists_published_heads_and_offers_them_to_keep(client, cast):
    import csv
    import io

    from opus.core.audit import publish_heads

    event = publish_heads()
    client.force_login(cast.auditor)
    page = client.get("/audit/").content.decode()
    assert "Published chain heads" in page and f'href="/audit/{event.sequence}/"' in page
    rows = list(csv.reader(io.StringIO(client.get("/audit/heads.csv").content.decode("utf-8-sig"))))
    assert rows[0] == ["published_sequence", "published_at", "event_hash", "chain", "position",
                       "hash"]  # fmt: skip
    published = {(r[3], int(r[4]), r[5]) for r in rows[1:] if r[0] == str(event.sequence)}
    assert published == {
        (chain, head["position"], head["hash"]) for chain, head in event.summary["heads"].items()
    }
    body = client.get("/audit/heads.json").json()
    assert body[0]["sequence"] == event.sequence and body[0]["heads"] == event.summary["heads"]
    for user in (cast.resident, cast.commissioner):
        client.force_login(user)
        assert client.get("/audit/heads.csv").status_code in (302, 403, 404)


@pytest.mark.parametrize("extension", ["csv", "json"])
def test_heads_kept_outside_find_a_log_cut_back_with_its_heads(client, cast, tmp_path, extension):
    from opus.core.audit import publish_heads

    published = publish_heads().summary["heads"]
    client.force_login(cast.auditor)
    kept = tmp_path / f"audit-heads.{extension}"
    kept.write_bytes(client.get(f"/audit/heads.{extension}").content)
    call_command("audit_verify", "--against", str(kept))
    # Someone who can step round every trigger removes the newest events (back past the
    # published heads) and moves each head back to match: the log and its heads agree again...
    allow_audit_tampering()
    for chain, head in published.items():
        AuditEvent.objects.filter(chain=int(chain), position__gte=head["position"]).delete()
    for event in _newest_per_chain():
        AuditChainHead.objects.filter(chain=event.chain).update(
            position=event.position, hash=event.hash
        )
    call_command("audit_verify")
    # ...but not with the heads kept outside Opus.
    with pytest.raises(CommandError, match="which a kept head names: events were removed"):
        call_command("audit_verify", "--against", str(kept))


def test_kept_heads_that_cannot_be_read_are_a_clear_error(tmp_path):
    kept = tmp_path / "audit-heads.json"
    kept.write_text("not json")
    with pytest.raises(CommandError, match="cannot read kept heads"):
        call_command("audit_verify", "--against", str(kept))


def test_after_the_newest_events_are_removed_the_chain_takes_no_more_until_looked_into():
    """New events cannot paper over the gap: the head will not move back to meet them."""
    import importlib

    heads_migration = importlib.import_module("opus.core.migrations.0010_audit_heads")
    _some_events()
    allow_audit_tampering()
    AuditEvent.objects.filter(pk__in=[e.pk for e in _newest_per_chain()]).delete()
    with connection.cursor() as cursor:  # the triggers back, as after the attacker left
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")
        else:
            cursor.execute(heads_migration.SQLITE_UP[2])
    with pytest.raises((DatabaseError, IntegrityError), match="only moves forward"):
        with transaction.atomic():
            create_organisation(name="After the gap")
    assert not Organisation.objects.filter(name="After the gap").exists()
