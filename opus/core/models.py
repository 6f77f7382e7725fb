"""Core records: people, their roles, organisations, places and the audit log."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from opus.core import validators


class Role(models.TextChoices):
    RESIDENT = "resident", "Resident"
    CHAMPION = "champion", "Choice Champion"
    PROVIDER = "provider", "Provider staff"
    COMMISSIONER = "commissioner", "Commissioner"
    COUNCILLOR = "councillor", "Neighbourhood councillor"
    AUDITOR = "auditor", "Auditor"
    ADMIN = "admin", "Administrator"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their e-mail address."""

    email = models.EmailField("e-mail address", unique=True)
    full_name = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # When the person followed the link e-mailed at sign-up (empty for accounts made otherwise).
    email_verified_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        # One transaction, so that what a new password or a switched-off account revokes
        # (opus.core.account_security, on pre_save and post_save) commits or rolls back with it.
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)


class OrganisationKind(models.TextChoices):
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    NHS_BODY = "nhs_body", "NHS body"
    POLICE = "police", "Police"
    NEIGHBOURHOOD_COUNCIL = "neighbourhood_council", "Neighbourhood council"
    CHARITY = "charity", "Charity"
    COMMUNITY_GROUP = "community_group", "Community group"
    SOCIAL_ENTERPRISE = "social_enterprise", "Social enterprise"
    MUTUAL = "mutual", "Public-service mutual"
    SME = "sme", "Small or medium firm"
    LARGE_FIRM = "large_firm", "Large firm"
    OTHER_PUBLIC = "other_public", "Other public body"


PUBLIC_KINDS = {
    OrganisationKind.LOCAL_AUTHORITY,
    OrganisationKind.NHS_BODY,
    OrganisationKind.POLICE,
    OrganisationKind.NEIGHBOURHOOD_COUNCIL,
    OrganisationKind.OTHER_PUBLIC,
}


class SizeBand(models.TextChoices):
    MICRO = "micro", "Micro (fewer than 10 staff)"
    SMALL = "small", "Small (10 to 49 staff)"
    MEDIUM = "medium", "Medium (50 to 249 staff)"
    LARGE = "large", "Large (250 staff or more)"


class VerificationStatus(models.TextChoices):
    VERIFIED = "verified", "Verified"
    PENDING = "pending", "Waiting for verification"
    REJECTED = "rejected", "Rejected"


# The kinds that may register themselves (public bodies are set up by administrators).
SELF_REGISTERING_KINDS = (
    OrganisationKind.CHARITY,
    OrganisationKind.COMMUNITY_GROUP,
    OrganisationKind.SOCIAL_ENTERPRISE,
    OrganisationKind.MUTUAL,
    OrganisationKind.SME,
)


class Organisation(models.Model):
    """A council, NHS body, charity, mutual or firm: anyone who commissions or provides."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)  # the ORUK id
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    kind = models.CharField(max_length=32, choices=OrganisationKind.choices)
    description = models.TextField(blank=True)
    charity_number = models.CharField(
        max_length=12, blank=True, validators=[validators.validate_charity_number]
    )
    company_number = models.CharField(
        max_length=8, blank=True, validators=[validators.validate_company_number]
    )
    org_id = models.CharField(
        "org-id identifier",
        max_length=40,
        blank=True,
        db_index=True,
        validators=[validators.validate_org_id],
    )
    size_band = models.CharField(max_length=8, choices=SizeBand.choices, default=SizeBand.SMALL)
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=8, blank=True, validators=[validators.validate_postcode])
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    website = models.URLField(blank=True)
    email = models.EmailField(blank=True)
    area = models.ForeignKey(
        "Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="organisations"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Organisations that register themselves wait for an administrator (opus.core.organisations);
    # those made by administrators, imports and the demo are verified from the start.
    verification_status = models.CharField(
        max_length=8,
        choices=VerificationStatus.choices,
        default=VerificationStatus.VERIFIED,
        db_index=True,
    )
    verified_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    verification_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("core:organisation_detail", args=[self.slug])

    @property
    def is_public_body(self) -> bool:
        return self.kind in PUBLIC_KINDS


class Membership(models.Model):
    """A user holds a role through an organisation; a user may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique_role"
            )
        ]
        ordering = ["role", "organisation__name"]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.organisation}"


