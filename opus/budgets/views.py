"""Budget pages: the holder's (and their champion's), providers', commissioners', auditors'."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db import transaction as db
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from opus.budgets import forms, reports, services
from opus.budgets.access import (
    get_budget_for_user,
    get_commitment_for_provider,
    get_commitment_for_user,
    get_transaction_for_user,
    may_write_plan,
    provider_commitments,
)
from opus.budgets.ledger import IdempotencyConflict
from opus.budgets.models import (
    Budget,
    BudgetStatus,
    Commitment,
    RasAssessment,
    RasVersion,
    Transaction,
)
from opus.budgets.statements import ACCOUNTS, DESCRIPTIONS, statement, statement_csv
from opus.budgets.words import booking_words, commitment_words
from opus.choice.acting import SESSION_KEY, acting_for
from opus.choice.models import Booking, BookingStatus
from opus.core import csvsafe
from opus.core.audit import audit_record
from opus.core.charts import horizontal_bars
from opus.core.models import AuditEvent, Role, User
from opus.core.roles import has_role, role_required
from opus.engines.ledger import LedgerError, weekly
from opus.engines.money import pounds

FINANCE = (Role.COMMISSIONER, Role.ADMIN)


def _fail(form: Any, error: LedgerError) -> None:
    if isinstance(error, IdempotencyConflict):  # back, changed and sent again: a new key
        form.add_error(
            None,
            gettext("This form was already sent with other details: check them and send it again"),
        )
        form.renew_key()
        return
    form.add_error(error.field if error.field in form.fields else None, str(error))


@require_http_methods(["GET"])
def home(request: HttpRequest) -> HttpResponse:
    """Send each person to the budget page that is theirs to see."""
    user: Any = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if has_role(user, *FINANCE):
        return redirect("budgets:overview")
    if has_role(user, Role.AUDITOR):
        return redirect("budgets:ledger")
    if has_role(user, Role.PROVIDER):
        return redirect("budgets:provider")
    if request.session.get(SESSION_KEY) or has_role(user, Role.RESIDENT):
        person = acting_for(request).person
        budgets = list(Budget.objects.filter(person=person))
        if len(budgets) == 1:
            return redirect("budgets:detail", budget_id=budgets[0].pk)
        return render(
            request,
            "budgets/mine.html",
            {"page_title": "Personal budgets", "budgets": budgets, "person": person},
        )
    raise Http404("No budgets for you here")


def _funded_by(budget: Any) -> list[Any]:
    """The published plan decisions (individual level) whose RAS this budget was set by."""
    from opus.commissioning.services.plans import decisions_for_budget

    return [d for d in decisions_for_budget(budget) if d.plan.is_published]


@require_http_methods(["GET"])
def detail(request: HttpRequest, budget_id: Any) -> HttpResponse:
    budget = get_budget_for_user(request.user, budget_id)  # type: ignore[arg-type]
    commitments = list(
        budget.commitments.select_related("booking__service", "provider").order_by("start_date")
    )
    waiting = list(
        Booking.objects.filter(
            person=budget.person,
            status=BookingStatus.ACCEPTED,
            commitment__isnull=True,
            price_pence__gt=0,
        ).select_related("service")
    )
    for booking in waiting:  # each button its own one-time key
        booking.once = forms.new_once_key()  # type: ignore[attr-defined]
        booking.words = booking_words(booking)  # type: ignore[attr-defined]
    for c in commitments:
        c.words = commitment_words(c)  # type: ignore[attr-defined]
    context = {
        "page_title": budget.title,
        "budget": budget,
        "weekly": {
            "allocated": weekly(budget.allocated_pence, budget.days),
            "committed": sum(c.weekly_pence for c in commitments if c.outstanding_pence),
            "left": weekly(budget.available_pence, budget.days),
        },
        "commitments": commitments,
        "waiting": waiting,
        "plan": budget.plans.first(),
        "sources": budget.sources.select_related("funder"),
        "funded_by": _funded_by(budget),
        "recent": statement(budget)[-8:][::-1],
        "is_finance": has_role(request.user, *FINANCE),
        # The holder, a champion with consent to act, commissioners (not auditors, not a
        # champion who may only look): the same people the services let write.
        "may_commit": may_write_plan(request.user, budget),
        "may_write_plan": may_write_plan(request.user, budget),
    }
    return render(request, "budgets/detail.html", context)


@require_http_methods(["GET"])
def statement_page(request: HttpRequest, budget_id: Any) -> HttpResponse:
    budget = get_budget_for_user(request.user, budget_id, "statement")  # type: ignore[arg-type]
    lines = statement(budget)
    if request.GET.get("format") == "csv":
        name = f"budget-statement-{budget.period_start:%Y}-{str(budget.pk)[:8]}.csv"
        return csvsafe.download(name, statement_csv(budget, lines))
    context = {
        "page_title": f"Statement: {budget.title}",
        "budget": budget,
        "lines": lines,
        "printed_at": timezone.now(),
    }
    return render(request, "budgets/statement.html", context)


@require_POST
def commit(request: HttpRequest, budget_id: Any, booking_id: Any) -> HttpResponse:
    budget = get_budget_for_user(request.user, budget_id, "commit")  # type: ignore[arg-type]
    booking = Booking.objects.filter(pk=booking_id, person=budget.person).first()
    if booking is None:
        raise Http404("No such booking")
    once = forms.OnceForm(request.POST)
    try:
        if not once.is_valid():
            raise LedgerError(" ".join(once.non_field_errors()), "once")
        services.commit_booking(booking=booking, by=request.user, key=once.key)  # type: ignore[arg-type]
    except LedgerError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{booking.service.name} is now committed from the budget")
    return redirect("budgets:detail", budget_id=budget.pk)


@require_http_methods(["GET", "POST"])
def release(request: HttpRequest, commitment_id: Any) -> HttpResponse:
    commitment = get_commitment_for_user(request.user, commitment_id)  # type: ignore[arg-type]
    form = forms.ReasonForm(request.POST or None)
    form.fields["reason"].label = "Why is this being cancelled?"
    if request.method == "POST" and form.is_valid():
        try:
            services.release(
                commitment=commitment,
                by=request.user,  # type: ignore[arg-type]
                memo=form.cleaned_data["reason"],
                key=form.key,
            )
        except LedgerError as error:
            _fail(form, error)
        else:
            messages.success(request, "The commitment is cancelled and its money is back")
            return redirect("budgets:detail", budget_id=commitment.budget_id)
    return render(
        request,
        "budgets/form.html",
        {
            "page_title": "Cancel a commitment",
            "form": form,
            "caption": str(commitment),
            "button": "Cancel the commitment",
        },
        status=400 if form.errors else 200,
    )


# --- Providers -----------------------------------------------------------------------------


@role_required(Role.PROVIDER)
def provider(request: HttpRequest) -> HttpResponse:
    commitments = list(
        provider_commitments(request.user)  # type: ignore[arg-type]
        .select_related("booking__service", "budget__person", "provider")
        .order_by("-created_at")
    )
    paid = Transaction.objects.filter(
        operation="pay_invoice", commitment__in=[c.pk for c in commitments]
    ).select_related("commitment__booking__service")
    paid = paid.order_by("-value_date", "-id")  # dated as the resident's statement dates them
    context = {
        "page_title": "Money committed to you",
        "commitments": commitments,
        "payments": paid[:50],
        "totals": {
            "outstanding": sum(c.outstanding_pence for c in commitments),
            "unpaid": sum(c.unpaid_pence for c in commitments),
            "paid": sum(p.amount_pence for p in paid),
        },
    }
    return render(request, "budgets/provider.html", context)


@role_required(Role.PROVIDER, Role.ADMIN)
@require_http_methods(["GET", "POST"])
def deliver(request: HttpRequest, commitment_id: Any) -> HttpResponse:
    commitment = get_commitment_for_provider(request.user, commitment_id)  # type: ignore[arg-type]
    initial = {"amount": f"{commitment.weekly_pence / 100:.2f}", "memo": "One week's sessions"}
    form = forms.AmountForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.deliver(
                commitment=commitment,
                amount=form.cleaned_data["amount"],
                memo=form.cleaned_data["memo"],
                by=request.user,
                key=form.key,
            )  # type: ignore[arg-type]
        except LedgerError as error:
            _fail(form, error)
        else:
            messages.success(request, "Delivery recorded: the council will pay your invoice")
            return redirect("budgets:provider")
    return render(
        request,
        "budgets/form.html",
        {
            "page_title": "Record sessions delivered",
            "form": form,
            "caption": str(commitment),
            "button": "Record delivery",
            "commitment": commitment,
        },
        status=400 if form.errors else 200,
    )


# --- Commissioners -------------------------------------------------------------------------


@role_required(*FINANCE)
def overview(request: HttpRequest) -> HttpResponse:
    budgets = reports.active_budgets()
    areas = reports.by_area(budgets)
    if request.GET.get("format") == "csv":
        return _groups_csv(areas + reports.by_need(budgets))
    context = {
        "page_title": "Personal budgets",
        "totals": reports._group("All active budgets", budgets),
        "areas": areas,
        "area_chart": horizontal_bars(
            [(g.label, g.allocated / 100) for g in areas],
            max([g.allocated / 100 for g in areas] + [1]),
        ),
        "needs": reports.by_need(budgets),
        "underspends": reports.underspends(budgets, timezone.localdate())[:20],
        "takings": reports.provider_takings()[:20],
        "to_pay": Commitment.objects.filter(unpaid_pence__gt=0).select_related(
            "budget__person", "provider", "booking__service"
        )[:50],
        "budgets": Budget.objects.select_related("person").order_by("-created_at")[:50],
    }
    return render(request, "budgets/overview.html", context)


def _groups_csv(groups: list[reports.Group]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="personal-budgets-by-area-and-need.csv"'
    writer = csvsafe.writer(response)
    writer.writerow(
        ["group", "budgets", "allocated_pence", "committed_pence", "spent_pence", "left_pence"]
    )
    for g in groups:
        writer.writerow([g.label, g.budgets, g.allocated, g.committed, g.spent, g.left])
    return response


def _id_or_none(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 19 else None


@role_required(*FINANCE)
@require_http_methods(["GET", "POST"])
def budget_new(request: HttpRequest) -> HttpResponse:
    initial = None
    if request.method == "GET" and request.GET.get("assessment"):
        carried = RasAssessment.objects.filter(pk=_id_or_none(request.GET["assessment"])).first()
        if carried is None:
            raise Http404("No such assessment")
        initial = forms.BudgetForm.initial_from(carried, timezone.localdate())
    form = forms.BudgetForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        assessment = data["assessment"] or data["person"].ras_assessments.first()
        try:
            budget = services.budget_create(
                person=data["person"],
                title=data["title"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                sources=form.sources(),
                by=request.user,  # type: ignore[arg-type]
                assessment=assessment,
                needs=data["needs"],
                area=data["area"],
                key=form.key,
            )
        except LedgerError as error:
            _fail(form, error)
        else:
            messages.success(request, "The budget is open and its money allocated")
            return redirect("budgets:detail", budget_id=budget.pk)
    part = form.part_year()
    warning = None
    if part:
        warning = gettext(
            "The indicative budget of %(annual)s is a year's figure, and this period is "
            "%(days)s days: for the period it is %(pro_rata)s. Change the amount if the "
            "budget is for this period only."
        ) % {
            "annual": pounds(part["annual"]),
            "days": part["days"],
            "pro_rata": pounds(part["pro_rata"]),
        }
    return render(
        request,
        "budgets/form.html",
        {
            "page_title": "Open a personal budget",
            "form": form,
            "button": "Open the budget",
            "warning": warning,
        },
        status=400 if form.errors else 200,
    )


MONEY_ACTIONS = {
    "direct-payment": ("Pay a direct payment", services.direct_payment, "Pay"),
    "direct-payment-return": (
        "Record a direct-payment return",
        services.direct_payment_return,
        "Record the return",
    ),
    "top-up": ("Top up the budget", None, "Top up"),
}


@role_required(*FINANCE)
@require_http_methods(["GET", "POST"])
def money(request: HttpRequest, budget_id: Any, action: str) -> HttpResponse:
    if action not in MONEY_ACTIONS:
        raise Http404("No such action")
    budget = get_budget_for_user(request.user, budget_id, action)  # type: ignore[arg-type]
    title, operation, button = MONEY_ACTIONS[action]
    form = forms.AmountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        amount, memo = form.cleaned_data["amount"], form.cleaned_data["memo"]
        try:
            if operation is None:
                source = budget.sources.select_related("funder").first()
                if source is None:
                    raise LedgerError("This budget has no source to top up from", "amount")
                services.allocate(
                    budget=budget,
                    funder=source.funder,
                    source=source.source,
                    amount=amount,
                    by=request.user,
                    memo=memo or "Top-up",
                    key=form.key,
                )  # type: ignore[arg-type]
            else:
                operation(budget=budget, amount=amount, by=request.user, memo=memo, key=form.key)
        except LedgerError as error:
            _fail(form, error)
        else:
            messages.success(request, f"{title}: done")
            return redirect("budgets:detail", budget_id=budget.pk)
    return render(
        request,
        "budgets/form.html",
        {
            "page_title": title,
            "form": form,
            "caption": str(budget),
            "button": button,
        },
        status=400 if form.errors else 200,
    )


@role_required(*FINANCE)
@require_http_methods(["GET", "POST"])
def pay(request: HttpRequest, commitment_id: Any) -> HttpResponse:
    commitment = get_commitment_for_user(request.user, commitment_id)  # type: ignore[arg-type]
    form = forms.InvoiceForm(
        request.POST or None, initial={"amount": f"{commitment.unpaid_pence / 100:.2f}"}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.pay_invoice(
                commitment=commitment,
                amount=form.cleaned_data["amount"],
                reference=form.cleaned_data["reference"],
                by=request.user,
                key=form.key,
            )  # type: ignore[arg-type]
        except LedgerError as error:
            _fail(form, error)
        else:
            messages.success(request, "The invoice is paid")
            return redirect("budgets:overview")
    return render(
        request,
        "budgets/form.html",
        {
            "page_title": "Pay an invoice",
            "form": form,
            "caption": str(commitment),
            "button": "Pay the invoice",
            "commitment": commitment,
        },
        status=400 if form.errors else 200,
    )


@role_required(*FINANCE)
@require_http_methods(["GET", "POST"])
def close(request: HttpRequest, budget_id: Any) -> HttpResponse:
    budget = get_budget_for_user(request.user, budget_id, "close")  # type: ignore[arg-type]
    form = forms.OnceForm(request.POST or None)
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise LedgerError(" ".join(form.non_field_errors()), "once")
            services.budget_close(budget=budget, by=request.user, key=form.key)  # type: ignore[arg-type]
        except LedgerError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "The period is closed and unspent money returned")
        return redirect("budgets:detail", budget_id=budget.pk)
    return render(
        request,
        "budgets/close.html",
        {"page_title": "Close the period", "budget": budget, "form": form},
    )


@require_http_methods(["GET", "POST"])
def plan(request: HttpRequest, budget_id: Any) -> HttpResponse:
    budget = get_budget_for_user(request.user, budget_id, "support plan")  # type: ignore[arg-type]
    if not may_write_plan(request.user, budget):
        raise Http404("Only the person, a champion acting for them or a commissioner writes this")
    if budget.status != BudgetStatus.ACTIVE:
        raise Http404("This budget is closed")
    current = budget.plans.first()
    initial = {}
    if current:
        initial = {
            "outcomes": "\n".join(f"{o['outcome']}: {o['how']}" for o in current.outcomes),
            "how_managed": current.how_managed,
            "review_due": current.review_due,
        }
    form = forms.PlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_write(
                budget=budget,
                outcomes=form.outcome_list(),
                how_managed=form.cleaned_data["how_managed"],
                review_due=form.cleaned_data["review_due"],
                by=request.user,
            )  # type: ignore[arg-type]
        except LedgerError as error:
            _fail(form, error)
        else:
            messages.success(request, "The support plan is saved; a commissioner agrees it")
            return redirect("budgets:detail", budget_id=budget.pk)
    return render(
        request,
        "budgets/form.html",
        {
            "page_title": "Support plan",
            "form": form,
            "caption": str(budget),
            "button": "Save the plan",
        },
        status=400 if form.errors else 200,
    )


@role_required(*FINANCE)
@require_POST
def plan_agree(request: HttpRequest, budget_id: Any) -> HttpResponse:
    budget = get_budget_for_user(request.user, budget_id, "agree plan")  # type: ignore[arg-type]
    current = budget.plans.first()
    if current is None:
        raise Http404("No plan")
    try:
        services.plan_agree(plan=current, by=request.user)  # type: ignore[arg-type]
    except LedgerError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Support plan version {current.version} agreed")
    return redirect("budgets:detail", budget_id=budget.pk)


# --- The RAS -------------------------------------------------------------------------------


@role_required(*FINANCE)
def ras_list(request: HttpRequest) -> HttpResponse:
    versions = RasVersion.objects.prefetch_related("decisions__plan")
    return render(
        request,
        "budgets/ras_list.html",
        {"page_title": "Resource allocation", "versions": versions},
    )


@role_required(*FINANCE)
@require_http_methods(["GET", "POST"])
def ras_new(request: HttpRequest) -> HttpResponse:
    latest = RasVersion.objects.first()
    form = forms.RasVersionForm(
        request.POST or None, initial=forms.ras_as_text(latest) if latest else None
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            version = services.ras_publish(
                title=data["title"],
                questions=data["questions"],
                price_per_point_pence=data["price_per_point"],
                minimum_pence=data["minimum"] or 0,
                maximum_pence=data["maximum"],
                domain_caps=data["caps"],
                change_note=data["change_note"],
                by=request.user,  # type: ignore[arg-type]
            )
        except (LedgerError, ValueError) as error:
            field = getattr(error, "field", None)
            form.add_error(field if field in form.fields else "questions", str(error))
        else:
            messages.success(request, f"RAS version {version.number} is published")
            return redirect("budgets:ras_list")
    return render(
        request,
        "budgets/form.html",
        {
            "page_title": "Publish a new RAS version",
            "form": form,
            "button": "Publish",
            "caption": "Earlier versions stay as they were for the budgets made from them",
        },
        status=400 if form.errors else 200,
    )


@role_required(*FINANCE)
@require_http_methods(["GET", "POST"])
def ras_assess(request: HttpRequest) -> HttpResponse:
    ras = RasVersion.objects.first()
    if ras is None:
        raise Http404("Publish a RAS first")
    form = forms.assessment_form(ras, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        person = User.objects.filter(email__iexact=data.pop("person")).first()
        if person is None:
            form.add_error("person", "There is no one with that e-mail address")
        else:
            try:
                assessment = services.ras_assess(
                    person=person, ras=ras, answers=data, by=request.user
                )  # type: ignore[arg-type]
            except ValueError as error:
                form.add_error(None, str(error))
            else:
                return render(
                    request,
                    "budgets/assessment.html",
                    {"page_title": "Indicative budget", "assessment": assessment},
                )
    return render(
        request,
        "budgets/form.html",
        {
            "page_title": "Assess for an indicative budget",
            "form": form,
            "button": "Work it out",
            "caption": str(ras),
        },
        status=400 if form.errors else 200,
    )


# --- Auditors ------------------------------------------------------------------------------


@role_required(Role.AUDITOR, *FINANCE)
def ledger(request: HttpRequest) -> HttpResponse:
    transactions = Transaction.objects.select_related("budget__person", "created_by")
    operation = request.GET.get("operation", "")
    if operation:
        transactions = transactions.filter(operation=operation)
    page = Paginator(transactions.order_by("-id"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "budgets/ledger.html",
        {"page_title": "The ledger", "page": page, "operation": operation},
    )


@require_http_methods(["GET"])
def trace(request: HttpRequest, transaction_id: Any) -> HttpResponse:
    """A payment traced back: entries, commitment, booking, choice, support plan, audit event."""
    txn = get_transaction_for_user(request.user, transaction_id)  # type: ignore[arg-type]
    if request.user.pk != txn.budget.person_id:
        with db.atomic():
            audit_record(actor=request.user, action="ledger.trace", target=txn, summary={})  # type: ignore[arg-type]
    booking = txn.commitment.booking if txn.commitment else None
    entries = list(txn.entries.select_related("account", "account__organisation"))
    for entry in entries:
        entry.words = ACCOUNTS.get(entry.account.kind, entry.account.kind)  # type: ignore[attr-defined]
    context = {
        "page_title": f"Transaction #{txn.pk}",
        "txn": txn,
        "description": DESCRIPTIONS.get(txn.operation, txn.operation),
        "oversight": has_role(request.user, Role.AUDITOR, *FINANCE),
        "booking_words": booking_words(booking) if booking else "",
        "commitment_words": commitment_words(txn.commitment) if txn.commitment else "",
        "entries": entries,
        "booking": booking,
        "choice": getattr(booking, "choice", None) if booking else None,
        "plan": txn.budget.plans.filter(created_at__lte=txn.created_at).first(),
        "assessment": txn.budget.assessment,
        "event": AuditEvent.objects.filter(
            object_type="budgets.transaction", object_id=str(txn.pk)
        ).first(),
        "correction": Transaction.objects.filter(reverses=txn).first(),
    }
    return render(request, "budgets/trace.html", context)


@role_required(*FINANCE)
@require_http_methods(["GET", "POST"])
def correct(request: HttpRequest, transaction_id: Any) -> HttpResponse:
    txn = get_transaction_for_user(request.user, transaction_id)  # type: ignore[arg-type]
    form = forms.ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            fix = services.correct(
                original=txn, reason=form.cleaned_data["reason"], by=request.user, key=form.key
            )  # type: ignore[arg-type]
        except LedgerError as error:
            _fail(form, error)
        else:
            messages.success(request, f"Corrected by transaction #{fix.pk}")
            return redirect("budgets:trace", transaction_id=fix.pk)
    return render(
        request,
        "budgets/form.html",
        {
            "page_title": f"Correct transaction #{txn.pk}",
            "form": form,
            "button": "Correct it",
            "caption": "The original stays; a new transaction reverses it",
        },
        status=400 if form.errors else 200,
    )
