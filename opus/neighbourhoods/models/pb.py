"""Participatory budgeting: processes, proposals, ballots, results and delivery.

One ballot per person per process is a database constraint (`ballot_once_per_voter`, among
ballots not voided), as is one paper ballot number per process. Nothing of a count is stored
on a process until it is counted, and nothing counted is shown until `results_published_at`.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opus.core.models import Area, Organisation, User

__all__ = [
    "Ballot",
    "BallotType",
    "Channel",
    "DeliveryPhoto",
    "DeliveryStatus",
    "Milestone",
    "Phase",
    "Process",
    "Project",
    "ProjectStatus",
    "Result",
]


class Phase(models.TextChoices):
    PROPOSALS = "proposals", _("Proposals")
    FEASIBILITY = "feasibility", _("Feasibility review")
    VOTING = "voting", _("Voting")
    COUNTING = "counting", _("Counting")
    RESULTS = "results", _("Results")
    DELIVERY = "delivery", _("Delivery")


PHASE_ORDER = [p.value for p in Phase]


class BallotType(models.TextChoices):
    APPROVAL = "approval", _("Approval (choose between a minimum and a maximum of projects)")
    KNAPSACK = "knapsack", _("Knapsack (choose projects costing no more than the budget)")
    CUMULATIVE = "cumulative", _("Cumulative (share points between projects)")


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    PAPER = "paper", _("Paper")


def new_secret() -> str:
    return secrets.token_hex(32)


class Process(models.Model):
    council = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="pb_processes")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="pb_processes")
    budget = models.ForeignKey(
        "budgets.Budget", on_delete=models.PROTECT, related_name="pb_processes"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    amount_pence = models.PositiveBigIntegerField(help_text="The money the vote shares out")
    phase = models.CharField(max_length=12, choices=Phase.choices, default=Phase.PROPOSALS)
    ballot_type = models.CharField(max_length=12, choices=BallotType.choices)
    min_choices = models.PositiveSmallIntegerField(default=1)
    max_choices = models.PositiveSmallIntegerField(null=True, blank=True)
    points = models.PositiveSmallIntegerField(default=10, help_text="Cumulative ballots' points")
    min_age = models.PositiveSmallIntegerField(default=11)
    rule = models.CharField(max_length=16, default="equal-shares")
    completion = models.CharField(max_length=8, default="add1")
    exhaustive_stop = models.BooleanField(default=True)
    # Published before counting: the ballot file's SHA-256 and the tie order (the seeded lot).
    seed = models.CharField(max_length=64, blank=True)
    ballots_sha256 = models.CharField(max_length=64, blank=True)
    tie_order = models.JSONField(default=list, blank=True)
    frozen_at = models.DateTimeField(null=True, blank=True)
    results_published_at = models.DateTimeField(null=True, blank=True)
    # Pseudonymous voter ids in the Pabulib file: HMAC of the user id with this secret.
    voter_secret = models.CharField(max_length=64, default=new_secret, editable=False)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "processes"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rule__in=["greedy", "equal-shares"]), name="pb_rule_known"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def published(self) -> bool:
        return self.results_published_at is not None


class ProjectStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    FEASIBLE = "feasible", _("On the ballot")
    INELIGIBLE = "ineligible", _("Not eligible")


class DeliveryStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


class Project(models.Model):
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="projects")
    title = models.CharField(max_length=200)
    description = models.TextField()
    place = models.CharField(max_length=200, blank=True)
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_cost_pence = models.PositiveBigIntegerField()
    cost_pence = models.PositiveBigIntegerField()
    proposer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="pb_proposals")
    status = models.CharField(
        max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.PROPOSED
    )
    review_reason = models.TextField(blank=True)
    # Filled when the results are published.
    funded = models.BooleanField(default=False)
    commitment = models.OneToOneField(
        "budgets.Commitment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    delivery_status = models.CharField(
        max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.NOT_STARTED
    )
    progress = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="pb_progress_le_100")
        ]

    def __str__(self) -> str:
        return self.title


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    text = models.CharField(max_length=300)
    reached_on = models.DateField()
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["reached_on", "id"]

    def __str__(self) -> str:
        return self.text


class DeliveryPhoto(models.Model):
    """A photo of a funded project's delivery, with its alt text; stored through Django's storage
    API under a random name, its type worked out from its bytes (JPEG, PNG or WebP) and served
    only as that type, as a download-safe image (`neighbourhoods.photos`)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to="pb/photos/", max_length=200)
    content_type = models.CharField(max_length=20)
    size = models.PositiveIntegerField()
    alt_text = models.CharField(max_length=300)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.alt_text


class Ballot(models.Model):
    """One person's ballot: online, or keyed from paper by an officer with its number."""

    process = models.ForeignKey(Process, on_delete=models.PROTECT, related_name="ballots")
    voter = models.ForeignKey(User, on_delete=models.PROTECT, related_name="pb_ballots")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    paper_number = models.PositiveIntegerField(null=True, blank=True)
    points = models.JSONField(help_text="Project id (text) → points; 1 each for approval")
    lsoa = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    keyed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cast_at = models.DateTimeField(default=timezone.now)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.TextField(blank=True)
    voided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["process", "voter"],
                condition=models.Q(voided_at__isnull=True),
                name="ballot_once_per_voter",
            ),
            models.UniqueConstraint(
                fields=["process", "paper_number"],
                condition=models.Q(paper_number__isnull=False),
                name="ballot_paper_number_once",
            ),
            models.CheckConstraint(
                condition=(models.Q(channel="paper") & models.Q(paper_number__isnull=False))
                | (models.Q(channel="online") & models.Q(paper_number__isnull=True)),
                name="ballot_paper_has_number",
            ),
            models.CheckConstraint(
                condition=models.Q(voided_at__isnull=True) | ~models.Q(void_reason=""),
                name="ballot_voided_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Ballot {self.pk} in {self.process_id}"


class Result(models.Model):
    """A count: the full variant, the outcome per project, and what each voter's share funded."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="results")
    rule = models.CharField(max_length=16)
    variant = models.JSONField()
    winners = models.JSONField()
    cost_pence = models.PositiveBigIntegerField()
    projects = models.JSONField(help_text="Per project: votes, points, funded, support, reason")
    receipts = models.JSONField(default=dict, help_text="Voter ballot id → {project: pence}")
    official = models.BooleanField(default=False, help_text="Counted by the process's own rule")
    ballots_sha256 = models.CharField(max_length=64)
    counted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-official", "rule"]
        constraints = [
            models.UniqueConstraint(fields=["process", "rule"], name="pb_result_once_per_rule")
        ]

    def __str__(self) -> str:
        return f"{self.rule} count of {self.process}"
