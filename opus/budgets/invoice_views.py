"""Invoice pages: a provider sends invoices and sees its payments; commissioners decide and pay."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from opus.budgets import forms, invoices
from opus.budgets.access import provider_commitments
from opus.budgets.models import Invoice, InvoiceLine, InvoiceStatus
from opus.core import csvsafe
from opus.core.models import Organisation, Role
from opus.core.roles import role_required
from opus.engines.ledger import LedgerError

FINANCE = (Role.COMMISSIONER, Role.ADMIN)


def _organisations(user: Any) -> Any:
    return Organisation.objects.filter(
        memberships__user=user, memberships__role=Role.PROVIDER
    ).distinct()


def _with_lines(queryset: Any) -> Any:
    lines = InvoiceLine.objects.select_related(
        "commitment__booking__service", "commitment__budget__person", "payment"
    )
    return queryset.select_related("provider").prefetch_related(Prefetch("lines", queryset=lines))


# --- Providers -----------------------------------------------------------------------------


@role_required(Role.PROVIDER)
@require_http_methods(["GET", "POST"])
def invoice_new(request: HttpRequest) -> HttpResponse:
    """What has been delivered and not yet billed, booking by booking; choose lines, send."""
    commitments = list(
        provider_commitments(request.user)  # type: ignore[arg-type]
        .filter(unpaid_pence__gt=0)
        .select_related("booking__service", "budget__person", "provider")
        .order_by("provider__name", "start_date")
    )
    pending = invoices.pending_by_commitment([c.pk for c in commitments])
    rows = [(c, left) for c in commitments if (left := invoices.billable(c, pending)) > 0]
    initial = {"invoice_date": timezone.localdate().isoformat()}
    form = forms.InvoiceSubmitForm(request.POST or None, rows=rows, initial=initial)
    if request.method == "POST" and form.is_valid():
        lines = form.lines()
        try:
            if len({c.provider_id for c, _, _ in lines}) > 1:
                raise LedgerError(
                    gettext("An invoice bills one organisation's bookings: send one for each"),
                    "lines",
                )
            invoice = invoices.invoice_submit(
                provider=lines[0][0].provider,
                number=form.cleaned_data["number"],
                invoice_date=form.cleaned_data["invoice_date"],
                lines=[invoices.LineIn(c, sessions, amount) for c, sessions, amount in lines],
                by=request.user,  # type: ignore[arg-type]
            )
        except LedgerError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(
                request,
                gettext("Invoice %(number)s is sent: the council will approve and pay it")
                % {"number": invoice.number},
            )
            return redirect("budgets:provider_payments")
    return render(
        request,
        "budgets/invoice_new.html",
        {"page_title": gettext("Send an invoice"), "form": form},
        status=400 if form.errors else 200,
    )


@role_required(Role.PROVIDER)
@require_http_methods(["GET"])
def provider_payments(request: HttpRequest) -> HttpResponse:
    """The provider's invoices and the payments made for them, dated as the ledger dates them."""
    mine = _with_lines(Invoice.objects.filter(provider__in=_organisations(request.user)))
    found = list(mine.order_by("-invoice_date", "-id")[:500])
    if request.GET.get("format") == "csv":
        return _payments_csv(found)
    return render(
        request,
        "budgets/provider_payments.html",
        {"page_title": gettext("Invoices and payments"), "invoices": found},
    )


def _payments_csv(found: list[Invoice]) -> HttpResponse:
    out = io.StringIO()
    writer = csvsafe.writer(out)
    writer.writerow(
        ["invoice", "invoice_date", "status", "service", "person", "sessions", "amount",
         "paid_on", "transaction"]
    )  # fmt: skip
    for invoice in found:
        for line in invoice.lines.all():
            writer.writerow(
                [
                    invoice.number,
                    invoice.invoice_date.isoformat(),
                    invoice.get_status_display(),
                    line.commitment.booking.service.name,
                    line.commitment.budget.person.full_name,
                    line.sessions,
                    f"{line.amount_pence // 100}.{line.amount_pence % 100:02d}",
                    line.payment.value_date.isoformat() if line.payment else "",
                    line.payment_id or "",
                ]
            )
    return csvsafe.download("invoices-and-payments.csv", out.getvalue())


# --- Commissioners -------------------------------------------------------------------------


@role_required(*FINANCE)
@require_http_methods(["GET"])
def invoice_list(request: HttpRequest) -> HttpResponse:
    everything = _with_lines(Invoice.objects.all())
    context = {
        "page_title": gettext("Invoices from providers"),
        "submitted": everything.filter(status=InvoiceStatus.SUBMITTED).order_by("submitted_at"),
        "approved": everything.filter(status=InvoiceStatus.APPROVED).order_by("decided_at"),
        "done": everything.filter(status__in=[InvoiceStatus.PAID, InvoiceStatus.REJECTED])[:50],
    }
    return render(request, "budgets/invoices.html", context)


@role_required(*FINANCE)
@require_http_methods(["GET", "POST"])
def invoice_decide(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = _with_lines(Invoice.objects.filter(pk=invoice_id)).first()
    if invoice is None:
        raise Http404("No such invoice")
    form = forms.InvoiceDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == "approve":
                invoices.invoice_approve(invoice=invoice, by=request.user)  # type: ignore[arg-type]
            else:
                invoices.invoice_reject(
                    invoice=invoice,
                    reason=form.cleaned_data["reason"],
                    by=request.user,  # type: ignore[arg-type]
                )
        except LedgerError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, gettext("Decision recorded: the provider is told"))
            return redirect("budgets:invoices")
    return render(
        request,
        "budgets/invoice_decide.html",
        {"page_title": gettext("Invoice %(n)s") % {"n": invoice.number}, "invoice": invoice,
         "form": form},
        status=400 if form.errors else 200,
    )  # fmt: skip


def _chosen(request: HttpRequest) -> list[Invoice]:
    ids = [int(i) for i in request.POST.getlist("invoice")[:1000] if i.isdigit() and len(i) < 19]
    return list(_with_lines(Invoice.objects.filter(pk__in=ids)).order_by("provider__name", "pk"))


@role_required(*FINANCE)
@require_POST
def invoices_pay(request: HttpRequest) -> HttpResponse:
    """Chosen approved invoices → "Check your answers" → pay, once, all or nothing."""
    chosen = _chosen(request)
    once = forms.OnceForm(request.POST if "confirm" in request.POST else None)
    if not chosen:
        messages.error(request, gettext("Choose at least one approved invoice to pay"))
        return redirect("budgets:invoices")
    if "confirm" in request.POST:
        try:
            if not once.is_valid():
                raise LedgerError(" ".join(once.non_field_errors()), "once")
            paid = invoices.invoices_pay(invoices=chosen, by=request.user, key=once.key)  # type: ignore[arg-type]
        except LedgerError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                gettext("%(count)s invoices paid: the providers are told") % {"count": len(paid)},
            )
        return redirect("budgets:invoices")
    providers: dict[str, list[int]] = {}
    for invoice in chosen:
        providers.setdefault(invoice.provider.name, []).append(invoice.total_pence)
    context = {
        "page_title": gettext("Check your answers before paying"),
        "invoices": chosen,
        "once": forms.OnceForm(),
        "total": sum(i.total_pence for i in chosen),
        "providers": [(name, len(t), sum(t)) for name, t in providers.items()],
        "not_approved": [i for i in chosen if i.status != InvoiceStatus.APPROVED],
    }
    return render(request, "budgets/invoices_check.html", context)
