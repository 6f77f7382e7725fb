"""The register of public and community assets, and assets of community value.

`PublicAsset`: land and buildings owned by a public body, as a council publishes them under the
Local Government Transparency Code 2015 (imported by `manage.py import_land_assets`).
`CommunityAsset`: an asset of community value from its nomination to its listing, review,
disposal notices (with the clocks from `opus/engines/community_assets.py` stored on each),
requests to be treated as a bidder and exempt disposals.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = [
    "AcvStatus",
    "BidderRequest",
    "CommunityAsset",
    "DisposalNotice",
    "ExemptDisposal",
    "GrantRoundOffer",
    "PublicAsset",
    "Tenure",
]


class Tenure(models.TextChoices):
    FREEHOLD = "freehold", _("Freehold")
    LEASEHOLD = "leasehold", _("Leasehold")
    OTHER = "other", _("Other or not known")


class PublicAsset(models.Model):
    """A piece of public land or a building: who owns it, what it is for, where, and whether
    it is surplus. `import_source` names the import that created it ("" when made in Opus):
    an import changes only the records its own source created."""

    owner = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="public_assets"
    )
    reference = models.CharField(max_length=100)  # the owner's Unique Asset Identity
    name = models.CharField(max_length=300)
    use = models.CharField(max_length=200, blank=True)  # Holding Type / use
    tenure = models.CharField(max_length=16, choices=Tenure.choices, default=Tenure.OTHER)
    tenure_detail = models.CharField(max_length=200, blank=True)
    street_number = models.CharField(max_length=60, blank=True)
    street_name = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    uprn = models.CharField(max_length=12, blank=True)
    easting = models.PositiveIntegerField(null=True, blank=True)
    northing = models.PositiveIntegerField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    lsoa = models.ForeignKey(
        "core.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    condition = models.CharField(max_length=200, blank=True)
    occupied_by_owner = models.BooleanField(null=True, blank=True)
    surplus = models.BooleanField(default=False)
    source = models.CharField(max_length=300, blank=True)  # where the facts came from
    import_source = models.CharField(max_length=100, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "reference"], name="neighbourhoods_public_asset_ref"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def address_text(self) -> str:
        street = " ".join(p for p in (self.street_number, self.street_name) if p)
        return ", ".join(p for p in (street, self.town, self.postcode) if p)


class AcvStatus(models.TextChoices):
    NOMINATED = "nominated", _("Nominated, waiting for a decision")
    LISTED = "listed", _("Listed")
    NOT_LISTED = "not_listed", _("Not listed")
    REMOVED = "removed", _("Removed from the list")


class CommunityAsset(models.Model):
    """An asset of community value, from its nomination onwards.

    Dates are stored as the rules engine worked them when the event was recorded, with the
    regime's code, so a later change of regime never moves a clock already running.
    """

    reference = models.CharField(max_length=20, unique=True)  # ACV-000001
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    address_text = models.CharField(max_length=400)
    postcode = models.CharField(max_length=8, blank=True)
    uprn = models.CharField(max_length=12, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    lsoa = models.ForeignKey(
        "core.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    public_asset = models.ForeignKey(
        PublicAsset, null=True, blank=True, on_delete=models.SET_NULL, related_name="acvs"
    )
    owner_name = models.CharField(max_length=200)
    owner_email = models.EmailField(blank=True)
    owner_organisation = models.ForeignKey(
        "core.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    listing_authority = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="listed_acvs"
    )
    neighbourhood_council = models.ForeignKey(
        "core.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="neighbourhood_acvs",
    )
    regime = models.CharField(max_length=60)
    nominator = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="nominated_acvs"
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    nominated_on = models.DateField()
    reasons = models.TextField()
    decision_due = models.DateField()
    status = models.CharField(
        max_length=16, choices=AcvStatus.choices, default=AcvStatus.NOMINATED, db_index=True
    )
    decided_on = models.DateField(null=True, blank=True)
    decision_reasons = models.TextField(blank=True)
    listed_until = models.DateField(null=True, blank=True)
    review_request_end = models.DateField(null=True, blank=True)
    review_requested_on = models.DateField(null=True, blank=True)
    review_due = models.DateField(null=True, blank=True)
    review_decided_on = models.DateField(null=True, blank=True)
    review_upheld = models.BooleanField(null=True, blank=True)
    review_reasons = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("neighbourhoods:asset_detail", args=[self.reference])


class DisposalNotice(models.Model):
    """An owner's notice of an intended disposal, with the clocks it started."""

    asset = models.ForeignKey(CommunityAsset, on_delete=models.PROTECT, related_name="notices")
    notice_date = models.DateField()
    regime = models.CharField(max_length=60)
    interim_end = models.DateField()
    full_end = models.DateField(null=True, blank=True)
    protected_end = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-notice_date", "-pk"]

    def __str__(self) -> str:
        return f"Notice of {self.notice_date.isoformat()}"

    @property
    def moratorium_end(self) -> object:
        return self.full_end or self.interim_end


class BidderRequest(models.Model):
    """A community interest group's written request to be treated as a potential bidder."""

    notice = models.ForeignKey(
        DisposalNotice, on_delete=models.PROTECT, related_name="bidder_requests"
    )
    group = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="+")
    made_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["made_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "group"], name="neighbourhoods_bidder_once")
        ]

    def __str__(self) -> str:
        return f"Request of {self.made_on.isoformat()}"


class ExemptDisposal(models.Model):
    """A disposal the moratorium does not apply to, with the exemption and the reason."""

    asset = models.ForeignKey(CommunityAsset, on_delete=models.PROTECT, related_name="exemptions")
    exemption = models.CharField(max_length=40)
    reason = models.TextField()
    disposal_date = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-disposal_date", "-pk"]

    def __str__(self) -> str:
        return f"{self.exemption} on {self.disposal_date.isoformat()}"


class GrantRoundOffer(models.Model):
    """The offer made to a neighbourhood council, when a moratorium starts, to open a small-grant
    round for a feasibility study. Shown on the council's asset page; a councillor opens the
    round from it (`grants.grant_round_from_offer`) and the offer keeps the round it led to."""

    notice = models.OneToOneField(
        DisposalNotice, on_delete=models.PROTECT, related_name="grant_offer"
    )
    neighbourhood_council = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="asset_grant_offers"
    )
    offered_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    grant_round = models.OneToOneField(
        "neighbourhoods.GrantRound",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="asset_offer",
        help_text="The small-grant round the council opened from this offer, if it did.",
    )

    class Meta:
        ordering = ["-offered_on", "-pk"]

    def __str__(self) -> str:
        return f"Grant round offered on {self.offered_on.isoformat()}"
