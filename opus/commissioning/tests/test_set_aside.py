"""No envelope can block the opening (issue 11, item 2): one that cannot be opened, decrypted,
parsed or read is set aside with the reason, audited and shown to the commissioner, and the
others open. The bad envelopes here are planted as someone with the database's keys (or a
bug that let a value through) could: sealed properly, with a receipt that matches."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from opus.commissioning import sealing, services
from opus.commissioning.models import (
    Bid,
    BidAnswer,
    BidLot,
    OpeningResult,
    OpportunityStatus,
    SealedContent,
    SocialValueCommitment,
)
from opus.commissioning.tests.helpers import bid, open_opportunity, provider
from opus.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _content(opportunity, sent, **changes):
    content = {
        "ocid": opportunity.ocid, "bid": str(sent.uuid), "bidder": sent.bidder.slug,
        "consortium": None, "submitted_at": sent.submitted_at.isoformat(),
        "lots": [{"lot": 1, "price_pence": 4_000_000}],
        "answers": {"1": "We visit.", "2": "Volunteers."}, "social_value": [],
        "documents": [], "declaration": True, "salt": "00",
    }  # fmt: skip
    return sealing.canonical({**content, **changes})


def _plant(opportunity, name, plaintext):
    """A bid whose envelope holds `plaintext` (bytes, or made from the bid), sealed to the
    opportunity with a receipt that matches."""
    organisation, user = provider(name)
    sent = Bid.objects.create(
        opportunity=opportunity, bidder=organisation, submitted_by=user,
        submitted_at=opportunity.submission_deadline - timedelta(days=1), receipt_sha256="",
    )  # fmt: skip
    if callable(plaintext):
        plaintext = plaintext(sent)
    sent.receipt_sha256, sent.size_bytes = sealing.receipt_hash(plaintext), len(plaintext)
    sent.save(update_fields=["receipt_sha256", "size_bytes"])
    sealed = sealing.seal(
        bytes(opportunity.sealing_key.public_key), plaintext,
        sealing.associated_data(opportunity.ocid, str(sent.uuid)),
    )  # fmt: skip
    SealedContent.objects.create(
        bid=sent, ephemeral_public_key=sealed.ephemeral_public_key, nonce=sealed.nonce,
        ciphertext=sealed.ciphertext,
    )  # fmt: skip
    return sent


def _priced(opportunity, price):
    return lambda sent: _content(opportunity, sent, lots=[{"lot": 1, "price_pence": price}])


def _world(cast):
    """A closed opportunity with two good bids and a bad envelope of every kind."""
    past = timezone.now() - timedelta(days=30)
    opportunity = open_opportunity(cast, now=past)
    good = []
    for i, price in enumerate((4_000_000, 4_500_000)):
        organisation, user = provider(f"Good {i} Trust")
        good.append(bid(opportunity, organisation, user, prices=(price, 3_000_000),
                        now=past + timedelta(days=1 + i)))  # fmt: skip
    bad = {
        "2^63": _plant(opportunity, "Huge Trust", _priced(opportunity, 2**63)),
        "negative": _plant(opportunity, "Minus Trust", _priced(opportunity, -5)),
        "text price": _plant(opportunity, "Text Trust", _priced(opportunity, "4000000")),
        "a fraction": _plant(opportunity, "Fraction Trust", _priced(opportunity, 100.5)),
        "no such lot": _plant(opportunity, "Lotless Trust",
                              lambda s: _content(opportunity, s,
                                                 lots=[{"lot": 9, "price_pence": 100}])),
        "units 1e30": _plant(opportunity, "Units Trust",
                             lambda s: _content(opportunity, s, social_value=[
                                 {"measure": "ILL-S1", "quantity": "1E+30"}])),
        "odd measure": _plant(opportunity, "Odd Trust",
                              lambda s: _content(opportunity, s, social_value=[
                                  {"measure": ["ILL-S1"], "quantity": "1"}])),
        "not json": _plant(opportunity, "Garbled Trust", b"\xff\xfe not json at all {"),
        "a list": _plant(opportunity, "List Trust", json.dumps([1, 2, 3]).encode()),
        "another bid": _plant(opportunity, "Swapped Trust",
                              lambda s: _content(opportunity, good[0], bid=str(good[0].uuid))),
        "deep": _plant(opportunity, "Deep Trust", b"[" * 100_000 + b"]" * 100_000),
    }  # fmt: skip
    tampered = bid(*((opportunity,) + provider("Tampered Trust")), now=past + timedelta(days=3))
    sealed = SealedContent.objects.get(bid=tampered)
    flipped = bytearray(bytes(sealed.ciphertext))
    flipped[10] ^= 0x01
    SealedContent.objects.filter(pk=sealed.pk).update(ciphertext=bytes(flipped))
    bad["tampered"] = tampered
    short_key = bid(*((opportunity,) + provider("Short Key Trust")), now=past + timedelta(days=3))
    SealedContent.objects.filter(bid=short_key).update(ephemeral_public_key=b"\x01\x02")
    bad["short key"] = short_key
    missing = bid(*((opportunity,) + provider("Empty Trust")), now=past + timedelta(days=3))
    SealedContent.objects.filter(bid=missing).delete()
    bad["no envelope"] = missing
    return opportunity, good, bad


def test_one_bad_envelope_does_not_stop_the_others_opening(cast):
    opportunity, good, bad = _world(cast)
    results = services.bids_open(opportunity=opportunity, by=cast.commissioner)
    opportunity.refresh_from_db()
    assert opportunity.status == OpportunityStatus.OPENED
    for sent in good:
        assert results[str(sent.uuid)] == OpeningResult.VERIFIED
        assert BidLot.objects.filter(bid=sent).count() == 2
        assert BidAnswer.objects.filter(bid=sent).count() == 2
    for label, sent in bad.items():
        sent.refresh_from_db()
        assert results[str(sent.uuid)] != OpeningResult.VERIFIED, label
        assert sent.is_set_aside and sent.opening_note, label
        assert not BidLot.objects.filter(bid=sent).exists(), label
        assert not BidAnswer.objects.filter(bid=sent).exists(), label
        assert not SocialValueCommitment.objects.filter(bid=sent).exists(), label
    assert results[str(bad["tampered"].uuid)] == OpeningResult.TAMPERED
    assert results[str(bad["short key"].uuid)] == OpeningResult.TAMPERED
    assert results[str(bad["2^63"].uuid)] == OpeningResult.UNREADABLE
    assert results[str(bad["not json"].uuid)] == OpeningResult.UNREADABLE
    assert "price for lot 1" in Bid.objects.get(pk=bad["2^63"].pk).opening_note
    verified = opportunity.bids.filter(opening_result=OpeningResult.VERIFIED)
    assert set(verified) == set(good)  # the evaluation goes on with these


def test_each_envelope_set_aside_is_audited_with_its_reason(cast):
    opportunity, good, bad = _world(cast)
    services.bids_open(opportunity=opportunity, by=cast.commissioner)
    for sent in bad.values():
        event = AuditEvent.objects.get(object_id=str(sent.pk), action__startswith="bid.open.")
        assert event.action != "bid.open.verified"
        assert event.summary["set_aside"] == Bid.objects.get(pk=sent.pk).opening_note
    opening = AuditEvent.objects.get(action="bids.open", object_id=str(opportunity.pk))
    assert set(opening.summary["set_aside"]) == {str(s.uuid) for s in bad.values()}


def test_the_commissioner_sees_which_bids_were_set_aside_and_why(cast):
    opportunity, good, bad = _world(cast)
    client = Client()
    client.force_login(cast.commissioner)
    response = client.post(reverse("commissioning:bids_open", args=[opportunity.pk]), follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert f"2 bids opened; {len(bad)} set aside" in page
    huge = Bid.objects.get(pk=bad["2^63"].pk)
    assert "Huge Trust" in page and huge.receipt_number in page
    assert "Set aside: its content cannot be read" in page
    assert "Set aside: could not be decrypted" in page
    for sent in bad.values():
        assert Bid.objects.get(pk=sent.pk).opening_note in page.replace("&#x27;", "'")
    oversight = client.get(reverse("commissioning:oversight")).content.decode()
    assert huge.receipt_number in oversight and huge.opening_note in oversight
