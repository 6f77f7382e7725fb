"""Pages everyone may read: opportunities, plans, contracts and their performance, diversity."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from opus.commissioning import access, diversity
from opus.commissioning.forms import ClarificationForm, SaveSearchForm, SearchForm
from opus.commissioning.models import (
    Award,
    AwardStatus,
    BidLot,
    Contract,
    KpiReturn,
    OpportunityStatus,
    ServiceDecision,
)
from opus.commissioning.search import search_opportunities
from opus.commissioning.services import lot_advice_for, proposal_for
from opus.commissioning.services.plans import decision_budgets
from opus.core import csvsafe
from opus.core.pagination import KeysFirstPaginator
from opus.engines import procurement


@require_GET
def opportunity_list(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    show_closed = request.GET.get("closed") == "1"
    found = search_opportunities(filters, open_only=not show_closed)
    page = KeysFirstPaginator(found, 25).get_page(request.GET.get("page"))
    context = {
        "page_title": "Opportunities to bid for",
        "form": form,
        "page": page,
        "show_closed": show_closed,
        "save_form": SaveSearchForm(),
        "is_provider": access.provider_organisations(request.user).exists(),
        "query": request.GET.urlencode(),
    }
    return render(request, "commissioning/opportunity_list.html", context)


def _awards(opportunity: Any) -> list[Award]:
    if opportunity.status not in (OpportunityStatus.AWARDED, OpportunityStatus.OPENED):
        return []
    return list(
        Award.objects.filter(lot__opportunity=opportunity)
        .exclude(status=AwardStatus.CANCELLED)
        .select_related("lot", "bid__bidder")
        .prefetch_related("suppliers")
    )


@require_GET
def opportunity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = access.get_opportunity_for_user(request.user, pk)
    lots = list(opportunity.lots.select_related("area"))
    context = {
        "page_title": opportunity.title,
        "opportunity": opportunity,
        "lots": [(lot, lot_advice_for(lot)) for lot in lots],
        "questions": opportunity.questions.all(),
        "clarifications": opportunity.clarifications.filter(answered_at__isnull=False),
        "pending_questions": opportunity.clarifications.filter(answered_at__isnull=True)
        if access.is_commissioner(request.user) else [],
        "is_commissioner": access.is_commissioner(request.user),
        "is_provider": access.provider_organisations(request.user).exists(),
        "open_for_bids": opportunity.is_open_for_bids(),
        "sealed": opportunity.bids_sealed(),
        "bid_count": opportunity.bids.filter(status="submitted").count()
        if not opportunity.bids_sealed() else None,
        "awards": _awards(opportunity),
        "question_form": ClarificationForm(),
        "price_rule": procurement.PRICE_FORMULA_RULES[opportunity.price_formula],
        "tie_rule": procurement.TIE_BREAK_RULES[opportunity.tie_break],
        "low_rule": procurement.ABNORMALLY_LOW_RULE.format(
            percent=opportunity.abnormally_low_percent
        ),
        "measures": opportunity.value_table.measures.all() if opportunity.value_table_id else [],
    }  # fmt: skip
    return render(request, "commissioning/opportunity_detail.html", context)


@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = access.plans_for_user(request.user).annotate(decision_count=Count("decisions"))
    context = {"page_title": "Commissioning plans", "plans": plans,
               "is_commissioner": access.is_commissioner(request.user)}  # fmt: skip
    return render(request, "commissioning/plan_list.html", context)


@require_GET
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access.get_plan_for_user(request.user, pk)
    decisions = list(plan.decisions.select_related("priority", "ras_version"))
    for d in decisions:
        d.funded = decision_budgets(d)  # type: ignore[attr-defined]
    rows = [(d, proposal_for(d.character)) for d in decisions]
    context = {
        "page_title": plan.title,
        "plan": plan,
        "rows": rows,
        "total": sum(d.budget_pence for d in decisions),
        "by_level": _by_level(decisions),
        "opportunities": access.opportunities_for_user(request.user).filter(plan=plan),
        "is_commissioner": access.is_commissioner(request.user),
    }
    return render(request, "commissioning/plan_detail.html", context)


def _by_level(decisions: list[ServiceDecision]) -> list[dict[str, Any]]:
    totals: dict[str, dict[str, Any]] = {}
    for d in decisions:
        row = totals.setdefault(d.level, {"level": d.get_level_display(), "count": 0, "budget": 0})
        row["count"] += 1
        row["budget"] += d.budget_pence
    return list(totals.values())


@require_GET
def contract_list(request: HttpRequest) -> HttpResponse:
    contracts = Contract.objects.select_related("supplier", "award__lot__opportunity").order_by(
        "-signed_at"
    )
    page = KeysFirstPaginator(contracts, 25).get_page(request.GET.get("page"))
    return render(request, "commissioning/contract_list.html",
                  {"page_title": "Contracts and performance", "page": page})  # fmt: skip


def supplier_services(contract: Contract) -> list[Any]:
    """The directory services of the contract's suppliers, for linking the contract to one."""
    from opus.directory.models import Service

    suppliers = [contract.supplier_id, *contract.award.suppliers.values_list("pk", flat=True)]
    found = Service.objects.filter(organisation__in=suppliers).select_related("organisation")
    return list(found.order_by("name")[:200])


