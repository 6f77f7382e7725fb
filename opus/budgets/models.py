"""Personal budgets: how much (the RAS), what for (the support plan), and where every penny went.

Money moves only through ledger transactions, each a balanced set of entries written by
`opus.budgets.ledger`. The running figures on a budget and a commitment are a cache of the
entries, kept under the budget's row lock and checked by `manage.py ledger_verify`; CHECK
constraints make the database itself refuse a negative guarded balance.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.db.models.functions import Cast, Lower
from django.utils import timezone

from opus.core.models import Area, Organisation, User
from opus.engines import allocation
from opus.engines.ledger import Kind, Operation

# No stored amount or running figure may be beyond this many pence either way (£10 trillion):
# far above any budget, and far enough below 2^63 that no sum of them overflows (CHECK
# constraints; an operation is limited much lower by settings.OPUS_MAX_AMOUNT_PENCE).
STORED_PENCE_LIMIT = 10**15


def whole_pence_within_bounds(*fields: str) -> models.Q:
    """Each field is a whole number of pence within ±STORED_PENCE_LIMIT.

    `field = CAST(field AS bigint)` is always true on PostgreSQL, whose bigint columns hold
    nothing else; on SQLite, which stores what it is given, it refuses a fraction, text or a
    sum that overflowed into floating point.
    """
    condition = models.Q()
    for field in fields:
        condition &= models.Q(
            **{
                f"{field}__gte": -STORED_PENCE_LIMIT,
                f"{field}__lte": STORED_PENCE_LIMIT,
                field: Cast(field, models.BigIntegerField()),
            }
        )
    return condition


class Source(models.TextChoices):
    SOCIAL_CARE = "social_care", "Social care"
    HEALTH = "health", "NHS personal health budget"
    EDUCATION = "education", "Education (EHCP)"
    # A neighbourhood council's budget: the commissioning plan's neighbourhood-level decisions
    # and other grants (each decision recorded as its own source line).
    PLAN = "plan", "Commissioning plan decision"
    GRANT = "grant", "Other grant"


class RasVersion(models.Model):
    """One published version of the resource allocation system; never edited once used."""

    number = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=200)
    questions = models.JSONField(help_text="[{key, domain, text, answers: [{label, points}]}]")
    # Amounts up to settings.OPUS_MAX_AMOUNT_PENCE, beyond a 32-bit integer's reach.
    price_per_point_pence = models.PositiveBigIntegerField()
    minimum_pence = models.PositiveBigIntegerField(default=0)
    maximum_pence = models.PositiveBigIntegerField(null=True, blank=True)
    domain_caps = models.JSONField(default=dict, blank=True)
    change_note = models.TextField(blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"RAS version {self.number}: {self.title}"

    def as_engine(self) -> allocation.Ras:
        return ras_from_json(
            self.questions,
            self.price_per_point_pence,
            self.minimum_pence,
            self.maximum_pence,
            self.domain_caps,
        )


def ras_from_json(
    questions: list[dict[str, Any]],
    price: int,
    minimum: int,
    maximum: int | None,
    caps: dict[str, int],
) -> allocation.Ras:
    return allocation.Ras(
        questions=tuple(
            allocation.Question(
                q["key"],
                q["domain"],
                q["text"],
                tuple(allocation.Answer(a["label"], int(a["points"])) for a in q["answers"]),
            )
            for q in questions
        ),
        price_per_point_pence=price,
        minimum_pence=minimum,
        maximum_pence=maximum,
        domain_caps={k: int(v) for k, v in caps.items()},
    )


class RasAssessment(models.Model):
    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="ras_assessments")
    ras = models.ForeignKey(RasVersion, on_delete=models.PROTECT, related_name="assessments")
    answers = models.JSONField()
    points = models.PositiveIntegerField()
    indicative_pence = models.PositiveBigIntegerField()
    calculation = models.JSONField()
    assessed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    assessed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-assessed_at"]

    def __str__(self) -> str:
        return f"Assessment of {self.person} on {self.ras}"


class BudgetStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


class Budget(models.Model):
    """A person's budget, or a neighbourhood council's (exactly one of the two holds it)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="budgets"
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="neighbourhood_budgets",
    )
    title = models.CharField(max_length=200)
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(
        max_length=10, choices=BudgetStatus.choices, default=BudgetStatus.ACTIVE
    )
    assessment = models.ForeignKey(
        RasAssessment, null=True, blank=True, on_delete=models.PROTECT, related_name="budgets"
    )
    ras = models.ForeignKey(
        RasVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="budgets"
    )
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="budgets"
    )
    needs = models.JSONField(default=list, blank=True, help_text="Need codes from the taxonomy")
    # Running figures: a cache of the ledger entries, verified by ledger_verify.
    allocated_pence = models.BigIntegerField(default=0)
    available_pence = models.BigIntegerField(default=0)
    committed_pence = models.BigIntegerField(default=0)
    paid_pence = models.BigIntegerField(default=0)
    direct_pence = models.BigIntegerField(default=0)
    returned_pence = models.BigIntegerField(default=0)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_start", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(available_pence__gte=0)
                & models.Q(committed_pence__gte=0)
                & models.Q(direct_pence__gte=0),
                name="budget_never_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="budget_period_in_order",
            ),
            models.CheckConstraint(
                condition=whole_pence_within_bounds(
                    "allocated_pence",
                    "available_pence",
                    "committed_pence",
                    "paid_pence",
                    "direct_pence",
                    "returned_pence",
                ),
                name="budget_figures_bounded",
            ),
            models.CheckConstraint(
                condition=(models.Q(person__isnull=False) & models.Q(organisation__isnull=True))
                | (models.Q(person__isnull=True) & models.Q(organisation__isnull=False)),
                name="budget_held_by_person_or_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.period_start:%Y}–{self.period_end:%y})"

    @property
    def days(self) -> int:
        return (self.period_end - self.period_start).days + 1

    @property
    def spent_pence(self) -> int:
        return self.paid_pence + self.direct_pence


class BudgetSource(models.Model):
    """Who funds a budget, and how much: budgets from several sources make one integrated budget."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="sources")
    source = models.CharField(max_length=12, choices=Source.choices)
    funder = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    planned_pence = models.PositiveBigIntegerField()
    # A neighbourhood budget's line from one of the plan's neighbourhood-level decisions.
    decision = models.ForeignKey(
        "commissioning.ServiceDecision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="budget_sources",
    )
    # What an "other grant" line is (its funder's reference or name of the scheme).
    reference = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["source"]
        constraints = [
            models.UniqueConstraint(
                fields=["budget", "source"],
                condition=models.Q(decision__isnull=True) & models.Q(reference=""),
                name="budget_source_once",
            ),
            models.UniqueConstraint(
                fields=["budget", "decision"],
                condition=models.Q(decision__isnull=False),
                name="budget_decision_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} for {self.budget}"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    AGREED = "agreed", "Agreed"


class SupportPlan(models.Model):
    """What the person wants to achieve and how the budget will help; each review a new version."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="plans")
    version = models.PositiveIntegerField(default=1)
    outcomes = models.JSONField(help_text="[{outcome, how}]")
    how_managed = models.TextField(help_text="Managed account, direct payment, or both")
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    agreed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agreed_at = models.DateTimeField(null=True, blank=True)
    review_due = models.DateField()
    written_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "version"], name="plan_version_once")
        ]

    def __str__(self) -> str:
        return f"Support plan v{self.version} for {self.budget}"


class CommitmentStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ENDED = "ended", "Ended"


class Commitment(models.Model):
    """Money held against a budget: an accepted booking's schedule (sessions a week × price ×
    weeks), or something a neighbourhood budget pays for (a PB project, later a grant), named
    by `purpose` and `link` ("<app>.<model>:<id>")."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="commitments")
    booking = models.OneToOneField(
        "choice.Booking",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commitment",
    )
    purpose = models.CharField(max_length=300, blank=True)
    link = models.CharField(max_length=64, blank=True, db_index=True)
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    weekly_pence = models.PositiveBigIntegerField()  # up to 168 units at a unit's price
    weeks = models.PositiveIntegerField()
    start_date = models.DateField()
    end_date = models.DateField()
    status = models.CharField(
        max_length=10, choices=CommitmentStatus.choices, default=CommitmentStatus.ACTIVE
    )
    # Running figures, verified against the entries.
    total_pence = models.BigIntegerField(default=0)
    outstanding_pence = models.BigIntegerField(default=0)  # committed, not delivered or released
    unpaid_pence = models.BigIntegerField(default=0)  # delivered, not yet paid
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outstanding_pence__gte=0) & models.Q(unpaid_pence__gte=0),
                name="commitment_never_negative",
            ),
            models.CheckConstraint(
                condition=whole_pence_within_bounds(
                    "total_pence", "outstanding_pence", "unpaid_pence"
                ),
                name="commitment_figures_bounded",
            ),
            models.CheckConstraint(
                condition=models.Q(booking__isnull=False) | ~models.Q(purpose=""),
                name="commitment_for_a_booking_or_purpose",
            ),
        ]

    def __str__(self) -> str:
        if self.booking_id is None:
            return f"{self.purpose} ({self.budget})"
        return f"{self.booking.service.name} for {self.budget.person}"


class Account(models.Model):
    kind = models.CharField(max_length=10, choices=[(k.value, k.value) for k in Kind])
    owner = models.CharField(max_length=64, help_text="The engine's owner id")
    budget = models.ForeignKey(
        Budget, null=True, blank=True, on_delete=models.PROTECT, related_name="accounts"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "owner"], name="account_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.owner}"


class Transaction(models.Model):
    """One ledger operation: balanced entries, who did it, and the key that makes retries safe."""

    id = models.BigAutoField(primary_key=True)
    operation = models.CharField(max_length=24, choices=[(o.value, o.value) for o in Operation])
    amount_pence = models.BigIntegerField()
    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="transactions")
    commitment = models.ForeignKey(
        Commitment, null=True, blank=True, on_delete=models.PROTECT, related_name="transactions"
    )
    funder = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(max_length=12, choices=Source.choices, blank=True)
    memo = models.CharField(max_length=300, blank=True)
    reference = models.CharField(max_length=100, blank=True, help_text="e.g. invoice number")
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    # NULL, not "", so that the unique constraint ignores operations sent without a key.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001
    request_hash = models.CharField(max_length=64, blank=True)
    value_date = models.DateField(
        default=timezone.localdate,
        help_text="When the money moved: the delivery week or payment day",
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # The hash of the audit event written with it, whose summary carries this transaction's
    # content digest (engines/ledger.py: transaction_digest): ledger_verify checks both ways.
    # Empty only for a transaction from before the link whose event could not be found.
    audit_hash = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-id"]
        constraints = [
            # An invoice is paid once per commitment (so per provider), whatever its case.
            models.UniqueConstraint(
                Lower("reference"),
                "commitment",
                condition=models.Q(operation="pay_invoice") & ~models.Q(reference=""),
                name="invoice_paid_once",
            ),
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="idempotency_key_once",
            ),
            models.CheckConstraint(
                condition=whole_pence_within_bounds("amount_pence"),
                name="transaction_amount_bounded",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.operation} {self.amount_pence}p"


class Entry(models.Model):
    id = models.BigAutoField(primary_key=True)
    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    commitment = models.ForeignKey(
        Commitment, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    amount_pence = models.BigIntegerField()

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "entries"
        constraints = [
            models.CheckConstraint(
                condition=whole_pence_within_bounds("amount_pence"), name="entry_amount_bounded"
            )
        ]

    def __str__(self) -> str:
        return f"{self.amount_pence:+}p to {self.account}"


# Lines on one invoice, and sessions on one line: far above any real invoice, bounded so a
# provider's system cannot send a number that overflows a column or a page.
MAX_INVOICE_LINES = 500
MAX_LINE_SESSIONS = 10_000


class InvoiceStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    PAID = "paid", "Paid"


class Invoice(models.Model):
    """A provider's invoice for delivered sessions: approved or rejected, then paid in bulk."""

    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField(max_length=100, help_text="The provider's own invoice number")
    invoice_date = models.DateField()
    period_start = models.DateField(help_text="The first delivery it bills")
    period_end = models.DateField(help_text="The last delivery it bills")
    status = models.CharField(
        max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.SUBMITTED
    )
    total_pence = models.BigIntegerField()
    submitted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text="Why it was rejected")
    paid_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    # The ledger's value date of its payments: what the statement and the provider both show.
    paid_on = models.DateField(null=True, blank=True)
    # The one-time key of the bulk payment that paid it: the same click again pays nothing.
    payment_key = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                Lower("number"), "provider", name="invoice_number_once_per_provider"
            ),
            models.CheckConstraint(
                condition=models.Q(total_pence__gt=0) & whole_pence_within_bounds("total_pence"),
                name="invoice_total_bounded",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="invoice_period_in_order",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="rejected") | ~models.Q(reason=""),
                name="invoice_rejected_with_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="paid") | models.Q(paid_on__isnull=False),
                name="invoice_paid_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Invoice {self.number} from {self.provider}"


class InvoiceLine(models.Model):
    """What one invoice bills on one booking: sessions, amount, and the deliveries it covers."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    commitment = models.ForeignKey(
        Commitment, on_delete=models.PROTECT, related_name="invoice_lines"
    )
    sessions = models.PositiveIntegerField(help_text="Sessions or hours billed")
    amount_pence = models.BigIntegerField()
    deliveries = models.ManyToManyField(Transaction, blank=True, related_name="+")
    payment = models.OneToOneField(
        Transaction, null=True, blank=True, on_delete=models.PROTECT, related_name="invoice_line"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "commitment"], name="invoice_line_once"),
            models.CheckConstraint(
                condition=models.Q(amount_pence__gt=0) & whole_pence_within_bounds("amount_pence"),
                name="invoice_line_amount_bounded",
            ),
            models.CheckConstraint(
                condition=models.Q(sessions__gte=1, sessions__lte=MAX_LINE_SESSIONS),
                name="invoice_line_sessions_bounded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sessions} on {self.commitment_id} ({self.amount_pence}p)"
