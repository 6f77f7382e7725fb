"""Sealed bids: encrypted at rest, unopenable before the deadline, checked at opening."""

from datetime import timedelta

import pytest
from django.utils import timezone

from opus.commissioning import sealing, services
from opus.commissioning.errors import CommissioningError
from opus.commissioning.models import Bid, BidLot, BidStatus, OpeningResult, SealedContent
from opus.commissioning.tests.helpers import (
    bid,
    closed_opportunity_with_bids,
    open_opportunity,
    provider,
)
from opus.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_bid_is_stored_encrypted_with_a_receipt_of_its_sha256(cast):
    opportunity = open_opportunity(cast)
    organisation, user = provider("Quiet Trust")
    sent = bid(opportunity, organisation, user, prices=(4_123_457,))
    sealed = SealedContent.objects.get(bid=sent)
    raw = bytes(sealed.ciphertext)
    assert b"4123457" not in raw and b"We visit every week" not in raw
    assert len(sent.receipt_sha256) == 64
    assert not BidLot.objects.exists()  # nothing readable exists before opening


def test_nothing_can_be_decrypted_before_the_deadline(cast):
    opportunity = open_opportunity(cast)
    organisation, user = provider("Quiet Trust")
    sent = bid(opportunity, organisation, user)
    with pytest.raises(sealing.StillSealed):
        sealing.open_sealed(
            opportunity, opportunity.sealing_key, sent.sealed,
            sealing.associated_data(opportunity.ocid, str(sent.uuid)),
        )  # fmt: skip
    with pytest.raises(CommissioningError, match="sealed until"):
        services.bids_open(opportunity=opportunity, by=cast.commissioner)
    assert Bid.objects.get(pk=sent.pk).opened_at is None


def test_opening_after_the_deadline_checks_each_receipt_and_is_audited(cast):
    opportunity, bids = closed_opportunity_with_bids(cast)
    results = services.bids_open(opportunity=opportunity, by=cast.commissioner)
    assert set(results.values()) == {OpeningResult.VERIFIED}
    assert BidLot.objects.filter(bid__in=bids).count() == 4
    assert AuditEvent.objects.filter(action="bids.open", object_id=str(opportunity.pk)).exists()
    assert AuditEvent.objects.filter(action="bid.open.verified").count() == 2


def test_tampered_ciphertext_is_detected_at_opening(cast):
    opportunity, bids = closed_opportunity_with_bids(cast)
    sealed = SealedContent.objects.get(bid=bids[0])
    flipped = bytearray(bytes(sealed.ciphertext))
    flipped[10] ^= 0x01
    SealedContent.objects.filter(pk=sealed.pk).update(ciphertext=bytes(flipped))
    results = services.bids_open(opportunity=opportunity, by=cast.commissioner)
    assert results[str(bids[0].uuid)] == OpeningResult.TAMPERED
    assert results[str(bids[1].uuid)] == OpeningResult.VERIFIED
    assert not BidLot.objects.filter(bid=bids[0]).exists()


def test_ciphertext_moved_to_another_bid_is_detected(cast):
    opportunity, bids = closed_opportunity_with_bids(cast)
    first = SealedContent.objects.get(bid=bids[0])
    SealedContent.objects.filter(bid=bids[1]).update(
        ephemeral_public_key=first.ephemeral_public_key, nonce=first.nonce,
        ciphertext=first.ciphertext,
    )  # fmt: skip
    results = services.bids_open(opportunity=opportunity, by=cast.commissioner)
    assert results[str(bids[1].uuid)] == OpeningResult.TAMPERED


def test_a_receipt_hash_altered_in_the_database_is_detected(cast):
    opportunity, bids = closed_opportunity_with_bids(cast)
    Bid.objects.filter(pk=bids[0].pk).update(receipt_sha256="0" * 64)
    results = services.bids_open(opportunity=opportunity, by=cast.commissioner)
    assert results[str(bids[0].uuid)] == OpeningResult.HASH_MISMATCH


def test_a_different_server_secret_cannot_unwrap_the_key(cast, settings):
    opportunity, bids = closed_opportunity_with_bids(cast)
    settings.OPUS_BID_SEALING_SECRET = "another secret entirely"
    results = services.bids_open(opportunity=opportunity, by=cast.commissioner)
    assert set(results.values()) == {OpeningResult.TAMPERED}


def test_a_late_bid_is_refused_to_the_second(cast):
    opportunity = open_opportunity(cast)
    organisation, user = provider("Late Trust")
    deadline = opportunity.submission_deadline
    on_time = bid(opportunity, organisation, user, now=deadline - timedelta(seconds=1))
    with pytest.raises(CommissioningError, match="deadline passed") as caught:
        bid(opportunity, organisation, user, now=deadline)
    assert caught.value.field == "submission_deadline"
    with pytest.raises(CommissioningError):
        bid(opportunity, organisation, user, now=deadline + timedelta(milliseconds=1))
    assert list(Bid.objects.values_list("pk", flat=True)) == [on_time.pk]


def test_replace_and_withdraw_until_the_deadline(cast):
    opportunity = open_opportunity(cast)
    organisation, user = provider("Changing Trust")
    first = bid(opportunity, organisation, user, prices=(4_000_000,))
    second = bid(opportunity, organisation, user, prices=(3_900_000,))
    first.refresh_from_db()
    assert first.status == BidStatus.REPLACED and second.replaces_id == first.pk
    assert first.receipt_sha256 != second.receipt_sha256
    services.bid_withdraw(bid=second, by=user)
    second.refresh_from_db()
    assert second.status == BidStatus.WITHDRAWN
    with pytest.raises(CommissioningError):
        services.bid_withdraw(bid=second, by=user, now=opportunity.submission_deadline)


def test_a_withdrawn_bid_is_not_opened(cast):
    past = timezone.now() - timedelta(days=30)
    opportunity = open_opportunity(cast, now=past)
    organisation, user = provider("Gone Trust")
    sent = bid(opportunity, organisation, user, now=past + timedelta(days=1))
    services.bid_withdraw(bid=sent, by=user, now=past + timedelta(days=2))
    assert services.bids_open(opportunity=opportunity, by=cast.commissioner) == {}