def invitation_expiry() -> datetime:
    return timezone.now() + timedelta(days=Invitation.LIFETIME_DAYS)


class Invitation(models.Model):
    """An administrator's invitation to join an organisation with a role.

    The link's secret is e-mailed once and kept only as its SHA-256; it works once, for
    seven days, until revoked (a resend makes a new secret and the old link stops working).
    """

    LIFETIME_DAYS = 7

    email = models.EmailField()
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitations_sent"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"{self.email} as {self.get_role_display()} at {self.organisation}"

    @staticmethod
    def hash_secret(secret: str) -> str:
        return hashlib.sha256(secret.encode("utf-8")).hexdigest()

    @property
    def state(self) -> str:
        """pending, accepted, revoked or expired."""
        if self.accepted_at is not None:
            return "accepted"
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"


class AreaKind(models.TextChoices):
    COUNTRY = "country", "Country"
    LOCAL_AUTHORITY = "la", "Local authority"
    WARD = "ward", "Ward"
    LSOA = "lsoa", "LSOA"
    NEIGHBOURHOOD = "neighbourhood", "Neighbourhood"


AGE_BANDS = (
    "0-4", "5-9", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49",
    "50-54", "55-59", "60-64", "65-69", "70-74", "75-79", "80-84", "85-89", "90+",
)  # fmt: skip

IMD_DOMAINS = (
    ("income", "Income"),
    ("employment", "Employment"),
    ("education", "Education, skills and training"),
    ("health", "Health deprivation and disability"),
    ("crime", "Crime"),
    ("barriers", "Barriers to housing and services"),
    ("living_environment", "Living environment"),
)


class Area(models.Model):
    """An ONS-coded place: local authority > ward > LSOA, or a neighbourhood of LSOAs.

    Populations are stored per sex in the 19 five-year bands of the European
    Standard Population 2013 (0–4 … 90+), so that rates can be age-standardised.
    """

    # Columns that lists never show: left out of list queries.
    HEAVY_FIELDS = (
        "population_male", "population_female", "ethnic_groups", "disability", "imd_domains",
    )  # fmt: skip

    code = models.CharField(max_length=9, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=AreaKind.choices, db_index=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    neighbourhood = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="lsoas"
    )
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    population = models.PositiveIntegerField(default=0)
    population_male = models.JSONField(default=list, blank=True)
    population_female = models.JSONField(default=list, blank=True)
    ethnic_groups = models.JSONField(default=dict, blank=True)
    disability = models.JSONField(default=dict, blank=True)
    imd_score = models.FloatField(null=True, blank=True)
    imd_rank = models.PositiveIntegerField(null=True, blank=True)
    imd_decile = models.PositiveSmallIntegerField(null=True, blank=True, db_index=True)
    imd_domains = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["code"]
        indexes = [
            models.Index(fields=["kind", "code"]),
            models.Index(fields=["parent", "kind"]),
            models.Index(fields=["imd_decile", "code"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("core:area_detail", args=[self.code])

    @property
    def age_bands(self) -> list[dict[str, object]]:
        """Rows of the population pyramid, youngest first."""
        male = self.population_male or [0] * len(AGE_BANDS)
        female = self.population_female or [0] * len(AGE_BANDS)
        return [
            {"band": band, "male": m, "female": f, "total": m + f}
            for band, m, f in zip(AGE_BANDS, male, female, strict=True)
        ]


class Postcode(models.Model):
    """A postcode with its coordinates and the LSOA it lies in (from the ONSPD/NSPL)."""

    postcode = models.CharField(max_length=8, unique=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    lsoa = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="postcodes"
    )

    class Meta:
        ordering = ["postcode"]

    def __str__(self) -> str:
        return self.postcode


class AuditEvent(models.Model):
    """One link of the tamper-evident chain: each event's hash covers the previous hash.

    Rows are never updated or deleted (a trigger refuses it); `manage.py
    audit_verify` recomputes the chain.
    """

    sequence = models.PositiveBigIntegerField(unique=True)
    # The log is several hash chains so that concurrent writers need not queue for one lock
    # (see opus.core.audit); each event links to the one before it in its own chain.
    chain = models.PositiveSmallIntegerField(default=0)
    position = models.PositiveBigIntegerField(null=True, help_text="Place in its chain")
    created_at = models.DateTimeField()
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    actor_label = models.CharField(max_length=254)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, db_index=True)
    object_id = models.CharField(max_length=64, db_index=True)
    object_label = models.CharField(max_length=300, blank=True)
    summary = models.JSONField(default=dict)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "position"], name="audit_chain_position_once")
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.object_type}:{self.object_id}"