@require_GET
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contract = access.get_contract_for_user(request.user, pk)
    return contract_page(request, contract)


def contract_page(
    request: HttpRequest, contract: Contract, service_form: Any = None
) -> HttpResponse:
    from opus.commissioning.forms import ContractServiceForm, KpiReturnForm

    is_commissioner = access.is_commissioner(request.user)
    if is_commissioner and service_form is None and contract.service_id is None:
        service_form = ContractServiceForm(services=supplier_services(contract))
    kpis = contract.kpis.select_related("indicator").prefetch_related(
        Prefetch("returns", queryset=KpiReturn.objects.order_by("period_start"))
    )
    organisations = set(access.provider_organisations(request.user).values_list("pk", flat=True))
    suppliers = set(contract.award.suppliers.values_list("pk", flat=True)) | {contract.supplier_id}
    context = {
        "page_title": contract.title,
        "contract": contract,
        "kpis": kpis,
        "suppliers": contract.award.suppliers.all(),
        "is_supplier": bool(organisations & suppliers),
        "return_form": KpiReturnForm(),
        "is_commissioner": is_commissioner,
        "service_form": service_form if is_commissioner else None,
    }
    status = 400 if service_form is not None and service_form.errors else 200
    return render(request, "commissioning/contract_detail.html", context, status=status)


@require_GET
def diversity_dashboard(request: HttpRequest) -> HttpResponse:
    figures = diversity.figures()
    context = {"page_title": "Diversity and openness", **figures,
               "chart": diversity.chart(figures["by_kind"])}  # fmt: skip
    return render(request, "commissioning/diversity.html", context)


@require_GET
def diversity_csv(request: HttpRequest) -> HttpResponse:
    figures = diversity.figures()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="commissioning-diversity.csv"'
    writer = csvsafe.writer(response)
    writer.writerow(["kind", "contracts", "share_of_contracts_percent", "value_pence",
                     "share_of_value_percent"])  # fmt: skip
    for row in figures["by_kind"]:
        writer.writerow([row["label"], row["contracts"], row["contract_share"], row["value"],
                         row["value_share"]])  # fmt: skip
    return response


def lot_rankings(opportunity: Any) -> list[tuple[Any, list[BidLot]]]:
    rows = BidLot.objects.filter(lot__opportunity=opportunity).select_related("bid__bidder", "lot")
    by_lot: dict[int, list[BidLot]] = {}
    for row in rows.order_by("lot__number", "rank", "pk"):
        by_lot.setdefault(row.lot_id, []).append(row)
    return [(lot, by_lot.get(lot.pk, [])) for lot in opportunity.lots.all()]
