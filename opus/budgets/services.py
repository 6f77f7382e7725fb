"""Every write of the budgets module: RAS versions, assessments, budgets, plans and money.

Money operations check who may do them, then hand over to `opus.budgets.ledger.post`, which
does the locking, the arithmetic, the entries and the audit event in one transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext

from opus.budgets.access import require_plan_writer
from opus.budgets.ledger import Request, ensure_accounts, owner_of, post
from opus.budgets.models import (
    Budget,
    BudgetSource,
    BudgetStatus,
    Commitment,
    PlanStatus,
    RasAssessment,
    RasVersion,
    Source,
    SupportPlan,
    Transaction,
    ras_from_json,
)
from opus.choice.models import Booking, BookingStatus
from opus.core.audit import audit_record
from opus.core.models import Area, Membership, Organisation, Role, User
from opus.core.roles import has_role
from opus.engines import allocation
from opus.engines import ledger as engine
from opus.engines.ledger import LedgerError, Operation
from opus.engines.money import pounds, times

FINANCE_ROLES = (Role.COMMISSIONER, Role.ADMIN)
# The most points one RAS answer, and one domain's cap, may carry.
MAX_ANSWER_POINTS = 10_000
MAX_CAP_POINTS = 5_000_000


def _require_finance(by: User) -> None:
    if not any(has_role(by, role) for role in FINANCE_ROLES):
        raise PermissionDenied("Only commissioners can do this")


def _org(org: Organisation) -> str:
    return f"org:{org.pk}"


def _at_most_the_limit(amount: int | None, field: str) -> None:
    """No amount from outside beyond settings.OPUS_MAX_AMOUNT_PENCE (far above any budget)."""
    limit = int(settings.OPUS_MAX_AMOUNT_PENCE)
    if amount is not None and amount > limit:
        raise LedgerError(
            gettext("Enter an amount of at most %(limit)s") % {"limit": pounds(limit)}, field
        )


def _sent_before(by: User, key: str | None) -> Transaction | None:
    """The transaction `by` already made under this idempotency key: the request is a retry."""
    if key is None:
        return None
    return Transaction.objects.filter(created_by=by, idempotency_key=key).first()


def _same(txn: Transaction | None, operation: Operation, budget: Any, commitment: Any) -> bool:
    """Whether an earlier transaction was this operation on this budget and commitment."""
    return (
        txn is not None
        and txn.operation == operation.value
        and txn.budget_id == budget
        and txn.commitment_id == commitment
    )


# --- Resource allocation -------------------------------------------------------------------


@transaction.atomic
def ras_publish(
    *,
    title: str,
    questions: list[dict[str, Any]],
    price_per_point_pence: int,
    minimum_pence: int,
    maximum_pence: int | None,
    domain_caps: dict[str, int],
    change_note: str,
    by: User,
) -> RasVersion:
    """A new RAS version; earlier versions stay as they were for the budgets made from them."""
    _require_finance(by)
    _at_most_the_limit(price_per_point_pence, "price_per_point")
    _at_most_the_limit(minimum_pence, "minimum")
    _at_most_the_limit(maximum_pence, "maximum")
    if any(not 0 <= int(points) <= MAX_CAP_POINTS for points in domain_caps.values()):
        raise LedgerError(
            gettext("A cap is between 0 and %(most)s points") % {"most": f"{MAX_CAP_POINTS:,}"},
            "caps",
        )
    ras = ras_from_json(questions, price_per_point_pence, minimum_pence, maximum_pence, domain_caps)
    allocation.validate(ras)
    _highest_within_the_limit(ras)
    last = RasVersion.objects.select_for_update().order_by("-number").first()
    version = RasVersion.objects.create(
        number=(last.number + 1) if last else 1,
        title=title,
        questions=questions,
        price_per_point_pence=price_per_point_pence,
        minimum_pence=minimum_pence,
        maximum_pence=maximum_pence,
        domain_caps=domain_caps,
        change_note=change_note,
        created_by=by,
    )
    audit_record(actor=by, action="ras.publish", target=version, summary={"title": title})
    return version


def _highest_within_the_limit(ras: allocation.Ras) -> None:
    """The most any assessment could give is within the limit (and each answer's points)."""
    if any(a.points > MAX_ANSWER_POINTS for q in ras.questions for a in q.answers):
        raise LedgerError(
            gettext("An answer can carry at most %(most)s points")
            % {"most": f"{MAX_ANSWER_POINTS:,}"},
            "questions",
        )
    best = {
        q.key: max(range(len(q.answers)), key=lambda i, q=q: q.answers[i].points)
        for q in ras.questions
    }
    highest = allocation.calculate(ras, best).indicative_pence
    limit = int(settings.OPUS_MAX_AMOUNT_PENCE)
    if highest > limit:
        raise LedgerError(
            gettext(
                "The highest answers would give %(highest)s, more than the limit of %(limit)s: "
                "lower the price per point or set a maximum budget"
            )
            % {"highest": pounds(highest), "limit": pounds(limit)},
            "maximum",
        )


@transaction.atomic
def ras_assess(
    *, person: User, ras: RasVersion, answers: dict[str, int], by: User
) -> RasAssessment:
    _require_finance(by)
    calc = allocation.calculate(ras.as_engine(), answers)
    assessment = RasAssessment.objects.create(
        person=person,
        ras=ras,
        answers=answers,
        points=calc.points,
        indicative_pence=calc.indicative_pence,
        calculation={
            "domains": [[d.domain, d.points, d.counted] for d in calc.domains],
            "points": calc.points,
            "price_per_point_pence": calc.price_per_point_pence,
            "raw_pence": calc.raw_pence,
            "notes": list(calc.notes),
        },
        assessed_by=by,
    )
    audit_record(
        actor=by,
        action="ras.assess",
        target=assessment,
        summary={"indicative_pence": calc.indicative_pence, "ras": ras.number},
    )
    return assessment


# --- Budgets and plans ---------------------------------------------------------------------


@transaction.atomic
def budget_create(
    *,
    person: User,
    title: str,
    period_start: dt.date,
    period_end: dt.date,
    sources: list[tuple[str, Organisation, int]],
    by: User,
    assessment: RasAssessment | None = None,
    needs: list[str] | None = None,
    area: Area | None = None,
    on: dt.date | None = None,
    key: str | None = None,
) -> Budget:
    """Open a budget and allocate each source's money to it (one ledger transaction each).

    With a key (a form's one-time key), each allocation's idempotency key is the key and its
    source, and a budget already opened under the key is the answer: sent twice, it opens once.
    """
    _require_finance(by)
    if key is not None and sources:
        done = _sent_before(by, f"{key}:{sources[0][0]}")
        if done is not None:
            return done.budget
    if period_end < period_start:
        raise LedgerError("The period must end after it starts", "period_end")
    if not sources:
        raise LedgerError("Add at least one source of funding", "sources")
    if len({s for s, _, _ in sources}) != len(sources):
        raise LedgerError("Each source can fund a budget once; use a top-up to add more", "sources")
    for source, _, amount in sources:
        if source not in Source.values:
            raise LedgerError(f"Unknown source: {source}", "sources")
        engine.check_amount(amount, field="sources")
        _at_most_the_limit(amount, "sources")
    budget = Budget.objects.create(
        person=person,
        title=title,
        period_start=period_start,
        period_end=period_end,
        assessment=assessment,
        ras=assessment.ras if assessment else None,
        area=area,
        needs=needs or [],
        created_by=by,
    )
    audit_record(actor=by, action="budget.create", target=budget, summary={"title": title})
    ensure_accounts(list(engine.budget_accounts(owner_of(budget)).values()), budget)
    for source, funder, amount in sources:
        BudgetSource.objects.create(
            budget=budget, source=source, funder=funder, planned_pence=amount
        )
        allocate(
            budget=budget,
            funder=funder,
            source=source,
            amount=amount,
            by=by,
            memo="Allocation",
            on=on,
            key=f"{key}:{source}" if key is not None else None,
        )
    return budget


def allocate(
    *,
    budget: Budget,
    funder: Organisation,
    source: str,
    amount: int,
    by: User,
    memo: str = "Top-up",
    key: str | None = None,
    on: dt.date | None = None,
) -> Transaction:
    _require_finance(by)
    if source not in Source.values:
        raise LedgerError(gettext("Unknown source: %(source)s") % {"source": source[:20]}, "source")
    ensure_accounts([engine.Account(engine.Kind.FUNDER, _org(funder))])
    request = Request(
        Operation.ALLOCATE,
        budget,
        by,
        amount,
        funder=funder,
        source=source,
        memo=memo,
        key=key,
        on=on,
    )
    return post(
        request,
        lambda: engine.allocate(budget=owner_of(budget), funder=_org(funder), amount=amount),
    )


@transaction.atomic
def plan_write(
    *,
    budget: Budget,
    outcomes: list[dict[str, str]],
    how_managed: str,
    review_due: dt.date,
    by: User,
) -> SupportPlan:
    require_plan_writer(by, budget)
    if not outcomes or not all(o.get("outcome", "").strip() for o in outcomes):
        raise LedgerError("Write at least one outcome the person wants", "outcomes")
    last = budget.plans.select_for_update().first()
    plan = SupportPlan.objects.create(
        budget=budget,
        version=(last.version + 1) if last else 1,
        outcomes=outcomes,
        how_managed=how_managed,
        review_due=review_due,
        written_by=by,
    )
    audit_record(actor=by, action="plan.write", target=plan, summary={"version": plan.version})
    return plan


@transaction.atomic
def plan_agree(*, plan: SupportPlan, by: User) -> SupportPlan:
    _require_finance(by)
    if plan.status == PlanStatus.AGREED:
        raise LedgerError("This plan is already agreed", "plan")
    plan.status, plan.agreed_by, plan.agreed_at = PlanStatus.AGREED, by, timezone.now()
    plan.save(update_fields=["status", "agreed_by", "agreed_at"])
    audit_record(actor=by, action="plan.agree", target=plan, summary={"version": plan.version})
    return plan


# --- Commitments from bookings -------------------------------------------------------------


def weeks_between(start: dt.date, end: dt.date) -> int:
    """Whole weeks of sessions from start to end inclusive (a part week counts as one)."""
    return max(1, -(-((end - start).days + 1) // 7))


def budget_for_booking(booking: Booking) -> Budget | None:
    return (
        Budget.objects.filter(
            person=booking.person,
            status=BudgetStatus.ACTIVE,
            period_start__lte=booking.start_date,
            period_end__gte=booking.start_date,
        )
        .order_by("period_start")
        .first()
    )


def commit_booking(
    *, booking: Booking, by: User, key: str | None = None, on: dt.date | None = None
) -> Commitment:
    """An accepted booking's schedule for the rest of the period, held against the budget."""
    booking = Booking.objects.select_related("service__organisation", "person").get(pk=booking.pk)
    if booking.status != BookingStatus.ACCEPTED:
        raise LedgerError("Only a booking the provider has accepted can be committed", "booking")
    budget = budget_for_booking(booking)
    if budget is None:
        raise LedgerError("This person has no active budget for the booking's dates", "booking")
    if not _may_commit(budget, booking, by):
        raise PermissionDenied("You may not commit this person's budget")
    existing = Commitment.objects.filter(booking=booking).first()
    if existing is not None:
        if key is not None and existing.transactions.filter(idempotency_key=key).exists():
            return existing
        raise LedgerError("This booking is already committed", "booking")
    weeks = weeks_between(booking.start_date, budget.period_end)
    weekly = booking.weekly_pence
    if weekly == 0:
        raise LedgerError(
            "This service is free: there is nothing to pay from the budget", "booking"
        )
    with transaction.atomic():
        # Lock the budget before the commitment's row refers to it (two such rows would
        # otherwise each hold a key-share lock and deadlock on the upgrade).
        Budget.objects.select_for_update().filter(pk=budget.pk).first()
        if Commitment.objects.filter(booking=booking).exists():
            raise LedgerError("This booking is already committed", "booking")
        ensure_accounts([engine.Account(engine.Kind.PAYABLE, _org(booking.service.organisation))])
        commitment = Commitment.objects.create(
            budget=budget,
            booking=booking,
            provider=booking.service.organisation,
            weekly_pence=weekly,
            weeks=weeks,
            start_date=booking.start_date,
            end_date=budget.period_end,
            total_pence=times(weekly, weeks),
        )
        request = Request(
            Operation.COMMIT,
            budget,
            by,
            commitment.total_pence,
            commitment=commitment,
            memo=f"{weeks} weeks at {pounds(weekly)} a week",
            key=key,
            on=on,
        )
        post(
            request,
            lambda: engine.commit(
                budget=owner_of(budget),
                commitment=str(commitment.pk),
                amount=commitment.total_pence,
            ),
        )
    return commitment


def _may_commit(budget: Budget, booking: Booking, by: User) -> bool:
    from opus.choice.acting import active_consent
    from opus.choice.models import ConsentScope

    if by.pk == budget.person_id or any(has_role(by, r) for r in FINANCE_ROLES):
        return True
    staff = booking.service.organisation.memberships.filter(user=by, role=Role.PROVIDER)
    if staff.exists():  # the provider's acceptance is what triggers the commitment
        return True
    return (
        has_role(by, Role.CHAMPION)
        and active_consent(by, budget.person_id, ConsentScope.CHOOSE) is not None
    )


def release(
    *,
    commitment: Commitment,
    by: User,
    amount: int | None = None,
    memo: str = "",
    key: str | None = None,
    on: dt.date | None = None,
) -> Transaction:
    """Give undelivered money back to the budget (a cancellation, or the end of a service).

    Without an amount, everything still outstanding; a release that leaves nothing
    outstanding ends the commitment (the ledger does that in the same transaction).
    """
    if not (by.pk == commitment.budget.person_id or any(has_role(by, r) for r in FINANCE_ROLES)):
        raise PermissionDenied("Only the budget holder or a commissioner can cancel a commitment")
    if amount is None:
        earlier = _sent_before(by, key)
        if _same(earlier, Operation.RELEASE, commitment.budget_id, commitment.pk):
            return earlier  # "release all" sent again: the first answer, not a release of £0
        commitment.refresh_from_db(fields=["outstanding_pence"])
        amount = commitment.outstanding_pence
    request = Request(
        Operation.RELEASE,
        commitment.budget,
        by,
        amount,
        commitment=commitment,
        memo=memo or "Cancelled",
        key=key,
        on=on,
    )
    return post(
        request,
        lambda: engine.release(
            budget=owner_of(commitment.budget), commitment=str(commitment.pk), amount=amount
        ),
    )


def _is_provider_staff(commitment: Commitment, by: User) -> bool:
    """Whether `by` works for the commitment's provider (remembered on the user object)."""
    organisations = getattr(by, "_opus_provider_of", None)
    if organisations is None:
        organisations = set(
            Membership.objects.filter(user=by, role=Role.PROVIDER).values_list(
                "organisation_id", flat=True
            )
        )
        by._opus_provider_of = organisations  # type: ignore[attr-defined]
    return commitment.provider_id in organisations


def deliver(
    *,
    commitment: Commitment,
    amount: int,
    by: User,
    memo: str = "",
    key: str | None = None,
    on: dt.date | None = None,
) -> Transaction:
    """The provider records sessions delivered: the money becomes owed to them."""
    if not (_is_provider_staff(commitment, by) or has_role(by, Role.ADMIN)):
        raise PermissionDenied("Only the provider's staff can record delivery")
    budget = commitment.budget
    request = Request(
        Operation.DELIVER,
        budget,
        by,
        amount,
        commitment=commitment,
        memo=memo or "Sessions delivered",
        key=key,
        on=on,
    )
    return post(
        request,
        lambda: engine.deliver(
            budget=owner_of(budget),
            provider=_org(commitment.provider),
            commitment=str(commitment.pk),
            amount=amount,
        ),
    )


def pay_invoice(
    *,
    commitment: Commitment,
    amount: int,
    reference: str,
    by: User,
    key: str | None = None,
    on: dt.date | None = None,
) -> Transaction:
    """Pay a provider's invoice for delivered sessions of one commitment.

    An invoice is paid once: its number is unique per commitment (and so per provider), in
    any case, checked here under the budget's lock (one indexed read) and by the database's
    unique index `invoice_paid_once`. A retry under the same idempotency key gets the first
    payment back instead.
    """
    _require_finance(by)
    reference = reference.strip()
    if not reference:
        raise LedgerError("Enter the invoice number", "reference")
    budget = commitment.budget
    request = Request(
        Operation.PAY_INVOICE,
        budget,
        by,
        amount,
        commitment=commitment,
        reference=reference,
        memo="Invoice paid",
        key=key,
        on=on,
    )

    def build() -> list[engine.Posting]:
        # Under the budget's lock, after the ledger has answered any retry of this key.
        _not_paid_before(commitment, reference)
        return engine.pay_invoice(
            budget=owner_of(budget),
            provider=_org(commitment.provider),
            commitment=str(commitment.pk),
            amount=amount,
        )

    try:
        return post(request, build)
    except IntegrityError:
        _not_paid_before(commitment, reference)  # the index refused it: say why
        raise


def _not_paid_before(commitment: Commitment, reference: str) -> None:
    paid = (
        Transaction.objects.filter(commitment=commitment, operation=Operation.PAY_INVOICE.value)
        .exclude(reference="")
        .annotate(number=Lower("reference"))
        .filter(number=reference.lower())
        .first()
    )
    if paid is not None:
        raise LedgerError(
            gettext(
                "Invoice %(reference)s for this booking is already paid (transaction "
                "#%(number)s): check the invoice number"
            )
            % {"reference": reference, "number": paid.pk},
            "reference",
        )


def direct_payment(
    *,
    budget: Budget,
    amount: int,
    by: User,
    memo: str = "",
    key: str | None = None,
    on: dt.date | None = None,
) -> Transaction:
    _require_finance(by)
    request = Request(
        Operation.DIRECT_PAYMENT, budget, by, amount, memo=memo or "Direct payment", key=key, on=on
    )
    return post(request, lambda: engine.direct_payment(budget=owner_of(budget), amount=amount))


def direct_payment_return(
    *,
    budget: Budget,
    amount: int,
    by: User,
    memo: str = "",
    key: str | None = None,
    on: dt.date | None = None,
) -> Transaction:
    _require_finance(by)
    request = Request(
        Operation.DIRECT_PAYMENT_RETURN,
        budget,
        by,
        amount,
        memo=memo or "Unused direct payment returned",
        key=key,
        on=on,
    )
    return post(
        request, lambda: engine.direct_payment_return(budget=owner_of(budget), amount=amount)
    )


def claw_back(
    *,
    budget: Budget,
    by: User,
    amount: int | None = None,
    key: str | None = None,
    on: dt.date | None = None,
) -> Transaction:
    """Return unspent money to the funding body (by default, all that is left)."""
    _require_finance(by)
    if amount is None:
        earlier = _sent_before(by, key)
        if _same(earlier, Operation.CLAW_BACK, budget.pk, None):
            return earlier  # "claw back all" sent again: the first answer
    budget.refresh_from_db()
    amount = budget.available_pence if amount is None else amount
    request = Request(
        Operation.CLAW_BACK, budget, by, amount, memo="Unspent at period end", key=key, on=on
    )
    return post(request, lambda: engine.claw_back(budget=owner_of(budget), amount=amount))


def correct(
    *,
    original: Transaction,
    reason: str,
    by: User,
    key: str | None = None,
    on: dt.date | None = None,
) -> Transaction:
    """Reverse a transaction with a new one; the original stays, linked to its correction."""
    _require_finance(by)
    if not reason.strip():
        raise LedgerError("Say why this is being corrected", "reason")
    if original.reverses_id is not None:
        raise LedgerError(
            "A correction cannot itself be corrected; post a new operation", "transaction"
        )
    earlier = _sent_before(by, key)
    if earlier is None and Transaction.objects.filter(reverses=original).exists():
        raise LedgerError("This transaction has already been corrected", "transaction")
    postings = [
        engine.Posting(
            engine.Account(engine.Kind(e.account.kind), e.account.owner),
            e.amount_pence,
            str(e.commitment_id or ""),
        )
        for e in original.entries.select_related("account")
    ]
    request = Request(
        Operation.CORRECT,
        original.budget,
        by,
        original.amount_pence,
        commitment=original.commitment,
        reverses=original,
        memo=reason.strip(),
        key=key,
        on=on,
    )
    return post(request, lambda: engine.reverse(postings))


@transaction.atomic
def budget_close(
    *, budget: Budget, by: User, on: dt.date | None = None, key: str | None = None
) -> Budget:
    """End a period: release what is still committed, claw back what is left, close.

    A period closes once (checked under the budget's lock); with a key (a form's one-time
    key), each release and the claw-back carry it, with the commitment or "claw-back".
    """
    _require_finance(by)
    locked = Budget.objects.select_for_update().get(pk=budget.pk)
    if locked.status == BudgetStatus.CLOSED:
        raise LedgerError(gettext("This period is already closed"), "budget")
    for commitment in budget.commitments.filter(outstanding_pence__gt=0):
        part = f"{key}:{commitment.pk}" if key is not None else None
        release(commitment=commitment, by=by, memo="Period ended", on=on, key=part)
    budget.refresh_from_db()
    if budget.available_pence:
        part = f"{key}:claw-back" if key is not None else None
        claw_back(budget=budget, by=by, on=on, key=part)
    Budget.objects.filter(pk=budget.pk).update(status=BudgetStatus.CLOSED, closed_at=timezone.now())
    budget.refresh_from_db()
    audit_record(actor=by, action="budget.close", target=budget, summary={})
    return budget
