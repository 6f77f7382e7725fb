"""Consortia, bids and their sealed content.

A bid row says who bid, when, and the receipt's SHA-256 — nothing of what they bid. The
content lives encrypted in `SealedContent` (a table of its own) until the opening, after
the deadline, turns it into `BidLot`, `BidAnswer` and `SocialValueCommitment` rows.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opus.core.models import Organisation, User


class MemberStatus(models.TextChoices):
    INVITED = "invited", "Invited"
    CONFIRMED = "confirmed", "Confirmed"
    DECLINED = "declined", "Declined"


class Consortium(models.Model):
    """Providers bidding together for one opportunity, with one lead."""

    opportunity = models.ForeignKey(
        "commissioning.Opportunity", on_delete=models.CASCADE, related_name="consortia"
    )
    name = models.CharField(max_length=200)
    lead = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="consortia_led")
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["opportunity", "name"]
        verbose_name_plural = "consortia"
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "lead"], name="consortium_one_per_lead")
        ]

    def __str__(self) -> str:
        return self.name


class ConsortiumMember(models.Model):
    """One organisation in a consortium, with its share of the work and of the value (%)."""

    consortium = models.ForeignKey(Consortium, on_delete=models.CASCADE, related_name="members")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="consortium_memberships"
    )
    is_lead = models.BooleanField(default=False)
    work = models.CharField(max_length=300, blank=True, help_text="What this member will do")
    work_share = models.PositiveSmallIntegerField(help_text="Per cent of the work")
    value_share = models.PositiveSmallIntegerField(help_text="Per cent of the contract value")
    status = models.CharField(
        max_length=12, choices=MemberStatus.choices, default=MemberStatus.INVITED
    )
    invited_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["consortium", "-is_lead", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["consortium", "organisation"], name="consortium_member_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} in {self.consortium}"

    @property
    def is_confirmed(self) -> bool:
        return self.status == MemberStatus.CONFIRMED


class BidStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    WITHDRAWN = "withdrawn", "Withdrawn"
    REPLACED = "replaced", "Replaced by a later bid"


class OpeningResult(models.TextChoices):
    """What the opening made of an envelope. Every result but VERIFIED sets the bid aside:
    it is not evaluated, the reason is kept in `Bid.opening_note`, and the others open."""

    NOT_OPENED = "", _("Not opened")
    VERIFIED = "verified", _("Opened: matches its receipt")
    HASH_MISMATCH = "hash_mismatch", _("Set aside: does not match its receipt")
    TAMPERED = "tampered", _("Set aside: could not be decrypted")
    UNREADABLE = "unreadable", _("Set aside: its content cannot be read")


class Bid(models.Model):
    """A bid by one organisation (or a consortium through its lead): the envelope, not the
    letter. Until the deadline only the bidder knows what is inside, and only from their
    own copy of what they sent."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    opportunity = models.ForeignKey(
        "commissioning.Opportunity", on_delete=models.PROTECT, related_name="bids"
    )
    bidder = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="bids")
    consortium = models.ForeignKey(
        Consortium, null=True, blank=True, on_delete=models.PROTECT, related_name="bids"
    )
    submitted_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=12, choices=BidStatus.choices, default=BidStatus.SUBMITTED)
    submitted_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    receipt_sha256 = models.CharField(max_length=64)
    size_bytes = models.PositiveIntegerField(default=0)
    opened_at = models.DateTimeField(null=True, blank=True)
    opening_result = models.CharField(
        max_length=16, choices=OpeningResult.choices, default=OpeningResult.NOT_OPENED, blank=True
    )
    opening_note = models.CharField(
        max_length=300, blank=True, help_text="Why the opening set the bid aside"
    )
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["opportunity", "submitted_at", "pk"]

    def __str__(self) -> str:
        return f"Bid {self.uuid} by {self.bidder_id}"

    @property
    def receipt_number(self) -> str:
        return str(self.uuid).upper()[:13]

    @property
    def is_live(self) -> bool:
        return self.status == BidStatus.SUBMITTED

    @property
    def is_opened(self) -> bool:
        return self.opened_at is not None

    @property
    def is_set_aside(self) -> bool:
        return self.is_opened and self.opening_result != OpeningResult.VERIFIED

    def is_sealed(self, now: datetime | None = None) -> bool:
        """Sealed until the opportunity's deadline (server clock); reads the opportunity."""
        return bool(self.opportunity.bids_sealed(now))


class SealedContent(models.Model):
    """The encrypted bid: X25519 with an ephemeral key to the opportunity's public key,
    HKDF-SHA256, AES-256-GCM with the bid's UUID and the ocid as associated data."""

    bid = models.OneToOneField(Bid, on_delete=models.CASCADE, related_name="sealed")
    ephemeral_public_key = models.BinaryField()
    nonce = models.BinaryField()
    ciphertext = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Sealed content of bid {self.bid_id}"


class BidLot(models.Model):
    """A bid's price for one lot, known after opening, and its evaluated scores."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="lot_prices")
    lot = models.ForeignKey("commissioning.Lot", on_delete=models.CASCADE, related_name="bid_lots")
    price_pence = models.PositiveBigIntegerField()
    abnormally_low = models.BooleanField(default=False)
    abnormally_low_note = models.CharField(max_length=300, blank=True)
    price_score = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True)
    quality_score = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True)
    social_value_score = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True)
    social_value_pence = models.PositiveBigIntegerField(default=0)
    total_score = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True)
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    rank_note = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["lot", "rank", "pk"]
        constraints = [models.UniqueConstraint(fields=["bid", "lot"], name="bid_lot_unique")]

    def __str__(self) -> str:
        return f"{self.bid_id} for lot {self.lot_id}"


class BidAnswer(models.Model):
    """A bid's answer to one quality question, known after opening."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(
        "commissioning.QualityQuestion", on_delete=models.CASCADE, related_name="answers"
    )
    text = models.TextField()

    class Meta:
        ordering = ["bid", "question__number"]
        constraints = [
            models.UniqueConstraint(fields=["bid", "question"], name="bid_answer_unique")
        ]

    def __str__(self) -> str:
        return f"Answer of bid {self.bid_id} to {self.question_id}"


class BidDocument(models.Model):
    """A supporting document sent with a bid, taken out of its envelope at the opening (it
    was sealed with the rest of the bid until then), for the panel to read."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="documents")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100, blank=True)
    sha256 = models.CharField(max_length=64)
    size_bytes = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        ordering = ["bid", "pk"]

    def __str__(self) -> str:
        return self.name


class SocialValueCommitment(models.Model):
    """A bid's commitment of so many units of one measure of the value table."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="commitments")
    measure = models.ForeignKey(
        "commissioning.SocialValueMeasure", on_delete=models.PROTECT, related_name="commitments"
    )
    quantity = models.DecimalField(max_digits=12, decimal_places=2)
    value_pence = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["bid", "measure__code"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.measure_id}"
