"""The service directory in the shape of HSDS 3 / Open Referral UK 3.0.

Ids are UUIDs, as the standard's schemas require. Beyond the standard, services carry
structured eligibility (age range, circumstances from a vocabulary, a residency area,
whether a referral is needed), delivery modes, capacity and vacancies, and locations
carry accessibility features from a vocabulary: what matching needs and the standard lacks.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F
from django.db.models.functions import Floor
from django.urls import reverse
from django.utils import timezone

from opus.core.models import Area, Organisation

REVIEW_INTERVAL = timedelta(days=365)
REMOTE_DELIVERY = {"at-home", "online"}
GRID_PER_DEGREE = 10  # grid squares of 0.1° (about 11 km north–south)
GRID_ROW = 10_000  # cell = row × GRID_ROW + column


class Taxonomy(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    uri = models.URLField(blank=True)
    version = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "taxonomies"

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    taxonomy = models.ForeignKey(Taxonomy, on_delete=models.CASCADE, related_name="terms")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    code = models.CharField(max_length=100)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    term_uri = models.URLField(blank=True)

    class Meta:
        ordering = ["taxonomy", "code"]
        constraints = [
            models.UniqueConstraint(fields=["taxonomy", "code"], name="taxonomy_term_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class ServiceStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    DEFUNCT = "defunct", "Defunct"
    TEMPORARILY_CLOSED = "temporarily closed", "Temporarily closed"


class Service(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="services"
    )
    name = models.CharField(max_length=200)
    description = models.TextField()
    url = models.URLField(blank=True)
    email = models.EmailField(blank=True)
    status = models.CharField(
        max_length=20, choices=ServiceStatus.choices, default=ServiceStatus.ACTIVE
    )
    fees_description = models.TextField(blank=True)
    application_process = models.TextField(blank=True)
    eligibility_description = models.TextField(blank=True)
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    circumstances = models.JSONField(default=list, blank=True)  # codes from CIRCUMSTANCES
    residency_area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    referral_required = models.BooleanField(default=False)
    delivery = models.JSONField(default=list, blank=True)  # codes from DELIVERY
    # True when delivery includes at-home or online: the matching query filters on it.
    delivers_remotely = models.BooleanField(default=False, db_index=True, editable=False)
    capacity = models.PositiveIntegerField(null=True, blank=True)
    vacancies = models.PositiveIntegerField(null=True, blank=True)
    assured_date = models.DateField(null=True, blank=True)
    assurer_email = models.EmailField(blank=True)
    alert = models.CharField(max_length=300, blank=True)
    terms = models.ManyToManyField(TaxonomyTerm, related_name="services", blank=True)
    # Name, description, needs and provider in one text, for the full-text index (search.py).
    search_text = models.TextField(blank=True, editable=False)
    # When the provider last confirmed the details (None: never, e.g. imported without a date).
    reviewed_at = models.DateTimeField(default=timezone.now, null=True, blank=True)
    last_modified = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.delivers_remotely = bool(set(self.delivery or []) & REMOTE_DELIVERY)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("directory:service_detail", args=[self.pk])

    @property
    def needs_review(self) -> bool:
        """Not reviewed by its provider for twelve months (or ever): flagged to them and shown."""
        return self.reviewed_at is None or timezone.now() - self.reviewed_at > REVIEW_INTERVAL


class LocationType(models.TextChoices):
    PHYSICAL = "physical", "A place people visit"
    POSTAL = "postal", "A postal address"
    VIRTUAL = "virtual", "Online or by phone"


class Location(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="locations"
    )
    location_type = models.CharField(
        max_length=10, choices=LocationType.choices, default=LocationType.PHYSICAL
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    address_1 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=8, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    accessibility = models.JSONField(default=list, blank=True)  # codes from ACCESSIBILITY
    # A 0.1° grid square, computed by the database from the coordinates, however rows arrive:
    # "places near here" reads the few squares around a person through this index.
    cell = models.GeneratedField(
        expression=Floor((F("latitude") + 90) * GRID_PER_DEGREE) * GRID_ROW
        + Floor((F("longitude") + 180) * GRID_PER_DEGREE),
        output_field=models.BigIntegerField(null=True),
        db_persist=True,
        db_index=True,
    )

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["latitude", "longitude"], name="location_lat_lon")]

    def __str__(self) -> str:
        return self.name


class ServiceAtLocation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="at_locations")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="services_here")
    description = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "location"], name="service_location_unique")
        ]

    def __str__(self) -> str:
        return f"{self.service} at {self.location}"


RADIUS_METRES = (100, 100_000)  # the smallest and largest radius a home service may cover


class ServiceArea(models.Model):
    """Where a service delivered at home or in the community goes: an area (an LSOA, ward,
    neighbourhood or authority), or a radius from a base (its name says where the base is)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="areas")
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.SET_NULL)
    name = models.CharField(max_length=200)
    latitude = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    radius_m = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(RADIUS_METRES[0]), MaxValueValidator(RADIUS_METRES[1])],
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(radius_m__isnull=True)
                | models.Q(
                    radius_m__gte=RADIUS_METRES[0],
                    radius_m__lte=RADIUS_METRES[1],
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="service_area_radius_bounded",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Language(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="languages")
    code = models.CharField(max_length=10)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CostUnit(models.TextChoices):
    HOUR = "hour", "an hour"
    SESSION = "session", "a session"
    WEEK = "week", "a week"
    MONTH = "month", "a month"


class CostOption(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="cost_options")
    option = models.CharField(max_length=200, blank=True)
    amount_pence = models.PositiveIntegerField()
    unit = models.CharField(max_length=10, choices=CostUnit.choices, default=CostUnit.HOUR)
    currency = models.CharField(max_length=3, default="GBP")
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"£{self.amount_pence / 100:.2f} {self.get_unit_display()}"


class Schedule(models.Model):
    """When a service runs, in the RRULE fields HSDS uses (weekly on given days)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="schedules")
    freq = models.CharField(max_length=10, default="WEEKLY")
    interval = models.PositiveSmallIntegerField(default=1)
    byday = models.CharField(max_length=40, blank=True, help_text="For example MO,WE,FR")
    opens_at = models.TimeField(null=True, blank=True)
    closes_at = models.TimeField(null=True, blank=True)
    description = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return self.description or f"{self.freq} {self.byday}"


class Contact(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)

    def __str__(self) -> str:
        return self.name or self.email or self.phone


class ImportKind(models.TextChoices):
    SERVICE = "service", "Service"
    ORGANISATION = "organisation", "Organisation"
    LOCATION = "location", "Location"
    TAXONOMY = "taxonomy", "Taxonomy"
    TERM = "term", "Taxonomy term"


class ImportedRecord(models.Model):
    """Which feed source created a record that ``manage.py import_oruk`` wrote.

    An import may update only the records its own source created (checked in
    opus/directory/importers/check.py, written by write.py); a record with no row here (made in
    Opus, or by the demo world) is never changed by one.
    ``external_id`` is the record's ORUK id: ``Service.id``, ``Organisation.uuid``,
    ``Location.id``, ``Taxonomy.id`` or ``TaxonomyTerm.id``.
    """

    source = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    external_id = models.UUIDField()
    first_imported_at = models.DateTimeField(default=timezone.now)
    last_imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "external_id"], name="directory_imported_record_unique"
            )
        ]
        indexes = [models.Index(fields=["source", "kind"], name="imported_record_source")]

    def __str__(self) -> str:
        return f"{self.kind} {self.external_id} from {self.source}"


class MappingMatch(models.TextChoices):
    EXACT = "exact", "Exact"
    RELATED = "related", "Related"


class NeedMapping(models.Model):
    """A council's own row mapping a feed's term to an Opus need (opus/directory/needs_mapping.py).

    The shipped tables are data files (opus/directory/data/need_mappings/); a council's rows,
    loaded with ``manage.py load_need_mappings``, replace the shipped rows with the same
    scheme and code (or, when the code is blank, the same label).
    """

    scheme = models.CharField(max_length=100)  # as needs_mapping.scheme_key gives it
    code = models.CharField(max_length=200, blank=True)
    label = models.CharField(max_length=200, blank=True)
    need = models.CharField(max_length=100)  # an Opus need code (taxonomy.py)
    match = models.CharField(max_length=10, choices=MappingMatch.choices)
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["scheme", "code", "label", "need"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "code", "label", "need"], name="need_mapping_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scheme} {self.code or self.label} → {self.need}"


class SuggestionStatus(models.TextChoices):
    SUGGESTED = "suggested", "Suggested"
    CONFIRMED = "confirmed", "Confirmed"
    REJECTED = "rejected", "Rejected"


class SuggestedNeed(models.Model):
    """A need a service's words point to, waiting for its provider or an administrator.

    Only a confirmed suggestion is a need of the service (it is then one of its terms, so
    matching finds it); a suggested or rejected one is not. A rejected one is not suggested
    again.
    """

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="suggested_needs")
    term = models.ForeignKey(TaxonomyTerm, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    words = models.JSONField(default=list, blank=True)  # the words that suggested it
    source = models.CharField(max_length=100, blank=True)  # the import that suggested it
    status = models.CharField(
        max_length=10, choices=SuggestionStatus.choices, default=SuggestionStatus.SUGGESTED
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["service__name", "-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["service", "term"], name="suggested_need_unique"),
            models.CheckConstraint(
                condition=models.Q(score__gte=0) & models.Q(score__lte=1),
                name="suggested_need_score_range",
            ),
        ]
        indexes = [models.Index(fields=["status", "service"], name="suggested_need_status")]

    def __str__(self) -> str:
        return f"{self.term} for {self.service} ({self.status})"