class AuditChainHead(models.Model):
    """Where each audit chain ends: its last event's position and hash, moved forward in the
    same transaction as every append. Removing the newest events of a chain leaves its head
    pointing past them, which `audit_verify` reports. The database refuses DELETE and any
    UPDATE that does not move a head forward (triggers, migration 0010)."""

    chain = models.PositiveSmallIntegerField(primary_key=True)
    position = models.PositiveBigIntegerField()
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["chain"]

    def __str__(self) -> str:
        return f"chain {self.chain} at {self.position}"


def api_token_expiry() -> datetime:
    """When a token made now stops working (OPUS_API_TOKEN_LIFETIME_DAYS)."""
    return timezone.now() + timedelta(days=settings.OPUS_API_TOKEN_LIFETIME_DAYS)


class TokenRevocation(models.TextChoices):
    OWNER = "owner", "Revoked by its owner"
    LOCKOUT = "lockout", "Revoked when the account was locked"
    PASSWORD = "password", "Revoked when the password changed"
    DEACTIVATED = "deactivated", "Revoked when the account was switched off"


class ApiToken(models.Model):
    """A machine client's bearer token: shown once, kept only as its SHA-256.

    It works until it expires or is revoked; it is revoked by its owner, and by itself
    when the account is locked after failed sign-ins, its password changes or it is
    switched off (opus.core.account_security).
    """

    PREFIX = "opus_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=api_token_expiry)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(
        max_length=16, choices=TokenRevocation.choices, blank=True, default=""
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} (…{self.hint})"

    @classmethod
    def new_secret(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    @staticmethod
    def hash_secret(secret: str) -> str:
        return hashlib.sha256(secret.encode("utf-8")).hexdigest()

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired


class ThrottleHit(models.Model):
    """One counted request (a password-reset e-mail sent, say) for `opus.core.throttle`.

    The key is a SHA-256 of the e-mail address or client address, so the table keeps no
    personal data; rows older than the longest window are removed as new ones come.
    """

    scope = models.CharField(max_length=32)
    key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["scope", "key", "created_at"])]

    def __str__(self) -> str:
        return f"{self.scope} {self.key[:8]} at {self.created_at:%Y-%m-%d %H:%M}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Finished"
    FAILED = "failed", "Failed"


class BackgroundJob(models.Model):
    """Long work run by the worker, with the progress its page shows.

    The django-tasks result row says whether the task ran; this row says what
    it is for, who asked, how far it has got and what it found.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=64)
    title = models.CharField(max_length=200)
    requested_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    result = models.JSONField(default=dict, blank=True)
    task_result_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("core:job_detail", args=[self.pk])

    @property
    def percent(self) -> int:
        if self.status == JobStatus.SUCCEEDED:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)


class PeriodicRun(models.Model):
    """One slot of a periodic job, claimed once by whichever scheduler gets there first."""

    name = models.CharField(max_length=64)
    slot = models.CharField(max_length=32)
    task_result_id = models.CharField(max_length=64, blank=True)
    enqueued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "slot"], name="periodic_run_once_per_slot")
        ]
        ordering = ["-enqueued_at"]

    def __str__(self) -> str:
        return f"{self.name} {self.slot}"
